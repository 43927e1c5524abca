"""A content-addressed build cache: results are stored under the digest of everything that
made them, so a cached result can never be stale, only unused.

A key is a SHA-256 over named parts (file contents, tool versions, the code's own version);
any change to any part is a different key. Entries are folders written under a temporary
name and renamed into place, so a killed build leaves no half entry. ``cchc clean`` removes
the cache; ``cchc build --no-cache`` ignores it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from . import __version__

CACHE_DIR = ".cchc-cache"


def digest(*parts: bytes | str) -> str:
    """SHA-256 of the parts, each length-prefixed so that no two sequences collide."""
    hasher = hashlib.sha256(f"cchc-pipeline {__version__}".encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def tree_digest(folders: Iterable[Path]) -> str:
    """A digest of every file (path and content) under the folders, in a stable order; what
    changes without any edit (hidden files, compiled Python, Office lock files) is left out,
    as for the build's inputs (:func:`~cchc_pipeline.inputs.submission_files`)."""
    from .inputs import submission_files

    parts: list[bytes | str] = []
    for folder in folders:
        if folder.is_dir():
            for path in submission_files(folder):
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


class Cache:
    """One kind of cached result (``narratives``, ``outputs``…) in the project's cache folder."""

    def __init__(self, root: Path | None, kind: str) -> None:
        self.folder = None if root is None else root / kind

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def get(self, key: str) -> Path | None:
        """The entry folder for ``key``, or None."""
        if self.folder is None:
            return None
        entry = self.folder / key
        return entry if entry.is_dir() else None

    def put(self, key: str, files: dict[str, Path]) -> None:
        """Store copies of ``files`` (name in the entry → source path) under ``key``."""
        if self.folder is None or (self.folder / key).is_dir():
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.folder))
            for name, source in files.items():
                target = partial / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    shutil.copytree(source, target)
                else:
                    shutil.copyfile(source, target)
            os.replace(partial, self.folder / key)
        except OSError:  # a full disk or a race with another build: the cache is optional
            shutil.rmtree(partial, ignore_errors=True)
