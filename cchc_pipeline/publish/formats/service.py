"""A helper process kept for many requests: one JSON line in, one JSON line out.

Starting a converter costs more than many of the small jobs a build gives it (Python and
typst's import for a PDF; pandoc's start and Lua set-up for a narrative), so a build keeps
such processes and sends them one request after another. Their answers are read by a
thread, so that a request can wait with a time limit; a process that dies answers with an
empty line, and what it wrote on stderr is kept for the message.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any


class LineWorker:
    """One helper process and its pipes."""

    def __init__(
        self, command: Sequence[str], *, preexec_fn: Callable[[], None] | None = None
    ) -> None:
        self.jobs = 0
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            preexec_fn=preexec_fn,
        )
        self._lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True, name="cchc-worker-reader").start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(b"")  # the end: the process closed its output (or died)

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict[str, Any], seconds: int) -> bytes:
        """Send one request; its answer line, or b"" when the process ended first. Raises
        ``queue.Empty`` past ``seconds``."""
        assert self.process.stdin is not None
        self.jobs += 1
        try:
            self.process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except OSError:  # it ended meanwhile (idle, or killed): its output says so
            pass
        return self._lines.get(timeout=seconds)

    def error_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace").strip()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()

    def kill(self) -> None:
        """End it now (past its time limit)."""
        self.process.kill()
        self.stop()
