"""File names compared as text: in Unicode NFC, whatever form they have on disk.

Every text the tool reads is normalised to NFC, but the names in a folder are bytes the
system that wrote them chose: macOS and some Vietnamese keyboards write "Tư pháp" decomposed
(NFD), Windows and Linux usually composed. On most Linux file systems the two are different
names that look identical, so a folder named in the config or a picture named in a narrative
would be "not found". Every lookup of a file by a name the user wrote goes through
:func:`on_disk`.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path


def nfc(name: str) -> str:
    """``name`` in Unicode NFC, the form every text of the tool is compared in."""
    return unicodedata.normalize("NFC", name)


def on_disk(base: Path | str, relative: Path | str = "") -> Path:
    """``base / relative`` as it is written on disk.

    A component that does not exist under its exact name is matched with the entry of its
    folder whose name is the same in NFC (the exact name wins when both exist). When nothing
    matches, the path is returned as asked, so that the caller's "not found" names it.
    """
    path = Path(base) / relative
    if path.exists() or path.is_symlink():
        return path
    found = Path(path.anchor) if path.is_absolute() else Path()
    parts = path.parts[1:] if path.is_absolute() else path.parts
    for number, part in enumerate(parts):
        exact = found / part
        if part in (".", "..") or exact.exists() or exact.is_symlink():
            found = exact
            continue
        match = _entry(found, part)
        if match is None:
            return found.joinpath(*parts[number:])
        found = found / match
    return found


def _entry(folder: Path, name: str) -> str | None:
    """The entry of ``folder`` whose name is ``name`` in NFC, or None."""
    wanted = nfc(name)
    try:
        with os.scandir(folder) as entries:
            return next((e.name for e in entries if nfc(e.name) == wanted), None)
    except OSError:  # not a folder, unreadable: the caller says "not found"
        return None
