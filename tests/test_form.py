"""The official form (Decree 30/2020/NĐ-CP) in every output, checked with real clients."""

from __future__ import annotations

import re
import subprocess
import zipfile

import docx
import pptx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .conftest import pdf_text, require_tool, sample_with_cache

HEADER_TEXTS = (
    "ỦY BAN NHÂN DÂN",
    "TỈNH LẠNG SƠN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Lạng Sơn, ngày 20 tháng 11 năm 2020",
    "BÁO CÁO",
)
SIGNATURE_TEXTS = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Minh họa")


def paragraphs(element):
    """(text, paragraph element) for every paragraph under ``element``, tables included."""
    for p in element.iter(qn("w:p")):
        yield "".join(t.text or "" for t in p.iter(qn("w:t"))), p


def run_props(p):
    rpr = p.find(f".//{qn('w:rPr')}")
    return (
        {child.tag.split("}")[1]: child.get(qn("w:val")) for child in rpr}
        if rpr is not None
        else {}
    )


@pytest.fixture(scope="module")
def document(built_sample):
    return docx.Document(str(built_sample.output("docx")))


def test_page_is_a4_with_the_decree_margins(document):
    first = document.sections[0]
    assert abs(first.page_width - Mm(210)) < Mm(1) and abs(first.page_height - Mm(297)) < Mm(1)
    assert abs(first.top_margin - Mm(20)) < Mm(1) and abs(first.bottom_margin - Mm(20)) < Mm(1)
    assert abs(first.left_margin - Mm(30)) < Mm(1) and abs(first.right_margin - Mm(15)) < Mm(1)


def test_page_numbers_at_the_top_but_not_on_the_first_page(document):
    first = document.sections[0]
    assert first.different_first_page_header_footer
    header = first.header._element
    instructions = [i.text for i in header.iter(qn("w:instrText"))]
    simple = [f.get(qn("w:instr")) for f in header.iter(qn("w:fldSimple"))]
    assert any("PAGE" in (i or "") for i in instructions + simple)
    assert first.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "".join(p.text for p in first.first_page_header.paragraphs).strip() == ""


def test_body_text_style(document):
    style = document.styles["Body Text"]
    assert style.font.name == "Times New Roman" and style.font.size in (Pt(13), Pt(14))
    fmt = style.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Mm(10) <= fmt.first_line_indent <= Mm(12.7) + Mm(0.5)
    assert fmt.space_after >= Pt(6)


def test_header_block_texts_and_formats(document):
    found = dict(paragraphs(document.element.body))
    for text in HEADER_TEXTS:
        assert text in found, text
    assert any(re.fullmatch(r"Số: +/BC-UBND", text) for text in found)
    assert run_props(found["ỦY BAN NHÂN DÂN"]).get("b", "x") != "0"
    assert "i" in run_props(found["Lạng Sơn, ngày 20 tháng 11 năm 2020"])
    header_table = document.tables[0]
    borders = header_table._tbl.find(f".//{qn('w:tblBorders')}")
    assert all(edge.get(qn("w:val")) == "nil" for edge in borders)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_table.rows[0].cells[1].text


def test_signature_and_recipients_side_by_side(document):
    table = next(t for t in document.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    left, right = (cell.text for cell in table.rows[0].cells)
    assert "- Bộ Nội vụ (b/c);" in left and left.rstrip().endswith("- Lưu: VT, SNV.")
    for text in SIGNATURE_TEXTS:
        assert text in right
    found = dict(paragraphs(table._tbl))
    recipients = run_props(found["Nơi nhận:"])
    assert "b" in recipients and "i" in recipients and recipients["sz"] == "24"  # 12 pt
    assert run_props(found["- Lưu: VT, SNV."])["sz"] == "22"  # 11 pt
    text = "\n".join(t for t, _ in paragraphs(document.element.body))
    assert "./." in text


def test_appendices_restart_numbering_and_wide_ones_are_landscape(document):
    sections = document.sections
    assert len(sections) == 6  # the body and five appendices (the districts' is the fourth)
    assert sections[0].different_first_page_header_footer
    for section in sections[1:]:
        start = section._sectPr.find(qn("w:pgNumType"))
        assert start is not None and start.get(qn("w:start")) == "1"
        header_refs = section._sectPr.findall(qn("w:headerReference"))
        assert header_refs, "an appendix keeps the header with its page number"
    orientation = [s.page_width > s.page_height for s in sections]
    assert orientation == [False, False, True, False, True, True]
    text = "\n".join(t for t, _ in paragraphs(document.element.body))
    assert re.search(
        r"\(Kèm theo Báo cáo số \s{4,}/BC-UBND ngày 20 tháng 11 năm 2020 của UBND tỉnh Lạng Sơn\)",
        text,
    )


def test_tables_have_repeated_headers_and_right_aligned_numbers(document):
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    header = table.rows[0]._tr.find(f".//{qn('w:tblHeader')}")
    assert header is not None
    last = table.rows[1].cells[-1].paragraphs[0]
    assert last.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def footer_texts(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return " ".join(
            archive.read(name).decode("utf-8") for name in archive.namelist()
            if re.fullmatch(r"word/footer\d*\.xml", name)
        )  # fmt: skip


def test_draft_marks_and_revision(built_sample):
    path = built_sample.output("docx")
    texts = [t for t, _ in paragraphs(docx.Document(str(path)).element.body)]
    assert texts[0] == "DỰ THẢO"
    revision = re.search(r"Dự thảo - phiên bản ([0-9a-f]{10})", footer_texts(path))
    assert revision is not None
    assert "CCHC-REVISION" not in footer_texts(path)
    assert f"phiên bản {revision.group(1)}" in pdf_text(built_sample.output("pdf"))


def test_final_build_has_no_draft_marks_and_revision_follows_inputs(built_sample, tmp_path):
    project = sample_with_cache(built_sample, tmp_path / "bao-cao")
    assert project.run("build", "-f", "docx").exit_code == 0
    first = re.search(r"phiên bản (\w+)", footer_texts(project.output("docx"))).group(1)
    assert project.run("build", "-f", "docx").exit_code == 0
    assert re.search(r"phiên bản (\w+)", footer_texts(project.output("docx"))).group(1) == first
    project.edit_submission("stp", "khen-thuong.csv", "Hữu Lũng", "Hữu Lũng ")
    assert project.run("build", "-f", "docx").exit_code == 0
    assert re.search(r"phiên bản (\w+)", footer_texts(project.output("docx"))).group(1) != first

    assert project.run("build", "-f", "docx", "-f", "pdf", "--final").exit_code == 0
    texts = [t for t, _ in paragraphs(docx.Document(str(project.output("docx"))).element.body)]
    assert "DỰ THẢO" not in texts
    assert "phiên bản" not in footer_texts(project.output("docx"))
    assert "DỰ THẢO" not in pdf_text(project.output("pdf"))


def test_pdf_text_has_the_form_exactly(built_sample):
    text = pdf_text(built_sample.output("pdf"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    joined = "\n".join(lines)
    for expected in (*HEADER_TEXTS, *SIGNATURE_TEXTS, "Nơi nhận:", "- Lưu: VT, SNV."):
        assert expected in joined, expected
    assert re.search(r"Số: +/BC-UBND", joined)


def test_pdf_embeds_every_font(built_sample):
    tool = require_tool("pdffonts")
    listing = subprocess.run(
        [tool, str(built_sample.output("pdf"))], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing, "the PDF lists no font"
    for row in listing:
        assert row.split()[-5] == "yes", row  # the "emb" column


def test_libreoffice_opens_the_docx_and_pptx(built_sample, tmp_path):
    office = require_tool("soffice")
    for extension in ("docx", "pptx"):
        result = subprocess.run(
            [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
             "--convert-to", "pdf", "--outdir", str(tmp_path / extension),
             str(built_sample.output(extension))],
            capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        (converted,) = (tmp_path / extension).glob("*.pdf")
        assert converted.stat().st_size > 10_000, result.stderr
    report = pdf_text(next((tmp_path / "docx").glob("*.pdf")))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in report and "PHÓ CHỦ TỊCH" in report


def test_chromium_loads_the_html(built_sample, tmp_path):
    browser = require_tool("chromium")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         built_sample.output("html").as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    assert 'id="muc-luc"' in dom and "Cải cách thể chế" in dom
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in dom


def test_pptx_is_16_9_with_the_conference_slides(built_sample):
    deck = pptx.Presentation(str(built_sample.output("pptx")))
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert "Tổng kết Chương trình tổng thể" in titles[0]
    for expected in ("Cải cách thể chế", "Kết quả thực hiện các chỉ tiêu của Chương trình",
                     "Phương hướng giai đoạn 2021 - 2030", "Đề nghị khen thưởng"):  # fmt: skip
        assert expected in titles, expected
    pictures = [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) >= 6  # a chart per field


def test_thematic_report_has_the_department_header_and_signer(built_sample):
    path = built_sample.output("docx", "chuyen-de-stp")
    texts = dict(paragraphs(docx.Document(str(path)).element.body))
    for expected in ("UBND TỈNH LẠNG SƠN", "SỞ TƯ PHÁP", "GIÁM ĐỐC", "Hoàng Văn Minh họa"):
        assert expected in texts, expected
    assert any(re.fullmatch(r"Số: +/BC-STP", t) for t in texts)
    assert "Lạng Sơn, ngày 15 tháng 9 năm 2020" in texts
    pdf = pdf_text(built_sample.output("pdf", "chuyen-de-stp"))
    assert "SỞ TƯ PHÁP" in pdf and "HẠN CHẾ, NGUYÊN NHÂN VÀ BÀI HỌC KINH NGHIỆM" in pdf


def test_commendation_list_in_word_and_excel(built_sample):
    import openpyxl

    sheet = openpyxl.load_workbook(built_sample.output("xlsx", "khen-thuong")).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    items = [row for row in rows if isinstance(row[0], int)]
    assert len(items) >= 20 and items[0][0] == 1 and items[0][2] in ("Tập thể", "Cá nhân")
    assert [c.value for c in sheet[2]][:4] == ["STT", "Hình thức khen thưởng", "Loại",
                                               "Tên tập thể, cá nhân"]  # fmt: skip
    document = docx.Document(str(built_sample.output("docx", "khen-thuong")))
    text = "\n".join(t for t, _ in paragraphs(document.element.body))
    assert "DANH SÁCH" in text and items[0][3] in text
