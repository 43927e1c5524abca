"""The departments' 2021–2030 tasks and 2025/2030 targets: read and checked at their place."""

from __future__ import annotations

import openpyxl

from cchc_pipeline.testing import ReportProject

from .test_forms import fill_form, header_row

TASKS = "submissions/stp/nhiem-vu.csv"
TARGETS = "submissions/stp/chi-tieu.csv"


def about(findings: list[dict], file: str) -> list[dict]:
    return [f for f in findings if f["location"]["file"] == file]


def test_sample_tasks_and_targets_are_clean(project: ReportProject):
    findings = project.findings()
    assert [f for f in findings if "nhiem-vu" in str(f["location"]["file"])] == []
    assert [f for f in findings if "chi-tieu" in str(f["location"]["file"])] == []


def test_task_without_a_lead_agency_is_an_error_at_its_line(project: ReportProject):
    project.edit_submission("stp", "nhiem-vu.csv", 'ban hành",Sở Tư pháp,"UBND', 'ban hành",,"UBND')
    (finding,) = about(project.findings("stp"), TASKS)
    assert finding["severity"] == "error"
    assert finding["location"]["line"] == 3
    assert "chưa có cơ quan chủ trì" in finding["message"]
    assert "Cơ quan chủ trì" in finding["hint"]
    result = project.run("build", "-f", "md")
    assert result.exit_code == 1, result.output


def test_deadline_outside_2021_2030_or_missing_is_an_error(project: ReportProject):
    project.edit_submission("stp", "nhiem-vu.csv", 'thành phố",2028,', 'thành phố",2035,')
    project.edit_submission("stp", "nhiem-vu.csv", "Ban Dân tộc tỉnh,2025,", "Ban Dân tộc tỉnh,,")
    found = about(project.findings("stp"), TASKS)
    assert [(f["severity"], f["location"]["line"]) for f in found] == [("error", 4), ("error", 5)]
    assert "“2035” không phải một năm từ 2021 đến 2030" in found[0]["message"]
    assert "chưa ghi thời gian hoàn thành" in found[1]["message"]
    assert all("2021 - 2025" in f["hint"] for f in found)


def test_unknown_agency_is_a_warning_with_did_you_mean(project: ReportProject):
    project.edit_submission(
        "stp", "nhiem-vu.csv", "Sở Thông tin và Truyền thông; Ban", "Sở Thông tin Truyền thông; Ban"
    )
    (finding,) = about(project.findings("stp"), TASKS)
    assert finding["severity"] == "warning"
    assert finding["location"]["line"] == 5
    assert "Sở Thông tin Truyền thông" in finding["message"]
    assert "Có phải là “Sở Thông tin và Truyền thông”?" in finding["hint"]
    assert project.run("build", "-f", "md").exit_code == 0  # a warning does not stop it


def test_agencies_listed_in_the_config_are_known(project: ReportProject):
    project.edit_submission("stp", "nhiem-vu.csv", "; Ban Dân tộc tỉnh", "; Hội Luật gia tỉnh")
    assert len(about(project.findings("stp"), TASKS)) == 1
    project.edit_config('  "Ban Dân tộc tỉnh",', '  "Ban Dân tộc tỉnh",\n  "Hội Luật gia tỉnh",')
    assert about(project.findings("stp"), TASKS) == []


def test_target_without_a_year_is_an_error(project: ReportProject):
    project.edit_submission("stp", "chi-tieu.csv", "2030,100% văn bản", ",100% văn bản")
    (finding,) = about(project.findings("stp"), TARGETS)
    assert finding["severity"] == "error"
    assert finding["location"]["line"] == 4
    assert "chưa ghi năm" in finding["message"] and "2025 hoặc 2030" in finding["hint"]


def test_missing_column_is_an_error_at_the_header(project: ReportProject):
    project.edit_submission("stp", "nhiem-vu.csv", ",san_pham\n", ",ghi_chu\n")
    (finding,) = about(project.findings("stp"), TASKS)
    assert finding["location"]["line"] == 1
    assert "thiếu cột Sản phẩm" in finding["message"]


def test_task_without_a_lead_in_the_form_is_an_error_at_its_cell(project: ReportProject):
    book, path = fill_form(project, "stp")
    sheet = book["Nhiệm vụ 2021-2030"]
    row = header_row(sheet, "Nhiệm vụ") + 2  # the second task
    assert sheet[f"B{row}"].value == "Sở Tư pháp"
    sheet[f"B{row}"] = None
    book.save(path)
    (finding,) = about(project.findings("stp"), "submissions/stp/so-lieu.xlsx")
    assert finding["severity"] == "error"
    assert finding["location"]["sheet"] == "Nhiệm vụ 2021-2030"
    assert finding["location"]["cell"] == f"B{row}"


def test_form_offers_the_known_agencies_and_years(project: ReportProject):
    project.run("form", "stp", "-o", str(project.root / "bieu-mau"))
    book = openpyxl.load_workbook(project.root / "bieu-mau" / "so-lieu.xlsx")
    sheet = book["Nhiệm vụ 2021-2030"]
    rules = {str(r.sqref): r for r in sheet.data_validations.dataValidation}
    lead, deadline = rules["B4:B103"], rules["D4:D103"]
    assert lead.type == "list" and lead.errorStyle == "warning"
    agencies = book["Danh mục cơ quan"]
    assert agencies.sheet_state == "hidden"
    names = [c.value for c in agencies["A"]]
    assert "Sở Tư pháp" in names and "Sở Nội vụ" in names and "UBND các huyện, thành phố" in names
    assert lead.formula1 == f"'Danh mục cơ quan'!$A$1:$A${len(names)}"
    assert deadline.type == "list" and "2021" in deadline.formula1 and "2030" in deadline.formula1
    years = book["Chỉ tiêu 2025-2030"].data_validations.dataValidation[0]
    assert years.formula1 == '"2025,2030"' and years.errorStyle == "stop"


NARRATIVE_TABLE = """
| Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm |
|---|---|---|---|---|
| Rà soát văn bản QPPL của tỉnh | Sở Tư pháp | Sở Nội vụ | 2025 | Báo cáo rà soát |
| Kiểm tra văn bản sau ban hành |  | Sở Nội vụ | 2026 | Kết luận kiểm tra |

| Năm | Chỉ tiêu |
|---|---|
| 2030 | Mọi văn bản trái pháp luật được xử lý trong năm |

"""


def test_tables_in_the_narrative_tasks_part_are_read_as_tasks(project: ReportProject):
    for name in ("nhiem-vu.csv", "chi-tieu.csv"):
        (project.root / TASKS).with_name(name).unlink()
    project.edit_submission(
        "stp", "bao-cao.md", "# Đề xuất, kiến nghị", NARRATIVE_TABLE + "# Đề xuất, kiến nghị"
    )
    (finding,) = about(project.findings("stp"), "submissions/stp/bao-cao.md")
    assert finding["severity"] == "error" and "chưa có cơ quan chủ trì" in finding["message"]
    assert finding["location"]["cell"] == "bảng, hàng 3, cột 2"
    assert finding["location"]["heading"] == "Nhiệm vụ, giải pháp giai đoạn 2021 - 2030"
    assert finding["location"]["paragraph"] > 1
    project.edit_submission("stp", "bao-cao.md", "|  | Sở Nội vụ |", "| Sở Tư pháp | Sở Nội vụ |")
    project.edit_config('formats = ["md"', 'programme = ["md"]\nformats = ["md"')
    assert project.run("build", "-f", "md").exit_code == 0
    report = project.output("md").read_text(encoding="utf-8")
    assert "Rà soát văn bản QPPL của tỉnh" not in report  # data, not the part's text
    assert "Sở Tư pháp đề ra 2 nhiệm vụ" in report
    programme = project.output("md", "chuong-trinh-2021-2030").read_text(encoding="utf-8")
    assert "| 1 | Rà soát văn bản QPPL của tỉnh | Sở Tư pháp | Sở Nội vụ | 2025 |" in programme
    assert "Mọi văn bản trái pháp luật được xử lý trong năm" in programme
