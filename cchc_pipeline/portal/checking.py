"""A section validated the way ``cchc validate`` would, but alone (the stage cache keeps the
others untouched), with its findings, its figures for the history's comparison and its
preview. One pipeline runs at a time in the server: hooks are not written for threads."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ReportConfig, load_config
from ..model import Finding, Location, Severity

PIPELINE_LOCK = threading.Lock()


@dataclass
class SectionCheck:
    """What a check of one section found."""

    name: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    has_files: bool = False
    failure: str | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings) + bool(self.failure)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def ready(self) -> bool:
        return self.has_files and not self.errors


def _of_section(section: Any) -> SectionCheck:
    from ..department import FieldData
    from ..inputs import submission_files

    title = section.department.name if section.department else section.name
    check = SectionCheck(section.name, title, list(section.findings), failure=section.failure)
    check.has_files = bool(section.submission and submission_files(section.submission))
    data = section.data
    if isinstance(data, FieldData):
        check.figures = {
            code: {str(year): value for year, value in sorted(years.items())}
            for code, years in sorted(data.table.values.items())
        }
        check.labels = {code: data.catalogue[code].label for code in check.figures
                        if code in data.catalogue}  # fmt: skip
    return check


def check_section(config_path: Path, name: str) -> SectionCheck:
    """Collect and validate section ``name`` only."""
    from ..pipeline import Pipeline

    with PIPELINE_LOCK, Pipeline(load_config(config_path)) as pipeline:
        pipeline.collect_and_validate_section(name)
        return _of_section(pipeline.report.sections[name])


def check_all(config_path: Path) -> list[SectionCheck]:
    """Every section, in report order (what the board shows)."""
    from ..pipeline import Pipeline

    with PIPELINE_LOCK, Pipeline(load_config(config_path)) as pipeline:
        pipeline.collect_and_validate()
        return [_of_section(s) for s in pipeline.report.sections.values()]


def sections_of(config: ReportConfig) -> dict[str, str]:
    """Section name → the department's name, in report order."""
    from ..plugins import load_plugins

    with PIPELINE_LOCK:
        infos = load_plugins(config).sections()
    return {i.name: (i.department.name if i.department else i.name) for i in infos}


def preview_html(config_path: Path, name: str) -> str:
    """The section as the report shows it, as an HTML fragment (pandoc; charts left out)."""
    import re

    from ..intake.limits import of
    from ..pipeline import Pipeline
    from ..publish.formats.pandoc import READER, bounded_pandoc

    with PIPELINE_LOCK, Pipeline(load_config(config_path)) as pipeline:
        pipeline.collect_and_validate_section(name)
        markdown = pipeline.render_section(name)
        limits = of(pipeline.config)
        source = pipeline.workdir / "preview.md"
        source.write_text(re.sub(r"!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?", "", markdown),
                          encoding="utf-8")  # fmt: skip
        result = bounded_pandoc(
            [str(source), "--from", READER, "--to", "html5"],
            what="pandoc (xem trước)",
            limits=limits,
            cwd=pipeline.workdir,
        )
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else ""


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False)


def findings_from_json(text: str) -> list[Finding]:
    return [
        Finding(Severity(d["severity"]), d["message"], d.get("plugin", ""),
                Location(**(d.get("location") or {})), d.get("hint"))
        for d in json.loads(text or "[]")
    ]  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One figure that differs between two versions."""

    indicator: str
    label: str
    year: str
    old: Any
    new: Any


def figures_diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]],
                 labels: dict[str, str]) -> list[Change]:  # fmt: skip
    """What changed: per indicator and year, old → new (None: no value)."""
    changes = []
    for code in sorted(set(old) | set(new)):
        years = sorted(set(old.get(code, {})) | set(new.get(code, {})))
        for year in years:
            before, after = old.get(code, {}).get(year), new.get(code, {}).get(year)
            if before != after:
                changes.append(Change(code, labels.get(code, code), year, before, after))
    return changes


def checked_now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
