"""``<name>.data.json``: the report's figures as data, beside the documents of every build.

A district's report is an input of the province's (``[districts]``, see
:mod:`cchc_pipeline.intake.districts`): the province reads the figures, targets and
nominations a district built instead of having them typed again from its PDF. The export is
versioned (``SCHEMA_VERSION``, checked against ``schemas/data-export.schema.json`` and
documented in ``docs/data-export.md``), holds no wall-clock time and is dumped with sorted keys,
so two builds of the same inputs write the same bytes; it is published and listed in the
manifest like every other output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..catalogue import catalogue_digest
from ..model import Severity

SUFFIX = ".data.json"
SCHEMA_NAME = "cchc-data-export"
SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "data-export.schema.json"
VERDICTS = {True: "đạt", False: "không đạt", None: "chưa có số liệu"}


def export_name(name: str) -> str:
    """``bao-cao`` → ``bao-cao.data.json``."""
    return name + SUFFIX


def _number(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _indicator(indicator: Any, table: Any, years: range) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": indicator.id,
        "label": indicator.label,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "values": {str(y): _number(table.get(indicator.id, y)) for y in years},
    }
    if indicator.share is not None:
        entry["share"] = {
            "numerator": indicator.share.numerator,
            "denominator": indicator.share.denominator,
        }
    if indicator.rollup:
        entry["rollup"] = indicator.rollup
    return entry


def _target(result: Any) -> dict[str, Any]:
    return {
        "indicator": result.indicator.id,
        "text": result.text,
        "op": result.target.op,
        "value": _number(result.target.value),
        "measure": result.target.measure,
        "year": result.year,
        "result": _number(result.result),
        "verdict": VERDICTS[result.met],
    }


def _index(rows: Any) -> list[dict[str, Any]]:
    """The PAR Index and satisfaction rows of the standing agency's section, when it has them."""
    return [
        {
            "year": row.year,
            "par_index": _number(row.par_index),
            "rank": row.rank,
            "rank_change": row.change,
            "sipas": _number(row.sipas),
        }
        for row in rows
        if hasattr(row, "year") and hasattr(row, "par_index")
    ]


def _nomination(item: Any) -> dict[str, str]:
    return {
        "kind": item.kind,
        "name": item.name,
        "position": item.position,
        "achievement": item.achievement,
        "form": item.form,
        "proposer": item.proposer,
    }


def build_export(report: Any, revision: str, versions: dict[str, str]) -> dict[str, Any]:
    """The export of one build: ``report`` is the :class:`~cchc_pipeline.report.Report`,
    ``versions`` each plugin's version by name."""
    from ..department import FieldData, period_years

    config = report.config
    doc, agency = config.document, config.agency
    years = period_years(config)
    sections = []
    index: list[dict[str, Any]] = []
    for section in report.sections.values():
        counts = {s.value: 0 for s in Severity}
        for finding in section.findings:
            counts[finding.severity.value] += 1
        entry: dict[str, Any] = {
            "name": section.name,
            "version": versions.get(section.name, ""),
            "department": section.department.name if section.department else section.name,
            "field": section.department.field if section.department else section.name,
            "findings": counts,
            "complete": section.failure is None,
        }
        data = section.data
        if isinstance(data, FieldData):
            entry["catalogue"] = catalogue_digest(data.catalogue)
            entry["indicators"] = [_indicator(i, data.table, years) for i in data.catalogue]
            entry["targets"] = [_target(t) for t in section.targets]
        elif isinstance(data, dict) and isinstance(data.get("index"), list):
            index = _index(data["index"])
        sections.append(entry)
    return {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "illustrative": bool(doc["illustrative"]),
        "report": {
            "agency": agency["full_name"],
            "agency_lines": list(agency["name"]),
            "level": doc["level"],
            "period": list(doc["period"]),
            "kind": doc["kind"],
            "number": doc["number"],
            "symbol": doc["symbol"],
            "date": doc["date"].isoformat(),
            "summary": doc["summary"],
            "final": config.final,
            "revision": revision,
        },
        "sections": sections,
        "index": index,
        "nominations": [_nomination(n) for n in report.nominations],
    }


def dump_export(export: dict[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, fixed indentation, NFC text, a final newline."""
    return (json.dumps(export, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def schema() -> dict[str, Any]:
    """The JSON Schema of the export (shipped in the package)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
