"""The 2021–2030 programme (CHƯƠNG TRÌNH or KẾ HOẠCH) built from the six departments' tasks."""

from __future__ import annotations

import csv
import io
import re

import docx
import pytest
from docx.oxml.ns import qn

from cchc_pipeline.resources import sample_dir
from cchc_pipeline.testing import ReportProject

from .conftest import pdf_text

DEPARTMENTS = ("stp", "vp", "snv", "stc", "stttt", "skhcn")
DOCUMENT = "chuong-trinh-2021-2030"
PARTS = ("I. MỤC TIÊU", "II. NHIỆM VỤ, GIẢI PHÁP", "III. KINH PHÍ THỰC HIỆN",
         "IV. TỔ CHỨC THỰC HIỆN")  # fmt: skip


def sample(plugin: str, name: str) -> list[list[str]]:
    text = (sample_dir() / "submissions" / plugin / name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))[1:]


def texts(element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in element.iter(qn("w:p"))]


@pytest.fixture(scope="module")
def programme(built_sample):
    return docx.Document(str(built_sample.output("docx", DOCUMENT)))


def body_text(document) -> list[str]:
    """The paragraphs outside tables."""
    return texts(document.element.body)


def test_programme_has_its_header_title_and_four_parts(programme):
    lines = body_text(programme)
    assert "CHƯƠNG TRÌNH" in lines
    assert "Cải cách hành chính tỉnh Lạng Sơn giai đoạn 2021 - 2030" in lines
    assert any(re.fullmatch(r"Số:\s+/CTr-UBND", line) for line in lines)
    positions = [lines.index(part) for part in PARTS]
    assert positions == sorted(positions)
    assert "1. Mục tiêu chung" in lines and "2. Mục tiêu cụ thể" in lines
    assert any("chi ngân sách nhà nước hằng năm" in line for line in lines)  # Kinh phí, tonghop


def test_targets_for_2025_and_2030_are_numbered_under_their_year(programme):
    lines = body_text(programme)
    start, middle = lines.index("a) Đến năm 2025:"), lines.index("b) Đến năm 2030:")
    aims = {"2025": [], "2030": []}
    for plugin in DEPARTMENTS:
        for year, text in sample(plugin, "chi-tieu.csv"):
            aims[year].append(text)
    numbered = [line for line in lines[start:middle] if re.match(r"\(\d+\) ", line)]
    assert [re.sub(r"^\(\d+\) |[;.]$", "", line) for line in numbered] == aims["2025"]
    after = [line for line in lines[middle:] if re.match(r"\(\d+\) ", line)]
    assert [re.sub(r"^\(\d+\) |[;.]$", "", line) for line in after] == aims["2030"]
    assert after[0].startswith(f"({len(aims['2025']) + 1}) ")  # numbered on from 2025's


def test_task_table_holds_every_department_task_grouped_by_field(programme):
    table = programme.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
                       "Thời gian hoàn thành", "Sản phẩm"]  # fmt: skip
    groups = [row[0] for row in rows[1:] if not row[0].isdigit()]
    assert groups == ["I", "II", "III", "IV", "V", "VI"]
    tasks = [row for row in rows[1:] if row[0].isdigit()]
    expected = [line for plugin in DEPARTMENTS for line in sample(plugin, "nhiem-vu.csv")]
    assert [row[0] for row in tasks] == [str(n) for n in range(1, len(expected) + 1)]
    assert [row[1:] for row in tasks] == [
        [task, lead, partners, deadline, product]
        for task, lead, partners, deadline, product in expected
    ]


def test_task_table_is_a_landscape_appendix(programme):
    sections = programme.sections
    assert [s.page_width > s.page_height for s in sections] == [False, True]
    lines = body_text(programme)
    assert "Phụ lục I" in lines
    assert any(
        re.fullmatch(r"\(Kèm theo Chương trình số\s+/CTr-UBND ngày 20 tháng 11 năm 2020 của "
                     r"UBND tỉnh Lạng Sơn\)", line)
        for line in lines
    )  # fmt: skip


def test_each_agency_responsibility_is_computed_from_the_task_table(programme):
    lines = body_text(programme)
    assert "Sở Tư pháp: chủ trì thực hiện 4 nhiệm vụ số 1 - 4." in lines
    partners = [line for line in lines if line.startswith("Sở Nội vụ: ")]
    assert partners == ["Sở Nội vụ: chủ trì thực hiện 4 nhiệm vụ số 9 - 12; phối hợp thực "
                        "hiện 3 nhiệm vụ số 8, 13, 22."]  # fmt: skip
    assert "Công an tỉnh: phối hợp thực hiện 1 nhiệm vụ số 19./." in lines  # the last word


def test_programme_pdf_text(built_sample):
    text = pdf_text(built_sample.output("pdf", DOCUMENT))
    flat = " ".join(text.split())
    assert "CHƯƠNG TRÌNH" in text and "/CTr-UBND" in text
    for part in PARTS:
        assert part in flat
    assert "DANH MỤC NHIỆM VỤ THỰC HIỆN CHƯƠNG TRÌNH" in flat
    assert "Bảo đảm an toàn thông tin mạng theo mô hình 4" in flat
    assert "Nơi nhận:" in text and "Nguyễn Văn Minh họa" in text


def test_report_part_ii_counts_each_field_tasks(sample_markdown):
    assert (
        "Sở Tư pháp đề ra 4 nhiệm vụ cho giai đoạn 2021 - 2030, chi tiết tại dự thảo Chương "
        "trình cải cách hành chính tỉnh Lạng Sơn giai đoạn 2021 - 2030." in sample_markdown
    )
    assert sample_markdown.count(" nhiệm vụ cho giai đoạn 2021 - 2030, chi tiết tại") == 6


def test_a_plan_kind_and_the_config_particulars(project: ReportProject):
    project.edit_config('kind = "CHƯƠNG TRÌNH"', 'kind = "Kế hoạch"\nnumber = "15"\n'
                        'signer_name = "Trần Văn Ký"\narchive = "VT, SNV, KGVX"')  # fmt: skip
    project.edit_config('number = ""\n# các cơ quan', "# các cơ quan")
    project.edit_config('formats = ["md"', 'programme = ["md"]\nformats = ["md"')
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md", DOCUMENT).read_text(encoding="utf-8")
    assert "**KẾ HOẠCH**" in markdown and "Số: 15/KH-UBND" in markdown
    assert "**Trần Văn Ký**" in markdown and "- Lưu: VT, SNV, KGVX." in markdown
    assert "(Kèm theo Kế hoạch số 15/KH-UBND" in markdown


def test_a_wrong_programme_kind_is_a_config_error(project: ReportProject):
    project.edit_config('kind = "CHƯƠNG TRÌNH"', 'kind = "ĐỀ ÁN"')
    result = project.run("validate")
    assert result.exit_code != 0
    assert "[chuong_trinh] phải là “CHƯƠNG TRÌNH” hoặc “KẾ HOẠCH”" in result.output


def test_no_programme_without_tasks(project: ReportProject):
    for plugin in DEPARTMENTS:
        (project.root / "submissions" / plugin / "nhiem-vu.csv").unlink()
    (project.root / "submissions" / "vp" / "chi-tieu.csv").unlink()
    assert project.findings() == []  # tasks and targets are optional
    project.edit_config('formats = ["md"', 'programme = ["md"]\nformats = ["md"')
    assert project.run("build", "-f", "md").exit_code == 0
    assert not (project.root / "build" / f"{project.output('md').stem}-{DOCUMENT}.md").exists()
    assert "nhiệm vụ cho giai đoạn 2021 - 2030, chi tiết tại" not in project.output("md").read_text(
        encoding="utf-8"
    )


def test_programme_config_keys_are_checked_like_the_rest(project: ReportProject):
    project.edit_config(
        'kind = "CHƯƠNG TRÌNH"', 'kind = "CHƯƠNG TRÌNH"\ndate = 1970-01-01\nsinger_name = "A"'
    )
    result = project.run("validate")
    assert result.exit_code == 2
    assert "“date” trong mục [chuong_trinh]: ngày 1970-01-01 nằm ngoài khoảng" in result.output
    assert "khóa “singer_name” không có trong mục [chuong_trinh]." in result.output
    assert "Có phải ý bạn là “signer_name”?" in result.output
