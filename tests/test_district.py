"""The shipped district report (examples/huyen-cao-loc): one build, every level-specific text.

The district's People's Committee issues the report, the plugins' catalogues read "{cap}" as
"huyện", each field is a district office (phòng) with its own thematic report, and the
CCHC index is ranked among the province's 11 district-level units.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from cchc_pipeline.testing import ReportProject

from .conftest import pdf_text

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "huyen-cao-loc"


def texts(path: Path) -> list[str]:
    """The text of every paragraph of a DOCX body, those inside tables included."""
    body = docx.Document(str(path)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> ReportProject:
    """A copy of the example (its paths are relative to its folder), built once."""
    root = tmp_path_factory.mktemp("district") / "huyen-cao-loc"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".cchc-cache"))
    project = ReportProject(root)
    result = project.run("build", "-q", "-f", "docx", "-f", "pdf", "-f", "md")
    assert result.exit_code == 0, result.output
    return project


def test_the_example_validates_without_findings(district):
    assert district.findings() == []


def test_header_and_signature_are_the_district_committee(district):
    found = texts(district.output("docx"))
    for expected in ("ỦY BAN NHÂN DÂN", "HUYỆN CAO LỘC", "Cao Lộc, ngày 25 tháng 8 năm 2020"):
        assert expected in found, expected
    assert any(re.fullmatch(r"Số: +/BC-UBND", t) for t in found)
    for expected in ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "- Lưu: VT, NV."):
        assert expected in found, expected
    assert "TỈNH LẠNG SƠN" not in found
    lines = pdf_text(district.output("pdf")).splitlines()
    pdf = "\n".join(" ".join(line.split()) for line in lines)
    for expected in ("HUYỆN CAO LỘC", "Cao Lộc, ngày 25 tháng 8 năm 2020", "CHỦ TỊCH"):
        assert expected in pdf, expected


def test_catalogue_labels_read_at_district_level(district):
    md = district.output("md").read_text(encoding="utf-8")
    assert "Văn bản QPPL do HĐND, UBND huyện ban hành" in md
    assert "Cơ quan chuyên môn thuộc UBND huyện" in md
    assert "UBND tỉnh ban hành" not in md
    assert "được Phòng Tư pháp thẩm định" in md and "Sở Tư pháp thẩm định" not in md


def test_thematic_report_of_a_district_office(district):
    found = texts(district.output("docx", "chuyen-de-stp"))
    for expected in ("UBND HUYỆN CAO LỘC", "PHÒNG TƯ PHÁP", "TRƯỞNG PHÒNG"):
        assert expected in found, expected
    assert any(re.fullmatch(r"Số: +/BC-TP", t) for t in found)
    assert "Cao Lộc, ngày 10 tháng 8 năm 2020" in found


def test_index_is_ranked_among_the_eleven_districts(district):
    md = district.output("md").read_text(encoding="utf-8")
    appendix = md[md.index("# Phụ lục III") :]
    assert re.search(r"\| 2013 \| 78,45 \| 5/11 \|", appendix)
    assert "/63" not in appendix
    assert "xếp thứ 2/11 đơn vị cấp huyện" in appendix
    assert any(re.search(r"\b\d+/11\b", t) for t in texts(district.output("docx")))
