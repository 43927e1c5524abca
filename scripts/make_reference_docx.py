#!/usr/bin/env python3
"""Build templates/docx/reference.docx, the pandoc reference document for the report.

Why the styles are what they are
--------------------------------
The report is an official document of a provincial People's Committee, so its form follows
Decree 30/2020/NĐ-CP on administrative documents (Appendix I, "thể thức và kỹ thuật trình
bày văn bản hành chính"):

* A4 portrait; margins top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm (we use the
  minimums 20/20/30/15 mm).
* Times New Roman (Unicode), black, no colours.
* Body text 13-14 pt, justified, first-line indent 1-1.27 cm, at least 6 pt between
  paragraphs, line spacing single to 1.5 (we use 14 pt, 1.27 cm, 6 pt after, 1.15 lines).
* Page numbers in Arabic figures, 13-14 pt, centred in the top margin, not shown on the
  first page -> "different first page" with an empty first-page header and a PAGE field in
  the default header.
* Heading levels as pandoc maps them from Markdown: "# Phần I. ..." (bold, centred),
  "## I. ..." (bold), "### 1. ..." (bold), "#### a) ..." (regular: neither bold nor italic).
* Named paragraph styles for the parts that pandoc cannot express by itself (national
  motto, document number, title, summary line, table titles and units, appendix titles,
  recipients, signature block ...). Markdown applies them with fenced divs:
  ``::: {custom-style="Tên biểu"}`` ... ``:::``.

How it is built
---------------
We start from pandoc's own default reference.docx (``pandoc --print-default-data-file
reference.docx``) so that every style pandoc knows about stays present, and modify it with
python-docx: page setup, headers/footers, and the style sheet. Styles are described in the
tables PANDOC_STYLES (styles pandoc uses by itself) and CUSTOM_STYLES (styles for
custom-style divs) below; every style in the document is first made black Times New Roman
(theme fonts and theme colours removed), then the spec for that style is applied.

The footer carries the placeholder text ``CCHC-REVISION``; the build replaces it with the
draft revision or removes it.

Run:  python scripts/make_reference_docx.py [--output PATH]
"""

from __future__ import annotations

import argparse
import copy
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypandoc
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "templates" / "docx" / "reference.docx"

FONT = "Times New Roman"
FONT_PANOSE = "02020603050405020304"  # Times New Roman's PANOSE number, for the theme
BLACK = "000000"
DARK_RED = "C00000"  # Word's standard "Dark Red"
LANG = "vi-VN"
BODY_INDENT = 1.27  # cm, first-line indent of body text (Decree 30: 1-1.27 cm)
FOOTER_PLACEHOLDER = "CCHC-REVISION"

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# Child order of w:rPr (ECMA-376 CT_RPr); new children are inserted in this order so Word
# accepts the file.
# fmt: off
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
    "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
    "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
    "eastAsianLayout", "specVanish", "oMath",
]
# Child order of w:pPr (CT_PPrBase + rPr/sectPr/pPrChange).
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
    "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
    "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]
# Child order of w:tblPr (CT_TblPrBase).
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
]
# Child order of w:style (CT_Style).
STYLE_ORDER = [
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
]
# fmt: on


# --------------------------------------------------------------------------- style specs


@dataclass(frozen=True)
class Spec:
    """Formatting of one paragraph style. None means "inherit / leave as pandoc has it".

    Sizes in pt, indents in cm, spacing in pt, line spacing as a multiple.
    """

    name: str
    style_id: str | None = None  # only for styles this script creates (ASCII ids)
    based_on: str | None = None  # style *name*
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    align: str | None = None  # left | center | right | justify
    first_line: float | None = None  # cm; 0 = no indent
    left: float | None = None  # cm
    right: float | None = None  # cm
    before: float | None = None  # pt
    after: float | None = None  # pt
    line: float | None = None  # multiple (1.0 = single)
    keep_next: bool | None = None
    page_break_before: bool | None = None
    border_pt: float | None = None  # box border around the paragraph, width in pt
    color: str | None = None  # hex RGB; default black


# Shorthand for the common "no indent" value.
NO = 0.0

# The style tables below are kept one spec per line (or two) for review.
# fmt: off
# Styles pandoc already has (in its default reference.docx), modified here.
PANDOC_STYLES = [
    Spec("Normal", size=14),
    Spec("Body Text", size=14, align="justify", first_line=BODY_INDENT, left=NO,
         before=0, after=6, line=1.15),
    Spec("First Paragraph", size=14, align="justify", first_line=BODY_INDENT, left=NO,
         before=0, after=6, line=1.15),
    # Table cells and tight lists.
    Spec("Compact", size=13, align="left", first_line=NO, left=NO, before=0, after=0,
         line=1.0),
    # "# Phần I. ..."
    Spec("Heading 1", size=14, bold=True, italic=False, align="center", first_line=NO,
         left=NO, before=12, after=6, keep_next=True),
    # "## I. ..."
    Spec("Heading 2", size=14, bold=True, italic=False, align="justify",
         first_line=BODY_INDENT, left=NO, before=6, after=6, keep_next=True),
    # "### 1. ..."
    Spec("Heading 3", size=14, bold=True, italic=False, align="justify",
         first_line=BODY_INDENT, left=NO, before=6, after=6, keep_next=True),
    # "#### a) ..." and deeper
    *[
        Spec(f"Heading {n}", size=14, bold=False, italic=False, align="justify",
             first_line=BODY_INDENT, left=NO, before=6, after=6, keep_next=True)
        for n in range(4, 10)
    ],
    Spec("Title", bold=True, align="center"),
    Spec("Subtitle", align="center"),
    Spec("Author", align="center"),
    Spec("Date", align="center"),
    Spec("Abstract Title", size=14, align="center"),
    Spec("Abstract", size=14),
    Spec("TOC Heading", size=14, bold=True, italic=False, align="center", first_line=NO),
    Spec("Caption", size=13, italic=True, align="center", first_line=NO, left=NO,
         before=3, after=6),
    Spec("Table Caption", size=13, italic=True, align="center", first_line=NO, left=NO,
         keep_next=True),
    Spec("Image Caption", size=13, italic=True, align="center", first_line=NO, left=NO),
    Spec("Figure", align="center", first_line=NO, left=NO),
    Spec("Captioned Figure", align="center", first_line=NO, left=NO, keep_next=True),
    # Block quotes: the body's size, set in by 1.27 cm on the left.
    Spec("Block Text", size=14, align="justify", first_line=NO, left=BODY_INDENT, right=NO,
         before=0, after=6),
    Spec("Footnote Text", size=11, align="justify", first_line=NO, left=NO, before=0,
         after=0, line=1.0),
    Spec("Footnote Block Text", size=11),
]

# Styles this script creates; Markdown applies them with ::: {custom-style="..."} divs.
CUSTOM_STYLES = [
    # Box at the top of a draft ("DỰ THẢO").
    Spec("Dự thảo", "DuThao", size=13, bold=True, align="center", after=6, border_pt=1,
         right=13.0),
    # Document type ("BÁO CÁO") and summary line (trích yếu).
    Spec("Tên văn bản", "TenVanBan", size=14, bold=True, align="center", before=12,
         after=0),
    Spec("Trích yếu", "TrichYeu", size=14, bold=True, align="center", after=12),
    # Tables: "Biểu số 01: ..." and "Đơn vị tính: ..." above the table.
    Spec("Tên biểu", "TenBieu", size=14, bold=True, align="center", before=6, after=3,
         keep_next=True),
    Spec("Đơn vị tính", "DonViTinh", size=13, italic=True, align="right", after=3,
         keep_next=True),
    # Appendices: "Phụ lục I" (new page), its title, "(Kèm theo Báo cáo số ...)".
    Spec("Tên phụ lục", "TenPhuLuc", size=14, bold=True, align="center", after=0,
         page_break_before=True, keep_next=True),
    Spec("Tiêu đề phụ lục", "TieuDePhuLuc", size=14, bold=True, align="center", after=0,
         keep_next=True),
    Spec("Kèm theo", "KemTheo", size=14, italic=True, align="center", after=12),
    # The closing "./." paragraph: like body text, left-aligned.
    Spec("Kết thúc", "KetThuc", size=14, align="left", first_line=BODY_INDENT, before=0,
         after=6, line=1.15),
    # Prose the tool writes from the figures, around a department's own text: it looks like
    # body text; the style lets a thematic report given back as a narrative be read without it.
    Spec("Nội dung tổng hợp", "NoiDungTongHop", based_on="Body Text", size=14,
         align="justify", first_line=BODY_INDENT, before=0, after=6, line=1.15),
    # Blank spacer paragraph.
    Spec("Trình bày trống", "TrinhBayTrong", size=14, align="left"),
    # Table cells written as divs: text and numbers.
    Spec("Ô bảng", "OBang", size=13, align="left"),
    Spec("Ô số", "OSo", size=13, align="right"),
    # Recipients block (left, on the signature's row).
    Spec("Nơi nhận", "NoiNhan", size=12, bold=True, italic=True, align="left"),
    Spec("Danh sách nơi nhận", "DanhSachNoiNhan", size=11, align="left"),
    # Signature block: authority/position, then the name after room for signature and seal.
    Spec("Chữ ký", "ChuKy", size=14, bold=True, align="center"),
    Spec("Chữ ký tên", "ChuKyTen", size=14, bold=True, align="center", before=60),
    # Header block: issuing agency, national name, motto, place and date, number.
    Spec("Đầu văn bản", "DauVanBan", size=13, align="center"),
    Spec("Quốc hiệu", "QuocHieu", size=13, bold=True, align="center"),
    Spec("Tiêu ngữ", "TieuNgu", size=14, bold=True, align="center"),
    Spec("Địa danh ngày tháng", "DiaDanhNgayThang", size=14, italic=True, align="center",
         before=6),
    Spec("Số ký hiệu", "SoKyHieu", size=13, align="center", before=6),
    # Placeholder for a section that failed to build: must stand out in review.
    Spec("Giữ chỗ", "GiuCho", size=14, bold=True, align="left", before=6, after=6,
         border_pt=1, color=DARK_RED),
]

# Defaults for created styles: Normal-based, no indent, no spacing, single line.
CUSTOM_DEFAULTS = dict(based_on="Normal", first_line=NO, left=NO, before=0, after=0,
                       line=1.0)

# Header/footer paragraph styles (python-docx's header template refers to "Header").
HEADER_STYLES = [
    Spec("header", "Header", size=13, align="center", first_line=NO, left=NO, before=0,
         after=0, line=1.0),
    Spec("footer", "Footer", size=10, italic=True, align="right", first_line=NO, left=NO,
         before=0, after=0, line=1.0),
]
# fmt: on


# --------------------------------------------------------------------------- XML helpers


def set_child(parent, tag: str, order: list[str], **attrs):
    """Return parent's child w:<tag>, creating it in schema order; set w:* attributes."""
    child = parent.find(qn(f"w:{tag}"))
    if child is None:
        child = OxmlElement(f"w:{tag}")
        later = order[order.index(tag) + 1 :]
        for sibling in parent:
            local = sibling.tag.split("}")[-1]
            if local in later:
                sibling.addprevious(child)
                break
        else:
            parent.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def remove_child(parent, tag: str) -> None:
    for child in parent.findall(qn(f"w:{tag}")):
        parent.remove(child)


def toggle(rpr, tag: str, value: bool) -> None:
    """Set a boolean run property (w:b, w:i ...) and its complex-script twin."""
    for t in (tag, tag + "Cs"):
        el = set_child(rpr, t, RPR_ORDER)
        if value:
            el.attrib.pop(qn("w:val"), None)
        else:
            el.set(qn("w:val"), "0")


def make_black_tnr(rpr, color: str = BLACK) -> None:
    """Times New Roman for every script and an explicit colour, no theme references."""
    fonts = set_child(rpr, "rFonts", RPR_ORDER)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)
    col = set_child(rpr, "color", RPR_ORDER, val=color)
    for attr in ("themeColor", "themeShade", "themeTint"):
        col.attrib.pop(qn(f"w:{attr}"), None)


def set_size(rpr, pt: float) -> None:
    half_points = str(round(pt * 2))
    set_child(rpr, "sz", RPR_ORDER, val=half_points)
    set_child(rpr, "szCs", RPR_ORDER, val=half_points)


def box_border(ppr, width_pt: float, color: str) -> None:
    """Single-line box around the paragraph (w:sz is in eighths of a point)."""
    remove_child(ppr, "pBdr")
    bdr = set_child(ppr, "pBdr", PPR_ORDER)
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(round(width_pt * 8)))
        edge.set(qn("w:space"), "4")
        edge.set(qn("w:color"), color)
        bdr.append(edge)


def style_rpr(style_el):
    return set_child(style_el, "rPr", STYLE_ORDER)


# --------------------------------------------------------------------------- styles


def apply_spec(style, spec: Spec, styles) -> None:
    """Apply one Spec to a python-docx paragraph style."""
    el = style.element
    if spec.based_on is not None:
        style.base_style = styles[spec.based_on]
    pf = style.paragraph_format
    if spec.align is not None:
        pf.alignment = ALIGN[spec.align]
    if spec.first_line is not None:
        pf.first_line_indent = Cm(spec.first_line)
    if spec.left is not None:
        pf.left_indent = Cm(spec.left)
    if spec.right is not None:
        pf.right_indent = Cm(spec.right)
    if spec.before is not None:
        pf.space_before = Pt(spec.before)
    if spec.after is not None:
        pf.space_after = Pt(spec.after)
    if spec.line is not None:
        pf.line_spacing = spec.line
    if spec.keep_next is not None:
        pf.keep_with_next = spec.keep_next
    if spec.page_break_before is not None:
        pf.page_break_before = spec.page_break_before

    color = spec.color or BLACK
    if spec.border_pt is not None:
        box_border(el.get_or_add_pPr(), spec.border_pt, color)

    rpr = style_rpr(el)
    make_black_tnr(rpr, color)
    if spec.size is not None:
        set_size(rpr, spec.size)
    if spec.bold is not None:
        toggle(rpr, "b", spec.bold)
    if spec.italic is not None:
        toggle(rpr, "i", spec.italic)


def get_or_create_style(styles, spec: Spec, must_exist: bool = False, builtin: bool = False):
    """Find a paragraph style by name, or create it with the spec's ASCII style id
    (builtin=True for Word's own styles such as "header", so Word does not see a clash)."""
    for style in styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.name == spec.name:
            return style
    if must_exist:
        raise SystemExit(f"pandoc's reference.docx has no style {spec.name!r}")
    style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH, builtin=builtin)
    if spec.style_id:
        style.element.set(qn("w:styleId"), spec.style_id)
    style.quick_style = True  # show it in Word's style gallery
    style.hidden = False
    style.unhide_when_used = False
    return style


def set_doc_defaults(doc) -> None:
    """Document-wide run and paragraph defaults: TNR 14 black, Vietnamese, 6 pt after."""
    root = doc.styles.element
    rpr = root.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    make_black_tnr(rpr)
    set_size(rpr, 14)
    lang = set_child(rpr, "lang", RPR_ORDER)
    lang.set(qn("w:val"), LANG)
    ppr = root.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/" + qn("w:pPr"))
    set_child(ppr, "spacing", PPR_ORDER, after="120")


def blacken_all_styles(doc) -> None:
    """Every style (paragraph, character, table): Times New Roman, black, no theme refs."""
    for style_el in doc.styles.element.findall(qn("w:style")):
        if style_el.get(qn("w:type")) == "numbering":
            continue
        make_black_tnr(style_rpr(style_el))
    # Colours and theme fonts can also hide in table-style conditional formats.
    for el in doc.styles.element.iter(qn("w:color")):
        for attr in ("themeColor", "themeShade", "themeTint"):
            el.attrib.pop(qn(f"w:{attr}"), None)
        el.set(qn("w:val"), BLACK)


def sync_linked_char_styles(doc) -> None:
    """Give each linked character style ("Heading 1 Char" ...) its paragraph style's run
    properties, as Word does when a style is edited, so both look the same."""
    all_styles = doc.styles.element.findall(qn("w:style"))
    by_id = {el.get(qn("w:styleId")): el for el in all_styles}
    # "Body Text Char" is the base of Hyperlink, Footnote Reference ...: giving it a size
    # would fix their size too, so character styles used as a base are left alone.
    bases = {b.get(qn("w:val")) for el in all_styles for b in el.findall(qn("w:basedOn"))}
    for el in all_styles:
        if el.get(qn("w:type")) != "paragraph":
            continue
        link = el.find(qn("w:link"))
        char = by_id.get(link.get(qn("w:val"))) if link is not None else None
        if char is None or char.get(qn("w:type")) != "character":
            continue
        back = char.find(qn("w:link"))
        if (
            char.get(qn("w:styleId")) in bases
            or back is None
            or back.get(qn("w:val")) != el.get(qn("w:styleId"))
        ):
            continue
        src = el.find(qn("w:rPr"))
        remove_child(char, "rPr")
        if src is not None:
            set_child(char, "rPr", STYLE_ORDER).extend(copy.deepcopy(list(src)))


def style_hyperlink(doc) -> None:
    style = doc.styles["Hyperlink"]
    rpr = style_rpr(style.element)
    make_black_tnr(rpr)
    set_child(rpr, "u", RPR_ORDER, val="none")


def style_table(doc) -> None:
    """Pandoc applies the table style "Table" to every table: thin black grid, 13 pt."""
    el = doc.styles["Table"].element
    tblpr = set_child(el, "tblPr", STYLE_ORDER)
    remove_child(tblpr, "tblBorders")
    borders = set_child(tblpr, "tblBorders", TBLPR_ORDER)
    for edge_name in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{edge_name}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")  # eighths of a point: 0.5 pt
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), BLACK)
        borders.append(edge)
    margins = set_child(tblpr, "tblCellMar", TBLPR_ORDER)
    cell_margin = str(Cm(0.1).twips)  # 57 twips
    for side in ("left", "right"):
        m = margins.find(qn(f"w:{side}"))
        if m is None:
            m = OxmlElement(f"w:{side}")
            margins.append(m)
        m.set(qn("w:w"), cell_margin)
        m.set(qn("w:type"), "dxa")
    rpr = style_rpr(el)
    make_black_tnr(rpr)
    set_size(rpr, 13)

    # Header row (pandoc marks it with tblLook firstRow="1" and repeats it on every page,
    # but does not make it bold): bold text, the same thin black rule under it.
    first_row = None
    for cond in el.findall(qn("w:tblStylePr")):
        if cond.get(qn("w:type")) == "firstRow":
            first_row = cond
    if first_row is None:
        first_row = OxmlElement("w:tblStylePr")
        first_row.set(qn("w:type"), "firstRow")
        el.append(first_row)
    remove_child(first_row, "rPr")
    row_rpr = OxmlElement("w:rPr")  # children of tblStylePr: pPr, rPr, tblPr, trPr, tcPr
    later = [c for c in first_row if c.tag in (qn("w:tblPr"), qn("w:trPr"), qn("w:tcPr"))]
    if later:
        later[0].addprevious(row_rpr)
    else:
        first_row.append(row_rpr)
    toggle(row_rpr, "b", True)
    for bottom in first_row.iter(qn("w:bottom")):
        bottom.set(qn("w:sz"), "4")
        bottom.set(qn("w:space"), "0")
        bottom.set(qn("w:color"), BLACK)


def build_styles(doc) -> None:
    styles = doc.styles
    set_doc_defaults(doc)
    blacken_all_styles(doc)
    for spec in PANDOC_STYLES:
        apply_spec(get_or_create_style(styles, spec, must_exist=True), spec, styles)
    for spec in HEADER_STYLES:
        full = Spec(**{**spec.__dict__, "based_on": "Normal"})
        apply_spec(get_or_create_style(styles, spec, builtin=True), full, styles)
    for spec in CUSTOM_STYLES:
        values = {**CUSTOM_DEFAULTS, **{k: v for k, v in spec.__dict__.items() if v is not None}}
        full = Spec(**values)
        style = get_or_create_style(styles, spec)
        style.next_paragraph_style = styles["Body Text"]
        apply_spec(style, full, styles)
    sync_linked_char_styles(doc)
    style_hyperlink(doc)
    style_table(doc)


def set_theme_fonts(doc) -> None:
    """Theme major/minor Latin fonts -> Times New Roman (for anything still using them)."""
    for part in doc.part.package.iter_parts():
        if str(part.partname).startswith("/word/theme/"):
            xml = part.blob.decode("utf-8")
            for group in ("majorFont", "minorFont"):
                xml = re.sub(
                    rf"(<a:{group}>\s*)<a:latin [^>]*?/>",
                    rf'\g<1><a:latin typeface="{FONT}" panose="{FONT_PANOSE}"/>',
                    xml,
                )
            part._blob = xml.encode("utf-8")


# --------------------------------------------------------------------------- page setup


def mm(value: float) -> Twips:
    return Twips(round(value * 1440 / 25.4))


def run_props(run_el, size: float, italic: bool = False):
    rpr = run_el.get_or_add_rPr()
    make_black_tnr(rpr)
    if italic:
        toggle(rpr, "i", True)
    set_size(rpr, size)
    return rpr


def add_text_run(paragraph, text: str, size: float, italic: bool = False):
    run = paragraph.add_run(text)
    run_props(run._r, size, italic)
    return run


def add_page_field(paragraph, size: float) -> None:
    """PAGE as a complex field: begin / instrText / separate / result / end."""

    def field_run(child):
        r = OxmlElement("w:r")
        paragraph._p.append(r)
        run_props(r, size)
        r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    field_run(begin)
    instr = OxmlElement("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    field_run(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    field_run(sep)
    result = OxmlElement("w:t")
    result.text = "2"
    field_run(result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    field_run(end)


def reset_paragraph(
    paragraph, style_name: str, align: str, size: float, italic: bool = False
) -> None:
    """Clear a header/footer paragraph and give it style, alignment and mark formatting."""
    for child in list(paragraph._p):
        if child.tag != qn("w:pPr"):
            paragraph._p.remove(child)
    paragraph.style = style_name
    paragraph.alignment = ALIGN[align]
    mark = set_child(paragraph._p.get_or_add_pPr(), "rPr", PPR_ORDER)
    make_black_tnr(mark)
    if italic:
        toggle(mark, "i", True)
    set_size(mark, size)


def setup_section(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = mm(210)
    section.page_height = mm(297)
    section.top_margin = mm(20)
    section.bottom_margin = mm(20)
    section.left_margin = mm(30)
    section.right_margin = mm(15)
    section.header_distance = mm(10)
    section.footer_distance = mm(10)
    section.gutter = Twips(0)
    section.different_first_page_header_footer = True  # w:titlePg

    # Default header: page number, centred, 13 pt.
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    reset_paragraph(p, "header", "center", 13)
    add_page_field(p, 13)

    # First-page header: empty (no page number on page 1).
    first_header = section.first_page_header
    first_header.is_linked_to_previous = False
    reset_paragraph(first_header.paragraphs[0], "header", "center", 13)

    # Footers: revision placeholder, right-aligned, 10 pt italic, on every page.
    for footer in (section.footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        reset_paragraph(p, "footer", "right", 10, italic=True)
        add_text_run(p, FOOTER_PLACEHOLDER, 10, italic=True)


# --------------------------------------------------------------------------- sample text


def add_samples(doc) -> None:
    """Show each custom style in the reference document's body (pandoc ignores the body,
    but a reviewer opening reference.docx in Word sees what every style looks like)."""
    doc.add_paragraph('Custom styles (applied with ::: {custom-style="..."})', style="Heading 2")
    for spec in CUSTOM_STYLES:
        doc.add_paragraph(f"{spec.name}: Ủy ban nhân dân tỉnh Lạng Sơn ./.", style=spec.name)


# --------------------------------------------------------------------------- main


def pandoc_default_reference(dest: Path) -> None:
    pandoc = pypandoc.get_pandoc_path()
    subprocess.run(
        [pandoc, "-o", str(dest), "--print-default-data-file", "reference.docx"], check=True
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "pandoc-default-reference.docx"
        pandoc_default_reference(base)
        doc = Document(str(base))

    build_styles(doc)
    set_theme_fonts(doc)
    setup_section(doc)
    add_samples(doc)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(args.output))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
