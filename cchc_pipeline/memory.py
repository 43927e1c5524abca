"""The memory a build's helper processes may use together, shared out step by step.

A build's peak is a few large processes side by side, measured for the sample (PSS, so a
page shared by two processes counts half in each):

- pandoc converting: about 125 MB, most of it its own program code, mapped from one file,
  so that a second pandoc running beside it adds about 65 MB only (measured side by side:
  100-120 and 72-76 MB);
- typst compiling a PDF: about 50 MB in a fresh worker (more in one that compiled earlier
  PDFs), plus about 0.75 MB per KB of typst source (the report's 120 KB: 140 MB);
- the chart worker (matplotlib): about 90 MB while it lives;
- an idle typst worker kept for the next PDF: what it reported holding;
- an idle pandoc process kept for the next conversion: as a pandoc running, its code shared
  with the others.

Before this ledger the sample's tree reached 330 MiB against a 300 MiB target, with pandoc
beside a typst worker and the chart worker. Now each conversion step asks for its estimate
before it starts and gives it back when it ends, and a worker kept alive holds its share
while it lives. A step that does not fit first has the idle workers that can be stopped
stopped, then waits for another step to end; a step with no other step running does not
wait, however large, so nothing can wait for ever.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

# the 300 MiB target, less the main process (60-85 MB at the peak: the charts' worker is
# forked from it, the comparisons' trees are read in it) and a margin
BUDGET_MB = 220
PANDOC_MB = 125  # the first pandoc running
PANDOC_MORE_MB = 65  # each one beside it: their program code is shared
CHARTS_MB = 90
TYPST_BASE_MB = 50
TYPST_MB_PER_KB = 0.75


def typst_estimate(source: Path, resident_mb: int = 0) -> int:
    """What typst compiling ``source`` will hold, in MB, from its size: in a fresh worker, or
    in one that holds ``resident_mb`` after its earlier PDFs (typst keeps what it computed)."""
    try:
        kilobytes = source.stat().st_size / 1024
    except OSError:
        kilobytes = 0
    return int(max(TYPST_BASE_MB, resident_mb) + TYPST_MB_PER_KB * kilobytes)


class Ledger:
    """Steps running and workers kept, each with the megabytes it is counted for."""

    def __init__(self, budget_mb: int = BUDGET_MB) -> None:
        self.budget_mb = budget_mb
        self._changed = threading.Condition()
        self._steps: list[tuple[str, int]] = []
        # name -> (megabytes, how to stop it, its kind)
        self._held: dict[str, tuple[int, Callable[[], None] | None, str]] = {}

    def _used(self, extra: tuple[str, int] | None = None, without: str | None = None) -> int:
        alive = [*self._steps, *([extra] if extra else [])]
        alive += [(kind, mb) for name, (mb, _, kind) in self._held.items() if name != without]
        pandocs = sum(1 for kind, _ in alive if kind == "pandoc")
        shared = PANDOC_MB + PANDOC_MORE_MB * (pandocs - 1) if pandocs else 0
        return shared + sum(mb for kind, mb in alive if kind != "pandoc")

    def hold(
        self,
        name: str,
        megabytes: int,
        stop: Callable[[], None] | None = None,
        kind: str = "worker",
    ) -> None:
        """A worker kept alive holds ``megabytes`` (a pandoc: its share, as a pandoc
        running); ``stop`` ends it when room is needed."""
        with self._changed:
            self._held[name] = (megabytes, stop, kind)
            self._changed.notify_all()

    def release(self, name: str) -> None:
        with self._changed:
            if self._held.pop(name, None) is not None:
                self._changed.notify_all()

    @contextlib.contextmanager
    def step(self, kind: str, megabytes: int, reuse: str | None = None) -> Iterator[None]:
        """Run the body once its estimate fits beside what runs and is kept. ``reuse``: the
        kept worker the body will run in; its share becomes the step's, and it is not the
        one stopped to make room."""
        entry = (kind, megabytes)
        with self._changed:
            while True:
                stoppable = next(
                    (n for n, (_, stop, _) in self._held.items() if stop and n != reuse), None
                )
                fits = self._used(entry, without=reuse) <= self.budget_mb
                if fits or (stoppable is None and not self._steps):
                    self._steps.append(entry)
                    self._held.pop(reuse or "", None)
                    break
                if stoppable is None:
                    self._changed.wait(0.5)
                    continue
                _, stop, _ = self._held.pop(stoppable)
                self._changed.release()  # stopping a worker waits for its process
                try:
                    assert stop is not None
                    stop()
                finally:
                    self._changed.acquire()
        try:
            yield
        finally:
            with self._changed:
                self._steps.remove(entry)
                self._changed.notify_all()


LEDGER = Ledger()
