"""Tables in the report's style, built in Python so that every cell is escaped exactly once.

Pandoc pipe tables take their relative column widths from the dashes of the separator line
when a line is wider than 72 characters; the separator is therefore always drawn wider than
that, with dashes in proportion to the wanted widths (pandoc's cramped equal-width tables
are a known pain otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..catalogue import Catalogue, Indicator
from . import awards, vi, widths
from .escaping import Markdown, escape

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
    numbered: bool = True,
) -> Markdown:
    """A titled pipe table; ``align`` is one letter per column (l, r, c), ``widths`` relative.

    A ``numbered`` title gets its "Biểu số NN: " when the report is assembled (document order).
    """
    if not len(header) == len(align) == len(widths):
        raise ValueError("header, align and widths must have one entry per column")
    scale = max(1.0, _MIN_SEPARATOR / sum(widths))
    separator = []
    for letter, width in zip(align, widths, strict=True):
        left, right = _ALIGN[letter]
        separator.append(left + "-" * max(1, round(width * scale) - 2) + right)
    lines = []
    if title:
        fence = "::: {.table-title .numbered}" if numbered else "::: table-title"
        lines += [fence, f"**{escape(title)}**", ":::", ""]
    if unit:
        lines += ["::: table-unit", f"*{escape(unit)}*", ":::", ""]
    lines.append("| " + " | ".join(escape(cell) for cell in header) + " |")
    lines.append("|" + "|".join(separator) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    return Markdown("\n".join(lines) + "\n")


def _cell(value: Any) -> Markdown:
    """A table cell: escaped, except the lone "-" of an empty value (safe inside a table)."""
    return Markdown("-") if value == "-" else escape(value)


def format_value(indicator: Indicator, value: float | int | None) -> Markdown:
    """A value in its indicator's form ("7.518", "85,48%", with the catalogue's ``decimals``
    when it sets them); "-" when missing. Templates show values the same way
    (``data.format``), so the text and the tables never disagree."""
    if value is None:
        return Markdown("-")
    if indicator.kind == "percent":
        return escape(vi.percent(value, indicator.decimals))
    return escape(vi.number(value, indicator.decimals))


def yearly_table(
    catalogue: Catalogue,
    table: Any,
    years: Sequence[int],
    *,
    title: str | None = None,
    unit: str | None = "Đơn vị tính: theo từng chỉ tiêu",
    indicators: Sequence[str] | None = None,
    numbered: bool = True,
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
        widths=[6, 30, 9, *([7] * len(years))],
        title=title,
        unit=unit,
        numbered=numbered,
    )


def key_years(indicators: Sequence[Any], period: Sequence[int]) -> list[int]:
    """The key table's columns: for each indicator the first, middle and last year it is
    due (a field whose indicators start in 2016 shows 2016, 2018 and 2020, not 2011's "-")."""
    chosen: set[int] = set()
    for indicator in indicators:
        due = [year for year in period if indicator.due(year)]
        if due:
            chosen.update((due[0], due[max(0, (len(due) + 1) // 2 - 1)], due[-1]))
    return sorted(chosen)


def key_table(data: Any, *, title: str, years: Sequence[int] | None = None) -> Markdown:
    """The headline indicators (``key = true``) in the first, middle and last year each is
    due (``years`` overrides)."""
    key = list(data.catalogue.key_indicators) or list(data.catalogue)
    chosen = [i.id for i in data.catalogue.key_indicators] or None
    columns = list(years) if years else key_years(key, list(data.years))
    return yearly_table(data.catalogue, data.table, columns, title=title, indicators=chosen)


def targets_table(results: Sequence[Any]) -> Markdown:
    """Phụ lục I: targets against results, grouped by field, with the computed verdict."""
    rows: list[list[Any]] = []
    groups: dict[str, list[Any]] = {}
    for result in results:
        groups.setdefault(result.field, []).append(result)
    for number, (field, items) in enumerate(groups.items(), start=1):
        rows.append([Markdown(f"**{vi.roman(number)}**"), Markdown(f"**{escape(field)}**"),
                     "", "", "", ""])  # fmt: skip
        for n, item in enumerate(items, start=1):
            rows.append([n, item.text, item.plan, item.result_text, item.verdict, item.note])
    return pipe_table(
        ["STT", "Chỉ tiêu", "Kế hoạch", "Kết quả", "Đánh giá", "Ghi chú"],
        rows,
        align="rlrrcl",
        widths=[6, 42, 12, 14, 12, 12],
    )


def nominations_table(nominations: Sequence[Any], show_proposer: bool = True) -> Markdown:
    """The commendation list as a decision appends it: by form of award (A, B…), then tập thể
    and cá nhân (I, II), numbered from 1 in each group; column widths fit the content
    (landscape), so that no word breaks. ``show_proposer`` adds "Đơn vị đề nghị"."""
    header = ["STT", "Tên tập thể, cá nhân", "Chức vụ, đơn vị", "Thành tích"]
    if show_proposer:
        header.append("Đơn vị đề nghị")
    plain: list[list[str]] = []  # the cells' text, to measure the columns by
    rows: list[list[Any]] = []
    bold: list[int] = []
    blank = [""] * (len(header) - 2)
    for number, group in enumerate(awards.group_awards(nominations), start=1):
        mark, title = vi.letter(number).upper(), group.form.upper()
        bold.append(len(rows))
        plain.append([mark, title, *blank])
        rows.append([Markdown(f"**{mark}**"), Markdown(f"**{escape(title)}**"), *blank])
        for index, kinds in enumerate(group.kinds, start=1):
            bold.append(len(rows))
            plain.append([vi.roman(index), kinds.kind, *blank])
            rows.append([Markdown(f"**{vi.roman(index)}**"),
                         Markdown(f"**{escape(kinds.kind)}**"), *blank])  # fmt: skip
            for n, item in enumerate(kinds.items, start=1):
                cells = [str(n), item.name, item.position, item.achievement]
                if show_proposer:
                    cells.append(item.proposer)
                plain.append(cells)
                rows.append([n, *cells[1:]])
    return pipe_table(
        header,
        rows,
        align="r" + "l" * (len(header) - 1),
        widths=widths.fitted_widths(header, plain, bold_rows=bold),
    )
