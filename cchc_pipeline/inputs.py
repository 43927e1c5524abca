"""The inputs of a build and their fingerprint: what a draft's revision and the audit trail use.

The inputs are the configuration file, every file of every submission folder, and the name
and version of every plugin. Their digest is the draft's revision: it changes exactly when
something that can change the report changes, and stays the same on a rebuild, so that two
builds of the same inputs are byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .intake.names import nfc


@dataclass(frozen=True)
class InputFile:
    """One input file: its path as the user knows it, its size and its SHA-256."""

    path: str
    size: int
    sha256: str


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def submission_files(folder: Path) -> list[Path]:
    """The files of a folder that are a department's work, sorted: not hidden files, nor
    Python's compiled ``__pycache__``, nor the lock files Office leaves beside an open
    document (``~$so-lieu.xlsx``), which come and go without any edit."""
    folder = Path(folder)

    def kept(path: Path) -> bool:
        parts = path.relative_to(folder).parts
        return (
            path.is_file()
            and not path.name.startswith("~$")
            and not any(part.startswith(".") or part == "__pycache__" for part in parts)
        )

    return sorted(p for p in folder.rglob("*") if kept(p))


def shown_path(path: Path, project_dir: Path) -> str:
    """A path as the user knows it: relative to the project when inside it, else absolute;
    in NFC, so that a folder copied from a Mac (names in NFD) has the same inputs, revision
    and manifest as the same folder written on Windows."""
    resolved = Path(path).resolve()
    try:
        return nfc(resolved.relative_to(project_dir.resolve()).as_posix())
    except ValueError:
        return nfc(str(resolved))


def input_files(project_dir: Path, config_path: Path, folders: Iterable[Path]) -> list[InputFile]:
    """The config and every file of the folders (see :func:`submission_files`), by path."""
    paths = {config_path.resolve()}
    for folder in folders:
        paths.update(p.resolve() for p in submission_files(folder))
    found = [
        InputFile(shown_path(path, project_dir), path.stat().st_size, file_digest(path))
        for path in sorted(paths)
    ]
    return sorted(found, key=lambda f: f.path)


def revision(files: Iterable[InputFile], plugins: Iterable[tuple[str, str]]) -> str:
    """A short fingerprint of the inputs and the plugins (name, version) that read them."""
    digest = hashlib.sha256(f"cchc-pipeline {__version__}\n".encode())
    for item in files:
        digest.update(f"{item.path}\0{item.sha256}\n".encode())
    for name, version in sorted(plugins):
        digest.update(f"plugin {name} {version}\n".encode())
    return digest.hexdigest()[:10]
