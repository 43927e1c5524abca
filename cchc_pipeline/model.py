"""The plain data objects that hooks receive and return.

They are deliberately small frozen dataclasses: plugins written by departments build them,
the core and the CLI only read them, and a finding must serialise to JSON unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Department:
    """Who owns a plugin: the department and the reform field it reports on.

    ``code`` is the usual abbreviation (STP, VP, SNV…), ``name`` the department's name as it
    is written in the report ("Sở Tư pháp"), ``field`` the title of its reform field as it
    appears as a sub-section heading ("Cải cách thể chế"). ``after`` names the plugin whose
    field this one follows in the report when ``[plugins] order`` does not list it (an
    installed plugin then takes its place with no config edit); without it, the field goes
    before the standing agency's general parts.
    """

    code: str
    name: str
    field: str
    after: str | None = None


class Severity(str, Enum):
    """How serious a finding is; only errors stop a build."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """The Vietnamese word shown to users."""
        return {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}[self.value]


@dataclass(frozen=True)
class Location:
    """Where a clerk goes to fix a finding: a file, and a sheet and cell, a line, or a heading
    (with the paragraph's number counted from the top of the document, for a Word file)."""

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    heading: str | None = None
    paragraph: int | None = None

    def __str__(self) -> str:
        text = self.file or ""
        if self.sheet:
            text += f" [{self.sheet}!{self.cell}]" if self.cell else f" [{self.sheet}]"
        elif self.cell:
            text += f" [{self.cell}]"
        if self.line is not None:
            text += f":{self.line}"
        if self.paragraph is not None:
            text += f" (đoạn {self.paragraph})"
        if self.heading:
            text += f" (mục “{self.heading}”)"
        return text.strip()


@dataclass(frozen=True)
class Finding:
    """A problem (or remark) in a submission, in Vietnamese, with where and how to fix it."""

    severity: Severity
    message: str
    plugin: str = ""
    location: Location = field(default_factory=Location)
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``cchc validate --format json``."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.severity.label}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True)
class ConversionJob:
    """Everything a format's converter needs to write one output file.

    Converters run in worker threads, so a job carries plain values only (no plugin manager).
    ``target`` is a temporary path in a staging folder: the core renames it into place only
    when every format of the build succeeded.
    """

    source: Path  # the assembled Pandoc Markdown
    target: Path
    resources: Path  # folder the Markdown's relative image paths resolve against
    templates: tuple[Path, ...]  # folders searched for format assets, first wins
    epoch: int  # fixed timestamp (seconds) so that outputs are reproducible
    metadata: dict[str, Any]
    log: Callable[[str], None] = print
    data: Any = None  # structured content, for formats not converted from Markdown (xlsx)
    limits: Any = None  # the report's Limits (time and memory of the converters); None: defaults
    # for a format whose pictures are read late (OutputFormat.pictures_late): waits for the
    # document's pictures and puts them in place; convert calls it before reading them
    pictures: Callable[[], None] | None = None

    def find_template(self, name: str) -> Path:
        """The first ``name`` among the template folders (project overrides come first)."""
        found = self.optional_template(name)
        if found is None:
            raise FileNotFoundError(name)
        return found

    def optional_template(self, name: str) -> Path | None:
        """Like :meth:`find_template`, but ``None`` when no folder has ``name``."""
        for folder in self.templates:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        return None


@dataclass(frozen=True)
class OutputFormat:
    """An output format contributed by a plugin through ``cchc_output_formats``.

    ``convert`` writes ``job.target`` from ``job.source`` and raises on failure; it runs in a
    worker thread beside the other formats. ``finish``, when given, is called once after the
    build's last conversion, success or not (to end the processes ``convert`` kept for the
    build's other documents). ``pictures`` False says that ``convert`` does not read the
    document's pictures (it links to them), so it may start before the charts are drawn.
    ``pictures_late`` says that ``convert`` reads them only after a first step that does
    not (the PDF: pandoc writes typst, then typst reads the pictures), calling
    ``job.pictures()`` before it: the job may start while they are drawn, when no other job
    can.
    """

    name: str
    extension: str
    description: str
    convert: Callable[[ConversionJob], None]
    finish: Callable[[], None] | None = None
    pictures: bool = True
    pictures_late: bool = False
