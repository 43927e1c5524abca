"""A section validated the way ``cchc validate`` would, but alone (the stage cache keeps the
others untouched), with its findings, its figures for the history's comparison and its
preview. Sections are checked in parallel, as a build collects them (each hook touches only
its own section), one check of a section at a time; the whole report (the board, a build)
waits for them all and runs alone. A check is kept until the section's files or the config
change, so the page shown after an upload does not check again."""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ReportConfig
from ..model import Finding, Location, Severity
from .settings import current_config


class _Gate:
    """Shared for one section's check, exclusive for the whole report's."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._shared = 0
        self._exclusive = False

    def shared(self) -> _Hold:
        return _Hold(self, exclusive=False)

    def __enter__(self) -> _Gate:  # ``with PIPELINE_LOCK:`` — the exclusive hold
        with self._cond:
            self._cond.wait_for(lambda: not self._exclusive and not self._shared)
            self._exclusive = True
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._exclusive = False
            self._cond.notify_all()


class _Hold:
    def __init__(self, gate: _Gate, exclusive: bool) -> None:
        self.gate = gate

    def __enter__(self) -> None:
        gate = self.gate
        with gate._cond:
            gate._cond.wait_for(lambda: not gate._exclusive)
            gate._shared += 1

    def __exit__(self, *exc: object) -> None:
        gate = self.gate
        with gate._cond:
            gate._shared -= 1
            gate._cond.notify_all()


PIPELINE_LOCK = _Gate()
_SECTION_LOCKS: dict[str, threading.Lock] = {}
_KEPT: dict[str, tuple[tuple, SectionCheck]] = {}  # section → (its files' state, its check)
_GUARD = threading.Lock()


_PLUGINS: dict[int, tuple[ReportConfig, Any]] = {}


def _plugins(config: ReportConfig) -> Any:
    """The plugins of ``config``, loaded once per version of the config (a section's check
    would otherwise spend more on finding the plugins than on reading the upload)."""
    from ..plugins import load_plugins

    with _GUARD:
        kept = _PLUGINS.get(id(config))
        if kept is not None and kept[0] is config:
            return kept[1]
    plugins = load_plugins(config)
    with _GUARD:
        _PLUGINS.clear()
        _PLUGINS[id(config)] = (config, plugins)
    return plugins


def _section_lock(name: str) -> threading.Lock:
    with _GUARD:
        return _SECTION_LOCKS.setdefault(name, threading.Lock())


def _state(config_path: Path, folder: Path | None) -> tuple:
    """What a check depends on that can change while the server runs: the config and the
    section's files (name, size, modification time)."""
    from ..inputs import submission_files

    files = submission_files(folder) if folder and folder.is_dir() else []
    stat = config_path.stat()
    return (stat.st_mtime_ns, stat.st_size,
            *((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files))  # fmt: skip


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
    """Collect and validate section ``name`` only (the kept check when nothing changed)."""
    from ..pipeline import Pipeline

    config = current_config(config_path)
    folder = config.submissions.get(name) or config.project_dir / "submissions" / name
    with PIPELINE_LOCK.shared(), _section_lock(name):
        state = _state(config_path, folder)
        kept = _KEPT.get(name)
        if kept is not None and kept[0] == state:
            return kept[1]
        with Pipeline(config, plugins=_plugins(config)) as pipeline:
            pipeline.collect_and_validate_section(name)
            check = _of_section(pipeline.report.sections[name])
        _KEPT[name] = (state, check)
        return check


def check_all(config_path: Path) -> list[SectionCheck]:
    """Every section, in report order (what the board shows)."""
    from ..pipeline import Pipeline

    with PIPELINE_LOCK, Pipeline(current_config(config_path)) as pipeline:
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

    config = current_config(config_path)
    with (
        PIPELINE_LOCK.shared(),
        _section_lock(name),
        Pipeline(config, plugins=_plugins(config)) as pipeline,
    ):
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
