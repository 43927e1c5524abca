"""The districts' part of the province's report: the appendix table, its chart, the paragraph.

Built from the exports read by :mod:`cchc_pipeline.intake.districts`. The appendix has one row
per district read and a total row computed as each indicator's kind says: a count is summed,
a share (a ``percent`` with ``share``) is the districts' numerators over their denominators,
anything else is the plain average. The chart compares the districts on one indicator per
field (its first rolled-up rate, else its first rolled-up indicator), one panel each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import vi
from .charts import ChartJob, Series
from .escaping import Markdown
from .numbering import figure
from .tables import format_value, pipe_table

APPENDIX_KEY = "districts"  # the appendix's key for the appendix-reference mechanism
CHART_FILE = "so-sanh-cap-huyen.png"
MEDIA = f"media/{APPENDIX_KEY}"


@dataclass(frozen=True)
class Reported:
    """A district that reported: who, and its document's number and date as in the text."""

    agency: str
    document: str
    final: bool


def _columns(catalogues: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(name, i) for name, catalogue in catalogues.items() for i in catalogue.rolled_up]


def total(rollup: Any, section: str, indicator: Any, year: int) -> float | int | None:
    """The total row's value of one column (see the module docstring)."""
    used = rollup.used
    values = [rollup.value(d, section, indicator.id, year) for d in used]
    present = [v for v in values if v is not None]
    if not present:
        return None
    if indicator.kind == "count":
        return sum(present)
    share = indicator.share
    if share is not None:
        pairs = [
            (d.value(section, share.numerator, year), d.value(section, share.denominator, year))
            for d, v in zip(used, values, strict=True)
            if v is not None
        ]
        if pairs and all(n is not None and d for n, d in pairs):
            return round(100 * sum(n for n, _ in pairs) / sum(d for _, d in pairs), 2)  # type: ignore[misc]
    return round(sum(present) / len(present), 2)


class DistrictsView:
    """What the report's templates show of the districts (``districts`` in report.md.j2)."""

    def __init__(self, rollup: Any, catalogues: dict[str, Any], year: int) -> None:
        self.rollup = rollup
        self.catalogues = {n: c for n, c in catalogues.items() if c.rolled_up}
        self.year = year
        self.chart_job: ChartJob | None = None

    def __bool__(self) -> bool:
        return bool(self.rollup is not None and self.rollup.districts)

    @property
    def reported(self) -> list[Reported]:
        found = []
        for district in self.rollup.used:
            report = district.report
            number = report["number"] or "…"
            text = f"{report['kind'].capitalize() or 'Báo cáo'} số {number}/{report['symbol']}"
            with contextlib.suppress(ValueError):
                text += f" ngày {vi.short_date(dt.date.fromisoformat(report['date']))}"
            if not district.final:
                text += ", bản dự thảo"
            found.append(Reported(district.agency, text, district.final))
        return found

    @property
    def missing(self) -> list[str]:
        return [d.name for d in self.rollup.missing]

    def table(self) -> Markdown:
        """One row per district read, then the total row; the period's last year."""
        columns = _columns(self.catalogues)
        header = ["STT", "Đơn vị", *(f"{self.label(s, i)} ({i.unit})" for s, i in columns)]
        rows: list[list[Any]] = []
        used = self.rollup.used
        for number, district in enumerate(used, start=1):
            cells = [
                format_value(i, self.rollup.value(district, s, i.id, self.year)) for s, i in columns
            ]
            rows.append([number, district.name, *cells])
        totals = []
        for s, i in columns:
            value = total(self.rollup, s, i, self.year)
            totals.append("-" if value is None else Markdown(f"**{format_value(i, value)}**"))
        rows.append(["", Markdown("**Toàn tỉnh**"), *totals])
        return pipe_table(
            header,
            rows,
            align="rl" + "r" * len(columns),
            widths=[4, 14, *([8] * len(columns))],
            title=f"Kết quả chủ yếu của các đơn vị cấp huyện năm {self.year}",
            unit="Đơn vị tính: ghi ở từng cột",
        )

    def label(self, section: str, indicator: Any) -> str:
        """An indicator's label as the districts write it ("… do HĐND, UBND huyện ban hành")."""
        for district in self.rollup.used:
            found = district.indicator(section, indicator.id)
            if found and isinstance(found.get("label"), str) and found["label"]:
                return found["label"]
        return indicator.label

    def note(self) -> str:
        return (
            "Dòng “Toàn tỉnh”: chỉ tiêu đếm là tổng của các đơn vị; tỷ lệ có tử số và mẫu số "
            "là tổng tử số chia tổng mẫu số của các đơn vị (bình quân gia quyền); chỉ tiêu "
            "khác là bình quân cộng. Số liệu lấy từ tệp dữ liệu của báo cáo từng đơn vị."
        )

    def chart(self, charts: Any, media_dir: Any) -> Markdown:
        """Ask for the comparison chart; its numbered figure (empty without districts)."""
        chosen = []
        for section, catalogue in self.catalogues.items():
            rates = [i for i in catalogue.rolled_up if i.kind == "percent"]
            chosen.append((section, (rates or list(catalogue.rolled_up))[0]))
        if not chosen or not self.rollup.used:
            return Markdown("")
        series = tuple(
            Series(
                label=self.label(s, indicator),
                unit=indicator.unit,
                percent=indicator.kind == "percent",
                values=tuple(
                    self.rollup.value(d, s, indicator.id, self.year) for d in self.rollup.used
                ),
            )
            for s, indicator in chosen
        )
        title = f"So sánh kết quả của các đơn vị cấp huyện năm {self.year}"
        self.chart_job = ChartJob.comparison(title, tuple(d.name for d in self.rollup.used), series)
        charts.submit(self.chart_job, media_dir / CHART_FILE)
        return figure(f"{MEDIA}/{CHART_FILE}", title)
