"""The store of submitted files by content: a file is named by its SHA-256 and never
overwritten, so every version ever sent can be downloaded as it was sent."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(root: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return root / sha256[:2] / sha256


def store(root: Path, data: bytes) -> str:
    """Keep ``data``; return its digest. Storing the same bytes twice is a no-op."""
    sha = digest(data)
    target = path_of(root, sha)
    if target.exists():
        return sha
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".blob.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return sha


def load(root: Path, sha256: str) -> bytes:
    return path_of(root, sha256).read_bytes()
