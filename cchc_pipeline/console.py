"""Progress and messages on the terminal: chatty on a terminal, silent in pipes and with -q."""

from __future__ import annotations

import sys
from typing import TextIO


class Console:
    """Progress lines go to stderr on a terminal only; results and problems always show."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.progress_enabled = not quiet and self.stream.isatty()
        self.quiet = quiet
        self._warned: set[str] = set()
        self.said: list[str] = []  # every message shown, in order (what a rerun repeats)

    def progress(self, text: str) -> None:
        """One step of a build (stage, plugin, format)."""
        if self.progress_enabled:
            print(f"  · {text}", file=self.stream, flush=True)

    def stage(self, text: str) -> None:
        """The start of a build stage."""
        if self.progress_enabled:
            print(f"» {text}", file=self.stream, flush=True)

    def warn(self, text: str) -> None:
        """Something the user should read even in a pipe (not an error); said once per build,
        however many documents repeat it (the PDF font of every thematic report)."""
        if not self.quiet and text not in self._warned:
            self._warned.add(text)
            self.said.append(text)
            print(text, file=self.stream, flush=True)

    def error(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


SILENT = Console(quiet=True)
