"""PDF output without LaTeX: pandoc writes typst, the ``typst`` module compiles it.

Typst compiles in worker processes with a time and a memory limit (``[limits]`` of the
config): typst aborts its process when an allocation fails, so a picture or a text that
escaped the intake checks can end a worker only, never the build. A worker compiles one PDF
after another (:mod:`.typst_service`), so that a build pays Python's start and typst's import
once, not once per PDF (one compilation at a time); past its time limit a worker is killed, and a
worker that died is replaced for the next PDF. The workers end with the build's conversions
(``finish``), so a long-running portal keeps none.

Fonts are tried in the order of the typst template (Times New Roman, Tinos, Liberation Serif,
then typst's built-in Libertinus Serif); the build reports which one was used.
"""

from __future__ import annotations

import atexit
import json
import queue
import re
import sys
import threading
from functools import lru_cache
from pathlib import Path

from ...errors import ConversionError, LimitExceeded
from ...intake.limits import Limits
from ...markers import hookimpl
from ...memory import LEDGER, typst_estimate
from ...model import ConversionJob, OutputFormat
from .bounded import MEMORY_SIGNALS, OUT_OF_MEMORY_TEXTS, past_time_limit
from .pandoc import run_pandoc
from .service import LineWorker

FONTS = ("Times New Roman", "Tinos", "Liberation Serif", "Libertinus Serif")
SERVICE = Path(__file__).with_name("typst_service.py")
OUT_OF_MEMORY = 75  # the service's exit status when Python's memory ran out
JOBS_PER_WORKER = 24  # then a fresh worker: typst's memoised state does not grow unbounded
# a worker that holds more than this after its PDF is not kept: while it waited idle, its
# thread's pandoc and the other thread's would run beside it (a large report's typst keeps
# about 170 MB), and the build's memory target is for every process together
KEEP_BELOW_MB = 100


@lru_cache(maxsize=1)
def typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


class _Worker(LineWorker):
    """One typst service process with its memory limit."""

    def __init__(self, megabytes: int) -> None:
        super().__init__([sys.executable, str(SERVICE), str(megabytes)])
        self.megabytes = megabytes
        self.resident_mb = 0  # what it held after its last PDF (its own report)


class _Workers:
    """The idle worker, if any, kept for the next PDF (one compilation runs at a time)."""

    def __init__(self) -> None:
        self._idle: _Worker | None = None
        self._lock = threading.Lock()

    def take(self, megabytes: int) -> _Worker:
        """The idle worker if it has this memory limit and lives, else a new one."""
        with self._lock:
            worker, self._idle = self._idle, None
        LEDGER.release(IDLE)
        if worker is not None and worker.megabytes == megabytes and worker.alive():
            return worker
        if worker is not None:
            worker.stop()
        return _Worker(megabytes)

    def give_back(self, worker: _Worker) -> None:
        """Keep ``worker`` idle for the next PDF, counted in the memory ledger for what it
        holds, which may stop it to make room for another step."""
        if not (worker.alive() and worker.jobs < JOBS_PER_WORKER):
            worker.stop()
            return
        with self._lock:
            previous, self._idle = self._idle, worker
        if previous is not None:
            previous.stop()
        LEDGER.hold(IDLE, worker.resident_mb, self.stop)

    def stop(self) -> None:
        with self._lock:
            worker, self._idle = self._idle, None
        LEDGER.release(IDLE)
        if worker is not None:
            worker.stop()


IDLE = "typst worker, idle"  # its name in the memory ledger
WORKERS = _Workers()
# one compilation at a time, so one worker: a second would hold its memory idle beside the
# other thread's pandoc; typst is a small part of a PDF's time (pandoc writes the typst first)
ONE_AT_A_TIME = threading.BoundedSemaphore(1)
atexit.register(WORKERS.stop)  # what a build did not end (a check's PDF) ends with the process


def compile_typst(typ: Path, pdf: Path, root: Path, epoch: int, limits: Limits) -> list[str]:
    """Compile ``typ`` into ``pdf`` in a worker; return typst's warnings."""
    with ONE_AT_A_TIME:
        return _compile(typ, pdf, root, epoch, limits)


def _compile(typ: Path, pdf: Path, root: Path, epoch: int, limits: Limits) -> list[str]:
    request = {"source": str(typ), "output": str(pdf), "root": str(root), "epoch": str(epoch)}
    for attempt in range(2):
        worker = WORKERS.take(limits.typst_memory_mb)
        # until the worker is kept or stopped, its memory is this step's in the ledger
        with LEDGER.step("typst", typst_estimate(typ, worker.resident_mb)):
            warnings = _attempt(worker, request, typ, limits, last=attempt == 1)
        if warnings is not None:
            return warnings
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    worker: _Worker, request: dict[str, str], typ: Path, limits: Limits, last: bool
) -> list[str] | None:
    """One compilation in ``worker``: typst's warnings, or None to try again in a fresh
    worker. What earlier PDFs left in a reused worker counts against its memory limit, so
    out of memory there is tried again in a fresh one, where `cchc validate`'s check
    compiled it."""
    reused = worker.jobs > 0
    try:
        line = worker.ask(request, limits.typst_seconds)
    except queue.Empty:
        worker.kill()
        raise past_time_limit("typst (tạo PDF)", limits.typst_seconds) from None
    if line:
        answer = json.loads(line.decode("utf-8"))
        worker.resident_mb = int(answer.get("resident_mb", 0))
        if answer.get("error") == "MemoryError":  # the worker ends: not kept
            worker.stop()
            if reused and not last:
                return None
            raise _out_of_memory(limits)
        if worker.resident_mb < KEEP_BELOW_MB:
            WORKERS.give_back(worker)
        else:
            worker.stop()
        if "error" in answer:
            raise ConversionError(_located(str(answer["error"]) or "lỗi không rõ", typ))
        return list(answer.get("warnings", []))
    code = worker.process.wait()
    error = worker.error_text()
    worker.stop()
    if code == 0 and not last and not error:
        return None  # it had just ended, idle: a fresh worker takes the PDF
    if code in (OUT_OF_MEMORY, *MEMORY_SIGNALS) or any(
        s in error.lower() for s in OUT_OF_MEMORY_TEXTS
    ):
        if reused and not last:
            return None
        raise _out_of_memory(limits)
    raise ConversionError(_located(error[-500:] or f"mã thoát {code}", typ))


def _out_of_memory(limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"typst (tạo PDF): quá giới hạn bộ nhớ {limits.typst_memory_mb} MB, đã dừng.",
        "Hình ảnh hoặc bảng quá lớn: giảm kích thước; nếu đúng, tăng “typst_memory_mb” "
        "trong mục [limits] của config.toml.",
    )


def _located(error: str, typ: Path) -> str:
    """typst's message with the heading of the document nearest the error, so that the
    coordinator knows whose text it is (the typst file itself is gone after the build)."""
    found = re.search(re.escape(typ.name) + r":(\d+)", error)
    first = error.strip().splitlines()[0] if error.strip() else error
    if not found:
        return f"typst thất bại: {first}"
    line = int(found.group(1))
    try:
        lines = typ.read_text(encoding="utf-8").splitlines()[:line]
    except OSError:
        lines = []
    heading = next((h for h in reversed(lines) if re.match(r"=+ \S", h)), None)
    where = f" (gần đề mục “{heading.lstrip('= ').strip()}”)" if heading else ""
    return f"typst thất bại ở dòng {line} của bản typst{where}: {first}"


def convert(job: ConversionJob) -> None:
    typ = job.target.with_suffix(".typ")
    args = [f"--template={job.find_template('typst/report.typ')}"]
    run_pandoc(job, args, to="typst", output=typ)  # reads no picture: typst does
    try:
        if job.pictures is not None:
            job.pictures()
        warnings = compile_typst(typ, job.target, job.resources, job.epoch, job.limits or Limits())
    finally:
        typ.unlink(missing_ok=True)
    missing = {w.lower() for w in warnings if "unknown font family" in w.lower()}
    used = next((f for f in FONTS if not any(f.lower() in m for m in missing)), FONTS[-1])
    job.log(f"PDF: phông chữ {used}")


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [
        OutputFormat(
            "pdf", ".pdf", "PDF để in và phát hành", convert, finish=WORKERS.stop,
            pictures_late=True,
        )
    ]  # fmt: skip
