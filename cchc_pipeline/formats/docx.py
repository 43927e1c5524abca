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

from ..markers import hookimpl
from ..model import ConversionJob, OutputFormat
from .pandoc import run_pandoc

A4 = (11906, 16838)  # twentieths of a point
SECTION_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
    "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings",
)  # fmt: skip
_CHILD = re.compile(r"<w:(\w+)\b(?:[^>]*?/>|[^>]*>.*?</w:\1>)", re.DOTALL)
_FINAL = re.compile(r"<w:sectPr\b[^>]*>(.*?)</w:sectPr>(\s*</w:body>)", re.DOTALL)
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


def fix_sections(document: str) -> str:
    """Turn the filter's markers into section breaks and set the final section's settings."""
    final = _FINAL.search(document)
    if final is None:
        return document
    template = final.group(1)
    last = ("portrait", "first")

    def replace(match: re.Match[str]) -> str:
        nonlocal last
        if match.group(1) == "FINAL":
            last = (match.group(2), match.group(3))
            return ""
        properties = section_properties(template, match.group(2), match.group(3))
        return f"<w:p><w:pPr>{properties}</w:pPr></w:p>"

    document = _MARKER.sub(replace, document)
    final = _FINAL.search(document)
    assert final is not None
    return (
        document[: final.start()]
        + section_properties(template, *last)
        + final.group(2)
        + document[final.end() :]
    )


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
                data = fix_sections(data.decode("utf-8")).encode("utf-8")
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
