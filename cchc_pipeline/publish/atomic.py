"""Write a file so that readers see the old one or the new one, never half of either.

A findings report mailed to a department, or a ``config.toml`` edited for the coordinator,
must not be left truncated by a full disk or Ctrl-C: the content goes to a hidden temporary
file in the same folder (same file system), which is then renamed over the target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)`` and rename the result to ``path``."""
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        # mkstemp makes the file private; keep the target's mode, else the usual rw-r--r--
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path


def write_text_atomically(path: Path, text: str) -> Path:
    """:func:`write_atomically` for UTF-8 text (newlines as given)."""
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
