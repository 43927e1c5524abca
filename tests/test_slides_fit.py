"""Slides that fit: every slide's text stays in its frame and above the slide's bottom.

The deck is rendered by LibreOffice (what the conference's machine would show) to PDF, and
every word's box, as poppler measures it, must lie inside a text frame or picture of its
slide (as python-pptx reads them) and inside the slide with a margin at the bottom.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pptx
import pytest

from cchc_pipeline.testing import ReportProject

from .conftest import require_tool

EMU_PER_POINT = 12700
TOLERANCE = 4.0  # points: glyphs overhang their line box a little
BOTTOM_MARGIN = 6.0  # points of the slide kept free at the bottom
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def rendered_words(deck: Path, folder: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words (x0, y0, x1, y1, text) in points, from LibreOffice's rendering."""
    office, pdftotext = require_tool("soffice"), require_tool("pdftotext")
    subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{folder}/profile",
         "--convert-to", "pdf", "--outdir", str(folder), str(deck)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    (pdf,) = folder.glob("*.pdf")
    boxes = subprocess.run(
        [pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(page)]
        for page in boxes.split("<page ")[1:]
    ]


def frames(slide) -> list[tuple[float, float, float, float]]:
    """The boxes (x0, y0, x1, y1) in points of the slide's text frames and pictures."""
    out = []
    for shape in slide.shapes:
        if shape.width is None or shape.height is None:
            continue
        if shape.has_text_frame or shape.shape_type == 13:
            x, y = shape.left / EMU_PER_POINT, shape.top / EMU_PER_POINT
            out.append((x, y, x + shape.width / EMU_PER_POINT, y + shape.height / EMU_PER_POINT))
    return out


def overflowing(deck_path: Path, folder: Path) -> list[str]:
    """Every word that runs out of its frame or past the slide's bottom margin."""
    deck = pptx.Presentation(str(deck_path))
    width, height = deck.slide_width / EMU_PER_POINT, deck.slide_height / EMU_PER_POINT
    pages = rendered_words(deck_path, folder)
    assert len(pages) == len(deck.slides)
    problems = []
    for number, (slide, words) in enumerate(zip(deck.slides, pages, strict=True), start=1):
        boxes = frames(slide)
        for x0, y0, x1, y1, word in words:
            inside = any(
                x0 >= a - TOLERANCE and y0 >= b - TOLERANCE
                and x1 <= c + TOLERANCE and y1 <= d + TOLERANCE
                for a, b, c, d in boxes
            )  # fmt: skip
            if not inside or y1 > height - BOTTOM_MARGIN or x1 > width:
                problems.append(f"slide {number}: “{word}” at y={y1:.0f} (slide {height:.0f})")
    return problems


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = ReportProject.sample(tmp_path_factory.mktemp("slides") / "bao-cao")
    result = project.run("build", "-f", "pptx")
    assert result.exit_code == 0, result.output
    return project.output("pptx")


def test_no_slide_text_runs_past_its_frame(deck, tmp_path) -> None:
    assert overflowing(deck, tmp_path) == []


def test_long_lists_go_on_to_continued_slides(deck) -> None:
    slides = pptx.Presentation(str(deck)).slides
    titles = [s.shapes.title.text for s in slides if s.shapes.title is not None]
    targets = "Kết quả thực hiện các chỉ tiêu của Chương trình"
    assert targets in titles and f"{targets} (tiếp)" in titles
    # nothing is lost: every target missed is on one of the targets' slides
    text = "\n".join(
        shape.text_frame.text
        for slide in slides
        if slide.shapes.title is not None and slide.shapes.title.text.startswith(targets)
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert text.count("Không đạt —") == 6
    assert "Tổng số chỉ tiêu theo dõi: 16" in text


def test_the_check_sees_an_overflowing_slide(tmp_path) -> None:
    """The measure fails a slide that does not fit (pandoc's own, unsplit)."""
    from cchc_pipeline.publish.formats.pandoc import pandoc_path

    source = tmp_path / "tran.md"
    items = "\n".join(
        f"- Mục số {n} của một danh sách rất dài không thể vừa một trang" for n in range(16)
    )
    source.write_text(f"## Danh sách dài\n\n{items}\n", encoding="utf-8")
    deck = tmp_path / "tran.pptx"
    subprocess.run([pandoc_path(), str(source), "-o", str(deck), "--slide-level=2"], check=True)
    (tmp_path / "render").mkdir()
    assert overflowing(deck, tmp_path / "render")
