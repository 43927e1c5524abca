"""A build whose every input, tool and output is as the last successful build left them.

The coordinator runs ``cchc build`` again and again the night before the deadline, often with
nothing changed since the last time. Reading the submissions, rendering and checking the
cache of every conversion then costs half a second to find that nothing is to be done. After
a build that succeeded, this module records a *key* of everything the build could have read
(every file of the project folder and of the folders outside it that the config names, the
tool's own code, templates and plugins, the versions of the converters, the command's
options, the drafts kept) with what the build printed and, for every file it published, its
size and modification time. The next build with the same key, whose published files are all
still there untouched, prints the same result and stops: nothing is read, rendered or written.

Anything not known to be unchanged is a full build: a file added, edited or removed anywhere
in the project (its outputs, caches and drafts aside), an output touched or deleted, another
option, a district given as a project folder (it may have to be built first), another
version of pandoc, typst or Python. The key is a superset of a build's inputs, so this may
rebuild for nothing, never skip a build that had something to do. The record is signed with
the user's key like every cache entry: one written elsewhere is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import CACHE_DIR, sign, signed

RECORD = "last-build.json"
SKIPPED_DIRS = {CACHE_DIR, ".cchc-portal", ".git", "__pycache__", "node_modules"}
SKIPPED_FILES = {".cchc-lock"}  # the build's own lock
VERSIONED = ("typst", "matplotlib", "openpyxl", "python-docx", "Jinja2", "pluggy", "click")


@dataclass(frozen=True)
class Recorded:
    """What the last successful build printed: its result lines and its messages."""

    out: list[str]
    err: list[str]


def _files(folder: Path, skip: set[Path]) -> Iterator[Path]:
    """Every file under ``folder`` in a stable order, ``skip`` and tool folders left out."""
    if folder.is_file():
        yield folder
        return
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and here / d not in skip)
        for name in sorted(files):
            if name not in SKIPPED_FILES:
                yield here / name


def _tree(hasher: Any, folders: Iterable[Path], skip: set[Path], content: bool) -> None:
    for folder in folders:
        hasher.update(f"\0folder {folder}".encode())
        for path in _files(folder, skip):
            try:
                stat = path.stat()
            except OSError:
                continue
            hasher.update(f"\0{path}\0{stat.st_size}".encode())
            if content:
                with contextlib.suppress(OSError):
                    hasher.update(path.read_bytes())
            else:
                hasher.update(f"\0{stat.st_mtime_ns}".encode())


def _tools() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    from .formats.pandoc import pandoc_path

    found = [sys.version]
    for name in VERSIONED:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    pandoc = Path(pandoc_path())
    stat = pandoc.stat()
    found.append(f"pandoc {pandoc} {stat.st_size} {stat.st_mtime_ns}")
    return found


def _entry_points() -> list[str]:
    """Installed plugins outside this package: each by name, target and version."""
    from importlib.metadata import entry_points

    from ..plugins import ENTRY_POINT_GROUP

    return sorted(
        f"{e.name}={e.value} {e.dist.version if e.dist else ''}"
        for e in entry_points(group=ENTRY_POINT_GROUP)
    )


class UpToDate:
    """The check and the record for one ``cchc build`` command."""

    def __init__(self, config: Any, target: Path, options: dict[str, Any]) -> None:
        self.config = config
        self.target = target
        self.options = options
        self.record_path = config.project_dir / CACHE_DIR / RECORD
        self._inputs: str | None = None  # the inputs' part of the key, read once

    def usable(self) -> bool:
        """Whether this build may be skipped at all: no district to build first."""
        return all(p.suffix == ".json" for p in self.config.districts.values())

    def key(self) -> str:
        """A digest of everything the build could read, of how it was asked, and of the
        drafts kept. The rest is read once, before the build: a file changed while it ran
        makes the next build a full one, never one skipped."""
        if self._inputs is None:
            self._inputs = self._inputs_key()
        drafts = self.config.project_dir / ".cchc-drafts"  # the build may add one
        listed = sorted(p.name for p in drafts.iterdir()) if drafts.is_dir() else []
        return hashlib.sha256(f"{self._inputs} {listed}".encode()).hexdigest()

    def _inputs_key(self) -> str:
        import cchc_pipeline

        from .. import resources

        config = self.config
        project = config.project_dir
        outside = [p for p in [*config.submissions.values(), *config.plugin_folders,
                               *config.districts.values()]
                   if not _inside(p, project)]  # fmt: skip
        hasher = hashlib.sha256()
        hasher.update(json.dumps(self.options, sort_keys=True, default=str).encode())
        hasher.update(json.dumps([str(self.target), _tools(), _entry_points()]).encode())
        hasher.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
        skip = {self.target, config.output_dir, project / ".cchc-drafts"}
        _tree(hasher, [project, *sorted(outside)], skip, content=True)
        code = {Path(cchc_pipeline.__file__).parent, resources.templates_dir(),
                resources.plugins_dir()}  # fmt: skip
        _tree(hasher, sorted(code), set(), content=True)
        return hasher.hexdigest()

    def _published(self, paths: Iterable[Path]) -> dict[str, list[int]]:
        found = {}
        for path in paths:
            for file in _files(path, set()) if path.exists() else [path]:
                try:
                    stat = file.stat()
                except OSError:
                    found[str(file)] = [-1, -1]
                    continue
                found[str(file)] = [stat.st_size, stat.st_mtime_ns]
        return found

    def recorded(self) -> Recorded | None:
        """The last build's result when nothing changed since, else None."""
        if not self.usable():
            return None
        key = self.key()  # before the build, whether or not a record is there
        try:
            data = json.loads(self.record_path.read_text(encoding="utf-8"))
            body = json.dumps(data["record"], sort_keys=True, ensure_ascii=False)
            if not signed(data["signature"], "last-build", body):
                return None
            record = data["record"]
            if record["key"] != key:
                return None
            published = record["published"]
            if self._published(Path(p) for p in published) != published:
                return None
            return Recorded(list(record["out"]), list(record["err"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, out: list[str], err: list[str], published: Iterable[Path]) -> None:
        """Keep this successful build's result for the next one (best effort)."""
        self.forget()
        if not self.usable():
            return
        record = {"key": self.key(), "out": out, "err": err,
                  "published": self._published(published)}  # fmt: skip
        body = json.dumps(record, sort_keys=True, ensure_ascii=False)
        signature = sign("last-build", body)
        if signature is None:
            return
        partial = self.record_path.with_name(f".{RECORD}.{os.getpid()}")
        with contextlib.suppress(OSError):  # an unwritable cache: the next build is a full one
            try:
                self.record_path.parent.mkdir(parents=True, exist_ok=True)
                partial.write_text(json.dumps({"record": record, "signature": signature},
                                              ensure_ascii=False), encoding="utf-8")  # fmt: skip
                os.replace(partial, self.record_path)
            finally:
                partial.unlink(missing_ok=True)

    def forget(self) -> None:
        """A build that did not succeed: the next one is a full build."""
        with contextlib.suppress(OSError):
            self.record_path.unlink(missing_ok=True)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
