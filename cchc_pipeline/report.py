"""The report being built: its sections (one per section plugin) and the slots they fill.

A section plugin never writes the report's skeleton; it fills named *slots* with Markdown
fragments, and the core's ``templates/report.md.j2`` places each slot in the right part of
the document and numbers it (Phần I / I. / 1.). That keeps numbering and order in one place
and lets a department add or drop a section without touching anybody else's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ReportConfig
from .intake.names import nfc
from .model import Department, Finding, Location, Severity
from .render.templating import Markdown, Templates

SLOTS: dict[str, str] = {
    "leadership": "Phần I, mục I: công tác chỉ đạo, điều hành (đơn vị thường trực)",
    "results": "Phần I, mục II: kết quả của lĩnh vực, một tiểu mục đánh số cho mỗi lĩnh vực",
    "assessment": "Phần I, mục III: đánh giá chung (đơn vị thường trực)",
    "tasks": "Phần II: nhiệm vụ, giải pháp giai đoạn 2021 - 2030 của lĩnh vực",
    "direction": "Phần II, mở đầu: mục tiêu, phương hướng chung (đơn vị thường trực)",
    "recommendations": "Phần III: đề xuất, kiến nghị",
    "statistics": "Phụ lục II: các dòng số liệu thống kê theo năm của lĩnh vực",
    "index": "Phụ lục III: chỉ số CCHC và chỉ số hài lòng theo năm",
    "slides": "Trình chiếu hội nghị: các trang của lĩnh vực",
}


@dataclass
class Section:
    """One section plugin's part of the report, handed to its collect, validate and render hooks."""

    name: str
    number: int
    department: Department | None
    submission: Path | None
    config: ReportConfig
    templates: Templates = field(repr=False)
    data: Any = None
    findings: list[Finding] = field(default_factory=list)
    fragments: dict[str, Markdown] = field(default_factory=dict)
    failure: str | None = None  # set when a hook raised and the build kept going
    workdir: Path | None = None  # the build's scratch folder (media are gathered there)
    targets: list[Any] = field(default_factory=list)  # TargetResult rows for Phụ lục I
    nominations: list[Any] = field(default_factory=list)  # Nomination rows (khen thưởng)
    charts: Any = field(default=None, repr=False)  # the build's ChartDrawer
    cache: Path | None = None  # the project's cache folder, None with --no-cache
    chart_requests: list[tuple[Any, str]] = field(default_factory=list)  # (job, file name)
    # The submission's files that were read (None: this plugin does not say), the others
    # (set after validation), and the converted copies read in place of a file sent.
    used_files: set[Path] | None = None
    unused_files: list[Path] = field(default_factory=list)
    aliases: dict[Path, Path] = field(default_factory=dict)  # converted copy → file sent

    def render(self, template: str, **context: Any) -> Markdown:
        """Render one of the plugin's templates; ``section`` and ``config`` are always defined."""
        context.setdefault("section", self)
        context.setdefault("config", self.config)
        return self.templates.render(template, **context)

    @property
    def media_prefix(self) -> str:
        """How the report's Markdown refers to this section's images: ``media/<plugin>``."""
        return f"media/{self.name}"

    @property
    def media_dir(self) -> Path:
        """Where this section puts its images (charts, a narrative's pictures) for the build."""
        if self.workdir is None:
            raise RuntimeError("this section has no build folder")
        folder = self.workdir / self.media_prefix
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def chart(self, job: Any, name: str) -> Markdown:
        """Ask for a chart (drawn in the background) and return its numbered figure."""
        from .render.numbering import figure

        if self.charts is None:
            raise RuntimeError("this section has no chart drawer")
        self.charts.submit(job, self.media_dir / name)
        self.chart_requests.append((job, name))  # what a cached render asks for again
        return figure(f"{self.media_prefix}/{name}", job.title)

    def use(self, *paths: Path | str) -> None:
        """Mark files of the submission as read, so that ``cchc status`` and ``cchc validate``
        name every other file instead of ignoring it silently. A plugin reading a file of its
        own calls this too; one that never does is not checked for unused files."""
        if self.used_files is None:
            self.used_files = set()
        for path in paths:
            resolved = Path(path).resolve()
            self.used_files.add(self.aliases.get(resolved, resolved))

    def relative(self, path: Path | str) -> str:
        """A path as the user knows it: relative to the report project when inside it (a
        converted copy is shown as the file the department sent)."""
        path = Path(path)
        if self.aliases:
            path = self.aliases.get(path.resolve(), path)
        try:
            return nfc(path.resolve().relative_to(self.config.project_dir.resolve()).as_posix())
        except ValueError:
            return str(path)

    def add(
        self, severity: Severity, message: str, *, hint: str | None = None, **where: Any
    ) -> Finding:
        """Record a finding; ``where`` holds Location fields (file, sheet, cell, line, heading)."""
        if where.get("file") is not None:
            where["file"] = self.relative(where["file"])
        finding = Finding(severity, message, self.name, Location(**where), hint)
        self.findings.append(finding)
        return finding

    def error(self, message: str, *, hint: str | None = None, **where: Any) -> Finding:
        return self.add(Severity.ERROR, message, hint=hint, **where)

    def warning(self, message: str, *, hint: str | None = None, **where: Any) -> Finding:
        return self.add(Severity.WARNING, message, hint=hint, **where)


@dataclass
class Report:
    """The whole report of one build: configuration and sections in report order."""

    config: ReportConfig
    sections: dict[str, Section]
    rollup: Any = None  # the districts' exports read (intake.districts.Rollup), when listed

    @property
    def final(self) -> bool:
        return self.config.final

    @property
    def findings(self) -> list[Finding]:
        found = [f for s in self.sections.values() for f in s.findings]
        return found + (list(self.rollup.findings) if self.rollup is not None else [])

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def targets(self) -> list[Any]:
        """Every section's target results, in report order (Phụ lục I)."""
        return [t for s in self.sections.values() for t in s.targets]

    @property
    def nominations(self) -> list[Any]:
        """Every section's nominations, in report order, then the districts' (the merged list)."""
        own = [n for s in self.sections.values() for n in s.nominations]
        return own + (list(self.rollup.nominations) if self.rollup is not None else [])

    def slot(self, name: str) -> list[tuple[Section, Markdown]]:
        """The sections that filled slot ``name``, in report order, with their fragment."""
        return [(s, s.fragments[name]) for s in self.sections.values() if s.fragments.get(name)]
