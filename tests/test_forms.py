"""Department forms (``cchc form``) and the intake of a filled Excel form.

The round trip is the promise: the form of every department, filled with the sample's values
the way a clerk would (openpyxl standing in for Excel), builds the same report as the CSVs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile

import docx
import openpyxl
import pytest

from cchc_pipeline.intake.narrative import COORDINATOR_PARTS, DEPARTMENT_PARTS
from cchc_pipeline.testing import ReportProject

FIELDS = ("stp", "vp", "snv", "stc", "stttt", "skhcn")
SHEET = "Số liệu"


def nominations(project: ReportProject, plugin: str) -> list:
    """The nominations the plugin collected (the report's Markdown shows only their counts)."""
    from cchc_pipeline.config import load_config
    from cchc_pipeline.pipeline import Pipeline

    with Pipeline(load_config(project.config_path), use_cache=False) as pipeline:
        pipeline.collect_and_validate()
    return pipeline.report.sections[plugin].nominations


def without_revision(markdown: str) -> str:
    """The Markdown without its revision line: a fingerprint of the input files by design."""
    text, count = re.subn(r'(?m)^  revision: "[0-9a-f]+"\n', "", markdown)
    assert count == 1
    return text


def make_form(project: ReportProject, plugin: str, *args: str):
    folder = project.root / "bieu-mau" / plugin
    result = project.run("form", plugin, "-c", str(project.config_path), "-o", str(folder), *args)
    assert result.exit_code == 0, result.output
    return folder


def sample_rows(project: ReportProject, plugin: str, name: str) -> list[list[str]]:
    path = project.root / "submissions" / plugin / name
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def typed(text: str) -> int | float:
    """What Excel stores when a clerk types a sample value ("1.250" → 1250, "93,5" → 93.5)."""
    value = float(text.replace(".", "").replace(",", "."))
    return int(value) if value.is_integer() else value


def header_row(sheet, first: str) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == first)


def code_rows(sheet) -> dict[str, int]:
    start = header_row(sheet, "ma_chi_tieu")
    return {row[0].value: row[0].row for row in sheet.iter_rows(min_row=start + 1) if row[0].value}


def year_columns(sheet) -> dict[int, str]:
    row = header_row(sheet, "ma_chi_tieu")
    return {c.value: c.column_letter for c in sheet[row] if isinstance(c.value, int)}


def fill_form(project: ReportProject, plugin: str, *, reverse: bool = False):
    """Type the sample's figures and nominations into a fresh form and make it the
    submission (its CSVs removed); return the workbook, still open, and its path."""
    folder = make_form(project, plugin)
    book = openpyxl.load_workbook(folder / "so-lieu.xlsx")
    sheet = book[SHEET]
    rows, years = code_rows(sheet), year_columns(sheet)
    header, *data = sample_rows(project, plugin, "so-lieu.csv")
    for line in data:
        for year, text in zip(header[3:], line[3:], strict=True):
            if text:
                sheet[f"{years[int(year)]}{rows[line[0]]}"] = typed(text)
    if reverse:  # a clerk sorted the rows: the codes move with their figures
        numbers = sorted(rows.values())
        cells = {n: [c.value for c in sheet[n]] for n in numbers}
        for n, source in zip(numbers, reversed(numbers), strict=True):
            for c, value in zip(sheet[n], cells[source], strict=True):
                c.value = value
    nominations = book["Khen thưởng"]
    start = header_row(nominations, "Loại") + 1
    for offset, line in enumerate(sample_rows(project, plugin, "khen-thuong.csv")[1:]):
        for column, text in enumerate(line, start=1):
            # typed with combining accents, as some Vietnamese keyboard settings do
            value = unicodedata.normalize("NFD", text)
            nominations.cell(row=start + offset, column=column, value=value)
    for sheet_name, csv_name in (("Nhiệm vụ 2021-2030", "nhiem-vu.csv"),
                                 ("Chỉ tiêu 2025-2030", "chi-tieu.csv")):  # fmt: skip
        sheet = book[sheet_name]
        start = header_row(sheet, "Nhiệm vụ" if csv_name == "nhiem-vu.csv" else "Năm") + 1
        for offset, line in enumerate(sample_rows(project, plugin, csv_name)[1:]):
            for column, text in enumerate(line, start=1):  # a year typed is a number
                value = int(text) if text.isdigit() else text
                sheet.cell(row=start + offset, column=column, value=value)
    submission = project.root / "submissions" / plugin
    for name in ("so-lieu.csv", "khen-thuong.csv", "nhiem-vu.csv", "chi-tieu.csv"):
        (submission / name).unlink()
    path = submission / "so-lieu.xlsx"
    book.save(path)
    return book, path


@pytest.mark.parametrize("plugin", FIELDS)
def test_filled_form_builds_the_sample_report(cached_project, sample_markdown, plugin, tmp_path):
    project = cached_project
    expected = nominations(ReportProject.sample(tmp_path / "mau"), plugin)
    fill_form(project, plugin)
    assert project.findings(plugin) == []
    assert nominations(project, plugin) == expected != []
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert without_revision(markdown) == without_revision(sample_markdown)


def test_rows_are_read_by_code_in_any_order(cached_project, sample_markdown):
    project = cached_project
    fill_form(project, "snv", reverse=True)
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert without_revision(markdown) == without_revision(sample_markdown)


def covering(sheet, coordinate: str):
    return [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.mark.parametrize("plugin", FIELDS)
def test_form_guards_its_cells(project, plugin):
    from cchc_pipeline.catalogue import load_catalogue
    from cchc_pipeline.resources import plugins_dir

    catalogue = load_catalogue(plugins_dir() / plugin / "catalogue.toml")
    book = openpyxl.load_workbook(make_form(project, plugin) / "so-lieu.xlsx")
    assert book.sheetnames == ["Hướng dẫn", SHEET, "Khen thưởng", "Nhiệm vụ 2021-2030",
                              "Chỉ tiêu 2025-2030", "Danh mục cơ quan"]  # fmt: skip
    sheet = book[SHEET]
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.freeze_panes == "D4"
    assert (
        sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    )  # A4
    rows, years = code_rows(sheet), year_columns(sheet)
    assert list(rows) == [i.id for i in catalogue]
    assert list(years) == list(range(2011, 2021))
    for indicator in catalogue:
        row = rows[indicator.id]
        assert sheet[f"B{row}"].value == indicator.label.replace("{cap}", "tỉnh")
        assert all(sheet.cell(row=row, column=c).protection.locked for c in (1, 2, 3))
        for year, column in years.items():
            cell = sheet[f"{column}{row}"]
            rules = covering(sheet, cell.coordinate)
            if not indicator.due(year):
                assert cell.protection.locked and rules == []
                assert cell.fill.start_color.rgb.endswith("D9D9D9")
                continue
            assert not cell.protection.locked
            (rule,) = rules
            low, high = indicator.bounds()
            if low is None and high is None:  # any number: only text is refused
                low, high = -1e12, 1e12
            expected = "whole" if indicator.kind == "count" else "decimal"
            assert (rule.type, rule.showErrorMessage) == (expected, True)
            assert float(rule.formula1) == (low if low is not None else high)
            assert (rule.formula2 and float(rule.formula2)) == (high if low is not None else None)
            assert "Chỉ ghi số" in rule.error
    nominations = book["Khen thưởng"]
    assert [c.value for c in nominations[header_row(nominations, "Loại")]] == [
        "Loại",
        "Tên",
        "Chức vụ, đơn vị",
        "Thành tích",
        "Hình thức",
    ]
    (kinds,) = covering(nominations, "A4")
    assert (kinds.type, kinds.formula1) == ("list", '"Tập thể,Cá nhân"')
    guide = "\n".join(str(c.value) for c in book["Hướng dẫn"]["A"] if c.value)
    assert "so-lieu.xlsx" in guide and "Kết quả thực hiện" in guide and "Sở Nội vụ" in guide


def headings_and_guidance(path) -> list[tuple[str, str]]:
    paragraphs = docx.Document(str(path)).paragraphs
    return [
        (p.text, paragraphs[n + 1].text)
        for n, p in enumerate(paragraphs)
        if p.style.name == "Heading 1"
        and all(run.italic for run in paragraphs[n + 1].runs)  # the guidance is italic
    ]


@pytest.mark.parametrize(
    ("plugin", "parts"), [("stp", DEPARTMENT_PARTS), ("tonghop", COORDINATOR_PARTS)]
)
def test_word_template_has_the_narrative_headings(project, plugin, parts):
    folder = make_form(project, plugin)
    assert (folder / "so-lieu.xlsx").exists() == (plugin != "tonghop")
    found = headings_and_guidance(folder / "bao-cao.docx")
    assert [heading for heading, _ in found] == [part.title for part in parts.values()]
    assert all(guidance.startswith("Hướng dẫn (xóa đoạn này khi viết):") for _, guidance in found)
    with zipfile.ZipFile(folder / "bao-cao.docx") as package:  # no placeholder left in view
        parts = [n for n in package.namelist() if n.startswith(("word/footer", "word/header"))]
        assert parts and all(b"CCHC-" not in package.read(n) for n in parts)


def test_returned_template_is_read_and_its_guidance_refused(project):
    folder = make_form(project, "stp")
    submission = project.root / "submissions" / "stp"
    (submission / "bao-cao.md").unlink()
    (folder / "bao-cao.docx").rename(submission / "bao-cao.docx")
    found = project.findings("stp")
    assert {f["location"]["heading"] for f in found} == {p.title for p in DEPARTMENT_PARTS.values()}
    assert all("còn đoạn hướng dẫn của mẫu" in f["message"] for f in found)


def set_cell(project, plugin, indicator, year, value, number_format=None):
    """Write one cell of a filled form; return its address."""
    book, path = fill_form(project, plugin)
    sheet = book[SHEET]
    cell = sheet[f"{year_columns(sheet)[year]}{code_rows(sheet)[indicator]}"]
    cell.value = value
    if number_format:
        cell.number_format = number_format
    book.save(path)
    return cell.coordinate


def test_bad_cells_are_located_by_sheet_and_cell(project):
    book, path = fill_form(project, "stp")
    sheet = book[SHEET]
    rows, years = code_rows(sheet), year_columns(sheet)
    text = f"{years[2012]}{rows['vbqppl_kiem_tra']}"
    percent = f"{years[2016]}{rows['ty_le_xu_ly']}"
    missing = f"{years[2015]}{rows['pbgdpl_buoi']}"
    sheet[text], sheet[percent], sheet[missing] = "năm tám", 120, None
    book.save(path)
    result = project.run("validate", "-c", str(project.config_path), "--format", "json")
    assert result.exit_code == 1
    errors = [f for f in json.loads(result.stdout) if f["severity"] == "error"]
    where = {
        "file": "submissions/stp/so-lieu.xlsx",
        "sheet": SHEET,
        "line": None,
        "heading": None,
        "paragraph": None,
    }
    for cell, fragment in (
        (text, "“năm tám” không phải là số"),
        (percent, "120 lớn hơn giá trị tối đa 100"),
        (missing, "thiếu số liệu năm 2015"),
    ):
        assert any(
            fragment in f["message"] and f["location"] == {**where, "cell": cell} for f in errors
        ), (cell, fragment, errors)
    assert all(f["location"]["sheet"] == SHEET and f["location"]["cell"] for f in errors)

    # the findings file the coordinator sends back to the department lists each cell
    folder = project.root / "ket-qua-kiem-tra"
    result = project.run("validate", "-c", str(project.config_path), "--report", str(folder))
    assert result.exit_code == 1
    sheet = openpyxl.load_workbook(folder / "ket-qua-kiem-tra-stp.xlsx").active
    rows = [[str(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    for cell, fragment in ((text, "không phải là số"), (percent, "lớn hơn giá trị tối đa"),
                           (missing, "thiếu số liệu năm 2015")):  # fmt: skip
        assert any(f"{SHEET}!{cell}" in row and any(fragment in v for v in row) for row in rows), (
            cell,
            rows,
        )


def cache_formula_result(path, value: str) -> None:
    """Store a result for every formula, as Excel does on saving (openpyxl cannot)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename.startswith("xl/worksheets/"):
                cached = b"</f><v>" + value.encode() + b"</v>"
                data = re.sub(rb"</f><v\s*(?:/>|>\s*</v>)", cached, data)
            target.writestr(info, data)


def test_formula_is_read_through_its_cached_result(project):
    # vbqppl_ban_hanh 2011 is 62 = 18 (HĐND) + 44 (UBND): the sum rule holds only if read
    _, path = fill_form(project, "stp")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    rows, column = code_rows(sheet), year_columns(sheet)[2011]
    cell = f"{column}{rows['vbqppl_ban_hanh']}"
    sheet[cell] = f"={column}{rows['vbqppl_hdnd']}+{column}{rows['vbqppl_ubnd']}"
    book.save(path)
    cache_formula_result(path, "62")
    assert project.findings("stp") == []


def test_formula_without_cached_result_is_a_warning_at_its_cell(project):
    _, path = fill_form(project, "stp")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    cell = f"{year_columns(sheet)[2011]}{code_rows(sheet)['vbqppl_ban_hanh']}"
    sheet[cell] = "=18+44"
    book.save(path)
    found = project.findings("stp")
    (warning,) = [f for f in found if f["severity"] == "warning"]
    assert "công thức" in warning["message"] and "lưu lại" in warning["hint"]
    assert (warning["location"]["sheet"], warning["location"]["cell"]) == (SHEET, cell)


def test_percentage_formatted_cell_reads_as_shown(project):
    # 93,5 % typed into a cell Excel formats as a percentage is stored as 0.935
    set_cell(project, "stp", "ty_le_tham_dinh", 2011, 0.935, "0.0%")
    assert project.findings("stp") == []


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda folder: (folder / "so-lieu.xlsx").write_bytes(bytes(range(256)) * 8),
         "không phải là tệp Excel (.xlsx) hợp lệ"),
        (lambda folder: (folder / "so-lieu.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 64),
         "không phải là tệp Excel (.xlsx) hợp lệ"),
        (lambda folder: (folder / "so-lieu.xlsx").write_bytes(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512), "Excel 97-2003"),
        (lambda folder: openpyxl.Workbook().save(folder / "so-lieu.xlsx"),
         "không có trang “Số liệu”"),
    ],
    ids=["random bytes", "broken zip", "xls renamed", "no sheet"],
)  # fmt: skip
def test_unreadable_workbook_is_one_located_error(project, setup, fragment):
    folder = project.root / "submissions" / "stp"
    (folder / "so-lieu.csv").unlink()
    setup(folder)
    result = project.run("validate", "-c", str(project.config_path), "--format", "json")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Lỗi không mong đợi" not in result.output
    found = [f for f in project.findings("stp") if f["severity"] == "error"]
    (error,) = found
    assert fragment in error["message"]
    assert error["location"]["file"] == "submissions/stp/so-lieu.xlsx"
    assert error["hint"]


def test_renamed_header_and_two_data_files_are_errors(project):
    book, path = fill_form(project, "stp")
    sheet = book[SHEET]
    sheet.cell(row=header_row(sheet, "ma_chi_tieu"), column=1, value="Mã")
    book.save(path)
    (project.root / "submissions" / "stp" / "so-lieu.csv").write_text("x", encoding="utf-8")
    messages = [f["message"] for f in project.findings("stp")]
    assert len(messages) == 2
    assert any("Có cả so-lieu.csv và so-lieu.xlsx" in m for m in messages)
    assert any("Dòng tiêu đề thiếu cột “ma_chi_tieu”" in m for m in messages)


def test_excel_lock_file_is_ignored(project):
    folder = project.root / "submissions" / "stp"
    (folder / "~$so-lieu.xlsx").write_bytes(b"\0" * 165)
    assert project.findings("stp") == []


def test_form_all_writes_every_folder_and_never_overwrites(project):
    target = project.root / "gui-di"
    args = ("form", "--all", "-c", str(project.config_path), "-o", str(target))
    result = project.run(*args)
    assert result.exit_code == 0, result.output
    for plugin in FIELDS:
        assert sorted(p.name for p in (target / plugin).iterdir()) == [
            "bao-cao.docx",
            "so-lieu.xlsx",
        ]
    assert [p.name for p in (target / "tonghop").iterdir()] == ["bao-cao.docx"]
    filled = target / "stp" / "so-lieu.xlsx"
    filled.write_bytes(b"filled by the department")
    again = project.run(*args)
    assert again.exit_code == 2
    assert "không ghi đè" in again.stderr and "--force" in again.stderr
    assert filled.read_bytes() == b"filled by the department"
    assert project.run(*args, "--force").exit_code == 0
    assert zipfile.is_zipfile(filled)


def test_form_usage_errors(project):
    config = ("-c", str(project.config_path))
    neither = project.run("form", *config)
    assert neither.exit_code == 2 and "--all" in neither.stderr
    unknown = project.run("form", "stq", *config)
    assert unknown.exit_code == 2 and "“stp”" in unknown.stderr


def test_help_does_not_load_openpyxl():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cchc_pipeline.cli import main\n"
        "for args in (['--help'], ['form', '--help']):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('openpyxl')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_very_large_form_is_read_with_bounded_findings(project):
    """A form pasted over with a 5,000-row export: read, 20 rows named, the rest counted."""
    book, path = fill_form(project, "stp")
    sheet = book[SHEET]
    first = sheet.max_row + 1
    for n in range(5000):
        sheet.append([f"xuat_{n:05d}", "Dòng xuất từ phần mềm khác", "lần", *([1] * 10)])
    book.save(path)
    result = project.run("validate", "-c", str(project.config_path), "--format", "json")
    assert result.exit_code == 0, result.output  # warnings only: the figures are all there
    found = [
        f for f in json.loads(result.stdout) if f["plugin"] == "stp" and f["severity"] != "info"
    ]
    assert len(found) == 21 and all(f["severity"] == "warning" for f in found)
    assert found[0]["location"]["sheet"] == SHEET and found[0]["location"]["cell"] == f"A{first}"
    assert found[-1]["message"].startswith("Còn 4980 mã chỉ tiêu khác")


def test_form_works_before_the_submission_folder_exists(project):
    """The forms are what will fill the folder: a missing one is no reason to refuse them."""
    shutil.rmtree(project.root / "submissions" / "stp")
    result = project.run("form", "stp", "-q", "-c", str(project.config_path))
    assert result.exit_code == 0, result.output
    assert (project.root / "bieu-mau" / "stp" / "so-lieu.xlsx").is_file()
    assert "so-lieu.xlsx" in result.stdout  # -q hides progress, not what was written
    assert project.run("build", "-f", "md").exit_code == 2  # a build still needs it
