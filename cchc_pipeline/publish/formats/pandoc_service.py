"""Narratives read by pandoc processes kept for the reading, not one pandoc per file.

A department's narrative is read twice: through the narrative writer, then its parts back
into pandoc's syntax tree to measure them (:mod:`cchc_pipeline.intake.limits`). On the
command line each read paid pandoc's start and its Lua set-up, about half its time: the
sample's eight narratives took 1.9 s of processes for the writer and 0.6 s for the parts.
:file:`pandoc_service.lua` does the same reads one after another in one ``pandoc lua``
process; its answers are the bytes the command line writes (a test compares them, Word
files with revisions and pictures included).

Each process runs under the ``[limits]`` of the config as a one-off pandoc would: the
runtime's heap cap and the address-space limit, and a time limit per request, past which
it is killed. A process that dies (out of memory, killed) answers nothing: a process that
had read earlier files is replaced and the request tried once more, so that a file is
judged as a fresh pandoc would judge it. The processes end with the collection
(:func:`stop`), so none waits idle beside the conversions, and after :data:`IDLE_SECONDS`
without a request, so a long-running portal keeps none.
"""

from __future__ import annotations

import atexit
import json
import queue
import subprocess
import threading
from pathlib import Path

from ...errors import machine_os_error
from ...intake.limits import Limits
from . import pandoc
from .bounded import address_space_limit, out_of_memory, past_memory_limit, past_time_limit
from .service import LineWorker

SCRIPT = Path(__file__).with_name("pandoc_service.lua")
JOBS_PER_WORKER = 32  # then a fresh process: nothing a long run leaves behind piles up
KEPT = 2  # idle processes kept: the collection reads with one thread per CPU
IDLE_SECONDS = 30.0  # an idle process ends then (a portal checking one department's upload)


class _Readers:
    """The idle reader processes, by memory limit."""

    def __init__(self) -> None:
        self._idle: list[tuple[int, LineWorker]] = []
        self._lock = threading.Lock()

    def take(self, megabytes: int) -> LineWorker:
        with self._lock:
            for index, (limit, worker) in enumerate(self._idle):
                if limit == megabytes:
                    del self._idle[index]
                    if worker.alive():
                        return worker
                    worker.stop()
                    break
        try:
            return LineWorker(
                [*pandoc.pandoc_command(megabytes), "lua", str(SCRIPT)],
                preexec_fn=address_space_limit(megabytes),
            )
        except OSError as exc:  # the machine's failure, not the file's
            raise machine_os_error(exc, "pandoc") from exc

    def give_back(self, megabytes: int, worker: LineWorker) -> None:
        if not worker.alive() or worker.jobs >= JOBS_PER_WORKER:
            worker.stop()
            return
        with self._lock:
            self._idle.append((megabytes, worker))
            extra = self._idle[:-KEPT]
            del self._idle[:-KEPT]
        for _, old in extra:
            old.stop()
        jobs = worker.jobs
        timer = threading.Timer(IDLE_SECONDS, self._expire, (worker, jobs))
        timer.daemon = True
        timer.start()

    def _expire(self, worker: LineWorker, jobs: int) -> None:
        """End ``worker`` if it is still idle since it had done ``jobs`` requests."""
        with self._lock:
            if worker.jobs != jobs or not any(w is worker for _, w in self._idle):
                return
            self._idle = [(m, w) for m, w in self._idle if w is not worker]
        worker.stop()

    def stop(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, worker in idle:
            worker.stop()


READERS = _Readers()
atexit.register(READERS.stop)


def stop() -> None:
    """End the idle reader processes (the collection is over)."""
    READERS.stop()


def read(
    request: dict[str, object], *, what: str, limits: Limits
) -> subprocess.CompletedProcess[bytes]:
    """One request to a reader process, answered as the pandoc command line would have
    run: return code 0 and the output, or 1 and the error; a process that died gives its
    exit status and stderr. Past the limits: :class:`~cchc_pipeline.errors.LimitExceeded`
    naming ``what``, as :func:`~.bounded.run_bounded` says it."""
    megabytes = limits.pandoc_memory_mb
    for attempt in range(2):
        worker = READERS.take(megabytes)
        reused = worker.jobs > 0
        try:
            line = worker.ask(request, limits.pandoc_seconds)
        except queue.Empty:
            worker.kill()
            raise past_time_limit(what, limits.pandoc_seconds) from None
        if line:
            READERS.give_back(megabytes, worker)
            answer = json.loads(line.decode("utf-8"))
            if "output" in answer:
                return subprocess.CompletedProcess([], 0, str(answer["output"]).encode(), b"")
            return subprocess.CompletedProcess([], 1, b"", str(answer.get("error")).encode())
        code = worker.process.wait()
        error = worker.error_text()
        worker.stop()
        if reused and attempt == 0:
            continue  # what earlier reads left may be the cause: a fresh process judges
        if out_of_memory(code, error):
            raise past_memory_limit(what, megabytes)
        return subprocess.CompletedProcess([], code or 1, b"", error.encode())
    raise AssertionError("unreachable")  # pragma: no cover
