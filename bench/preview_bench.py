"""The preview's measurements: a real ``cchc preview`` on 127.0.0.1 over a fresh ``cchc init``
project, and the time from saving a submission's file to the page served showing the change.

- *value*: the 2020 value of ``pbgdpl_buoi`` in ``submissions/stp/so-lieu.csv`` is set to a
  value never used before; the time runs from the file's write until a GET of ``/`` returns
  a page with the new value as the report prints it (``1.234``: a dot between thousands);
- *narrative*: a sentence with a word never used before is added to
  ``submissions/stp/bao-cao.md`` (in its "Hạn chế" part, which the report prints); the time
  runs until the page holds that word.
The page is asked for every 20 ms. Every wait is bounded; the server listens on 127.0.0.1
only and is stopped at the end, also when a measurement fails.

Run alone (standard library and the project only)::

    python bench/preview_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

# the sample's CSV, edited cell by cell exactly as bench/run.py's one-value rebuild does
from run import read_csv_value, set_csv_value, vietnamese_int

EDIT = ("stp", "pbgdpl_buoi", "2020")  # the value changed (as bench/run.py's one-value rebuild)
TARGETS = {"value": 1.0, "narrative": 1.5}  # seconds, medians (issue #17)
POLL = 0.02  # seconds between two GETs of the page
START_TIMEOUT = 180.0  # seconds for the first page (a cold build of the sample)
CHANGE_TIMEOUT = 60.0  # seconds for one change to show
NARRATIVE_ANCHOR = "# Hạn chế"  # the new sentence goes at the end of the part before it


class PreviewBenchError(Exception):
    """The preview did not do what was measured."""


def _shows_number(page: str, number: str) -> bool:
    """Whether the page prints ``number`` ("1.234"), not as part of a longer number. (A
    plain search, then a look at each hit's neighbours: a regular expression with
    look-arounds takes 30 ms over the 1.2 MB page, CPU that the build being timed needs.)"""
    start = page.find(number)
    while start >= 0:
        end = start + len(number)
        before, after = page[start - 1 : start], page[end : end + 2]
        longer = (
            before.isdigit()
            or before in (".", ",")
            or after[:1].isdigit()
            or (after[:1] in (".", ",") and after[1:2].isdigit())
        )
        if not longer:
            return True
        start = page.find(number, start + 1)
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str | None:
    """The page, or None while the server does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, shows: Callable[[str], bool], timeout: float) -> float:
    """Poll the page every :data:`POLL` seconds until ``shows`` it; the moment it did."""
    deadline = time.perf_counter() + timeout
    while True:
        page = _get(url)
        now = time.perf_counter()
        if page is not None and shows(page):
            return now
        if now > deadline:
            raise PreviewBenchError(f"the page did not show the change within {timeout:g} s")
        time.sleep(POLL)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM (which the preview takes as Ctrl-C: a child of a background job ignores
    SIGINT), then SIGKILL; then whatever of its process group is left."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    # a chart worker the server left behind (its own session: only what it started)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)


def measure_preview(
    tmp: Path, runs: int, log: Callable[[str], None] | None = None
) -> dict[str, list[float]]:
    """Seconds from saving a file to the page showing it: ``runs`` timed changes of a value
    and of a narrative, each kind after one untimed warm-up."""
    say = log or (lambda line: None)
    project = Path(tmp) / "preview"
    command = [sys.executable, "-m", "cchc_pipeline"]
    subprocess.run([*command, "init", str(project)], cwd=project.parent, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    config = project / "config.toml"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = project / "preview.log"
    errors = log_path.open("wb")  # read when something fails
    server = subprocess.Popen(
        [*command, "preview", "-c", str(config), "--port", str(port)],
        cwd=project, stdout=errors, stderr=errors, start_new_session=True,
    )  # fmt: skip
    found: dict[str, list[float]] = {"value": [], "narrative": []}
    try:
        started = time.perf_counter()
        _wait_for(url, lambda page: "Cải cách thể chế" in page, START_TIMEOUT)
        say(f"  first page: {time.perf_counter() - started:.2f} s")
        csv_path = project / "submissions" / EDIT[0] / "so-lieu.csv"
        value = read_csv_value(csv_path, *EDIT[1:])
        for i in range(-1, runs):  # the first (i = -1) is a warm-up
            page = _get(url) or ""
            for _ in range(1000):  # a value the page does not show yet
                value += 1
                shown = vietnamese_int(value)
                if not _shows_number(page, shown):
                    break
            else:
                raise PreviewBenchError("no unused value found")
            set_csv_value(csv_path, *EDIT[1:], vietnamese_int(value))
            written = time.perf_counter()
            wall = _wait_for(url, lambda p, s=shown: _shows_number(p, s), CHANGE_TIMEOUT) - written
            if i >= 0:
                found["value"].append(wall)
            say(f"  value {vietnamese_int(value)} in the page: {wall:.2f} s")
        narrative = project / "submissions" / EDIT[0] / "bao-cao.md"
        for i in range(-1, runs):
            marker = f"dinhchinh{os.getpid()}x{i + 2}"
            text = narrative.read_text(encoding="utf-8")
            if NARRATIVE_ANCHOR not in text:
                raise PreviewBenchError(f"{narrative}: no “{NARRATIVE_ANCHOR}” part")
            sentence = f"Đính chính qua điện thoại, mã {marker}.\n\n"
            narrative.write_text(text.replace(NARRATIVE_ANCHOR, sentence + NARRATIVE_ANCHOR, 1),
                                 encoding="utf-8")  # fmt: skip
            written = time.perf_counter()
            wall = _wait_for(url, lambda p, m=marker: m in p, CHANGE_TIMEOUT) - written
            if i >= 0:
                found["narrative"].append(wall)
            say(f"  narrative sentence in the page: {wall:.2f} s")
        return found
    except Exception:
        errors.flush()
        say(log_path.read_text(encoding="utf-8", errors="replace")[-3000:])
        raise
    finally:
        _stop(server)
        errors.close()


def summary(found: dict[str, list[float]]) -> list[str]:
    """One line per measurement: its median against its target, met or not."""
    lines = []
    names = {"value": "a changed value", "narrative": "a changed narrative"}
    for key, target in TARGETS.items():
        walls = found[key]
        median = statistics.median(walls)
        verdict = "met" if median <= target else "NOT met"
        lines.append(
            f"preview: {names[key]} in the page: median {median:.2f} s, min {min(walls):.2f} s "
            f"({len(walls)} runs); target ≤ {target:.1f} s: {verdict}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each kind")
    runs = parser.parse_args(argv).runs
    with tempfile.TemporaryDirectory(prefix="cchc-preview-bench-") as tmp:
        found = measure_preview(Path(tmp), max(1, runs), log=print)
    for line in summary(found):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
