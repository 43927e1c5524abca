"""The report's content: its parts, fields, charts and appendices, and computed verdicts."""

from __future__ import annotations

import datetime as dt

import docx
import pytest
from docx.oxml.ns import qn

from cchc_pipeline.render import vi

from .conftest import FIELDS


def blocks(document):
    """Paragraph texts and a marker per picture, in document order."""
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = "".join(t.text or "" for t in element.iter(qn("w:t")))
            if list(element.iter(qn("w:drawing"))):
                yield "[HÌNH]"
            yield text
        elif element.tag == qn("w:tbl"):
            yield "[BẢNG]"


def test_docx_has_every_part_field_chart_and_appendix(built_sample):
    document = docx.Document(str(built_sample.output("docx")))
    items = list(blocks(document))
    text = "\n".join(items)
    for heading in ("Phần I", "Phần II", "Phần III", "Phụ lục I", "Phụ lục II", "Phụ lục III"):
        assert heading in text, heading
    # each field's sub-section in Phần I holds at least one chart and one table
    part_one = items[: items.index(next(i for i in items if i.startswith("Phần II")))]
    starts = [
        n
        for n, item in enumerate(part_one)
        if any(
            item.startswith(f"{k}. ") and field in item for k, field in enumerate(FIELDS, start=1)
        )
    ]
    assert len(starts) == 6
    ends = [*starts[1:], len(part_one)]
    for start, end in zip(starts, ends, strict=True):
        chunk = part_one[start:end]
        assert "[HÌNH]" in chunk and "[BẢNG]" in chunk, part_one[start]


def test_tables_and_figures_are_numbered_in_order(built_sample):
    markdown = built_sample.output("md").read_text(encoding="utf-8")
    tables = [int(n) for n in __import__("re").findall(r"\*\*Biểu số (\d\d):", markdown)]
    figures = [int(n) for n in __import__("re").findall(r"!\[Hình (\d+):", markdown)]
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 6
    assert figures == list(range(1, len(figures) + 1)) and len(figures) >= 6


def targets_rows(project) -> dict[str, list[str]]:
    document = docx.Document(str(project.output("docx")))
    table = next(
        t for t in document.tables if [c.text for c in t.rows[0].cells][4:5] == ["Đánh giá"]
    )
    return {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}


def test_target_verdicts_are_computed_from_the_data(built_cache_project):
    project = built_cache_project
    assert project.run("build", "-f", "docx").exit_code == 0
    rows = targets_rows(project)
    (key,) = [k for k in rows if "trái pháp luật" in k]
    assert rows[key][4] == "Không đạt" and rows[key][3] == "66,7%"
    verdicts = [r[4] for r in rows.values() if r[4]]
    assert "Đạt" in verdicts and "Không đạt" in verdicts

    project.set_value("stp", "vbqppl_xu_ly", 2020, "3")
    project.set_value("stp", "ty_le_xu_ly", 2020, "100")
    result = project.run("build", "-f", "docx")
    assert result.exit_code == 0, result.output
    rows = targets_rows(project)
    assert rows[key][4] == "Đạt" and rows[key][3] == "100%"


def test_assessment_counts_targets_across_fields(built_sample):
    markdown = built_sample.output("md").read_text(encoding="utf-8")
    assessment = markdown.split("ĐÁNH GIÁ CHUNG")[1].split("# Phần II")[0]
    rows = targets_rows(built_sample)
    verdicts = [r[4] for r in rows.values() if r[4] in ("Đạt", "Không đạt")]
    total, met = len(verdicts), verdicts.count("Đạt")
    assert f"Trong tổng số {total} chỉ tiêu" in assessment
    assert f"có {met} chỉ tiêu đạt" in assessment
    assert f"{total - met} chỉ tiêu không đạt" in assessment


def test_merged_commendation_list(built_sample):
    document = docx.Document(str(built_sample.output("docx")))
    table = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells][1:2] == ["Tên tập thể, cá nhân"]
    )
    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert cells[0][:2] == ["A", "BẰNG KHEN CỦA CHỦ TỊCH UBND TỈNH"]  # by form of award
    assert cells[1][:2] == ["I", "Tập thể"]
    assert any(row[:2] == ["II", "Cá nhân"] for row in cells)
    nominations = [row for row in cells if row[0].isdigit()]
    assert len(nominations) >= 20
    assert {row[4] for row in nominations} >= {"Sở Tư pháp", "Sở Tài chính"}


def test_bad_nomination_row_is_located(project):
    path = project.root / "submissions" / "stp" / "khen-thuong.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "Gia đình,Nguyễn Văn Bảy,,Tốt,Giấy khen\n",
        encoding="utf-8",
    )
    lines = path.read_text(encoding="utf-8").count("\n")
    (finding,) = project.findings("stp")
    assert "Loại “Gia đình” không hợp lệ" in finding["message"]
    assert finding["location"]["line"] == lines


@pytest.mark.parametrize(
    ("value", "text"),
    [(7518, "7.518"), (85.48, "85,48"), (1234567.5, "1.234.567,5"), (0, "0"), (-12, "-12")],
)
def test_numbers_in_vietnamese(value, text):
    assert vi.number(value) == text


def test_percent_and_dates():
    assert vi.percent(85.48) == "85,48%"
    assert vi.percent(97.5, 2) == "97,50%"
    assert vi.long_date(dt.date(2020, 2, 5)) == "ngày 05 tháng 02 năm 2020"
    assert vi.long_date(dt.date(2021, 7, 15)) == "ngày 15 tháng 7 năm 2021"
    assert vi.short_date(dt.date(2020, 2, 5)) == "05/02/2020"


def test_numbering_orders():
    assert [vi.roman(n) for n in (1, 4, 9, 14, 40)] == ["I", "IV", "IX", "XIV", "XL"]
    assert "".join(vi.letter(n) for n in range(1, 8)) == "abcdđeg"
    with pytest.raises(ValueError):
        vi.letter(30)
