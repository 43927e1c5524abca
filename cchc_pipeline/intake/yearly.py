"""Yearly indicator tables: one row per indicator, one column per year.

This is the shape every department's figures share (Phụ lục II is printed in it). The same
reader fills a :class:`YearlyTable` from a CSV file or from the form's Excel sheet (both seen
as a :class:`Grid` of numbered rows), mapping rows by the ``ma_chi_tieu`` code so that their
order does not matter. A table keeps one row number per indicator and the header's columns,
not a location per value, and builds a finding's location (file:line, or file [Sheet!C7])
only when one is needed: a department of 100,000 rows would otherwise spend hundreds of MiB
on locations nobody asks for. Checks that need only the catalogue (types, bounds, complete
series) live here; field-specific rules stay in plugins.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, Indicator
from ..model import Location
from ..render import vi
from ..report import Section
from . import invisible
from .textfiles import read_rows

ID_COLUMN = "ma_chi_tieu"
UNKNOWN_SHOWN = 20  # unknown indicator codes reported one by one; the rest in one finding
DUPLICATES_SHOWN = 20  # repeated indicator rows reported one by one; the rest in one finding
LABEL_COLUMN = "chi_tieu"  # the indicator's label (the form's "Chỉ tiêu"): not read, but checked
HEADER_ROWS = 10  # the header is looked for in the first rows (a form has a title above it)
YEAR_COLUMN = re.compile(r"^(19|20|21)\d\d$")


def place(
    file: str, number: int | None, sheet: str | None = None, column: int | None = None
) -> Location:
    """The location of row ``number`` (a CSV line, or a sheet's row with its 0-based column)."""
    if sheet is None:
        return Location(file=file, line=number)
    if number is None or column is None:
        return Location(file=file, sheet=sheet)
    from openpyxl.utils import get_column_letter  # only ever reached with a workbook read

    return Location(file=file, sheet=sheet, cell=f"{get_column_letter(column + 1)}{number}")


def fields(location: Location) -> dict[str, Any]:
    """A location as the keyword arguments of ``section.error`` / ``section.warning``."""
    return asdict(location)


@dataclass
class Grid:
    """The rows of a CSV file or of one sheet: (line or row number, cells) pairs.

    CSV cells are text; a sheet's are what the clerk sees (numbers, text, dates, ``None``).
    """

    path: Path
    rows: Iterable[tuple[int, Sequence[Any]]]
    sheet: str | None = None
    blank: bool = False  # set by :meth:`header`: no cell was filled before it gave up
    merged: tuple[str, ...] = ()  # a sheet's merged ranges ("C3:L3"), for a table not our form

    @classmethod
    def csv(cls, path: Path) -> Grid:
        return cls(path, enumerate(read_rows(path), start=1))

    def at(self, number: int | None, column: int | None = None) -> dict[str, Any]:
        """Where row ``number`` (and a sheet's 0-based ``column``) is, for a finding."""
        return fields(place(str(self.path), number, self.sheet, column))

    def header(self, found: Any) -> tuple[int, list[str], Iterator] | None:
        """The header row (the first of the first rows where ``found(cells)``), its cells as
        text, and the rows after it; ``None`` when there is none."""
        rows = iter(self.rows)
        self.blank = True
        for number, row in rows:
            cells = [text(cell) for cell in row]
            if found(cells):
                self.blank = False
                return number, cells, rows
            self.blank = self.blank and not any(cells)
            if number >= HEADER_ROWS:
                break
        return None


def text(cell: Any) -> str:
    """A cell as text: ``None`` is empty, a whole float (Excel's 2011.0) has no decimals."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


@dataclass
class YearlyTable:
    """Values by indicator and year, with where each indicator's row is."""

    source: str = ""
    values: dict[str, dict[int, float | int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # indicator → line or sheet row
    columns: dict[int, int] = field(default_factory=dict)  # year → 0-based column
    id_column: int = 0
    header_row: int | None = None
    sheet: str | None = None
    unreadable: set[tuple[str, int]] = field(default_factory=set)  # already reported
    read: bool = True  # False: the file could not be read, the reader said why

    def get(self, indicator: str, year: int) -> float | int | None:
        return self.values.get(indicator, {}).get(year)

    def series(self, indicator: str, years: range) -> list[float | int | None]:
        return [self.get(indicator, year) for year in years]

    def location(self, indicator: str, year: int | None = None) -> Location:
        """The line of the indicator's row, or its cell of ``year`` (else its code's cell)."""
        number = self.rows.get(indicator)
        if number is None:
            return Location(file=self.source, sheet=self.sheet)
        return place(self.source, number, self.sheet, self.columns.get(year, self.id_column))

    def header_location(self) -> Location:
        return place(self.source, self.header_row, self.sheet, self.id_column)


_GROUPED = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")  # 1.234 or 1.234,5
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")  # 85,48


# No report figure comes near 10^15 (the province's budget in đồng is about 10^13), and a
# double holds 15 significant digits exactly: a larger value is a typing or export mistake.
MAX_MAGNITUDE = 10**15
MAX_DIGITS = 15
_PLAIN = re.compile(r"-?\d+(\.\d+)?")  # 12 or 12.5 (a decimal point, as Excel exports)


class NumberProblem(ValueError):
    """A cell that is not a figure, with the reason in Vietnamese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _checked(value: float | int) -> float | int:
    if isinstance(value, float) and not math.isfinite(value):
        raise NumberProblem("không phải là số (NaN hoặc vô cực).")
    if abs(value) >= MAX_MAGNITUDE:
        raise NumberProblem(
            "lớn quá mức mọi số liệu của báo cáo (từ 10^15 trở lên); kiểm tra số đã gõ."
        )
    return value


def parse_number(text: str) -> float | int:
    """A number as a Vietnamese clerk types it: "7.518", "85,48", "1.234,5", "12 %". Only
    ASCII digits, a sign, grouping dots and a decimal comma (or point): no exponents, NaN,
    infinities, underscores or other scripts' digits, which Python's ``float`` would take."""
    cleaned = text.strip()
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= MAX_DIGITS:
        return int(cleaned)  # most cells: a whole number, nothing else
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.fullmatch(cleaned):
        cleaned = cleaned.replace(",", ".")
    elif not (cleaned.isascii() and _PLAIN.fullmatch(cleaned)):
        raise NumberProblem("không phải là số.")
    if sum(c.isdigit() for c in cleaned) > MAX_DIGITS + 6:
        raise NumberProblem(f"có quá nhiều chữ số (tối đa {MAX_DIGITS} chữ số phần nguyên).")
    value = _checked(float(cleaned))
    return int(value) if value.is_integer() and "." not in cleaned else value


def cell_number(cell: Any) -> float | int:
    """A cell's number: Excel's own (whole ones as int: Excel has no integer type) or text
    as a clerk types it; ``ValueError`` for anything else (text, dates, true/false, NaN,
    infinities, values beyond any report's figures)."""
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int):
        return _checked(cell)
    if isinstance(cell, float):
        _checked(cell)
        return int(cell) if cell.is_integer() else cell
    if isinstance(cell, str):
        return parse_number(cell)
    raise ValueError(cell)


def read_csv(section: Section, path: Path) -> YearlyTable:
    """Read a CSV: an ``ma_chi_tieu`` column, then one column per year (any encoding Excel
    writes, see :mod:`cchc_pipeline.intake.textfiles`)."""
    return read_grid(section, Grid.csv(path))


def read_grid(section: Section, grid: Grid) -> YearlyTable:
    """Read the figures of a CSV file or a sheet; problems become located findings."""
    table = YearlyTable(source=section.relative(grid.path), sheet=grid.sheet)
    found = grid.header(lambda cells: ID_COLUMN in cells)
    if found is None:
        table.read = False
        if grid.blank:
            section.error("Tệp số liệu trống.", hint="Điền số liệu theo mẫu biểu.", **grid.at(None))
        else:
            section.error(
                f"Dòng tiêu đề thiếu cột “{ID_COLUMN}”.",
                hint="Giữ nguyên dòng tiêu đề của mẫu biểu (cột mã chỉ tiêu và các cột năm).",
                **grid.at(None if grid.sheet else 1),
            )
        return table
    table.header_row, header, rows = found
    table.id_column = id_col = header.index(ID_COLUMN)
    table.columns = {int(name): i for i, name in enumerate(header) if YEAR_COLUMN.match(name)}
    columns = list(table.columns.items())
    codes = [vi.fold(name).replace(" ", "_") for name in header]
    label_col = codes.index(LABEL_COLUMN) if LABEL_COLUMN in codes else None
    duplicates: list[tuple[int, str]] = []
    for number, row in rows:
        if len(row) <= id_col or not any(text(cell) for cell in row):
            continue
        indicator = _visible(section, grid, number, row, id_col, label_col)
        if indicator in table.rows:
            duplicates.append((number, indicator))
            if len(duplicates) <= DUPLICATES_SHOWN:
                section.error(
                    f"Chỉ tiêu “{indicator}” lặp lại (đã có ở dòng {table.rows[indicator]}); "
                    "dòng này bị bỏ qua.",
                    hint="Mỗi mã chỉ tiêu chỉ ghi một dòng: giữ dòng đúng, xóa dòng thừa.",
                    **grid.at(number, id_col),
                )
            continue
        table.rows[indicator] = number
        values = table.values.setdefault(indicator, {})
        for year, col in columns:
            cell = row[col] if col < len(row) else None
            if cell is None or cell == "" or not text(cell):
                continue
            try:
                values[year] = cell_number(cell)
            except ValueError as exc:
                table.unreadable.add((indicator, year))
                reason = exc.reason if isinstance(exc, NumberProblem) else None
                _not_a_number(section, grid, indicator, year, cell, number, col, reason)
    if len(duplicates) > DUPLICATES_SHOWN:  # a file pasted into itself, an export gone wrong
        number, _ = duplicates[DUPLICATES_SHOWN]
        section.error(
            f"Còn {len(duplicates) - DUPLICATES_SHOWN} dòng khác lặp lại mã chỉ tiêu đã có; "
            "các dòng đó bị bỏ qua.",
            hint="Mỗi mã chỉ tiêu chỉ ghi một dòng: có thể tệp đã bị dán chồng, kiểm tra lại "
            "tệp theo mẫu biểu.",
            **grid.at(number, id_col),
        )
    return table


def _visible(
    section: Section,
    grid: Grid,
    number: int,
    row: Sequence[Any],
    id_col: int,
    label_col: int | None,
) -> str:
    """The row's indicator code; a code or label holding control or invisible characters
    is an error at its cell (the code is then read without them, so that nothing else is
    reported about the row)."""
    code = text(row[id_col])
    for col in (id_col, label_col):
        value = text(row[col]) if col is not None and col < len(row) else ""
        problem = invisible.problem(value)
        if problem:
            what = "Mã chỉ tiêu" if col == id_col else "Tên chỉ tiêu"
            section.error(f"{what} {problem}", hint=invisible.RETYPE_HINT, **grid.at(number, col))
    return "".join(c for c in code if not invisible.hidden(c))


def _not_a_number(
    section: Section,
    grid: Grid,
    indicator: str,
    year: int,
    cell: Any,
    number: int,
    col: int,
    reason: str | None = None,
) -> None:
    if isinstance(cell, (dt.date, dt.time, dt.timedelta)):
        shown = cell.strftime("%d/%m/%Y") if isinstance(cell, dt.date) else str(cell)
        message = f"ô đang là ngày tháng ({shown}), không phải là số."
        hint = "Excel đã đổi số vừa gõ thành ngày tháng: định dạng ô là Số (Number) rồi gõ lại."
    else:
        shown = text(cell)
        shown = shown if len(shown) <= 40 else shown[:37] + "…"
        message = f"“{shown}” {reason or 'không phải là số.'}"
        hint = (
            "Chỉ ghi số bằng chữ số 0-9, dùng dấu chấm ngăn cách hàng nghìn và dấu phẩy cho "
            "phần thập phân (ví dụ 1.250 hoặc 85,5)."
        )
    section.error(
        f"Chỉ tiêu “{indicator}”, năm {year}: {message}", hint=hint, **grid.at(number, col)
    )


def check_table(section: Section, catalogue: Catalogue, table: YearlyTable, years: range) -> None:
    """Catalogue rules: known ids, year columns, required indicators, complete series, types
    and bounds (none for a file that could not be read: its one error says why)."""
    if not table.read:
        return
    unknown = [indicator_id for indicator_id in table.values if indicator_id not in catalogue]
    for indicator_id in unknown[:UNKNOWN_SHOWN]:
        section.warning(
            f"Mã chỉ tiêu “{indicator_id}” không có trong danh mục; dòng này bị bỏ qua.",
            hint="Kiểm tra lại mã chỉ tiêu theo mẫu biểu.",
            **fields(table.location(indicator_id)),
        )
    if len(unknown) > UNKNOWN_SHOWN:  # a wrong file (another department's, an export)
        rest = len(unknown) - UNKNOWN_SHOWN
        section.warning(
            f"Còn {rest} mã chỉ tiêu khác không có trong danh mục; các dòng đó bị bỏ qua.",
            hint="Có thể đây không phải tệp số liệu của đơn vị: kiểm tra lại tệp theo mẫu biểu.",
            **fields(table.location(unknown[UNKNOWN_SHOWN])),
        )
    absent = [year for year in years if year not in table.columns]
    if table.header_row is not None and absent:
        section.error(
            "Dòng tiêu đề thiếu cột năm " + ", ".join(map(str, absent)) + ".",
            hint="Giữ nguyên dòng tiêu đề của mẫu biểu: mỗi năm của giai đoạn một cột, "
            "tiêu đề cột chỉ ghi số năm.",
            **fields(table.header_location()),
        )
    for indicator in catalogue:
        series = table.values.get(indicator.id)
        if series is None:
            if indicator.required:
                section.error(
                    f"Thiếu chỉ tiêu bắt buộc “{indicator.label}” ({indicator.id}).",
                    hint="Thêm dòng chỉ tiêu này vào tệp số liệu theo mẫu biểu.",
                    **fields(table.location(indicator.id)),
                )
            continue
        for year in years:
            value = series.get(year)
            at = fields(table.location(indicator.id, year))
            if value is None:
                reported = (indicator.id, year) in table.unreadable or year in absent
                if indicator.required and indicator.due(year) and not reported:
                    section.error(
                        f"Chỉ tiêu “{indicator.label}” thiếu số liệu năm {year}.",
                        hint=missing_hint(indicator),
                        **at,
                    )
                continue
            problem = value_problem(indicator, value)
            if problem:
                section.error(
                    f"Chỉ tiêu “{indicator.label}”, năm {year}: {problem}",
                    hint=value_hint(indicator, value),
                    **at,
                )


def value_problem(indicator: Indicator, value: float | int) -> str | None:
    """Why ``value`` is not acceptable for ``indicator``, or None."""
    if indicator.kind == "count" and not float(value).is_integer():
        return f"{vi.number(value)} phải là số nguyên ({indicator.unit})."
    low, high = indicator.bounds()
    if low is not None and value < low:
        return f"{vi.number(value)} nhỏ hơn giá trị tối thiểu {vi.number(low)}."
    if high is not None and value > high:
        return f"{vi.number(value)} lớn hơn giá trị tối đa {vi.number(high)}."
    return None


def accepts_zero(indicator: Indicator) -> bool:
    """Whether 0 is a value the indicator takes ("none that year"); not for a rank 1–63."""
    low, high = indicator.bounds()
    return (low is None or low <= 0) and (high is None or high >= 0)


def bounds_text(indicator: Indicator) -> str:
    """The indicator's allowed range in words: "từ 1 đến 63", "từ 0 trở lên", "" if none."""
    low, high = indicator.bounds()
    if low is not None and high is not None:
        return f"từ {vi.number(low)} đến {vi.number(high)}"
    if low is not None:
        return f"từ {vi.number(low)} trở lên"
    if high is not None:
        return f"không quá {vi.number(high)}"
    return ""


def value_hint(indicator: Indicator, value: float | int) -> str:
    """How to fix a value :func:`value_problem` refused, from the indicator's kind and bounds."""
    accepted = {"count": "số nguyên", "percent": "tỷ lệ %", "decimal": "số"}[indicator.kind]
    bounds = bounds_text(indicator)
    wanted = f"{accepted} {bounds}" if bounds else accepted
    if indicator.kind == "count" and not float(value).is_integer():
        return f"Ghi {wanted} ({indicator.unit}), không có phần thập phân."
    return f"Chỉ tiêu này nhận {wanted} ({indicator.unit}): kiểm tra lại số đã gõ."


def missing_hint(indicator: Indicator) -> str:
    """How to fill a missing year: 0 only where the indicator takes 0."""
    if accepts_zero(indicator):
        return "Điền số liệu cho đủ các năm của giai đoạn (ghi 0 nếu không có)."
    return (
        f"Điền số liệu cho đủ các năm của giai đoạn (số {bounds_text(indicator)}; "
        "chỉ tiêu này không nhận số 0)."
    )
