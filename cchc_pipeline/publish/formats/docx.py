"""DOCX output: pandoc with the reference document, then the section settings pandoc lacks.

Pandoc writes one section, with the reference document's page settings, header (page
number) and footer. The form needs more: the body's first page without a number, appendices
numbered from 1 each, wide appendices on landscape pages that keep their page numbers, and
the draft's revision in the footer; a comparison of drafts needs its tracked changes made
whole (below). The ``layout.lua`` filter leaves a marker paragraph where
each section ends; here each marker becomes a copy of the final section's settings (so the
header and footer references, hence the page numbers, carry over) with its orientation,
numbering and first-page rule. The package is rewritten entry by entry with the original
timestamps, so the output stays reproducible.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat
from .pandoc import run_pandoc

A4 = (11906, 16838)  # twentieths of a point
SECTION_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
    "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings",
)  # fmt: skip
_CHILD = re.compile(r"<w:(\w+)\b(?:[^>]*?/>|[^>]*>.*?</w:\1>)", re.DOTALL)
_MARKER = re.compile(
    r"<w:p><w:r><w:t>CCHC-(SECTION|FINAL) (portrait|landscape) (first|restart)</w:t></w:r></w:p>"
)
REVISION_PLACEHOLDER = "CCHC-REVISION"


def section_properties(template: str, orient: str, kind: str) -> str:
    """The final section's settings re-cut for a section of ``orient`` and ``kind``.

    ``first`` is the body (no number on its first page); ``restart`` an appendix, numbered
    from 1 on every page.
    """
    children = [m.group(0) for m in _CHILD.finditer(template)]
    kept = [c for c in children if _name(c) not in ("pgSz", "pgNumType", "titlePg")]
    width, height = A4 if orient == "portrait" else A4[::-1]
    orient_attr = ' w:orient="landscape"' if orient == "landscape" else ""
    kept.append(f'<w:pgSz w:w="{width}" w:h="{height}"{orient_attr}/>')
    if kind == "first":
        kept.append("<w:titlePg/>")
    else:
        kept.append('<w:pgNumType w:start="1"/>')
    kept.sort(key=lambda c: SECTION_ORDER.index(_name(c)) if _name(c) in SECTION_ORDER else 99)
    return "<w:sectPr>" + "".join(kept) + "</w:sectPr>"


def _name(element: str) -> str:
    return re.match(r"<w:(\w+)", element).group(1)  # type: ignore[union-attr]


def _final_section(document: str) -> tuple[int, int, str] | None:
    """Start, end and inner XML of the body's last ``w:sectPr`` (the final section's)."""
    end = document.rfind("</w:body>")
    start = document.rfind("<w:sectPr", 0, end)
    if start < 0 or end < 0:
        return None
    close = document.index("</w:sectPr>", start) + len("</w:sectPr>")
    inner = document[document.index(">", start) + 1 : close - len("</w:sectPr>")]
    return start, close, inner


def fix_sections(document: str) -> str:
    """Turn the filter's markers into section breaks and set the final section's settings."""
    final = _final_section(document)
    if final is None:
        return document
    template = final[2]
    last = ("portrait", "first")

    def replace(match: re.Match[str]) -> str:
        nonlocal last
        if match.group(1) == "FINAL":
            last = (match.group(2), match.group(3))
            return ""
        properties = section_properties(template, match.group(2), match.group(3))
        return f"<w:p><w:pPr>{properties}</w:pPr></w:p>"

    document = _widen_landscape_tables(document)
    document = _MARKER.sub(replace, document)
    start, close, _ = _final_section(document)  # type: ignore[misc]
    return document[:start] + section_properties(template, *last) + document[close:]


_BULLET_LEVEL = re.compile(
    r'<w:lvl w:ilvl="(\d)">(?:(?!</w:lvl>).)*?<w:numFmt w:val="bullet" />.*?</w:lvl>', re.S
)


def administrative_bullets(numbering: str) -> str:
    """Bulleted lists as Vietnamese documents write them: "-", then "+", indented like text."""

    def level(match: re.Match[str]) -> str:
        depth = int(match.group(1))
        marker = "-" if depth % 2 == 0 else "+"
        first_line = 720 + 360 * depth
        return (
            f'<w:lvl w:ilvl="{depth}"><w:numFmt w:val="bullet" /><w:lvlText w:val="{marker}" />'
            f'<w:lvlJc w:val="left" /><w:pPr><w:ind w:left="0" w:firstLine="{first_line}" />'
            "</w:pPr></w:lvl>"
        )

    return _BULLET_LEVEL.sub(level, numbering)


LANDSCAPE_WIDENING = (297 - 30 - 15) / (210 - 30 - 15)  # text width, landscape / portrait
_GRID_COL = re.compile(r'<w:gridCol w:w="(\d+)" />')


def _widen_landscape_tables(document: str) -> str:
    """Pandoc sizes table columns for the portrait text width; widen those on landscape pages.

    Each marker closes a section and names its orientation, so the text before a marker
    belongs to the section it describes.
    """
    pieces = _MARKER.split(document)
    out = []
    for index in range(0, len(pieces), 4):  # text, then (kind, orientation, numbering) groups
        text = pieces[index]
        orient = pieces[index + 2] if index + 2 < len(pieces) else "portrait"
        if orient == "landscape":
            text = _GRID_COL.sub(
                lambda m: f'<w:gridCol w:w="{round(int(m.group(1)) * LANDSCAPE_WIDENING)}" />', text
            )
        out.append(text)
        if index + 3 < len(pieces):
            out.append(_marker_text(*pieces[index + 1 : index + 4]))
    return "".join(out)


def _marker_text(kind: str, orient: str, numbering: str) -> str:
    return f"<w:p><w:r><w:t>CCHC-{kind} {orient} {numbering}</w:t></w:r></w:p>"


# -- tracked changes (a comparison of drafts, see publish/comparison.py) -----------------
# Pandoc writes a span of class ``insertion`` or ``deletion`` as ``w:ins`` / ``w:del`` around
# its runs, but gives a deletion and the insertion after it the same id (the format wants one
# per change), and cannot mark a paragraph mark or a table row as inserted or deleted: a
# paragraph removed from the new draft would stay as an empty paragraph after "accept all",
# and a row added as an empty row after "reject all". A paragraph (outside tables) whose every
# word is inserted, or deleted, gets its paragraph mark tracked the same way, and so does a
# table row whose every cell is, so that accepting or rejecting every change leaves exactly
# the new or the old draft.

_CHANGE = re.compile(r"<w:(ins|del) w:id=\"\d+\"( w:author=\"[^\"]*\" w:date=\"[^\"]*\")?")
_OTHER_ID = re.compile(r"<w:(?!ins |del )\w+ [^>]*?w:id=\"(\d+)\"")
_TABLE = re.compile(r"<w:tbl>.*?</w:tbl>", re.S)
_ROW = re.compile(r"(<w:tr>)(.*?)(</w:tr>)", re.S)
_PARAGRAPH = re.compile(r"(<w:p>|<w:p [^>]*>)(.*?)(</w:p>)", re.S)
_WRAPPED = {kind: re.compile(rf"<w:{kind} [^>]*>.*?</w:{kind}>", re.S) for kind in ("ins", "del")}
_CONTENT = re.compile(r"<w:(t|delText)(?: [^>]*)?>[^<]+</w:\1>|<w:drawing>")


def whole_changes(document: str) -> str:
    """``word/document.xml`` with its tracked changes completed (unchanged without any)."""
    if "<w:ins " not in document and "<w:del " not in document:
        return document
    document = _TABLE.sub(lambda m: _ROW.sub(_row, m.group(0)) if m.group(0).count("<w:tbl>") == 1
                          else m.group(0), document)  # fmt: skip
    pieces = re.split(r"(<w:tbl>.*?</w:tbl>)", document, flags=re.S)  # paragraphs out of tables
    for index in range(0, len(pieces), 2):
        pieces[index] = _paragraphs(pieces[index], before_table=index + 1 < len(pieces))
    return unique_ids("".join(pieces))


def _paragraphs(xml: str, before_table: bool) -> str:
    """Track the mark of each paragraph wholly inserted or deleted. A paragraph mark right
    before a table cannot join the table, so for the paragraphs that end there each mark moves
    to the paragraph before (whose text then joins the next paragraph, as the change means)."""
    found = list(_PARAGRAPH.finditer(xml))
    kinds = [_only(m.group(2)) for m in found]
    marks: list[tuple[str, str] | None] = [(k, m.group(2)) if k else None
                                           for k, m in zip(kinds, found, strict=True)]  # fmt: skip
    if before_table and kinds and kinds[-1]:
        first = len(kinds) - 1
        while first > 0 and kinds[first - 1]:
            first -= 1
        if first > 0:
            marks[first - 1 : len(kinds)] = [*marks[first:], None]
    out, at = [], 0
    for match, mark in zip(found, marks, strict=True):
        out.append(xml[at : match.start()])
        out.append(_marked(match, mark) if mark else match.group(0))
        at = match.end()
    return "".join(out) + xml[at:]


def _only(xml: str) -> str | None:
    """``ins`` or ``del`` when every word of ``xml`` is inside insertions, or deletions."""
    for kind, wrapped in _WRAPPED.items():
        if wrapped.search(xml) and not _CONTENT.search(wrapped.sub("", xml)):
            other = _WRAPPED["del" if kind == "ins" else "ins"]
            if not other.search(xml):
                return kind
    return None


def _mark(kind: str, xml: str) -> str:
    """An empty ``w:ins`` / ``w:del`` with the author and date of the first change in ``xml``."""
    found = re.search(rf"<w:{kind} w:id=\"\d+\"( w:author=\"[^\"]*\" w:date=\"[^\"]*\")?", xml)
    who = (found.group(1) or "") if found else ""
    return f'<w:{kind} w:id="0"{who} />'


def _row(match: re.Match[str]) -> str:
    start, body, end = match.groups()
    kind = _only(body)
    if kind is None:
        return match.group(0)
    mark = _mark(kind, body)
    if body.startswith("<w:trPr>"):
        return start + body.replace("</w:trPr>", mark + "</w:trPr>", 1) + end
    if body.startswith("<w:trPr />"):
        return start + f"<w:trPr>{mark}</w:trPr>" + body[len("<w:trPr />") :] + end
    return start + f"<w:trPr>{mark}</w:trPr>" + body + end


def _marked(match: re.Match[str], change: tuple[str, str]) -> str:
    """A paragraph with its mark tracked as ``change``: (kind, the XML holding its author)."""
    start, body, end = match.groups()
    mark = f"<w:rPr>{_mark(*change)}</w:rPr>"
    if body.startswith("<w:pPr>"):
        close = body.index("</w:pPr>")
        properties = body[:close]
        if "<w:rPr>" in properties or "<w:sectPr>" in properties:
            return match.group(0)  # a section break or run properties: leave the mark alone
        return start + properties + mark + body[close:] + end
    return start + f"<w:pPr>{mark}</w:pPr>" + body + end


def unique_ids(document: str) -> str:
    """Give every tracked change an id of its own, after every other id in the part."""
    first = max((int(m.group(1)) for m in _OTHER_ID.finditer(document)), default=0) + 1
    numbers = iter(range(first, first + document.count("<w:ins ") + document.count("<w:del ")))
    return _CHANGE.sub(lambda m: f'<w:{m.group(1)} w:id="{next(numbers)}"{m.group(2) or ""}',
                       document)  # fmt: skip


def set_revision(part: str, text: str) -> str:
    """Put the draft's revision (or nothing, for the final version) in a footer."""
    return part.replace(REVISION_PLACEHOLDER, text)


def postprocess(path: Path, revision_text: str) -> None:
    """Rewrite the package with fixed sections and footers, keeping every entry's metadata."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    partial = path.with_name(path.name + ".part")
    with zipfile.ZipFile(partial, "w") as target:
        for info, data in entries:
            if info.filename == "word/document.xml":
                data = whole_changes(fix_sections(data.decode("utf-8"))).encode("utf-8")
            elif info.filename == "word/numbering.xml":
                data = administrative_bullets(data.decode("utf-8")).encode("utf-8")
            elif re.fullmatch(r"word/footer\d*\.xml", info.filename):
                data = set_revision(data.decode("utf-8"), revision_text).encode("utf-8")
            target.writestr(info, data)
    partial.replace(path)


def revision_text(job: ConversionJob) -> str:
    """The footer line of a draft; empty for the final version."""
    if job.metadata.get("final"):
        return ""
    return f"Dự thảo - phiên bản {job.metadata.get('revision', '')}"


def convert(job: ConversionJob) -> None:
    args = []
    reference = job.optional_template("docx/reference.docx")
    if reference is not None:
        args.append(f"--reference-doc={reference}")
    run_pandoc(job, args, to="docx", output=job.target)
    postprocess(job.target, revision_text(job))


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("docx", ".docx", "Word (DOCX) để chỉnh sửa", convert)]
