"""Compile typst files to PDF, one after another, in a process of its own with a memory limit.

Run as a script by :mod:`.pdf` (``python typst_service.py MEGABYTES``): it sets its
address-space limit, imports typst once (most of what a one-file worker cost: a Python start
and typst's import, about 0.12 s per PDF), then reads one JSON request per line on stdin
(``{"source", "output", "root", "epoch"}``) and answers each with one JSON line on stdout,
``{"warnings": [...]}`` or ``{"error": "..."}``. typst aborts the whole process when an
allocation fails, so an input that escaped the intake checks ends this process only: the
build sees its stdout close and tells the limit. It exits 0 at the end of its input or after
``IDLE_SECONDS`` without a request (a long-running portal keeps no idle worker), 75 when
Python's memory ran out.
"""

import sys

sys.path.pop(0)  # this folder holds modules named like the standard library's (html, markdown)

import datetime as dt
import json
import select

OUT_OF_MEMORY = 75
IDLE_SECONDS = 30


def _answer(reply: dict) -> None:
    sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _resident_mb() -> int:
    """This process's resident memory now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") // 2**20


def _requests():
    """Each request line; stops at the end of input, or when idle on POSIX."""
    while True:
        if sys.platform != "win32":
            ready, _, _ = select.select([sys.stdin], [], [], IDLE_SECONDS)
            if not ready:
                return
        line = sys.stdin.readline()
        if not line:
            return
        yield json.loads(line)


def main(megabytes: str) -> int:
    """Set the memory limit first, then import typst and compile what is asked."""
    if sys.platform != "win32":
        import resource

        limit = int(megabytes) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        import typst
    except MemoryError:
        _answer({"error": "MemoryError"})
        return OUT_OF_MEMORY
    for request in _requests():
        try:
            _, warnings = typst.compile_with_warnings(
                request["source"],
                output=request["output"],
                root=request["root"],
                timestamp=dt.datetime.fromtimestamp(int(request["epoch"]), dt.timezone.utc),
            )
        except MemoryError:
            _answer({"error": "MemoryError"})
            return OUT_OF_MEMORY
        except Exception as exc:  # typst's own error type, with the source position
            _answer({"error": str(exc)})
            continue
        _answer({"warnings": [str(w) for w in warnings], "resident_mb": _resident_mb()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
