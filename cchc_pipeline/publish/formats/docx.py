"""DOCX output: pandoc with the reference document, then the section settings pandoc lacks.

Pandoc writes one section, with the reference document's page settings, header (page
number) and footer. The form needs more: the body's first page without a number, appendices
numbered from 1 each, wide appendices on landscape pages that keep their page numbers, and
the draft's revision in the footer. The ``layout.lua`` filter leaves a marker paragraph where
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


_REVISION_ID = re.compile(r'<w:(ins|del) w:id="\d+"')
_OTHER_ID = re.compile(r'<w:(?!ins |del )\w+ [^>]*?w:id="(\d+)"')


def unique_change_ids(document: str) -> str:
    """Give every tracked change (``w:ins``, ``w:del``) an id of its own: pandoc gives a
    deletion and the insertion after it the same one, which Word's format forbids."""
    if "<w:ins " not in document and "<w:del " not in document:
        return document
    start = max((int(m.group(1)) for m in _OTHER_ID.finditer(document)), default=0)
    numbers = iter(range(start + 1, start + 1 + document.count("<w:ins ") +
                         document.count("<w:del ") + 1))  # fmt: skip
    return _REVISION_ID.sub(lambda m: f'<w:{m.group(1)} w:id="{next(numbers)}"', document)


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
                data = unique_change_ids(fix_sections(data.decode("utf-8"))).encode("utf-8")
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
