"""Indicator catalogues: what a department reports, with units, types, bounds and targets.

Each department plugin keeps its catalogue in ``catalogue.toml`` beside its code, so that
adding an indicator is an edit to a data file the department can read, not to Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import tomlread
from .errors import PluginError

KINDS = {
    "count": "số nguyên không âm",
    "percent": "tỷ lệ phần trăm 0-100",
    "decimal": "số thập phân",
}


@dataclass(frozen=True)
class Target:
    """A 2011–2020 programme target: an indicator's result in ``year`` compared with ``value``."""

    value: float
    op: str = ">="  # >=, <=, ==
    year: int | None = None  # None: the last year of the period
    label: str = ""

    def met(self, result: float) -> bool:
        """Whether a result meets the target (đạt)."""
        if self.op == ">=":
            return result >= self.value
        if self.op == "<=":
            return result <= self.value
        return result == self.value


@dataclass(frozen=True)
class Indicator:
    """One reported quantity, by year."""

    id: str
    label: str
    unit: str
    kind: str = "count"
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    target: Target | None = None

    def bounds(self) -> tuple[float | None, float | None]:
        """The allowed range: the kind's natural bounds narrowed by the catalogue's."""
        low, high = self.minimum, self.maximum
        if self.kind in ("count", "percent") and (low is None or low < 0):
            low = 0
        if self.kind == "percent" and (high is None or high > 100):
            high = 100
        return low, high


@dataclass(frozen=True)
class Catalogue:
    """A department's indicators in display order."""

    indicators: tuple[Indicator, ...]

    def __iter__(self):
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def __contains__(self, indicator_id: object) -> bool:
        return any(i.id == indicator_id for i in self.indicators)


def _indicator(entry: dict[str, Any]) -> Indicator:
    target = entry.get("target")
    return Indicator(
        id=entry["id"],
        label=entry["label"],
        unit=entry["unit"],
        kind=entry.get("kind", "count"),
        required=entry.get("required", True),
        minimum=entry.get("min"),
        maximum=entry.get("max"),
        target=Target(**target) if target else None,
    )


def load_catalogue(path: Path) -> Catalogue:
    """Read ``catalogue.toml`` (a list of ``[[indicator]]`` tables)."""
    try:
        raw, _, _ = tomlread.load(path)
        indicators = tuple(_indicator(entry) for entry in raw.get("indicator", []))
    except (OSError, tomlread.TOMLDecodeError, KeyError, TypeError) as exc:
        raise PluginError(
            f"Danh mục chỉ tiêu {path} không đọc được: {type(exc).__name__}: {exc}",
            "Mỗi [[indicator]] cần id, label, unit; kind là count, percent hoặc decimal.",
        ) from exc
    for indicator in indicators:
        if indicator.kind not in KINDS:
            raise PluginError(
                f"Danh mục chỉ tiêu {path}: chỉ tiêu “{indicator.id}” có kind "
                f"“{indicator.kind}” không hợp lệ.",
                "kind phải là count, percent hoặc decimal.",
            )
    return Catalogue(indicators)
