"""Number the report's tables ("Biểu số 01") and figures ("Hình 1") in document order.

Plugins render their tables and charts without numbers, because a section does not know
how many tables come before it (and with the build cache, it may not even be re-rendered).
The assembled Markdown marks numbered titles with fences that only the core writes (a
narrative cannot contain fenced divs, escaped text cannot start a line with ":::"), so one
pass over the finished document numbers them reliably.
"""

from __future__ import annotations

import re

from .templating import Markdown, escape

_TABLE = re.compile(r"^::: \{\.table-title \.numbered\}\n\*\*", re.MULTILINE)
SLIDES_FENCE = "\n::: slides\n"
_FIGURE = re.compile(r"^::: \{\.figure \.numbered\}\n!\[", re.MULTILINE)


def number_tables_and_figures(markdown: str) -> Markdown:
    """Insert "Biểu số NN: " and "Hình N: " before each numbered title and caption.

    The conference slides (after the ``slides`` fence) repeat charts without numbers.
    """
    document, fence, slides = markdown.partition(SLIDES_FENCE)
    tables = iter(range(1, 10_000))
    figures = iter(range(1, 10_000))
    document = _TABLE.sub(lambda _: f"::: table-title\n**Biểu số {next(tables):02d}: ", document)
    document = _FIGURE.sub(lambda _: f"::: figure\n![Hình {next(figures)}: ", document)
    slides = _TABLE.sub("::: table-title\n**", _FIGURE.sub("::: figure\n![", slides))
    return Markdown(document + fence + slides)


def figure(src: str, caption: str) -> Markdown:
    """A figure whose caption gets its "Hình N: " when the report is assembled."""
    return Markdown(f"::: {{.figure .numbered}}\n![{escape(caption)}]({src}){{width=100%}}\n:::\n")
