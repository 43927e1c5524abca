"""The collection portal over HTTP (Flask's test client): accounts, isolation of every route,
CSRF, throttling and lock-out, upload limits, versions, the board, the audit log."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, text

from cchc_pipeline.testing import ReportProject

from .conftest import sample_with_cache
from .portal_helpers import PASSWORD, Browser, bad_cell, fill_form, new_account, tree
from .test_build import docx_text

pytest.importorskip("flask")


@pytest.fixture
def portal(project: ReportProject):
    """The sample project with a department (stp), another (vp) and the coordinator."""
    return _portal(project)


@pytest.fixture
def built_portal(built_sample: ReportProject, tmp_path):
    """The same on a sample with the cache of the session's build (not its outputs), for the
    coordinator's builds."""
    return _portal(sample_with_cache(built_sample, tmp_path / "bao-cao"))


def _portal(project: ReportProject):
    from cchc_pipeline.portal.app import create_app

    passwords = {
        "stp": new_account(project, "stp", "--department", "stp"),
        "vp": new_account(project, "vp", "--department", "vp"),
        "tonghop": new_account(project, "tonghop", "--coordinator"),
    }
    app = create_app(project.config_path, testing=True)
    return project, app, passwords


def signed_in(app, name: str, passwords: dict[str, str]) -> Browser:
    browser = Browser(app)
    browser.first_login(name, passwords[name])
    return browser


def events(app) -> list[tuple[str, str, str | None, str]]:
    from cchc_pipeline.portal.models import AuditEvent

    with app.extensions["cchc"]["sessions"]() as db:
        rows = db.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor, e.action, e.section, e.detail) for e in rows]


def downloaded_form(browser: Browser, project: ReportProject, section: str) -> Path:
    reply = browser.get(f"/don-vi/{section}/mau/so-lieu")
    assert reply.status_code == 200
    path = project.root.parent / f"{section}-so-lieu.xlsx"
    path.write_bytes(reply.data)
    return path


def page_state(browser: Browser, section: str) -> str:
    html = browser.get(f"/don-vi/{section}").get_data(as_text=True)
    return " ".join(re.search(r'id="trang-thai">(.*?)</p>', html, re.S).group(1).split())


# -- accounts --------------------------------------------------------------------------------


def test_users_command_adds_lists_and_resets(project):
    first = new_account(project, "stp", "--department", "stp")
    new_account(project, "tonghop", "--coordinator")
    listed = project.run("users", "list", "-c", str(project.config_path))
    assert "stp\tđơn vị stp\tchưa đổi mật khẩu" in listed.stdout
    assert "tonghop\ttổng hợp" in listed.stdout
    again = project.run("users", "reset", "stp", "-c", str(project.config_path))
    second = re.search(r"stp: (\S+)", again.stdout).group(1)
    assert len(second) == 12 and second != first
    wrong = project.run("users", "add", "x1", "--department", "khong-co", "-c",
                        str(project.config_path))  # fmt: skip
    assert wrong.exit_code == 2 and "Không có phần “khong-co”" in wrong.stderr
    both = project.run("users", "add", "x2", "--coordinator", "--department", "stp", "-c",
                       str(project.config_path))  # fmt: skip
    assert both.exit_code == 2


def test_the_first_login_asks_for_an_own_password(portal):
    _project, app, passwords = portal
    browser = Browser(app)
    assert browser.login("stp", passwords["stp"]).status_code == 302
    reply = browser.get("/don-vi/stp")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/doi-mat-khau")
    short = browser.post("/doi-mat-khau", {"current": passwords["stp"], "new": "ngan",
                                           "again": "ngan"})  # fmt: skip
    assert "ít nhất 10 ký tự" in short.get_data(as_text=True)
    done = browser.post("/doi-mat-khau", {"current": passwords["stp"], "new": PASSWORD,
                                          "again": PASSWORD})  # fmt: skip
    assert done.headers["Location"].endswith("/don-vi/stp")
    assert browser.get("/don-vi/stp").status_code == 200
    later = Browser(app)
    assert later.login("stp", passwords["stp"]).status_code == 401  # the one-time one is gone
    assert later.login("stp", PASSWORD).status_code == 302


# -- isolation -------------------------------------------------------------------------------

ARGUMENTS = {"section": "vp", "which": "so-lieu", "number": 1, "file_id": 1,
             "name": "bao-cao.docx", "user_id": 1}  # fmt: skip
OPEN = {"static", "auth.index", "auth.login", "auth.logout", "auth.change_password"}


def test_a_department_is_refused_every_other_route_and_nothing_changes(portal):
    project, app, passwords = portal
    other = signed_in(app, "vp", passwords)  # vp gets a version of its own to aim at
    form = fill_form(downloaded_form(other, project, "vp"), project, "vp", bad=False)
    assert other.upload("vp", (form.read_bytes(), "so-lieu.xlsx")).status_code == 303
    stp = signed_in(app, "stp", passwords)
    before = tree(project.root)
    blobs = tree(project.root / ".cchc-portal" / "blobs")
    refused = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN:
            continue
        url = rule.build({k: v for k, v in ARGUMENTS.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "POST":
                data = {"files": [(io.BytesIO(b"ma_chi_tieu,x\n"), "so-lieu.csv")],
                        "only_docx": "y"}  # fmt: skip
                reply = stp.post(url, data, token_from="/don-vi/stp",
                                 content_type="multipart/form-data")  # fmt: skip
            else:
                reply = stp.get(url)
            assert reply.status_code == 403, (method, url, reply.status_code)
            refused.add(rule.endpoint)
    assert {"department.upload", "department.page", "coordinator.board", "coordinator.build",
            "coordinator.unlock", "coordinator.output_file"} <= refused  # fmt: skip
    assert tree(project.root) == before
    assert tree(project.root / ".cchc-portal" / "blobs") == blobs
    assert not (project.root / "build").exists()
    logged = [e for e in events(app) if e[1] == "refused"]
    assert len(logged) >= len(refused) and all(e[0] == "stp" for e in logged)


def test_the_coordinator_reads_a_section_but_does_not_send_for_it(portal):
    project, app, passwords = portal
    coordinator = signed_in(app, "tonghop", passwords)
    assert coordinator.get("/don-vi/stp").status_code == 200
    before = tree(project.root)
    reply = coordinator.upload("stp", (b"ma_chi_tieu,x\n", "so-lieu.csv"))
    assert reply.status_code == 403
    assert tree(project.root) == before


def test_pages_need_a_login(portal):
    _project, app, _passwords = portal
    client = app.test_client()
    for url in ("/don-vi/stp", "/tong-hop/", "/tong-hop/nhat-ky", "/don-vi/stp/mau/so-lieu"):
        reply = client.get(url)
        assert reply.status_code == 302 and "/dang-nhap" in reply.headers["Location"]


# -- CSRF, headers, cookies ----------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(portal):
    project, app, passwords = portal
    stp = signed_in(app, "stp", passwords)
    before = tree(project.root)

    def data() -> dict:
        return {"files": [(io.BytesIO(b"ma_chi_tieu,x\n"), "so-lieu.csv")]}

    reply = stp.client.post("/don-vi/stp/tai-len", data=data(), content_type="multipart/form-data")
    assert reply.status_code == 400 and "hết hạn" in reply.get_data(as_text=True)
    forged = stp.client.post("/don-vi/stp/tai-len", data={**data(), "csrf_token": "gia-mao"},
                             content_type="multipart/form-data")  # fmt: skip
    assert forged.status_code == 400
    assert tree(project.root) == before
    assert Browser(app).client.post("/dang-nhap", data={"name": "stp", "password": "x"}
                                    ).status_code == 400  # fmt: skip


def test_security_headers_and_cookies(portal):
    _project, app, passwords = portal
    browser = Browser(app)
    reply = browser.login("stp", passwords["stp"])
    policy = reply.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert reply.headers["X-Frame-Options"] == "DENY"
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    html = browser.get("/dang-nhap").get_data(as_text=True)
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_cookies_are_secure_when_the_config_says_https(project):
    from cchc_pipeline.portal.app import create_app

    project.config_path.write_text(project.config_text() + "\n[portal]\nsecure_cookies = true\n",
                                   encoding="utf-8")  # fmt: skip
    password = new_account(project, "stp", "--department", "stp")
    reply = Browser(create_app(project.config_path)).login("stp", password)
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie


# -- throttling and lock-out -----------------------------------------------------------------------


def test_failed_logins_are_throttled_then_lock_until_the_coordinator_unlocks(portal):
    _project, app, passwords = portal
    coordinator = signed_in(app, "tonghop", passwords)
    clock = [dt.datetime(2020, 11, 1, 8, 0)]
    app.config["PORTAL_CLOCK"] = lambda: clock[0]
    browser = Browser(app)
    for _ in range(3):
        assert browser.login("stp", "sai-mat-khau").status_code == 401
    throttled = browser.login("stp", passwords["stp"])  # right, but too soon
    assert throttled.status_code == 429
    assert "thử lại sau" in throttled.get_data(as_text=True)
    clock[0] += dt.timedelta(seconds=3)
    assert browser.login("stp", "sai-mat-khau").status_code == 401  # 4th failure
    clock[0] += dt.timedelta(seconds=10)
    locked = browser.login("stp", "sai-mat-khau")  # 5th: locked
    assert "đã bị khóa" in locked.get_data(as_text=True)
    clock[0] += dt.timedelta(hours=1)
    refused = browser.login("stp", passwords["stp"])
    assert refused.status_code == 401 and "đang bị khóa" in refused.get_data(as_text=True)
    page = coordinator.get("/tong-hop/tai-khoan").get_data(as_text=True)
    assert "Bị khóa (5 lần sai)" in page
    user_id = re.search(r"/tong-hop/tai-khoan/(\d+)/mo-khoa", page).group(1)
    unlocked = coordinator.post(f"/tong-hop/tai-khoan/{user_id}/mo-khoa",
                                token_from="/tong-hop/tai-khoan")  # fmt: skip
    assert unlocked.status_code == 303
    assert browser.login("stp", passwords["stp"]).status_code == 302
    actions = [e[1] for e in events(app) if e[0] == "stp"]
    assert actions.count("login_failed") >= 4 and "locked" in actions
    assert ("tonghop", "unlock") in [(e[0], e[1]) for e in events(app)]


# -- uploads ------------------------------------------------------------------------------------


def _docx(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "sent", "said"),
    [
        (b"", "so-lieu.csv", "rỗng"),
        (b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "bao-cao.docx", "là tệp PDF"),
        (_docx({"word/document.xml": b"\0" * (12 * 2**20)}), "bao-cao.docx", "bom nén"),
        (
            _docx({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aa">]>'
                   b"<w:document/>"}),
            "bao-cao.docx",
            "DOCTYPE/ENTITY",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "hinh.png", "hình"),
    ],
    ids=["empty", "pdf", "zip-bomb", "xml-entities", "broken-picture"],
)  # fmt: skip
def test_a_file_is_refused_by_its_content_and_nothing_changes(portal, content, sent, said):
    project, app, passwords = portal
    stp = signed_in(app, "stp", passwords)
    before = tree(project.root)
    reply = stp.upload("stp", (content, sent))
    assert reply.status_code == 303
    page = stp.get("/don-vi/stp").get_data(as_text=True)
    assert said in page and "Đã nhận phiên bản" not in page
    assert tree(project.root) == before
    assert [e[1] for e in events(app) if e[0] == "stp"][-1] == "upload_refused"


def test_a_file_above_the_size_limit_is_refused(project):
    from cchc_pipeline.portal.app import create_app

    project.config_path.write_text(project.config_text() + "\n[portal]\nupload_mb = 1\n",
                                   encoding="utf-8")  # fmt: skip
    password = new_account(project, "stp", "--department", "stp")
    stp = Browser(create_app(project.config_path))
    stp.first_login("stp", password)
    before = tree(project.root)
    stp.upload("stp", (b"# Bai viet\n\n" + b"chu " * 300_000, "bao-cao.md"))
    assert "quá 1 MB cho một tệp" in stp.get("/don-vi/stp").get_data(as_text=True)
    assert tree(project.root) == before


def test_the_sent_name_is_never_a_path(portal):
    project, app, passwords = portal
    stp = signed_in(app, "stp", passwords)
    config = project.config_text()
    figures = (project.root / "submissions" / "stp" / "so-lieu.csv").read_bytes()
    folder = project.root / "submissions" / "stp"
    listed = sorted(p.name for p in folder.iterdir())
    assert "so-lieu.csv" in listed
    reply = stp.upload("stp", (figures, "../../config.toml"), (figures, "..\\..\\x\\so lieu.csv"))
    assert reply.status_code == 303
    assert project.config_text() == config
    # stored under the name its content gives (so-lieu.csv), nowhere else, nothing added
    assert sorted(p.name for p in folder.iterdir()) == listed
    assert not (project.root / "x").exists()


# -- the journey over HTTP ----------------------------------------------------------------------


def test_upload_findings_fix_ready_history_and_comparison(portal):
    project, app, passwords = portal
    stp = signed_in(app, "stp", passwords)
    folder = project.root / "submissions" / "stp"
    form = fill_form(downloaded_form(stp, project, "stp"), project, "stp", bad=True)
    cell = bad_cell(form)
    assert stp.upload("stp", (form.read_bytes(), "Biểu số liệu STP.xlsx")).status_code == 303
    page = stp.get("/don-vi/stp").get_data(as_text=True)
    assert "Đã nhận phiên bản 2" in page
    row = re.search(r'<tr class="error">(.*?)</tr>', page).group(1)
    assert cell.replace("!", "!") in row and "-7" in row
    assert page_state(stp, "stp").startswith("Chưa sẵn sàng")
    assert (folder / "so-lieu.xlsx").read_bytes() == form.read_bytes()
    assert not (folder / "so-lieu.csv").exists()  # the figures' role: the workbook replaced it

    findings = stp.get("/don-vi/stp/ket-qua-kiem-tra.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(findings.data)).active
    assert any(cell in str(c.value) for r in sheet.iter_rows() for c in r)

    bad_bytes = form.read_bytes()
    fixed = fill_form(form, project, "stp", bad=False)
    assert stp.upload("stp", (fixed.read_bytes(), "so-lieu.xlsx")).status_code == 303
    assert page_state(stp, "stp").startswith("Sẵn sàng")
    assert (folder / "so-lieu.xlsx").read_bytes() == fixed.read_bytes()

    page = stp.get("/don-vi/stp").get_data(as_text=True)
    found = re.findall(r'href="(/don-vi/stp/phien-ban/(\d+)/\d+)">so-lieu.xlsx', page)
    versions = {number: url for url, number in found}
    assert stp.get(versions["2"]).data == bad_bytes  # the history keeps both
    assert stp.get(versions["3"]).data == fixed.read_bytes()
    compared = stp.get("/don-vi/stp/so-sanh?tu=2&den=3").get_data(as_text=True)
    changed = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>",
                         compared)  # fmt: skip
    assert changed == [("Văn bản QPPL do HĐND tỉnh ban hành <small>(vbqppl_hdnd)</small>",
                        "2015", "-7", "19")]  # fmt: skip
    assert "(có sẵn trong thư mục bài nộp)" in page  # version 1: the folder as it was
    preview = stp.get("/don-vi/stp/xem-truoc").get_data(as_text=True)
    assert "<script" not in preview and "thẩm định" in preview

    actions = [(e[1], e[2]) for e in events(app) if e[0] == "stp"]
    assert ("login", "stp") in actions and ("password", "stp") in actions
    assert actions.count(("upload", "stp")) == 2
    assert ("download", "stp") in actions


def test_the_board_shows_each_section_and_the_reminder(project):
    from cchc_pipeline.portal.app import create_app

    project.config_path.write_text(
        project.config_text() + "\n[portal]\ndeadline = 2020-11-10\n\n"
        "[portal.deadlines]\nvp = 2099-01-01\n", encoding="utf-8")  # fmt: skip
    (project.root / "submissions" / "vp" / "so-lieu.csv").unlink()
    passwords = {"tonghop": new_account(project, "tonghop", "--coordinator")}
    app = create_app(project.config_path)
    board = signed_in(app, "tonghop", passwords).get("/tong-hop/").get_data(as_text=True)
    vp = re.search(r'<tr class="([^"]*)" id="phan-vp">(.*?)</tr>', board, re.S)
    assert "waiting" in vp.group(1) and "late" not in vp.group(1) and "01/01/2099" in vp.group(2)
    stp = re.search(r'<tr class="([^"]*)" id="phan-stp">(.*?)</tr>', board, re.S)
    assert stp.group(1) == "ready" and "10/11/2020" in stp.group(2)
    reminder = re.search(r'<textarea[^>]*id="nhac">(.*?)</textarea>', board, re.S).group(1)
    assert "Văn phòng UBND tỉnh" in reminder or "vp" in reminder
    assert "lỗi cần sửa" in reminder and "Sở Tư pháp" not in reminder


def test_the_audit_log_refuses_changes_in_the_database(portal):
    _project, app, passwords = portal
    signed_in(app, "stp", passwords)
    engine = app.extensions["cchc"]["engine"]
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'x'"))
    assert len(events(app)) >= 2


def test_the_coordinator_builds_and_downloads_the_draft(built_portal):
    docx = pytest.importorskip("docx")
    project, app, passwords = built_portal
    coordinator = signed_in(app, "tonghop", passwords)
    reply = coordinator.post("/tong-hop/dung", {"only_docx": "y"}, token_from="/tong-hop/")
    assert reply.status_code == 303
    builder = app.extensions["cchc"]["builder"]
    for _ in range(600):  # bounded: at most five minutes
        if not builder.running:
            break
        time.sleep(0.5)
    status = coordinator.get("/tong-hop/dung").get_data(as_text=True)
    assert builder.current.success, status
    from cchc_pipeline.config import load_config

    name = load_config(project.config_path).output["name"] + ".docx"
    assert f'href="/tong-hop/ket-qua/{name}"' in status
    document = docx.Document(io.BytesIO(coordinator.get(f"/tong-hop/ket-qua/{name}").data))
    assert "Cải cách thể chế" in docx_text(document)
    assert coordinator.get("/tong-hop/ket-qua/..%2Fconfig.toml").status_code == 404
    actions = [e[1] for e in events(app) if e[0] == "tonghop"]
    assert {"build", "build_done", "download"} <= set(actions)


def test_serve_binds_this_machine_unless_told(monkeypatch, project):
    import waitress

    from cchc_pipeline.portal import server

    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: seen.update(kw))
    said: list[str] = []
    server.serve(project.config_path, "127.0.0.1", 8080, say=said.append)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8080
    assert "http://127.0.0.1:8080/" in said[0] and "Chỉ máy này" in said[1]
    said.clear()
    server.serve(project.config_path, "0.0.0.0", 8081, say=said.append)
    assert "Cảnh báo" in said[1]
    help_text = project.run("serve", "--help").stdout
    assert "127.0.0.1" in help_text


def test_stored_figures_are_json(portal):
    project, app, passwords = portal
    stp = signed_in(app, "stp", passwords)
    figures = (project.root / "submissions" / "stp" / "so-lieu.csv").read_bytes()
    stp.upload("stp", (figures.replace(b"18,16,20", b"18,16,21", 1), "so-lieu.csv"))
    from cchc_pipeline.portal.models import Version

    with app.extensions["cchc"]["sessions"]() as db:
        latest = db.scalars(select(Version).order_by(Version.id.desc())).first()
        assert json.loads(latest.figures)["values"]["vbqppl_hdnd"]["2013"] == 21


def test_other_commands_do_not_import_the_portal():
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cchc_pipeline.cli import main\n"
        "for args in (['--help'], ['serve', '--help'], ['users', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "heavy = {'flask', 'waitress', 'sqlalchemy', 'alembic', 'argon2', 'flask_wtf', 'psycopg'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout  # fmt: skip
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("sent", "content", "name"),
    [
        ("Khen thưởng 2020.csv", b"loai,ten\n", "khen-thuong.csv"),
        ("CHỈ SỐ PAR.csv", b"nam,chi_so\n", "chi-so.csv"),
        ("so lieu.csv", b"ma_chi_tieu,2020\n", "so-lieu.csv"),
        ("../../etc/Ảnh Hội nghị.PNG", b"", "anh-hoi-nghi.png"),
        ("C:\\Users\\x\\bao-cao.png", b"", "hinh.png"),
    ],
)
def test_the_name_a_file_gets(sent, content, name):
    from cchc_pipeline.intake.sniff import Kind
    from cchc_pipeline.portal.uploads import target_name

    kind = Kind.PNG if name.endswith(".png") else Kind.CSV
    assert target_name(kind, sent) == name


def test_a_version_sent_after_its_deadline_is_late(portal):
    from cchc_pipeline.portal.board import rows
    from cchc_pipeline.portal.checking import check_all
    from cchc_pipeline.portal.settings import PortalSettings

    project, app, passwords = portal
    stp = signed_in(app, "stp", passwords)
    figures = (project.root / "submissions" / "stp" / "so-lieu.csv").read_bytes()
    stp.upload("stp", (figures, "so-lieu.csv"))
    today = dt.date.today()
    settings = PortalSettings(project.root, "", deadlines={"stp": today - dt.timedelta(days=1),
                                                           "vp": today})  # fmt: skip
    with app.extensions["cchc"]["sessions"]() as db:
        board = {r.name: r for r in rows(db, check_all(project.config_path), settings, today)}
    assert board["stp"].ready and board["stp"].late  # sent today, due yesterday
    assert board["vp"].ready and not board["vp"].late  # in the folder, due today


def test_the_second_draft_offers_its_comparison_with_the_first(built_portal):
    project, app, passwords = built_portal
    coordinator = signed_in(app, "tonghop", passwords)
    stp = signed_in(app, "stp", passwords)
    builder = app.extensions["cchc"]["builder"]

    def build() -> str:
        reply = coordinator.post("/tong-hop/dung", {"only_docx": "y"}, token_from="/tong-hop/")
        assert reply.status_code == 303
        for _ in range(600):  # bounded: at most five minutes
            if not builder.running:
                break
            time.sleep(0.5)
        assert builder.current.success, builder.current.message
        return coordinator.get("/tong-hop/").get_data(as_text=True)

    build()
    figures = (project.root / "submissions" / "stp" / "so-lieu.csv").read_bytes()
    assert figures.count(b'"1.204"') == 1  # pbgdpl_buoi in 2020, tied by no rule
    stp.upload("stp", (figures.replace(b'"1.204"', b'"1.205"'), "so-lieu.csv"))
    board = build()
    offered = re.findall(r'href="/tong-hop/ket-qua/([^"]+-so-sanh\.docx)"', board)
    assert offered, "no comparison with the previous draft offered"
    assert "(so sánh với dự thảo trước)" in board
    assert coordinator.get(f"/tong-hop/ket-qua/{offered[0]}").status_code == 200
