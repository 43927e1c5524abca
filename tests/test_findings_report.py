"""``cchc validate --report DIR``: one findings file per department, XLSX and HTML."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_pipeline.model import Finding, Location, Severity
from cchc_pipeline.testing import ReportProject
from cchc_pipeline.workflow.findings_report import (
    DepartmentFindings,
    file_name,
    position,
    write_xlsx,
)

PLUGINS = ("stp", "vp", "snv", "stc", "stttt", "skhcn", "tonghop")
DATA_FILE = "submissions/stp/so-lieu.csv"
SCRIPT = "<script>alert(1)</script>"


class _Page(HTMLParser):
    """The text of the page, its start tags, and the cells of its table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _sheet_rows(path: Path) -> tuple[list[str], list[list]]:
    """The title block's lines and the table's rows (after the STT header)."""
    sheet = load_workbook(path).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row[0] == "STT")
    title = [row[0] for row in values[:header] if row[0]]
    return title, values[header:]


def _expected(found: list[dict]) -> set[tuple]:
    """(severity, file, position, message, hint) of the JSON findings."""
    labels = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}
    return {
        (
            labels[f["severity"]],
            f["location"]["file"] or "",
            position(Location(**f["location"])),
            f["message"],
            f["hint"] or "",
        )
        for f in found
    }


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportProject, Path, object]:
    """The sample with a word in a number cell, a broken sum and markup in a cell, checked."""
    project = ReportProject.sample(tmp_path_factory.mktemp("kq") / "bao-cao")
    project.set_value("stp", "vbqppl_kiem_tra", 2011, "sáu hai")  # text in a number (line 7)
    project.set_value("stp", "vbqppl_hdnd", 2011, "19")  # 19 + 44 ≠ 62 (line 4)
    project.set_value("stp", "pbgdpl_buoi", 2012, SCRIPT)  # submitted markup (line 14)
    folder = project.root / "ket-qua"
    result = project.run(
        "validate", "--report", str(folder), "--report-format", "xlsx", "--report-format", "html"
    )
    return project, folder, result


def test_exit_code_and_normal_output_are_kept(checked):
    _, folder, result = checked
    assert result.exit_code == 1
    assert "Sở Tư pháp (stp): 3 lỗi, 0 cảnh báo — cần sửa" in result.stdout
    assert f"Đã ghi kết quả kiểm tra: {folder / 'ket-qua-kiem-tra-stp.xlsx'}" in result.stdout
    assert "Traceback" not in result.output


def test_one_file_per_department_and_format_nothing_else(checked):
    _, folder, _ = checked
    expected = {file_name(p, ext) for p in PLUGINS for ext in ("xlsx", "html")}
    assert {p.name for p in folder.iterdir()} == expected  # no temporary file left behind


def test_xlsx_lists_exactly_the_findings_with_their_locations(checked):
    project, folder, _ = checked
    found = project.findings("stp")
    title, rows = _sheet_rows(folder / "ket-qua-kiem-tra-stp.xlsx")
    assert rows[0] == [
        "STT",
        "Mức độ",
        "Tệp",
        "Vị trí",
        "Nội dung",
        "Cách sửa",
        "Ghi chú của đơn vị",
    ]
    assert [row[0] for row in rows[1:]] == list(range(1, len(rows)))
    rows = [row for row in rows if row[1] != "Thông tin"]  # how the narrative was read
    listed = [tuple(row[1:6]) for row in rows[1:]]
    assert len(listed) == len(found) == 3 and set(listed) == _expected(found)
    where = [(row[2], row[3]) for row in rows[1:]]  # in the order of the file
    assert where == [(DATA_FILE, "dòng 4"), (DATA_FILE, "dòng 7"), (DATA_FILE, "dòng 14")]
    assert any("“sáu hai” không phải là số" in row[4] for row in rows[1:])
    assert any(f"“{SCRIPT}” không phải là số" in row[4] for row in rows[1:])
    assert title[0] == "KẾT QUẢ KIỂM TRA BÀI NỘP"
    assert "Đơn vị: Sở Tư pháp (stp)" in title
    assert any(line.startswith("Báo cáo: Báo cáo tổng kết Chương trình tổng thể") for line in title)
    assert any(line.startswith("Thời điểm kiểm tra: ") for line in title)
    assert "Kết quả: 3 lỗi, 0 cảnh báo. Đơn vị cần sửa các lỗi rồi gửi lại bài nộp." in title


def test_html_lists_the_same_findings_escaped(checked):
    project, folder, _ = checked
    page = _page(folder / "ket-qua-kiem-tra-stp.html")
    assert page.rows[0] == ["STT", "Mức độ", "Tệp", "Vị trí", "Nội dung", "Cách sửa"]
    xlsx = _sheet_rows(folder / "ket-qua-kiem-tra-stp.xlsx")[1]
    assert [tuple(row[1:6]) for row in page.rows[1:]] == [tuple(row[1:6]) for row in xlsx[1:]]
    shown = {tuple(row[1:6]) for row in page.rows[1:] if row[1] != "Thông tin"}
    assert shown == _expected(project.findings("stp"))
    assert "script" not in page.tags  # the submitted markup is text, not an element
    assert any(f"“{SCRIPT}” không phải là số" in row[4] for row in page.rows[1:])
    source = (folder / "ket-qua-kiem-tra-stp.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in source and "<link" not in source and "src=" not in source
    text = " ".join(page.text)
    assert "Sở Tư pháp (stp)" in text and "3 lỗi, 0 cảnh báo" in text


def test_a_department_without_findings_gets_a_file_saying_so(checked):
    _, folder, _ = checked
    title, rows = _sheet_rows(folder / "ket-qua-kiem-tra-vp.xlsx")
    assert "Kết quả: Không có lỗi hay cảnh báo nào. Bài nộp đạt yêu cầu." in title
    # only notices: how its narrative's headings were understood
    assert {row[1] for row in rows[1:]} == {"Thông tin"}
    assert any("Đề mục “Kết quả thực hiện” → mục" in row[4] for row in rows[1:])
    page = _page(folder / "ket-qua-kiem-tra-vp.html")
    assert {row[1] for row in page.rows[1:]} == {"Thông tin"}
    assert "Văn phòng UBND tỉnh (vp)" in " ".join(page.text)


def test_json_output_stays_json_and_xlsx_is_the_default(project):
    folder = project.root / "kq"
    result = project.run("validate", "--format", "json", "--report", str(folder))
    assert result.exit_code == 0
    assert [f for f in json.loads(result.stdout) if f["severity"] != "info"] == []
    assert "Đã ghi kết quả kiểm tra" in result.stderr
    assert sorted(p.suffix for p in folder.iterdir()) == [".xlsx"] * len(PLUGINS)


def test_report_format_needs_report(project):
    result = project.run("validate", "--report-format", "html")
    assert result.exit_code == 2
    assert "--report-format chỉ dùng cùng --report" in result.stderr


def test_xlsx_cells_are_text_never_formulas(tmp_path):
    finding = Finding(
        Severity.WARNING,
        '=HYPERLINK("http://x","bấm")',
        "stp",
        Location(file="a.xlsx", sheet="Số liệu", cell="C5"),
        "=1+1",
    )
    entry = DepartmentFindings(
        "stp", "Sở Tư pháp", "Báo cáo", dt.datetime(2020, 9, 1, 8, 5), (finding,)
    )
    write_xlsx(entry, tmp_path / "kq.xlsx")
    sheet = load_workbook(tmp_path / "kq.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and str(c.value)[:1] == "="]
    assert [(c.value, c.data_type) for c in cells] == [
        ('=HYPERLINK("http://x","bấm")', "s"),
        ("=1+1", "s"),
    ]
    _, rows = _sheet_rows(tmp_path / "kq.xlsx")
    assert rows[1][1:4] == ["Cảnh báo", "a.xlsx", "Số liệu!C5"]
    assert "Thời điểm kiểm tra: 08:05 ngày 01/09/2020" in _sheet_rows(tmp_path / "kq.xlsx")[0]
