"""Tables in the report's style, built in Python so that every cell is escaped exactly once.

Pandoc pipe tables take their relative column widths from the dashes of the separator line
when a line is wider than 72 characters; the separator is therefore always drawn wider than
that, with dashes in proportion to the wanted widths (pandoc's cramped equal-width tables
are a known pain otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import vi
from .catalogue import Catalogue, Indicator
from .templating import Markdown, escape

_ALIGN = {"l": (":", "-"), "r": ("-", ":"), "c": (":", ":")}
_MIN_SEPARATOR = 90


def pipe_table(
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    align: str,
    widths: Sequence[int],
    title: str | None = None,
    unit: str | None = None,
) -> Markdown:
    """A titled pipe table; ``align`` is one letter per column (l, r, c), ``widths`` relative."""
    if not len(header) == len(align) == len(widths):
        raise ValueError("header, align and widths must have one entry per column")
    scale = max(1.0, _MIN_SEPARATOR / sum(widths))
    separator = []
    for letter, width in zip(align, widths, strict=True):
        left, right = _ALIGN[letter]
        separator.append(left + "-" * max(1, round(width * scale) - 2) + right)
    lines = []
    if title:
        lines += ["::: table-title", f"**{escape(title)}**", ":::", ""]
    if unit:
        lines += ["::: table-unit", f"*{escape(unit)}*", ":::", ""]
    lines.append("| " + " | ".join(escape(cell) for cell in header) + " |")
    lines.append("|" + "|".join(separator) + "|")
    for row in rows:
        lines.append("| " + " | ".join(escape(cell) for cell in row) + " |")
    return Markdown("\n".join(lines) + "\n")


def format_value(indicator: Indicator, value: float | int | None) -> Markdown:
    """A value in its indicator's form ("7.518", "85,48%"); "-" when missing."""
    if value is None:
        return Markdown("-")
    if indicator.kind == "percent":
        return escape(vi.percent(value))
    return escape(vi.number(value))


def yearly_table(
    catalogue: Catalogue,
    table: Any,
    years: Sequence[int],
    *,
    title: str | None = None,
    unit: str | None = "Đơn vị tính: theo từng chỉ tiêu",
    indicators: Sequence[str] | None = None,
) -> Markdown:
    """STT | Chỉ tiêu | Đơn vị | one column per year, for the catalogue's indicators present."""
    chosen = [catalogue[i] for i in indicators] if indicators else list(catalogue)
    chosen = [ind for ind in chosen if table.values.get(ind.id)]
    rows = [
        [i, ind.label, ind.unit, *(format_value(ind, table.get(ind.id, y)) for y in years)]
        for i, ind in enumerate(chosen, start=1)
    ]
    header = ["STT", "Chỉ tiêu", "Đơn vị", *years]
    return pipe_table(
        header,
        rows,
        align="rll" + "r" * len(years),
        widths=[4, 30, 9, *([7] * len(years))],
        title=title,
        unit=unit,
    )
