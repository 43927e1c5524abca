"""Reading a department's own yearly table ("Biểu số 01"): any layout, rows known by label.

What departments keep is not our form: a title and notes above the table, a header of one or
two rows (a merged "Năm" over "Năm 2011 … Năm 2020", or plain 2011 … 2020), STT, label and
unit columns in any order, no indicator codes, group headings and total rows. This reader
finds the header row by its year cells in the first :data:`SCAN_ROWS` rows, the label column
(named "Chỉ tiêu"/"Nội dung", else the text column whose cells match the catalogue best),
and matches every row's label to the catalogue (:mod:`.labels`). It produces the same
:class:`~.yearly.YearlyTable` as the form's reader, its rows and columns pointing at the
department's own cells, so every later check lands on the cell the clerk typed.

Nothing is silent: each row read says which indicator it became and where; a row that
matches nothing, an ambiguous label (an error: never a guess), a total row (checked against
the rows above it, never read as an indicator) and each indicator without a row are findings.
Numbers are read as the form reads them (:func:`~.yearly.cell_number`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, Indicator
from ..model import Severity
from ..render import vi
from ..render.vi import fold
from ..report import Section
from . import invisible
from .labels import THRESHOLD, Match, Matcher, is_total, strip_numbering
from .xlsxread import DATA_SHEET, Workbook, open_workbook
from .yearly import (
    HEADER_ROWS,
    ID_COLUMN,
    Grid,
    YearlyTable,
    _not_a_number,
    cell_number,
    read_grid,
    text,
)

SCAN_ROWS = 20  # the header is looked for in the first rows (titles and notes above it)
MAX_ROWS = 2000  # rows read from one sheet: a yearly table has tens, not thousands
_YEAR = re.compile(r"^(?:nam\s+)?((?:19|20|21)\d\d)$")  # "2019", "Năm 2019" (folded)
NEAR = 0.6  # an unmatched label this alike to an indicator names it as a did-you-mean
_ROLES = {
    "number": {"stt", "tt", "so tt", "so thu tu", "thu tu"},
    "unit": {"dvt", "don vi tinh", "don vi", "dv tinh"},
    "code": {ID_COLUMN.replace("_", " "), "ma", "ma so"},
}
_LABEL_WORDS = ("chi tieu", "noi dung", "danh muc")
_OWN_HINT = "Nếu không đúng, sửa tên dòng cho giống tên chỉ tiêu trong danh mục của mẫu biểu."


class _Notes:
    """The findings of one candidate sheet, kept until it is chosen (the others' dropped)."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.found: list[tuple[Severity, str, str | None, dict[str, Any]]] = []

    def relative(self, path: Path | str) -> str:
        return self.section.relative(path)

    def add(self, severity: Severity, message: str, *, hint: str | None = None, **where: Any):
        self.found.append((severity, message, hint, where))

    def error(self, message: str, *, hint: str | None = None, **where: Any) -> None:
        self.add(Severity.ERROR, message, hint=hint, **where)

    def warning(self, message: str, *, hint: str | None = None, **where: Any) -> None:
        self.add(Severity.WARNING, message, hint=hint, **where)

    def info(self, message: str, *, hint: str | None = None, **where: Any) -> None:
        self.add(Severity.INFO, message, hint=hint, **where)

    def replay(self) -> None:
        for severity, message, hint, where in self.found:
            self.section.add(severity, message, hint=hint, **where)


@dataclass
class _Reading:
    """One grid read as a department's table: the table, its findings, what was matched."""

    table: YearlyTable
    notes: _Notes
    sheet: str | None
    header_row: int

    @property
    def matched(self) -> int:
        return len(self.table.rows)


@dataclass
class _Row:
    number: int
    label: str
    values: dict[int, Any] = field(default_factory=dict)  # year → cell, the filled ones
    match: Match | None = None

    @property
    def filled(self) -> bool:
        return bool(self.values)


def read_own_table(section: Section, source: Path | Grid, catalogue: Catalogue) -> YearlyTable:
    """A department's own table from a workbook (the sheet that matches best), a CSV file or
    one grid; an error, and an unread table, when nothing in it looks like one.

    ``catalogue`` should be the one localized for the report's level, as ``collect_field``
    uses (its labels then read "cấp tỉnh" or "cấp huyện" as the department writes them).
    """
    if isinstance(source, Grid):
        table = _choose(section, [source], catalogue, "")
        path = source.path
    elif source.suffix.lower() == ".csv":
        table = _choose(section, [_materialized(Grid.csv(source))], catalogue, "")
        path = source
    else:
        with open_workbook(section, source) as book:
            if book is None:
                return YearlyTable(source=section.relative(source), read=False)
            table = _from_workbook(section, book, catalogue, "")
        path = source
    if table is None:
        section.error(
            "Không nhận ra bảng số liệu theo năm trong tệp (cần một dòng tiêu đề có các cột "
            "năm và các dòng mang tên chỉ tiêu của danh mục).",
            file=path,
            hint="Điền số liệu vào mẫu biểu của đơn vị (cchc form), hoặc kiểm tra lại tệp.",
        )
        return YearlyTable(source=section.relative(path), read=False)
    return table


def read_figures_csv(section: Section, path: Path, catalogue: Catalogue) -> YearlyTable:
    """``so-lieu.csv``: by code when it has the ``ma_chi_tieu`` column, else by label; a file
    that is neither gets the form reader's own error (empty file, missing code column)."""
    rows = list(Grid.csv(path).rows)  # every row: the form's reader caps nothing silently
    if not any(ID_COLUMN in [text(c) for c in row] for _, row in rows[:HEADER_ROWS]):
        reason = f"Tệp không có cột “{ID_COLUMN}”; các dòng được "
        table = _choose(section, [_materialized(Grid(path, rows))], catalogue, reason)
        if table is not None:
            return table
    return read_grid(section, Grid(path, rows))


def read_figures_workbook(section: Section, book: Workbook, catalogue: Catalogue) -> YearlyTable:
    """A workbook without the form's sheet: the sheet that reads best as the department's
    own table, or one error saying that neither was found."""
    reason = f"Tệp không có trang “{DATA_SHEET}”; "
    table = _from_workbook(section, book, catalogue, reason)
    if table is not None:
        return table
    section.error(
        f"Tệp không có trang “{DATA_SHEET}”, và không trang nào có dạng bảng số liệu theo năm "
        "(một dòng tiêu đề có các cột năm, các dòng mang tên chỉ tiêu của danh mục).",
        file=book.path,
        hint=f"Điền vào trang “{DATA_SHEET}” của mẫu biểu, không đổi tên trang (tệp có: "
        + ", ".join(f"“{s}”" for s in book.names)
        + "); hoặc gửi bảng của đơn vị có tên chỉ tiêu và các cột năm.",
    )
    return YearlyTable(source=section.relative(book.path), read=False)


def _from_workbook(
    section: Section, book: Workbook, catalogue: Catalogue, reason: str
) -> YearlyTable | None:
    grids = []
    for name in book.names:
        with _notes_of(book) as notes:  # a sheet's formula warnings count only if it is read
            grid = book.sheet(name, required=False)
            grid = _materialized(grid)
            grid.merged = book.merged(name)
        grids.append((grid, notes))
    return _choose(section, [g for g, _ in grids], catalogue, reason, [n for _, n in grids])


@contextmanager
def _notes_of(book: Workbook) -> Iterator[_Notes]:
    notes = _Notes(book.section)
    real, book.section = book.section, notes
    try:
        yield notes
    finally:
        book.section = real


def _materialized(grid: Grid) -> Grid:
    """The grid with its rows read once (at most :data:`MAX_ROWS` and one more, to tell)."""
    rows = list(islice(grid.rows, MAX_ROWS + 1))
    return Grid(grid.path, rows, sheet=grid.sheet, merged=grid.merged)


def _choose(
    section: Section,
    grids: Sequence[Grid],
    catalogue: Catalogue,
    reason: str,
    earlier: Sequence[_Notes] | None = None,
) -> YearlyTable | None:
    """Read every grid; keep the one with the most rows matched, and say which it is."""
    matcher = Matcher(catalogue)
    readings = []
    for number, grid in enumerate(grids):
        notes = _Notes(section)
        if earlier:
            notes.found = list(earlier[number].found)
        reading = _read(notes, grid, catalogue, matcher)
        if reading is not None and reading.matched:
            readings.append(reading)
    if not readings:
        return None
    best = max(readings, key=lambda r: r.matched)  # the first of equals: workbook order
    where = {"file": best.table.source}
    what, others = "đọc theo tên chỉ tiêu, như bảng số liệu riêng của đơn vị", ""
    if best.sheet is not None:
        where["sheet"] = best.sheet
        what = f"đọc trang “{best.sheet}” như bảng số liệu riêng của đơn vị"
        rest = [f"“{r.sheet}”" for r in readings if r is not best]
        if rest:
            others = f"; trang {', '.join(rest)} ít dòng khớp hơn, không được đọc"
    message = (
        f"{what} ({best.matched} dòng khớp chỉ tiêu của danh mục, "
        f"dòng tiêu đề là dòng {best.header_row}){others}."
    )
    section.add(
        Severity.INFO,
        reason + message if reason else message[0].upper() + message[1:],
        hint="Xem từng dòng được đọc là chỉ tiêu nào ở các thông tin dưới đây.",
        **where,
    )
    best.notes.replay()
    return best.table


def _read(notes: _Notes, grid: Grid, catalogue: Catalogue, matcher: Matcher) -> _Reading | None:
    """One grid as a department's table, or ``None`` when it has no year header."""
    rows = {number: list(cells) for number, cells in grid.rows}
    if not rows:
        return None
    too_long = len(rows) > MAX_ROWS
    if too_long:
        rows.pop(max(rows))
    merges = _merges(grid.merged)
    header = _find_header(rows)
    if header is None:
        return None
    year_row, years = header
    top = _band_top(rows, merges, year_row, years)
    _spread(rows, merges, top, year_row, set(years))
    names = _header_names(rows, top, year_row)
    table = YearlyTable(
        source=notes.relative(grid.path),
        sheet=grid.sheet,
        columns={year: col for col, year in years.items()},
        header_row=year_row,
    )
    data = [n for n in sorted(rows) if n > year_row]
    label_col = _label_column(rows, data, names, set(years), matcher)
    if label_col is None:
        return None
    table.id_column = label_col
    unit_col = next((c for c, name in names.items() if _role(name) == "unit"), None)
    if too_long:
        notes.warning(
            f"Trang có hơn {MAX_ROWS} dòng; chỉ đọc {MAX_ROWS} dòng đầu.",
            hint="Bảng số liệu theo năm chỉ gồm các dòng chỉ tiêu: xóa các dòng thừa.",
            **grid.at(None),
        )
    hidden = _hidden_cells(merges, set(years), year_row)
    body = [_row(rows, n, label_col, years) for n in data]
    for row in body:
        if invisible.problem(row.label):
            notes.error(
                f"Tên dòng {invisible.problem(row.label)} Dòng này không được đọc.",
                hint=invisible.RETYPE_HINT,
                **grid.at(row.number, label_col),
            )
        elif row.label and not is_total(row.label):
            row.match = matcher.match(row.label)
    chosen = _assign(notes, grid, body, label_col)
    span = (min(label_col, *years), max(label_col, *years))
    for row in body:
        indicator = chosen.get(row.number)
        if indicator is not None:
            _take(notes, grid, table, row, indicator, hidden, span)
    _check_totals(notes, grid, table.columns, body, chosen, rows, unit_col, span)
    _name_missing(notes, grid, catalogue, table, body)
    return _Reading(table, notes, grid.sheet, year_row)


# -- the header ------------------------------------------------------------------------------


def _merges(refs: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Merged ranges as (first row, last row, first column, last column), columns 0-based."""
    from openpyxl.utils.cell import range_boundaries

    found = []
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        found.append((min_row, max_row, min_col - 1, max_col - 1))
    return found


def _year(cell: Any) -> int | None:
    found = _YEAR.match(fold(text(cell)))
    return int(found.group(1)) if found else None


def _find_header(rows: dict[int, list[Any]]) -> tuple[int, dict[int, int]] | None:
    """The first row (of the first ones) with two or more year cells, and its years."""
    for number in sorted(rows)[:SCAN_ROWS]:
        years: dict[int, int] = {}
        for col, cell in enumerate(rows[number]):
            year = _year(cell)
            if year is not None and year not in years.values():
                years[col] = year
        if len(years) >= 2:
            return number, years
    return None


def _band_top(
    rows: dict[int, list[Any]], merges: list, year_row: int, years: dict[int, int]
) -> int:
    """The first row of the header: rows above the year row that belong to it (a cell merged
    down into it, a "Năm" merged over the years, or a row of column names)."""
    top = year_row
    for _ in range(2):
        above = top - 1
        if above not in rows:
            break
        into = any(r0 <= above and r1 >= top for r0, r1, _, _ in merges)
        over_years = any(
            r0 == above and c1 > c0 and all(c in years for c in range(c0, c1 + 1))
            for r0, _, c0, c1 in merges
        )
        named = sum(1 for cell in rows[above] if text(cell)) >= 2 and not any(
            _year(cell) for cell in rows[above]
        )
        if not (into or over_years or named):
            break
        top = above
    return top


def _spread(
    rows: dict[int, list[Any]], merges: list, top: int, year_row: int, years: set[int]
) -> None:
    """Give every cell of a merged range its first cell's value, as the clerk sees it: in the
    header, and in the data's text columns (a unit merged down, a label across STT); a merged
    year cell is not spread (see :func:`_hidden_cells`)."""
    for r0, r1, c0, c1 in merges:
        if r0 not in rows or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for number in range(r0, r1 + 1):
            if number not in rows:
                continue
            for col in range(c0, c1 + 1):
                if number > year_row and col in years:
                    continue
                cells = rows[number]
                cells.extend([None] * (col + 1 - len(cells)))
                if (number, col) != (r0, c0) and number >= top:
                    cells[col] = value


def _hidden_cells(merges: list, years: set[int], year_row: int) -> dict[tuple[int, int], str]:
    """The year cells of data rows hidden under a merged range (only its first shows)."""
    from openpyxl.utils import get_column_letter

    hidden = {}
    for r0, r1, c0, c1 in merges:
        ref = f"{get_column_letter(c0 + 1)}{r0}:{get_column_letter(c1 + 1)}{r1}"
        for number in range(max(r0, year_row + 1), r1 + 1):
            for col in range(c0, c1 + 1):
                if col in years and (number, col) != (r0, c0):
                    hidden[(number, col)] = ref
    return hidden


def _header_names(rows: dict[int, list[Any]], top: int, year_row: int) -> dict[int, str]:
    names: dict[int, list[str]] = {}
    for number in range(top, year_row + 1):
        for col, cell in enumerate(rows.get(number, [])):
            value = text(cell)
            if value and value not in names.setdefault(col, []):
                names[col].append(value)
    return {col: " ".join(parts) for col, parts in names.items()}


def _role(name: str) -> str | None:
    key = fold(name.replace("_", " "))
    for role, words in _ROLES.items():
        if key in words:
            return role
    if any(word in key for word in _LABEL_WORDS):
        return "label"
    return None


def _is_number(cell: Any) -> bool:
    try:
        cell_number(cell)
    except ValueError:
        return False
    return True


def _label_column(
    rows: dict[int, list[Any]],
    data: list[int],
    names: dict[int, str],
    years: set[int],
    matcher: Matcher,
) -> int | None:
    """The column of labels: the one named so, else the text column matching most labels
    (then holding most text: a code column of our form matches little)."""

    def texts(col: int) -> list[str]:
        found = []
        for n in data:
            cells = rows[n]
            cell = cells[col] if col < len(cells) else None
            if text(cell) and not _is_number(cell):
                found.append(text(cell))
        return found

    named = [c for c, name in sorted(names.items()) if c not in years and _role(name) == "label"]
    for col in named:
        if texts(col):
            return col
    width = max((len(rows[n]) for n in data), default=0)
    candidates = [c for c in range(width) if c not in years and _role(names.get(c, "")) is None]
    best, best_key = None, (0, 0)
    for col in candidates:
        labels = texts(col)
        sample = labels[:200]
        key = (sum(1 for t in sample if matcher.match(t).indicator is not None), len(labels))
        if key > best_key:
            best, best_key = col, key
    return best


# -- the rows ------------------------------------------------------------------------------


def _row(rows: dict[int, list[Any]], number: int, label_col: int, years: dict[int, int]) -> _Row:
    cells = rows[number]
    label = text(cells[label_col]) if label_col < len(cells) else ""
    values = {}
    for col, year in years.items():
        cell = cells[col] if col < len(cells) else None
        if cell is not None and text(cell):
            values[year] = cell
    return _Row(number, label, values)


def _label(row: _Row) -> str:
    return strip_numbering(row.label) or row.label


def _percent(score: float) -> str:
    return f"{round(score * 100)}%"


def _assign(notes: _Notes, grid: Grid, body: list[_Row], label_col: int) -> dict[int, Indicator]:
    """Which row is which indicator: the matched rows, one per indicator; a label matching two
    indicators alike, or an indicator matched by two rows with figures, is an error."""
    by_indicator: dict[str, list[_Row]] = {}
    for row in body:
        match = row.match
        if match is None:
            continue
        if match.ambiguous:
            named = ", ".join(f"“{i.label}” ({i.id})" for i in match.rivals)
            notes.error(
                f"Dòng “{_label(row)}” giống gần như nhau nhiều chỉ tiêu: {named}; "
                "dòng này không được đọc.",
                hint="Sửa tên dòng cho đúng tên một chỉ tiêu trong danh mục của mẫu biểu.",
                **grid.at(row.number, label_col),
            )
        elif match.indicator is not None:
            by_indicator.setdefault(match.indicator.id, []).append(row)
        elif row.filled:
            nearest = ""
            if match.nearest is not None and match.score >= NEAR:
                nearest = (
                    f" Chỉ tiêu gần nhất: “{match.nearest.label}” (giống {_percent(match.score)},"
                    f" cần từ {_percent(THRESHOLD)})."
                )
            notes.warning(
                f"Dòng “{_label(row)}” không khớp chỉ tiêu nào của danh mục; dòng này bị bỏ qua.",
                hint="Nếu đây là một chỉ tiêu của danh mục, sửa tên dòng cho giống tên chỉ tiêu."
                + nearest,
                **grid.at(row.number, label_col),
            )
        elif row.label:
            notes.info(
                f"Dòng “{_label(row)}” không có số liệu và không khớp chỉ tiêu nào: "
                "coi là dòng tiêu đề nhóm hoặc ghi chú, không đọc.",
                hint="Nếu đây là một chỉ tiêu, ghi tên đúng như danh mục và điền số liệu.",
                **grid.at(row.number, label_col),
            )
    chosen: dict[int, Indicator] = {}
    for matched in by_indicator.values():
        indicator = matched[0].match.indicator  # type: ignore[union-attr]
        filled = [row for row in matched if row.filled]
        first = filled[0] if filled else matched[0]
        chosen[first.number] = indicator
        for row in matched:
            if row is first:
                continue
            if row.filled:
                notes.error(
                    f"Dòng “{_label(row)}” cũng khớp chỉ tiêu “{indicator.label}” "
                    f"({indicator.id}) như dòng {first.number}; dòng này không được đọc.",
                    hint="Mỗi chỉ tiêu chỉ ghi một dòng: giữ dòng đúng, xóa hoặc đổi tên dòng "
                    "thừa.",
                    **grid.at(row.number, label_col),
                )
            else:
                notes.info(
                    f"Dòng “{_label(row)}” không có số liệu, trùng tên chỉ tiêu "
                    f"“{indicator.label}” của dòng {first.number}: coi là dòng tiêu đề nhóm.",
                    hint="Không cần sửa nếu đây là tiêu đề nhóm.",
                    **grid.at(row.number, label_col),
                )
    return chosen


def _span_at(grid: Grid, number: int, span: tuple[int, int]) -> dict[str, Any]:
    """A row's cells from its label to its last year ("B7:L7"), or its line in a CSV."""
    where = grid.at(number, span[0])
    if grid.sheet is not None:
        last = grid.at(number, span[1])["cell"]
        where["cell"] = f"{where['cell']}:{last}"
    return where


def _take(
    notes: _Notes,
    grid: Grid,
    table: YearlyTable,
    row: _Row,
    indicator: Indicator,
    hidden: dict[tuple[int, int], str],
    span: tuple[int, int],
) -> None:
    """Read a matched row's figures into the table, as the form's reader does."""
    score = row.match.score if row.match else 1.0
    likeness = "" if score >= 1.0 else f" (giống {_percent(score)})"
    notes.info(
        f"Dòng “{_label(row)}” được đọc là chỉ tiêu “{indicator.label}” "
        f"({indicator.id}){likeness}.",
        hint=_OWN_HINT,
        **_span_at(grid, row.number, span),
    )
    table.rows[indicator.id] = row.number
    values = table.values.setdefault(indicator.id, {})
    for year, col in table.columns.items():
        ref = hidden.get((row.number, col))
        if ref is not None:
            table.unreadable.add((indicator.id, year))
            first = ref.split(":")[0]
            notes.error(
                f"Chỉ tiêu “{indicator.id}”, năm {year}: ô nằm trong ô gộp {ref}, chỉ ô đầu "
                f"{first} có số liệu; năm này coi như để trống.",
                hint="Bỏ gộp ô (Merge & Center) và ghi số liệu riêng cho từng năm.",
                **grid.at(row.number, col),
            )
            continue
        cell = row.values.get(year)
        if cell is None:
            continue
        try:
            values[year] = cell_number(cell)
        except ValueError:
            table.unreadable.add((indicator.id, year))
            _not_a_number(notes, grid, indicator.id, year, cell, row.number, col)  # type: ignore[arg-type]


def _is_rate(row: _Row, indicator: Indicator | None, rows: dict, unit_col: int | None) -> bool:
    if indicator is not None:
        return indicator.kind == "percent"
    unit = ""
    if unit_col is not None and unit_col < len(rows[row.number]):
        unit = text(rows[row.number][unit_col])
    return unit.strip() == "%" or fold(row.label).startswith(("ty le", "ti le"))


def _rows_text(numbers: list[int]) -> str:
    """Row numbers as a clerk writes them: "5–8, 10, 12–14"."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs
    )


def _check_totals(
    notes: _Notes,
    grid: Grid,
    columns: dict[int, int],
    body: list[_Row],
    chosen: dict[int, Indicator],
    rows: dict[int, list[Any]],
    unit_col: int | None,
    span: tuple[int, int],
) -> None:
    """Each total row against the rows with figures above it, back to the header, the last
    total or a group heading; rates are not added up. A total is never read as an indicator."""
    parts: list[_Row] = []
    for row in body:
        if not row.label and not row.filled:
            continue
        if not is_total(row.label):
            if not row.filled:
                parts = []  # a group heading starts a new group
            elif not _is_rate(row, chosen.get(row.number), rows, unit_col):
                parts.append(row)
            continue
        _check_total(notes, grid, row, parts, columns, span)
        parts = []


def _check_total(
    notes: _Notes,
    grid: Grid,
    total: _Row,
    parts: list[_Row],
    columns: dict[int, int],
    span: tuple[int, int],
) -> None:
    label = _label(total)
    if not total.filled:
        notes.info(
            f"Dòng “{label}” là dòng tổng, không có số liệu; không được đọc là chỉ tiêu.",
            hint="Không cần sửa; dòng tổng chỉ để kiểm tra.",
            **_span_at(grid, total.number, span),
        )
        return
    if not parts:
        notes.info(
            f"Dòng “{label}” là dòng tổng; không có dòng số liệu nào ở trên để "
            "đối chiếu. Dòng tổng không được đọc là chỉ tiêu.",
            hint="Không cần sửa; dòng tổng chỉ để kiểm tra.",
            **_span_at(grid, total.number, span),
        )
        return
    numbers = [row.number for row in parts]
    differ = False
    for year, cell in sorted(total.values.items()):
        col = columns[year]
        try:
            stated = cell_number(cell)
        except ValueError:
            differ = True
            notes.warning(
                f"Dòng tổng “{label}”, năm {year}: “{text(cell)}” không phải là số; "
                "không đối chiếu được.",
                hint="Chỉ ghi số, dùng dấu phẩy cho phần thập phân (ví dụ 85,5).",
                **grid.at(total.number, col),
            )
            continue
        found = [_number_or_none(row.values.get(year)) for row in parts]
        counted = [v for v in found if v is not None]
        if not counted:
            continue
        computed = sum(counted)
        if abs(computed - stated) > 1e-9:
            differ = True
            notes.warning(
                f"Dòng tổng “{label}”, năm {year}: ghi {vi.number(stated)}, nhưng cộng các dòng "
                f"{_rows_text(numbers)} được {vi.number(computed)}.",
                hint="Sửa dòng tổng hoặc các dòng thành phần cho khớp (dòng tổng chỉ để kiểm "
                "tra, không được đọc là chỉ tiêu).",
                **grid.at(total.number, col),
            )
    if not differ:
        notes.info(
            f"Dòng “{label}” là dòng tổng, khớp với tổng các dòng "
            f"{_rows_text(numbers)}; không được đọc là chỉ tiêu.",
            hint="Không cần sửa; dòng tổng chỉ để kiểm tra.",
            **_span_at(grid, total.number, span),
        )


def _number_or_none(cell: Any) -> float | int | None:
    if cell is None:
        return None
    try:
        return cell_number(cell)
    except ValueError:
        return None


def _name_missing(
    notes: _Notes, grid: Grid, catalogue: Catalogue, table: YearlyTable, body: list[_Row]
) -> None:
    """Each indicator no row became, with the unread row nearest to it as a did-you-mean."""
    for indicator in catalogue:
        if indicator.id in table.rows:
            continue
        near = [
            row
            for row in body
            if row.match is not None
            and row.match.indicator is None
            and row.match.nearest is indicator
            and row.match.score >= NEAR
        ]
        message = f"Không có dòng nào khớp chỉ tiêu “{indicator.label}” ({indicator.id})."
        if near:
            row = max(near, key=lambda r: r.match.score)  # type: ignore[union-attr]
            message += (
                f" Gần nhất là dòng {row.number} “{_label(row)}” "
                f"(giống {_percent(row.match.score)})."  # type: ignore[union-attr]
            )
        notes.info(
            message,
            hint="Thêm dòng chỉ tiêu này vào bảng, hoặc sửa tên dòng cho giống tên chỉ tiêu "
            "trong danh mục.",
            **grid.at(None),
        )
