"""The draft built in the background from the board: one build at a time, its progress
lines kept for the page, its outputs (and the comparison with the previous draft,
``*-so-sanh.docx``, when the build writes one) offered for download afterwards."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import load_config
from ..console import Console
from ..errors import CchcError
from .settings import current_config

OUTPUT_SUFFIXES = (".docx", ".pdf", ".html", ".pptx", ".md", ".xlsx", ".json")


class _Lines:
    """A stream the console writes its progress lines to (it shows them to a terminal only)."""

    def __init__(self, job: BuildJob) -> None:
        self.job = job
        self._partial = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._partial += text
        *done, self._partial = self._partial.split("\n")
        with self.job.guard:
            self.job.lines.extend(line for line in done if line.strip())
        return len(text)

    def flush(self) -> None:
        pass


@dataclass
class BuildJob:
    """One build: who started it, when, what it printed, how it ended."""

    actor: str
    started: dt.datetime
    formats: list[str] | None
    lines: list[str] = field(default_factory=list)
    finished: dt.datetime | None = None
    success: bool | None = None
    message: str = ""
    guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def running(self) -> bool:
        return self.finished is None

    def progress(self) -> list[str]:
        with self.guard:
            return list(self.lines[-30:])


class Builder:
    """Starts builds in a thread, refusing a second while one runs."""

    def __init__(self, config_path: Path, on_end: Callable[[BuildJob], None]) -> None:
        self.config_path = config_path
        self.on_end = on_end
        self.current: BuildJob | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.current is not None and self.current.running

    def start(self, actor: str, formats: list[str] | None, keep_going: bool) -> BuildJob | None:
        """The new job, or None when a build is already running."""
        with self._lock:
            if self.running:
                return None
            job = BuildJob(actor, dt.datetime.now().replace(microsecond=0), formats)
            self.current = job
        thread = threading.Thread(target=self._run, args=(job, keep_going), daemon=True,
                                  name="cchc-portal-build")  # fmt: skip
        thread.start()
        return job

    def _run(self, job: BuildJob, keep_going: bool) -> None:
        from ..lock import ProjectLock
        from ..pipeline import Pipeline
        from .checking import PIPELINE_LOCK

        console = Console(stream=_Lines(job))  # type: ignore[arg-type]
        try:
            config = load_config(self.config_path)
            with (
                ProjectLock(config.project_dir, wait=60, notify=console.error),
                PIPELINE_LOCK.shared(),  # sections' pages are still checked meanwhile
                Pipeline(config, console=console, keep_going=keep_going, drafts=True) as pipeline,
            ):
                result = pipeline.build(job.formats, config.output_dir)
            job.success = result.success or keep_going
            job.message = f"Đã dựng {len(result.outputs)} tệp."
        except CchcError as exc:
            job.success = False
            job.message = exc.message + (f" {exc.hint}" if exc.hint else "")
        except Exception as exc:  # shown on the board rather than lost in a thread
            job.success = False
            job.message = f"Lỗi không mong đợi: {type(exc).__name__}: {exc}"
        finally:
            job.finished = dt.datetime.now().replace(microsecond=0)
            self.on_end(job)


def outputs(config_path: Path) -> dict[str, Path]:
    """The files of the output folder offered for download, by name (never a path from a
    request: a name is looked up in this listing)."""
    folder = current_config(config_path).output_dir
    if not folder.is_dir():
        return {}
    return {
        p.name: p
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in OUTPUT_SUFFIXES
    }


def comparisons(files: dict[str, Path]) -> list[str]:
    return [name for name in files if name.endswith("-so-sanh.docx")]
