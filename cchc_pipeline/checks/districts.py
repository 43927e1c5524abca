"""Cross-checks between the province's figures and its districts' (``rollup = "sum"``).

Where the catalogue declares a province's figure the sum of its districts' (the communes, the
commune cadres), the province's value in the period's last year must equal the sum of the
exports read. A difference is a warning at the province's cell, naming both figures and the
districts summed; it is only checked when every listed district was read (a missing one is
already a finding of its own, and its absence would make every sum differ), nor where the
province's figure already has an error on its row.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Finding, Severity
from ..render import vi


def cross_check(report: Any) -> None:
    """Warn on each ``rollup = "sum"`` indicator whose province value is not the districts' sum."""
    from ..department import FieldData

    rollup = report.rollup
    if rollup is None or not rollup.districts or rollup.missing:
        return
    for section in report.sections.values():
        data = section.data
        if section.failure or not isinstance(data, FieldData):
            continue
        year = data.years[-1]
        for indicator in data.catalogue.rolled_up:
            if indicator.rollup != "sum":
                continue
            where = data.table.location(indicator.id, year)
            if any(f.severity is Severity.ERROR and _same_row(f.location, where)
                   for f in section.findings):  # fmt: skip
                continue  # the province's figure is wrong already: one finding is enough
            own = data.value(indicator.id, year)
            values = [rollup.value(d, section.name, indicator.id, year) for d in rollup.used]
            if own is None or None in values:
                continue
            total = sum(values)
            if total == own:
                continue
            names = ", ".join(d.name for d in rollup.used)
            section.findings.append(
                Finding(
                    Severity.WARNING,
                    f"“{indicator.label}” năm {year} của tỉnh là {vi.number(own)} {indicator.unit}"
                    f", nhưng tổng của {len(values)} đơn vị cấp huyện ({names}) là "
                    f"{vi.number(total)} {indicator.unit} (chênh {vi.number(own - total)}).",
                    section.name,
                    where,
                    "Đối chiếu số của tỉnh với số các huyện đã báo cáo; sửa số sai (của tỉnh, "
                    "hoặc xin huyện dựng lại tệp dữ liệu).",
                )
            )


def _same_row(a: Any, b: Any) -> bool:
    """Whether two locations are on the same row of the same file (a line, or a cell's row)."""
    if a.file != b.file or a.sheet != b.sheet:
        return False
    if a.line is not None and a.line == b.line:
        return True
    rows = [re.sub(r"^[A-Z]+", "", c or "") for c in (a.cell, b.cell)]
    return bool(rows[0]) and rows[0] == rows[1]
