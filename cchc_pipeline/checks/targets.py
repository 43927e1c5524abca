"""Programme targets against results: "đạt" or "không đạt" is computed, never typed."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import OPERATORS, Catalogue, Indicator, Target
from ..intake.yearly import YearlyTable
from ..render import vi


@dataclass(frozen=True)
class TargetResult:
    """One row of Phụ lục I: a field's target, the result reached, and the verdict."""

    field: str
    indicator: Indicator
    target: Target
    year: int
    result: float | None

    @property
    def met(self) -> bool | None:
        """True (đạt), False (không đạt), or None when the result is missing."""
        return None if self.result is None else self.target.met(self.result)

    @property
    def verdict(self) -> str:
        return {True: "Đạt", False: "Không đạt", None: "Chưa có số liệu"}[self.met]

    @property
    def text(self) -> str:
        """The target as the programme states it (or as built from the catalogue)."""
        return self.target.text or f"{self.indicator.label} {self.plan}"

    @property
    def plan(self) -> str:
        return f"{OPERATORS[self.target.op]} {self._format(self.target.value)}"

    @property
    def result_text(self) -> str:
        return "-" if self.result is None else self._format(self.result)

    @property
    def note(self) -> str:
        return "Tổng giai đoạn" if self.target.measure == "total" else f"Năm {self.year}"

    def _format(self, value: float) -> str:
        if self.indicator.kind == "percent":
            return vi.percent(round(value, 2))
        return f"{vi.number(round(value, 2))} {self.indicator.unit}"


def evaluate_targets(
    field: str, catalogue: Catalogue, table: YearlyTable, years: range, level: str = "tỉnh"
) -> list[TargetResult]:
    """Every target of the catalogue that applies at ``level``, measured on the table."""
    results = []
    for indicator in catalogue.targets:
        target = indicator.target
        assert target is not None
        if target.level is not None and target.level != level:
            continue
        year = target.year or years[-1]
        if target.measure == "total":
            values = [table.get(indicator.id, y) for y in years if indicator.due(y)]
            result = None if not values or None in values else sum(values)  # type: ignore[arg-type]
        else:
            result = table.get(indicator.id, year)
        results.append(TargetResult(field, indicator, target, year, result))
    return results
