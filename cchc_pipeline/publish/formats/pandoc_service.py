"""pandoc processes kept for the build's reads and conversions, not one pandoc per file.

A department's narrative is read twice: through the narrative writer, then its parts back
into pandoc's syntax tree to measure them (:mod:`cchc_pipeline.intake.limits`). On the
command line each read paid pandoc's start and its Lua set-up, about half its time: the
sample's eight narratives took 1.9 s of processes for the writer and 0.6 s for the parts.
A document converted to several formats (the report: DOCX, PPTX and the PDF's typst) was
read again by each format's pandoc. :file:`pandoc_service.lua` does the same reads and
conversions one after another in one ``pandoc lua`` process, reading a document once for
all its formats; its answers and files are the bytes the command line writes (tests
compare them: Word files with revisions and pictures, every format and document of the
sample).

Each process runs under the ``[limits]`` of the config as a one-off pandoc would: the
runtime's heap cap and the address-space limit, and a time limit per request, past which
it is killed. A process that dies (out of memory, killed) answers nothing: a process that
had done earlier requests is replaced and the request tried once more, so that a file is
judged as a fresh pandoc would judge it. An idle process holds its share of the memory
ledger, which stops it when a conversion needs the room; the rest end with the build's
conversions (:func:`stop`), and after :data:`IDLE_SECONDS` without a request, so a
long-running portal keeps none.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import queue
import subprocess
import threading
from pathlib import Path

from ...errors import machine_os_error
from ...intake.limits import Limits
from ...memory import LEDGER, PANDOC_MB
from . import pandoc
from .bounded import address_space_limit, out_of_memory, past_memory_limit, past_time_limit
from .service import LineWorker

SCRIPT = Path(__file__).with_name("pandoc_service.lua")
JOBS_PER_WORKER = 32  # then a fresh process: nothing a long run leaves behind piles up
KEPT = 2  # idle processes kept: the collection reads with one thread per CPU
KEPT_TREES = 8  # documents whose syntax trees a process keeps (pandoc_service.lua)
IDLE_SECONDS = 30.0  # an idle process ends then (a portal checking one department's upload)


class _Readers:
    """The idle pandoc processes, by memory limit, each with the documents it read last.

    An idle process holds its share in the memory ledger (as a pandoc, its code shared with
    the others), so that a conversion that needs the room has it stopped."""

    def __init__(self) -> None:
        self._idle: list[tuple[int, LineWorker]] = []
        self._documents: dict[int, list[str]] = {}  # id(worker) -> documents, newest last
        self._lock = threading.Lock()

    def _choice(self, megabytes: int, document: str | None) -> int | None:
        """Which idle process a request takes: for ``megabytes``, the one that read
        ``document`` last if any (it still has its syntax tree), else the newest."""
        fitting = [n for n, (limit, _) in enumerate(self._idle) if limit == megabytes]
        return next(
            (n for n in fitting if document in self._documents.get(id(self._idle[n][1]), ())),
            fitting[-1] if fitting else None,
        )

    def next_name(self, megabytes: int, document: str | None = None) -> str | None:
        """The ledger's name of the process :meth:`take` would give now, if any."""
        with self._lock:
            chosen = self._choice(megabytes, document)
            return None if chosen is None else _name(self._idle[chosen][1])

    def take(self, megabytes: int, document: str | None = None) -> LineWorker:
        """An idle process (see :meth:`_choice`), else a new one."""
        with self._lock:
            chosen = self._choice(megabytes, document)
            worker = self._idle.pop(chosen)[1] if chosen is not None else None
        if worker is not None:
            LEDGER.release(_name(worker))
            if worker.alive():
                return worker
            self.discard(worker)
        try:
            return LineWorker(
                [*pandoc.pandoc_command(megabytes), "lua", str(SCRIPT)],
                preexec_fn=address_space_limit(megabytes),
            )
        except OSError as exc:  # the machine's failure, not the file's
            raise machine_os_error(exc, "pandoc") from exc

    def give_back(self, megabytes: int, worker: LineWorker, document: str | None = None) -> None:
        if not worker.alive() or worker.jobs >= JOBS_PER_WORKER:
            self.discard(worker)
            return
        with self._lock:
            if document is not None:
                read = [d for d in self._documents.get(id(worker), []) if d != document]
                self._documents[id(worker)] = [*read, document][-KEPT_TREES:]
            self._idle.append((megabytes, worker))
            extra = self._idle[:-KEPT]
            del self._idle[:-KEPT]
        for _, old in extra:
            LEDGER.release(_name(old))
            self.discard(old)
        LEDGER.hold(_name(worker), PANDOC_MB, lambda: self._drop(worker), kind="pandoc")
        jobs = worker.jobs
        timer = threading.Timer(IDLE_SECONDS, self._expire, (worker, jobs))
        timer.daemon = True
        timer.start()

    def discard(self, worker: LineWorker) -> None:
        """End a process that is not idle (taken and dead, or just put out of the list)."""
        with self._lock:
            self._documents.pop(id(worker), None)
        worker.stop()

    def _drop(self, worker: LineWorker) -> None:
        """End ``worker`` if it is idle (the ledger needs its room, or it idled too long)."""
        with self._lock:
            if not any(w is worker for _, w in self._idle):
                return  # taken meanwhile: the step that took it counts it
            self._idle = [(m, w) for m, w in self._idle if w is not worker]
        LEDGER.release(_name(worker))
        self.discard(worker)

    def _expire(self, worker: LineWorker, jobs: int) -> None:
        """End ``worker`` if it is still idle since it had done ``jobs`` requests."""
        if worker.jobs == jobs:
            self._drop(worker)

    def stop(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, worker in idle:
            LEDGER.release(_name(worker))
            self.discard(worker)


def _name(worker: LineWorker) -> str:
    return f"pandoc {id(worker)}"


READERS = _Readers()
atexit.register(READERS.stop)


def stop() -> None:
    """End the idle processes (the build's conversions are over)."""
    READERS.stop()


def read(
    request: dict[str, object],
    *,
    what: str,
    limits: Limits,
    document: str | None = None,
    ledger_mb: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """One request to a kept process, answered as the pandoc command line would have
    run: return code 0 and the output, or 1 and the error; a process that died gives its
    exit status and stderr. Past the limits: :class:`~cchc_pipeline.errors.LimitExceeded`
    naming ``what``, as :func:`~.bounded.run_bounded` says it. ``document``: the file the
    request reads, so that it goes to the process that read it last. ``ledger_mb``: the
    request is a step of the memory ledger (a conversion), in the process it reuses."""
    megabytes = limits.pandoc_memory_mb
    for attempt in range(2):
        step: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        if ledger_mb is not None:
            step = LEDGER.step("pandoc", ledger_mb, reuse=READERS.next_name(megabytes, document))
        with step:
            worker = READERS.take(megabytes, document)
            reused = worker.jobs > 0
            try:
                line = worker.ask(request, limits.pandoc_seconds)
            except queue.Empty:
                worker.kill()
                raise past_time_limit(what, limits.pandoc_seconds) from None
            code = None if line else worker.process.wait()
        if line:
            READERS.give_back(megabytes, worker, document)
            answer = json.loads(line.decode("utf-8"))
            if "output" in answer:
                return subprocess.CompletedProcess([], 0, str(answer["output"]).encode(), b"")
            return subprocess.CompletedProcess([], 1, b"", str(answer.get("error")).encode())
        error = worker.error_text()
        READERS.discard(worker)
        if reused and attempt == 0:
            continue  # what earlier requests left may be the cause: a fresh process judges
        if out_of_memory(code, error):
            raise past_memory_limit(what, megabytes)
        return subprocess.CompletedProcess([], code or 1, b"", error.encode())
    raise AssertionError("unreachable")  # pragma: no cover
