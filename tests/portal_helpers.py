"""Helpers of the portal's tests: a sample project with accounts, a client that logs in and
sends forms with their CSRF token, the Excel form filled from the sample's figures."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import openpyxl

from cchc_pipeline.testing import ReportProject

PASSWORD = "mat-khau-rieng-2020"
BAD = ("vbqppl_hdnd", 2015)  # the cell made wrong in the journeys
SHEET = "Số liệu"


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def new_account(project: ReportProject, name: str, *options: str) -> str:
    """``cchc users add``; the one-time password it printed."""
    result = project.run("users", "add", name, *options, "-c", str(project.config_path))
    assert result.exit_code == 0, result.output
    return re.search(r"Mật khẩu một lần: (\S+)", result.stdout).group(1)


class Browser:
    """A Flask test client that logs in and fills forms as a person would."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.client = app.test_client()

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, *, token_from: str | None = None,
             **kw):  # type: ignore[no-untyped-def]  # fmt: skip
        data = dict(data or {})
        page = self.client.get(token_from or url)
        data.setdefault("csrf_token", csrf(page.get_data(as_text=True)))
        return self.client.post(url, data=data, **kw)

    def login(self, name: str, password: str):  # type: ignore[no-untyped-def]
        return self.post("/dang-nhap", {"name": name, "password": password})

    def first_login(self, name: str, one_time: str) -> None:
        assert self.login(name, one_time).status_code == 302
        reply = self.post("/doi-mat-khau",
                          {"current": one_time, "new": PASSWORD, "again": PASSWORD})  # fmt: skip
        assert reply.status_code == 302, reply.get_data(as_text=True)

    def upload(self, section: str, *files: tuple[bytes, str]):  # type: ignore[no-untyped-def]
        data = {"files": [(io.BytesIO(content), name) for content, name in files]}
        return self.post(f"/don-vi/{section}/tai-len", data, token_from=f"/don-vi/{section}",
                         content_type="multipart/form-data")  # fmt: skip


def fill_form(form: Path, project: ReportProject | None, plugin: str, bad: bool) -> Path:
    """Type the shipped sample's figures into a downloaded form; ``bad``: one cell wrong."""
    book = openpyxl.load_workbook(form)
    sheet = book[SHEET]
    start = next(r[0].row for r in sheet.iter_rows() if r[0].value == "ma_chi_tieu")
    rows = {r[0].value: r[0].row for r in sheet.iter_rows(min_row=start + 1) if r[0].value}
    years = {c.value: c.column_letter for c in sheet[start] if isinstance(c.value, int)}
    from cchc_pipeline import resources

    source = resources.sample_dir() / "submissions" / plugin / "so-lieu.csv"
    with source.open(encoding="utf-8") as handle:
        header, *lines = list(csv.reader(handle))
    for line in lines:
        for year, text in zip(header[3:], line[3:], strict=True):
            if text:  # what Excel stores when a clerk types "1.250" or "93,5"
                number = float(text.replace(".", "").replace(",", "."))
                value = int(number) if number.is_integer() else number
                sheet[f"{years[int(year)]}{rows[line[0]]}"] = value
    if bad:
        sheet[f"{years[BAD[1]]}{rows[BAD[0]]}"] = -7
    book.save(form)
    return form


def bad_cell(form: Path) -> str:
    """The address of the wrong cell, as the findings show it (“Số liệu!H4”)."""
    sheet = openpyxl.load_workbook(form)[SHEET]
    start = next(r[0].row for r in sheet.iter_rows() if r[0].value == "ma_chi_tieu")
    row = next(r[0].row for r in sheet.iter_rows(min_row=start) if r[0].value == BAD[0])
    column = next(c.column_letter for c in sheet[start] if c.value == BAD[1])
    return f"{SHEET}!{column}{row}"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its digest (what must not change)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cchc-portal" not in p.parts and ".cchc-cache" not in p.parts
    }
