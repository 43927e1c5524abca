"""The catalogue's consistency rules and shares, checked year by year on a yearly table.

Each broken rule becomes one error located at the cell of the value that is out of line
(the part that is too large, the share that disagrees), with both figures in the message
in Vietnamese number format, so that the clerk sees at once what to compare.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..catalogue import Catalogue, Rule
from ..intake.yearly import YearlyTable
from ..render import vi
from ..report import Section


def _at(table: YearlyTable, indicator: str, year: int | None) -> dict:
    loc = table.location(indicator, year)
    return {"file": loc.file, "sheet": loc.sheet, "cell": loc.cell, "line": loc.line}


def _sum(catalogue: Catalogue, table: YearlyTable, ids: Iterable[str], year: int) -> float | None:
    """The sum in ``year``; an indicator not yet due counts as 0, a missing one gives None."""
    values = [table.get(i, year) if catalogue[i].due(year) else 0 for i in ids]
    return None if any(v is None for v in values) else sum(values)  # type: ignore[misc]


def check_rules(section: Section, catalogue: Catalogue, table: YearlyTable, years: range) -> None:
    """Every rule and share of the catalogue, for every year with the values present."""
    for rule in catalogue.rules:
        if rule.kind == "reduction":
            _reduction(section, catalogue, table, rule, years)
            continue
        for year in years:
            if rule.kind == "sum":
                _sum_rule(section, catalogue, table, rule, year)
            elif rule.kind == "not_more":
                _not_more(section, catalogue, table, rule, year)
    for indicator in catalogue:
        if indicator.share is None:
            continue
        share = indicator.share
        for year in years:
            reported = table.get(indicator.id, year)
            top = table.get(share.numerator, year)
            bottom = table.get(share.denominator, year)
            if reported is None or top is None or not bottom:
                continue
            computed = 100 * top / bottom
            if abs(computed - reported) > share.tolerance:
                section.error(
                    f"Năm {year}: “{indicator.label}” ghi {vi.percent(reported)}, nhưng tính từ "
                    f"“{catalogue[share.numerator].label}” ({vi.number(top)}) và "
                    f"“{catalogue[share.denominator].label}” ({vi.number(bottom)}) là "
                    f"{vi.percent(computed, 2)}.",
                    hint="Sửa tỷ lệ hoặc các số liệu dùng để tính tỷ lệ cho khớp nhau.",
                    **_at(table, indicator.id, year),
                )


def _sum_rule(section, catalogue, table, rule: Rule, year: int) -> None:
    total = table.get(rule.total, year)
    parts = _sum(catalogue, table, rule.parts, year)
    if total is None or parts is None or abs(total - parts) < 1e-9:
        return
    names = " + ".join(f"“{catalogue[p].label}”" for p in rule.parts)
    section.error(
        f"Năm {year}: {names} = {vi.number(parts)}, không bằng "
        f"“{catalogue[rule.total].label}” ({vi.number(total)}).",
        hint="Tổng các thành phần phải bằng số tổng; kiểm tra lại các ô này.",
        **_at(table, rule.total, year),
    )


def _not_more(section, catalogue, table, rule: Rule, year: int) -> None:
    left = table.get(rule.left, year)
    right = _sum(catalogue, table, rule.right, year)
    if left is None or right is None or left <= right:
        return
    names = " + ".join(f"“{catalogue[r].label}”" for r in rule.right)
    section.error(
        f"Năm {year}: “{catalogue[rule.left].label}” ({vi.number(left)}) lớn hơn "
        f"{names} ({vi.number(right)}).",
        hint="Số này không thể vượt quá số kia; kiểm tra lại số liệu.",
        **_at(table, rule.left, year),
    )


def _reduction(section, catalogue, table, rule: Rule, years: range) -> None:
    first, last = table.get(rule.indicator, years[0]), table.get(rule.indicator, years[-1])
    if first is None or last is None or last <= first:
        return
    section.error(
        f"“{catalogue[rule.indicator].label}” cuối kỳ (năm {years[-1]}: {vi.number(last)}) "
        f"nhiều hơn đầu kỳ (năm {years[0]}: {vi.number(first)}), trái với yêu cầu tinh gọn.",
        hint="Số đơn vị cuối giai đoạn không được nhiều hơn đầu giai đoạn; kiểm tra lại.",
        **_at(table, rule.indicator, years[-1]),
    )
