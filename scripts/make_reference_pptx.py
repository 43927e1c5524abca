#!/usr/bin/env python3
"""Build templates/pptx/reference.pptx, the pandoc reference deck for conference slides.

Pandoc's default reference.pptx is 16:9 at 10 x 5.625 in. Projectors and PowerPoint's own
"Widescreen" default use 13.333 x 7.5 in (12192000 x 6858000 EMU), and the report's
slides are shown at a provincial conference, so we use that size.

Changing only the presentation's slide size (what python-pptx's ``slide_width`` does) leaves
every layout and the slide master at their old coordinates, so placeholders would fill only
the top-left part of the slide. This script therefore also moves and resizes every shape
that has its own position (slide master, every slide layout, and the sample slides in the
reference deck) proportionally: x and width by the width ratio, y and height by the height
ratio. Placeholders without their own position inherit the master's, which is scaled.

Text: Times New Roman, as in the report (Decree 30/2020/NĐ-CP uses it for official
documents), set through the theme's major (headings) and minor (body) fonts, which every
master and layout text style refers to (+mj-lt / +mn-lt / +mj-cs / +mn-cs). Font sizes are
kept as pandoc has them (body 24 pt, titles 33 pt): on the larger slide that leaves room for
the report's longer Vietnamese titles and bullet points. Titles are dark blue #1F4E79.

Run:  python scripts/make_reference_pptx.py [--output PATH]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pypandoc
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "templates" / "pptx" / "reference.pptx"

SLIDE_WIDTH = Emu(12192000)  # 13.333 in
SLIDE_HEIGHT = Emu(6858000)  # 7.5 in
FONT = "Times New Roman"
TITLE_COLOR = "1F4E79"  # dark blue

TITLE_PLACEHOLDER_TYPES = {"title", "ctrTitle"}


# --------------------------------------------------------------------------- geometry


def has_own_position(shape) -> bool:
    """True when the shape stores its own offset/size (a:xfrm or p:xfrm), i.e. it does not
    inherit its position from a layout or the master."""
    return bool(shape._element.xpath("./p:spPr/a:xfrm | ./p:xfrm | ./p:grpSpPr/a:xfrm"))


def scale_shapes(shapes, sx: float, sy: float) -> int:
    """Scale the position and size of every shape with its own geometry; return the count."""
    count = 0
    for shape in shapes:
        if not has_own_position(shape):
            continue
        left, top, width, height = shape.left, shape.top, shape.width, shape.height
        shape.left = Emu(round(left * sx))
        shape.width = Emu(round(width * sx))
        if sy != 1:
            shape.top = Emu(round(top * sy))
            shape.height = Emu(round(height * sy))
        count += 1
    return count


def resize_deck(prs) -> None:
    sx = SLIDE_WIDTH / prs.slide_width
    sy = SLIDE_HEIGHT / prs.slide_height
    prs.slide_width = SLIDE_WIDTH
    prs.slide_height = SLIDE_HEIGHT
    # type="screen16x9" names the 10 x 5.625 in size; 13.333 x 7.5 in has no preset name.
    sld_sz = prs.part._element.find(qn("p:sldSz"))
    sld_sz.attrib.pop("type", None)

    scaled = 0
    for master in prs.slide_masters:
        scaled += scale_shapes(master.shapes, sx, sy)
        for layout in master.slide_layouts:
            scaled += scale_shapes(layout.shapes, sx, sy)
    for slide in prs.slides:  # sample slides in the reference deck (pandoc ignores them)
        scaled += scale_shapes(slide.shapes, sx, sy)
    print(f"scaled {scaled} shapes by {sx:.4f} x {sy:.4f}")


# --------------------------------------------------------------------------- fonts, colours


def set_theme_fonts(prs) -> None:
    """Theme major/minor fonts (Latin and complex script) -> Times New Roman, in every
    theme part (the slide master's and the notes master's)."""
    for part in prs.part.package.iter_parts():
        if not str(part.partname).startswith("/ppt/theme/"):
            continue
        xml = part.blob.decode("utf-8")
        for group in ("majorFont", "minorFont"):

            def fix(match: re.Match) -> str:
                block = match.group(0)
                for script in ("latin", "cs"):
                    # Drop the old font's panose/charset attributes with it.
                    block = re.sub(
                        rf"<a:{script} [^>]*?/>", f'<a:{script} typeface="{FONT}"/>', block, count=1
                    )
                return block

            xml = re.sub(rf"<a:{group}>.*?</a:{group}>", fix, xml, flags=re.S)
        part._blob = xml.encode("utf-8")


def solid_fill(rgb: str):
    fill = OxmlElement("a:solidFill")
    clr = OxmlElement("a:srgbClr")
    clr.set("val", rgb)
    fill.append(clr)
    return fill


def set_fill(def_rpr, rgb: str) -> None:
    """Replace the run default's fill with a solid RGB colour (solidFill comes first in
    a:defRPr, before a:latin / a:ea / a:cs)."""
    for old in def_rpr.findall(qn("a:solidFill")):
        def_rpr.remove(old)
    def_rpr.insert(0, solid_fill(rgb))


def colour_titles(prs) -> None:
    for master in prs.slide_masters:
        for def_rpr in master._element.xpath("./p:txStyles/p:titleStyle/*/a:defRPr"):
            set_fill(def_rpr, TITLE_COLOR)
        # Title placeholders in layouts that set their own colour.
        for layout in master.slide_layouts:
            for shape in layout.placeholders:
                ph = shape._element.xpath("./p:nvSpPr/p:nvPr/p:ph")[0]
                if ph.get("type") not in TITLE_PLACEHOLDER_TYPES:
                    continue
                for def_rpr in shape._element.xpath(".//a:lstStyle/*/a:defRPr"):
                    if def_rpr.find(qn("a:solidFill")) is not None:
                        set_fill(def_rpr, TITLE_COLOR)


# --------------------------------------------------------------------------- main


def pandoc_default_reference(dest: Path) -> None:
    pandoc = pypandoc.get_pandoc_path()
    subprocess.run(
        [pandoc, "-o", str(dest), "--print-default-data-file", "reference.pptx"], check=True
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "pandoc-default-reference.pptx"
        pandoc_default_reference(base)
        prs = Presentation(str(base))

    resize_deck(prs)
    set_theme_fonts(prs)
    colour_titles(prs)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(args.output))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
