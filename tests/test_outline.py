"""Narratives as departments write them: a corpus of Word and Markdown reports, each made here.

Each case asserts the exact mapping (heading → part, as `cchc validate` tells it), that no
text of the framing (header block, opening, closing, signature, recipients) reaches the built
report, and the message and location of each finding.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from cchc_pipeline.intake.narrative import DEPARTMENT_PARTS, _names
from cchc_pipeline.intake.outline import numbering, recognise, title_key
from cchc_pipeline.testing import ReportProject

from .conftest import sample_with_cache

RESULTS = "Công tác xây dựng, thẩm định văn bản được tăng cường trong cả giai đoạn."
LIMITS = "Một số dự thảo còn chậm so với kế hoạch xây dựng văn bản."
CAUSES = "Đội ngũ làm công tác pháp chế còn mỏng, nhiều người kiêm nhiệm."
LESSONS = "Người đứng đầu phải trực tiếp chỉ đạo công tác xây dựng văn bản."
TASKS = "Tiếp tục nâng cao chất lượng thẩm định, kiểm tra văn bản giai đoạn tới."
PROPOSALS = "Đề nghị Bộ Tư pháp tăng cường tập huấn kỹ năng soạn thảo văn bản."
OPENING = "Thực hiện Kế hoạch số 24/KH-UBND ngày 05/02/2020, Sở Tư pháp báo cáo như sau:"
CLOSING = "Trên đây là báo cáo tổng kết của Sở Tư pháp./."
SIGNER = "Nguyễn Văn Ký Thử"
FRAMING = (OPENING, CLOSING, SIGNER, "125/BC-STP", "Lưu: VT, PC", "ngày 05 tháng 8 năm 2020")

# (text, level) of the clerk's report: level 1 is "I.", 2 is "1."
OUTLINE = [
    ("I. KẾT QUẢ ĐẠT ĐƯỢC", 1, None),
    ("1. Công tác xây dựng văn bản", 2, RESULTS),
    ("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", 1, None),
    ("1. Tồn tại, hạn chế", 2, LIMITS),
    ("2. Nguyên nhân", 2, CAUSES),
    ("III. BÀI HỌC KINH NGHIỆM", 1, LESSONS),
    ("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN 2021 - 2030", 1, TASKS),
    ("V. KIẾN NGHỊ, ĐỀ XUẤT", 1, PROPOSALS),
]
MAPPING = [
    ("I. KẾT QUẢ ĐẠT ĐƯỢC", "“Kết quả thực hiện”"),
    ("II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", "“Hạn chế”, “Nguyên nhân”"),
    ("1. Tồn tại, hạn chế", "“Hạn chế”"),
    ("2. Nguyên nhân", "“Nguyên nhân”"),
    ("III. BÀI HỌC KINH NGHIỆM", "“Bài học kinh nghiệm”"),
    (
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN 2021 - 2030",
        "“Nhiệm vụ, giải pháp giai đoạn 2021 - 2030”",
    ),
    ("V. KIẾN NGHỊ, ĐỀ XUẤT", "“Đề xuất, kiến nghị”"),
]


# ------------------------------------------------------------------ building the documents


def _cell_lines(cell, lines: list[tuple[str, bool]]) -> None:
    cell.paragraphs[0].text = ""
    for n, (text, bold) in enumerate(lines):
        paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = bold


def _bold(document, text: str, style: str | None = None):
    paragraph = document.add_paragraph(style=style)
    paragraph.add_run(text).bold = True
    return paragraph


def add_header(document, as_table: bool = True) -> None:
    left = [("UBND TỈNH LẠNG SƠN", False), ("SỞ TƯ PHÁP", True), ("Số: 125/BC-STP", False)]
    right = [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
        ("Độc lập - Tự do - Hạnh phúc", True),
        ("Lạng Sơn, ngày 05 tháng 8 năm 2020", False),
    ]
    if as_table:
        table = document.add_table(rows=1, cols=2)
        _cell_lines(table.cell(0, 0), left)
        _cell_lines(table.cell(0, 1), right)
    else:
        for text, bold in left + right:
            paragraph = document.add_paragraph()
            paragraph.add_run(text).bold = bold
    _bold(document, "BÁO CÁO").alignment = WD_ALIGN_PARAGRAPH.CENTER
    _bold(
        document,
        "Kết quả thực hiện Chương trình tổng thể cải cách hành chính nhà nước giai đoạn "
        "2011 - 2020 trong lĩnh vực cải cách thể chế",
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(OPENING)


def add_signature(document, as_table: bool = True) -> None:
    document.add_paragraph(CLOSING)
    recipients = [("Nơi nhận:", True), ("- UBND tỉnh (b/c);", False), ("- Lưu: VT, PC.", False)]
    signer = [("KT. GIÁM ĐỐC", True), ("PHÓ GIÁM ĐỐC", True), ("", False), (SIGNER, True)]
    if as_table:
        table = document.add_table(rows=1, cols=2)
        _cell_lines(table.cell(0, 0), recipients)
        _cell_lines(table.cell(0, 1), signer)
    else:
        for text, bold in signer + recipients:
            paragraph = document.add_paragraph()
            paragraph.add_run(text).bold = bold


def _numbering(document, fmt: str, text: str) -> int:
    """A numbering definition of Word's (one level) and its id."""
    part = document.part.numbering_part.element
    abstract_id = len(part.findall(qn("w:abstractNum"))) + 10
    part.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:lvl w:ilvl="0">'
            f'<w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
            "</w:lvl></w:abstractNum>"
        ),
    )
    num_id = len(part.findall(qn("w:num"))) + 10
    part.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            "</w:num>"
        )
    )
    return num_id


def _number(paragraph, num_id: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def clerk_report(
    path: Path,
    *,
    headings: str = "bold",
    outline: list = OUTLINE,
    header_table: bool = True,
    signature_table: bool = True,
) -> Path:
    """The department's signed report, written the usual way. ``headings``: bold typed
    paragraphs, Word's Heading 2/3 styles with typed numbers, Word's automatic numbering, or a
    Vietnamese-named heading style."""
    document = docx.Document()
    add_header(document, header_table)
    numbers = {}
    if headings == "auto":
        numbers = {1: _numbering(document, "upperRoman", "%1."), 2: None}
    if headings == "vi-style":
        for level in (1, 2):
            style = document.styles.add_style(f"Tiêu đề {level}", 1)
            style.font.bold = True
    for text, level, body in outline:
        if headings == "bold":
            _bold(document, text)
        elif headings == "styles":
            document.add_paragraph(text, style=f"Heading {level + 1}")
        elif headings == "vi-style":
            document.add_paragraph(text, style=f"Tiêu đề {level}")
        elif headings == "auto":
            if level == 2:  # a new list per part: its sub-headings count from 1
                numbers[2] = _numbering(document, "decimal", "%1.")
            bare = text.split(". ", 1)[1]
            _number(_bold(document, bare), numbers[level])
        if body:
            document.add_paragraph(body)
    add_signature(document, signature_table)
    document.save(str(path))
    return path


# ------------------------------------------------------------------ running the tool


@pytest.fixture
def project(built_sample, tmp_path: Path) -> ReportProject:
    project = sample_with_cache(built_sample, tmp_path / "bao-cao")
    folder = project.root / "submissions" / "stp"
    (folder / "bao-cao.md").unlink()
    (folder / "van-ban.toml").unlink()  # the particulars then come from the report itself
    return project


def word(project: ReportProject) -> Path:
    return project.root / "submissions" / "stp" / "bao-cao.docx"


def notices(project: ReportProject) -> list[dict]:
    return [f for f in project.findings("stp", notices=True) if f["severity"] == "info"]


def mapping(project: ReportProject) -> list[tuple[str, str]]:
    """(heading, parts) as `cchc validate` tells them."""
    out = []
    for finding in notices(project):
        message = finding["message"]
        if message.startswith("Đề mục “") and " → mục " in message:
            heading, parts = message[len("Đề mục “") :].split("” → mục ", 1)
            out.append((heading, parts.rstrip(".")))
            assert finding["location"]["heading"] == heading
            assert finding["location"]["paragraph"] >= 1
    return out


def problems(project: ReportProject) -> list[dict]:
    return project.findings("stp")


def section(project: ReportProject) -> str:
    result = project.run("build", "-f", "md", "-f", "docx")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    start = markdown.index(". Cải cách thể chế\n")
    return markdown[start : markdown.index("\n### ", start)]


def assert_clean_build(project: ReportProject) -> str:
    text = section(project)
    whole = project.output("md").read_text(encoding="utf-8")
    for framing in FRAMING:
        assert framing not in whole, framing
    for body in (RESULTS, LIMITS, CAUSES, LESSONS, TASKS, PROPOSALS):
        assert body in whole, body
    assert text
    return whole


# ------------------------------------------------------------------ the corpus


@pytest.mark.parametrize("headings", ["bold", "styles", "auto", "vi-style"])
def test_clerks_report_is_understood_whatever_its_headings(project, headings):
    """Bold typed headings, Heading 2/3 with typed numbers, Word's automatic numbering and a
    Vietnamese-named heading style: the same mapping, all six parts, no framing."""
    clerk_report(word(project), headings=headings)
    assert problems(project) == []
    expected = MAPPING
    if headings == "auto":  # the number is Word's, not in the text
        expected = [(h.split(". ", 1)[1], parts) for h, parts in MAPPING]
    assert mapping(project) == expected
    assert_clean_build(project)


def test_particulars_of_the_signed_report_are_used_and_shown(project):
    clerk_report(word(project))
    framing = [f for f in notices(project) if "phần khung" in f["message"]]
    assert len(framing) == 1
    assert (
        "số 125/BC-STP; ngày 05/08/2020; người ký PHÓ GIÁM ĐỐC Nguyễn Văn Ký Thử"
        in (framing[0]["message"])
    )
    assert framing[0]["location"]["paragraph"] == 1
    assert project.run("build", "-f", "docx").exit_code == 0
    thematic = docx.Document(str(project.output("docx", "chuyen-de-stp")))
    text = "\n".join(p.text for t in thematic.tables for c in t._cells for p in c.paragraphs)
    assert "Số: 125/BC-STP" in text
    assert "ngày 05 tháng 8 năm 2020" in text
    assert "KT. GIÁM ĐỐC" in text and SIGNER in text


def test_header_and_signature_as_paragraphs(project):
    clerk_report(word(project), header_table=False, signature_table=False)
    assert problems(project) == []
    assert mapping(project) == MAPPING
    assert_clean_build(project)


def test_combined_part_without_sub_headings_goes_to_its_first_part(project):
    outline = [
        ("I. KẾT QUẢ ĐẠT ĐƯỢC", 1, RESULTS),
        ("II. HẠN CHẾ, NGUYÊN NHÂN VÀ BÀI HỌC KINH NGHIỆM", 1, LIMITS + " " + CAUSES),
        ("III. NHIỆM VỤ, GIẢI PHÁP", 1, TASKS),
        ("IV. ĐỀ XUẤT, KIẾN NGHỊ", 1, PROPOSALS),
    ]
    clerk_report(word(project), outline=outline)
    found = {(f["severity"], f["message"]) for f in problems(project)}
    heading = "II. HẠN CHẾ, NGUYÊN NHÂN VÀ BÀI HỌC KINH NGHIỆM"
    assert (
        "warning",
        f"Đề mục “{heading}” gồm cả “Hạn chế”, “Nguyên nhân”, “Bài học kinh nghiệm” nhưng không "
        "có đề mục con tách riêng; toàn bộ nội dung được đưa vào mục “Hạn chế”, mục "
        "“Nguyên nhân”, “Bài học kinh nghiệm” coi như chưa có.",
    ) in found
    assert ("error", "Thiếu mục “Nguyên nhân”.") in found
    assert ("error", "Thiếu mục “Bài học kinh nghiệm”.") in found
    warning = next(f for f in problems(project) if "gồm cả" in f["message"])
    assert warning["location"]["heading"] == heading
    assert warning["location"]["file"] == "submissions/stp/bao-cao.docx"


def test_a_missing_part_is_an_error_naming_it(project):
    clerk_report(word(project), outline=OUTLINE[:-1])
    assert [(f["severity"], f["message"]) for f in problems(project)] == [
        ("error", "Thiếu mục “Đề xuất, kiến nghị”.")
    ]


def test_a_heading_that_matches_nothing_is_a_warning_with_a_did_you_mean(project):
    outline = [*OUTLINE[:-1], ("V. CÁC ĐỀ XUẤC", 1, PROPOSALS), ("VI. TỔ CHỨC THỰC HIỆN", 1, "x")]
    clerk_report(word(project), outline=outline)
    found = problems(project)
    unknown = [f for f in found if "không ứng với mục nào" in f["message"]]
    assert [f["location"]["heading"] for f in unknown] == [
        "V. CÁC ĐỀ XUẤC",
        "VI. TỔ CHỨC THỰC HIỆN",
    ]
    assert (
        unknown[0]["hint"] == "Có phải là mục “Đề xuất, kiến nghị”? Đổi tên đề mục cho đúng nghĩa."
    )
    assert unknown[0]["location"]["paragraph"] > 1
    assert ("error", "Thiếu mục “Đề xuất, kiến nghị”.") in {
        (f["severity"], f["message"]) for f in found
    }


def _tracked(document, paragraph_text: str, inserted: str, deleted: str) -> None:
    paragraph = document.add_paragraph(paragraph_text)
    attrs = 'w:author="Chuyên viên" w:date="2020-08-01T00:00:00Z"'
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="901" {attrs}><w:r><w:t xml:space="preserve"> '
            f"{inserted}</w:t></w:r></w:ins>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="902" {attrs}><w:r><w:delText xml:space="preserve"> '
            f"{deleted}</w:delText></w:r></w:del>"
        )
    )


def test_tracked_changes_are_accepted_and_warned_at_their_paragraph(project):
    path = clerk_report(word(project))
    document = docx.Document(str(path))
    # a revised sentence under "1. Tồn tại, hạn chế"
    anchor = next(p for p in document.paragraphs if p.text == LIMITS)
    _tracked(document, "Còn chậm", "bổ sung mới", "đoạn đã xóa")
    anchor._p.addnext(document.paragraphs[-1]._p)
    document.save(str(path))
    found = [f for f in problems(project) if "Track Changes" in f["message"]]
    assert len(found) == 1
    assert found[0]["location"]["heading"] == "1. Tồn tại, hạn chế"
    assert found[0]["location"]["paragraph"] is not None
    text = assert_clean_build(project)
    assert "Còn chậm bổ sung mới" in text
    assert "đoạn đã xóa" not in text


def test_comments_are_dropped_and_warned(project):
    path = clerk_report(word(project))
    document = docx.Document(str(path))
    paragraph = next(p for p in document.paragraphs if p.text == TASKS)
    document.add_comment(paragraph.runs, text="Xem lại số liệu này", author="Lãnh đạo")
    document.save(str(path))
    found = [f for f in problems(project) if "Comment" in f["message"]]
    assert [f["message"] for f in found] == [
        "Đoạn văn có nhận xét (Comment) “Xem lại số liệu này”; nhận xét không được đưa vào báo cáo."
    ]
    assert found[0]["location"]["heading"] == "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN 2021 - 2030"
    whole = assert_clean_build(project)
    assert "Xem lại số liệu này" not in whole


def test_markdown_with_bold_headings_and_framing(project):
    lines = [
        "**SỞ TƯ PHÁP**", "", "Số: 125/BC-STP", "", "**BÁO CÁO**", "",
        "**Kết quả thực hiện Chương trình tổng thể cải cách hành chính**", "", OPENING, "",
    ]  # fmt: skip
    for text, _, body in OUTLINE:
        lines += [f"**{text}**", ""]
        if body:
            lines += [body, ""]
    lines += [CLOSING, "", "**Nơi nhận:**", "", "- Lưu: VT, PC.", "", f"**{SIGNER}**", ""]
    (project.root / "submissions" / "stp" / "bao-cao.md").write_text("\n".join(lines))
    assert problems(project) == []
    assert mapping(project) == MAPPING
    assert_clean_build(project)


def test_the_tools_own_thematic_report_given_back_yields_the_same_section(built_sample, tmp_path):
    project = sample_with_cache(built_sample, tmp_path / "bao-cao")
    before = section(project)
    thematic = project.output("docx", "chuyen-de-stp")
    folder = project.root / "submissions" / "stp"
    copy_path = folder / "bao-cao.docx"
    copy_path.write_bytes(thematic.read_bytes())
    (folder / "bao-cao.md").unlink()
    assert problems(project) == []
    assert [parts for _, parts in mapping(project)] == [
        "“Kết quả thực hiện”",
        "“Hạn chế”, “Nguyên nhân”, “Bài học kinh nghiệm”",
        "“Hạn chế”",
        "“Nguyên nhân”",
        "“Bài học kinh nghiệm”",
        "“Nhiệm vụ, giải pháp giai đoạn 2021 - 2030”",
        "“Đề xuất, kiến nghị”",
    ]
    assert section(project) == before


# ------------------------------------------------------------------ the recogniser itself


def block(text: str, **features) -> dict:
    return {"kind": "para", "text": text, "para": 1, **features}


def test_numbering_schemes_and_title_keys():
    assert numbering({"text": "Phần I. KẾT QUẢ"}) == ("phan", "KẾT QUẢ")
    assert numbering({"text": "II. TỒN TẠI"}) == ("roman", "TỒN TẠI")
    assert numbering({"text": "1.2. Nguyên nhân"}) == ("decimal2", "Nguyên nhân")
    assert numbering({"text": "a) Hạn chế"}) == ("lower", "Hạn chế")
    assert numbering({"text": "Hạn chế", "auto": {"style": "LowerAlpha"}})[0] == "lower"
    assert title_key("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN 2021 - 2030") == (
        "phuong huong nhiem vu"
    )


def test_a_results_sub_heading_naming_another_part_stays_in_the_results():
    blocks = [
        block("I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ", bold=True),
        block("1. Hạn chế trong xây dựng văn bản đã được khắc phục", bold=True),
        block("Văn bản."),
        block("II. HẠN CHẾ", bold=True),
        block("Chậm."),
    ]
    result = recognise(blocks, _names(DEPARTMENT_PARTS))
    assert result.parts_of == {0: ["ket_qua"], 3: ["han_che"]}
    assert result.part_of_block == {1: "ket_qua", 2: "ket_qua", 4: "han_che"}


def test_depth_comes_from_the_scheme_not_the_order():
    blocks = [
        block("1. Kết quả", bold=True),  # arabic first...
        block("Văn bản."),
        block("II. HẠN CHẾ", bold=True),  # ...then a roman one is higher, not deeper
        block("Chậm."),
    ]
    result = recognise(blocks, _names(DEPARTMENT_PARTS))
    assert [h.depth for h in result.headings] == [1, 1]
    assert result.parts_of == {0: ["ket_qua"], 2: ["han_che"]}


def test_a_body_sentence_with_a_date_is_not_taken_for_the_header():
    from cchc_pipeline.intake.framing import find_framing

    blocks = [
        block("I. KẾT QUẢ ĐẠT ĐƯỢC", bold=True, caps=True),
        block(
            "Trong năm 2015, ngày 20 tháng 5 năm 2015 UBND tỉnh đã ban hành kế hoạch cải cách "
            "hành chính và triển khai đến tất cả các sở, ngành, địa phương trong tỉnh."
        ),
    ]
    framing = find_framing(blocks)
    assert (framing.start, framing.end, framing.left_out) == (0, 2, [])


def test_a_heading_in_capitals_after_the_summary_is_the_body():
    from cchc_pipeline.intake.framing import find_framing

    blocks = [
        block("BÁO CÁO", bold=True, caps=True),
        block("Tổng kết cải cách hành chính trong lĩnh vực cải cách thể chế", bold=True),
        block("KẾT QUẢ ĐẠT ĐƯỢC", bold=True, caps=True),
        block(RESULTS),
    ]
    framing = find_framing(blocks)
    assert framing.start == 2
    assert [what for _, what in framing.left_out] == ["tên loại văn bản", "trích yếu"]
