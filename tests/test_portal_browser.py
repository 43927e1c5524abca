"""The portal's journeys in a real Chromium driven by Selenium, against ``cchc serve``'s
waitress on 127.0.0.1: a department fixes its form until it is ready, the coordinator
sees the board change, builds the draft and opens the DOCX it downloads."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from .portal_helpers import PASSWORD, bad_cell, fill_form, new_account
from .test_build import docx_text

selenium = pytest.importorskip("selenium")


def _driver_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are required under CI (.ci/run)")
        pytest.skip("chromium or chromedriver is not installed")
    return chromium, driver


def wait_for(condition, seconds: float = 180.0):  # type: ignore[no-untyped-def]
    """The condition's first true value, polled at most ``seconds`` (bounded)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (NoSuchElementException, StaleElementReferenceException):
            value = None  # the page was reloading
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("waited too long")


@pytest.fixture
def served(project):
    """``cchc serve``'s server on 127.0.0.1, on a free port, for the test's length."""
    from waitress import create_server

    from cchc_pipeline.portal.app import create_app

    passwords = {
        "stp": new_account(project, "stp", "--department", "stp"),
        "tonghop": new_account(project, "tonghop", "--coordinator"),
    }
    app = create_app(project.config_path)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", passwords, app
    server.close()
    thread.join(timeout=10)


@pytest.fixture
def chrome(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = _driver_paths()
    downloads = tmp_path / "tai-ve"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=412,915", "--disable-gpu"):  # a phone's width  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })  # fmt: skip
    browser = webdriver.Chrome(service=Service(driver), options=options)
    browser.set_page_load_timeout(120)
    browser.downloads = downloads
    yield browser
    browser.quit()


def _log_in(browser, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{base}/dang-nhap")
    browser.find_element(By.NAME, "name").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#dang-nhap button").click()


def _first_login(browser, base: str, name: str, one_time: str) -> None:
    from selenium.webdriver.common.by import By

    _log_in(browser, base, name, one_time)
    wait_for(lambda: browser.current_url.endswith("/doi-mat-khau"))
    browser.find_element(By.NAME, "current").send_keys(one_time)
    browser.find_element(By.NAME, "new").send_keys(PASSWORD)
    browser.find_element(By.NAME, "again").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#doi-mat-khau button").click()
    wait_for(lambda: "/doi-mat-khau" not in browser.current_url)


def _downloaded(folder: Path, name: str) -> Path:
    path = folder / name
    wait_for(lambda: path.exists() and not list(folder.glob("*.crdownload")))
    return path


def _upload(browser, path: Path) -> None:
    from selenium.webdriver.common.by import By

    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.NAME, "files").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "#gui-bai button").click()
    # the page of the previous upload says "Đã nhận phiên bản" too: wait for the new page
    wait_for(lambda: _gone(before))
    wait_for(lambda: "Đã nhận phiên bản" in browser.page_source
             and browser.find_element(By.ID, "trang-thai").text)  # fmt: skip


def _gone(element) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page holding ``element`` has been replaced by another."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.tag_name  # noqa: B018 - any call on a replaced page's element raises
    except WebDriverException:  # stale, or "does not belong to the document" mid-navigation
        return True
    return False


def test_a_department_and_the_coordinator_in_chromium(served, chrome, project):
    from selenium.webdriver.common.by import By

    docx = pytest.importorskip("docx")
    base, passwords, _app = served
    _first_login(chrome, base, "stp", passwords["stp"])
    assert chrome.current_url.endswith("/don-vi/stp")
    chrome.find_element(By.ID, "mau-so-lieu").click()
    form = _downloaded(chrome.downloads, "stp-so-lieu.xlsx")

    sent = fill_form(form, project, "stp", bad=True)
    _upload(chrome, sent)
    state = chrome.find_element(By.ID, "trang-thai").text
    assert state.startswith("Chưa sẵn sàng")
    places = [c.text for c in chrome.find_elements(By.CSS_SELECTOR, "tr.error td.where")]
    assert bad_cell(sent) in places

    fixed = fill_form(form, project, "stp", bad=False)
    _upload(chrome, fixed)
    assert chrome.find_element(By.ID, "trang-thai").text.startswith("Sẵn sàng")
    folder = project.root / "submissions" / "stp"
    assert (folder / "so-lieu.xlsx").read_bytes() == fixed.read_bytes()
    history = chrome.find_element(By.ID, "lich-su").text
    assert "(có sẵn trong thư mục bài nộp)" in history and history.count("so-lieu.xlsx") == 2

    chrome.find_element(By.CSS_SELECTOR, "form.inline button").click()  # log out
    wait_for(lambda: chrome.current_url.endswith("/dang-nhap"))
    _first_login(chrome, base, "tonghop", passwords["tonghop"])
    row = chrome.find_element(By.ID, "phan-stp")
    assert "Sẵn sàng" in row.text and "stp, phiên bản 3" in row.text
    chrome.find_element(By.NAME, "only_docx").click()
    chrome.find_element(By.CSS_SELECTOR, "#dung button").click()
    # the page reloads itself every two seconds while the build runs (no script)
    wait_for(lambda: "Đã dựng xong" in chrome.page_source or "không thành" in chrome.page_source,
             seconds=300)  # fmt: skip
    time.sleep(0.5)
    assert "Đã dựng xong" in wait_for(lambda: chrome.find_element(By.ID, "tinh-trang-dung").text)
    from cchc_pipeline.config import load_config

    name = load_config(project.config_path).output["name"] + ".docx"  # the report itself
    wait_for(lambda: chrome.find_element(By.LINK_TEXT, name)).click()
    document = docx.Document(_downloaded(chrome.downloads, name))
    assert "Cải cách thể chế" in docx_text(document)

    chrome.get(f"{base}/tong-hop/nhat-ky")
    log = chrome.find_element(By.ID, "nhat-ky").text
    for words in ("đăng nhập", "gửi bài", "dựng dự thảo", "dựng xong", "tải về"):
        assert words in log
