"""Yearly indicator tables: one row per indicator, one column per year.

This is the shape every department's figures share (Phụ lục II is printed in it). Readers
for each file kind fill a :class:`YearlyTable` and remember where each value came from, so
that a finding can send the clerk to the exact cell or line. Checks that need only the
catalogue (types, bounds, complete series) live here; field-specific rules stay in plugins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import vi
from .catalogue import Catalogue, Indicator
from .model import Location
from .report import Section
from .textfiles import read_rows

ID_COLUMN = "ma_chi_tieu"
_YEAR = re.compile(r"^(19|20|21)\d\d$")


@dataclass
class YearlyTable:
    """Values by indicator and year, with the location of each value."""

    source: str = ""
    values: dict[str, dict[int, float | int]] = field(default_factory=dict)
    where: dict[tuple[str, int | None], Location] = field(default_factory=dict)
    unreadable: set[tuple[str, int]] = field(default_factory=set)  # already reported

    def get(self, indicator: str, year: int) -> float | int | None:
        return self.values.get(indicator, {}).get(year)

    def series(self, indicator: str, years: range) -> list[float | int | None]:
        return [self.get(indicator, year) for year in years]

    def location(self, indicator: str, year: int | None = None) -> Location:
        return (
            self.where.get((indicator, year))
            or self.where.get((indicator, None))
            or Location(file=self.source)
        )


def parse_number(text: str) -> float | int:
    """A number as a Vietnamese clerk types it: "7.518", "85,48", "1.234,5", "12 %"."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    value = float(cleaned)  # raises ValueError on anything else
    return int(value) if value.is_integer() and "." not in cleaned else value


def read_csv(section: Section, path: Path) -> YearlyTable:
    """Read a CSV: an ``ma_chi_tieu`` column, then one column per year (any encoding Excel
    writes, see :mod:`cchc_pipeline.textfiles`)."""
    where = section.relative(path)
    table = YearlyTable(source=where)
    rows = read_rows(path)
    if not rows:
        section.error("Tệp số liệu trống.", file=path, hint="Điền số liệu theo mẫu biểu.")
        return table
    header = [cell.strip() for cell in rows[0]]
    if ID_COLUMN not in header:
        section.error(
            f"Dòng tiêu đề thiếu cột “{ID_COLUMN}”.",
            file=path,
            line=1,
            hint="Giữ nguyên dòng tiêu đề của mẫu biểu.",
        )
        return table
    id_col = header.index(ID_COLUMN)
    year_cols = {i: int(name) for i, name in enumerate(header) if _YEAR.match(name)}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or len(row) <= id_col:
            continue
        indicator = row[id_col].strip()
        table.where[(indicator, None)] = Location(file=where, line=line)
        values = table.values.setdefault(indicator, {})
        for col, year in year_cols.items():
            cell = row[col].strip() if col < len(row) else ""
            table.where[(indicator, year)] = Location(file=where, line=line)
            if not cell:
                continue
            try:
                values[year] = parse_number(cell)
            except ValueError:
                table.unreadable.add((indicator, year))
                section.error(
                    f"Chỉ tiêu “{indicator}”, năm {year}: “{cell}” không phải là số.",
                    file=path,
                    line=line,
                    hint="Chỉ ghi số, dùng dấu phẩy cho phần thập phân (ví dụ 85,5).",
                )
    return table


def check_table(section: Section, catalogue: Catalogue, table: YearlyTable, years: range) -> None:
    """Catalogue rules: known ids, required indicators, complete series, types and bounds."""
    for indicator_id in table.values:
        if indicator_id not in catalogue:
            loc = table.location(indicator_id)
            section.warning(
                f"Mã chỉ tiêu “{indicator_id}” không có trong danh mục; dòng này bị bỏ qua.",
                hint="Kiểm tra lại mã chỉ tiêu theo mẫu biểu.",
                file=loc.file,
                sheet=loc.sheet,
                cell=loc.cell,
                line=loc.line,
            )
    for indicator in catalogue:
        series = table.values.get(indicator.id)
        if series is None:
            if indicator.required:
                section.error(
                    f"Thiếu chỉ tiêu bắt buộc “{indicator.label}” ({indicator.id}).",
                    hint="Thêm dòng chỉ tiêu này vào tệp số liệu theo mẫu biểu.",
                    file=table.source,
                )
            continue
        for year in years:
            value = series.get(year)
            loc = table.location(indicator.id, year)
            at = {"file": loc.file, "sheet": loc.sheet, "cell": loc.cell, "line": loc.line}
            if value is None:
                reported = (indicator.id, year) in table.unreadable
                if indicator.required and indicator.due(year) and not reported:
                    section.error(
                        f"Chỉ tiêu “{indicator.label}” thiếu số liệu năm {year}.",
                        hint="Điền số liệu cho đủ các năm của giai đoạn (ghi 0 nếu không có).",
                        **at,
                    )
                continue
            problem = value_problem(indicator, value)
            if problem:
                section.error(f"Chỉ tiêu “{indicator.label}”, năm {year}: {problem}", **at)


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
