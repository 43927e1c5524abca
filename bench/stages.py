"""Where a cold ``cchc build`` spends its time: stage by stage, external processes apart.

Run from the repository root with the Python that has the project installed::

    python bench/stages.py [--runs N] [--json PATH] [--cprofile N]

The sample project is created afresh (``cchc init``) and built cold (no ``.cchc-cache``, no
``build/``) in this process, with light instrumentation: the wall time of each stage of
:meth:`Pipeline.build`, and every external process the build starts (pandoc reading a
narrative or converting, a typst worker, LibreOffice) with its start and end. Chart worker
processes are timed by the main thread's wait for them. ``--cprofile N`` adds one more run
under cProfile and lists its N functions of most own time (cProfile slows Python code
about twofold, so that run is not one of the timed ones).

``bench/run.py`` calls :func:`profile` for the table it writes to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the stages of Pipeline.build, in order: (key, what the table calls it)
STAGES = (
    ("start", "start-up: import, config, plugins"),
    ("collect", "read and validate the submissions"),
    ("render", "render the templates (report and sections)"),
    ("documents", "assemble the other documents"),
    ("drafts", "drafts kept and compared"),
    ("charts", "wait for the charts"),
    ("convert", "conversions, cache and publishing"),
    ("finish", "manifest, data export and the rest"),
)


@dataclass
class Process:
    """One external process the build started."""

    kind: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Profile:
    """One instrumented cold build."""

    total: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    marks: list[tuple[str, float]] = field(default_factory=list)

    def stage_of(self, moment: float) -> str:
        current = "start"
        for name, at in self.marks:
            if at <= moment:
                current = name
        return current


def _kind(command: list[str]) -> str:
    """What an external process is, from its command line."""
    text = " ".join(str(c) for c in command)
    if "typst_service" in text:
        return "typst worker"  # alive for the build: its compilations are timed one by one
    if "pandoc_service" in text:
        return "pandoc kept"  # alive for the build: its requests are timed one by one
    if "typst_worker" in text:
        return "typst"
    if "soffice" in text or "libreoffice" in text:
        return "LibreOffice"
    if "pandoc" in text:
        if "--version" in text:
            return "pandoc --version"
        if " --to json" in text or "--to=json" in text or " -t json" in text:
            return "pandoc read"
        return "pandoc convert"
    return Path(str(command[0])).name if command else "?"


@contextlib.contextmanager
def _instrumented(profile: Profile, origin: float) -> Iterator[None]:
    """Record stages and external processes while the body runs."""
    from cchc_pipeline import pipeline as pipeline_module
    from cchc_pipeline.render import charts

    lock = threading.Lock()
    patches: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, wrapper: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        patches.append((owner, name, original))
        setattr(owner, name, wrapper(original))

    def mark(stage: str) -> Callable[[Any], Any]:
        def wrapper(original: Any) -> Any:
            def marked(*args: Any, **kwargs: Any) -> Any:
                with lock:
                    profile.marks.append((stage, time.perf_counter() - origin))
                return original(*args, **kwargs)

            return marked

        return wrapper

    def timed_popen(original: Any) -> Any:
        class Timed(original):  # type: ignore[misc, valid-type]
            def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
                self._bench_start = time.perf_counter() - origin
                self._bench_kind = _kind(list(args) if not isinstance(args, str) else [args])
                super().__init__(args, *rest, **kwargs)

            def _record(self) -> None:
                if getattr(self, "_bench_done", False):
                    return
                self._bench_done = True
                end = time.perf_counter() - origin
                if self._bench_kind in ("typst worker", "pandoc kept"):
                    return
                with lock:
                    profile.processes.append(Process(self._bench_kind, self._bench_start, end))

            def wait(self, *args: Any, **kwargs: Any) -> Any:
                result = super().wait(*args, **kwargs)
                self._record()
                return result

            def communicate(self, *args: Any, **kwargs: Any) -> Any:
                result = super().communicate(*args, **kwargs)
                if self.returncode is not None:
                    self._record()
                return result

        return Timed

    from cchc_pipeline.publish.formats import pdf

    if hasattr(pdf, "WORKERS"):  # typst workers kept for the build: each compilation

        def timed_compile(original: Any) -> Any:
            def compiled(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter() - origin
                try:
                    return original(*args, **kwargs)
                finally:
                    end = time.perf_counter() - origin
                    with lock:
                        profile.processes.append(Process("typst", start, end))

            return compiled

        patch(pdf, "compile_typst", timed_compile)
    try:
        from cchc_pipeline.publish.formats import pandoc_service
    except ImportError:  # before narratives were read in kept processes
        pandoc_service = None
    if pandoc_service is not None:

        def timed_read(original: Any) -> Any:
            def read(request: dict[str, Any], **kwargs: Any) -> Any:
                start = time.perf_counter() - origin
                try:
                    return original(request, **kwargs)
                finally:
                    end = time.perf_counter() - origin
                    op = request.get("op")
                    kind = {"json": "pandoc read", "convert": "pandoc convert (kept)"}.get(
                        str(op), "pandoc narrative"
                    )
                    with lock:
                        profile.processes.append(Process(kind, start, end))

            return read

        patch(pandoc_service, "read", timed_read)
    Pipeline = pipeline_module.Pipeline
    patch(Pipeline, "collect_and_validate", mark("collect"))
    patch(Pipeline, "render", mark("render"))
    patch(Pipeline, "documents", mark("documents"))
    import inspect

    from cchc_pipeline.publish import outputs

    if "later" not in inspect.signature(outputs.convert_and_publish).parameters:
        patch(Pipeline, "_draft_round", mark("drafts"))  # since: made during the conversions
    if hasattr(charts.ChartDrawer, "wait"):  # before issue 17: charts drawn before converting
        patch(charts.ChartDrawer, "wait", mark("charts"))
    patch(pipeline_module, "convert_and_publish", mark("convert"))
    patch(subprocess, "Popen", timed_popen)
    try:
        yield
    finally:
        profile.marks.append(("finish", time.perf_counter() - origin))
        for owner, name, original in reversed(patches):
            setattr(owner, name, original)


def _fresh_project(folder: Path) -> Path:
    project = folder / "project"
    shutil.rmtree(project, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "cchc_pipeline", "init", str(project)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr.decode("utf-8", "replace"))
    return project


def _build(project: Path) -> None:
    from cchc_pipeline.cli import main

    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            main.main(["build", "-c", str(project / "config.toml")])
    except SystemExit as exit_:  # the command line's main always exits
        if exit_.code not in (None, 0):
            raise SystemExit(
                f"cchc build failed ({exit_.code}): {err.getvalue()[-2000:]}"
            ) from None


def _cold(project: Path) -> None:
    for name in (".cchc-cache", "build"):  # drafts kept: the comparisons are made
        shutil.rmtree(project / name, ignore_errors=True)


def profile_once(project: Path) -> Profile:
    """One cold build of ``project``, instrumented, in a fresh interpreter (so that imports
    and compiled templates are paid as a real build pays them). The first stage runs from
    the child's launch (the interpreter's start-up and imports) to the first mark."""
    _cold(project)
    launched = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in the child
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(project), repr(launched)],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr.decode("utf-8", "replace")[-3000:])
    data = json.loads(result.stdout)
    profile = Profile(total=data["total"], stages=data["stages"], marks=data["marks"])
    profile.processes = [Process(**p) for p in data["processes"]]
    return profile


def _child(project: Path, launched: float) -> None:
    """The instrumented build itself (run by :func:`profile_once`); prints JSON."""
    result = Profile()
    os.chdir(project)
    with _instrumented(result, launched):
        _build(project)
    result.total = time.perf_counter() - launched
    marks = [("start", 0.0), *sorted(result.marks, key=lambda m: m[1])]
    firsts: dict[str, float] = {}
    for name, at in marks:
        firsts.setdefault(name, at)
    ordered = sorted(firsts.items(), key=lambda item: item[1])
    for (name, at), following in zip(ordered, [*ordered[1:], ("end", result.total)], strict=True):
        result.stages[name] = following[1] - at
    print(json.dumps({
        "total": result.total, "stages": result.stages, "marks": ordered,
        "processes": [p.__dict__ for p in result.processes],
    }))  # fmt: skip


def summarise(runs: list[Profile]) -> dict[str, Any]:
    """Medians over runs: per stage the wall time and the external processes within it."""
    table = []
    for key, label in STAGES:
        walls = [r.stages.get(key, 0.0) for r in runs]
        kinds: dict[str, list[tuple[int, float]]] = {}
        for run in runs:
            per: dict[str, tuple[int, float]] = {}
            for p in run.processes:
                if run.stage_of(p.start) == key:
                    count, seconds = per.get(p.kind, (0, 0.0))
                    per[p.kind] = (count + 1, seconds + p.seconds)
            for kind, value in per.items():
                kinds.setdefault(kind, []).append(value)
        processes = {
            kind: {
                "count": int(statistics.median(c for c, _ in values)),
                "seconds": round(statistics.median(s for _, s in values), 3),
            }
            for kind, values in sorted(kinds.items())
        }
        table.append(
            {"stage": key, "label": label, "wall": round(statistics.median(walls), 3),
             "processes": processes}
        )  # fmt: skip
    return {
        "runs": len(runs),
        "total": round(statistics.median(r.total for r in runs), 3),
        "stages": table,
    }


def markdown_table(summary: dict[str, Any]) -> list[str]:
    """The summary as a Markdown table."""
    lines = [
        "| stage | wall s | share | external processes in it (count, summed s) |",
        "|---|---:|---:|---|",
    ]
    total = summary["total"] or 1.0
    for row in summary["stages"]:
        shown = ", ".join(
            f"{kind} ×{p['count']} {p['seconds']:.2f}" for kind, p in row["processes"].items()
        )
        lines.append(
            f"| {row['label']} | {row['wall']:.2f} | {100 * row['wall'] / total:.0f} % "
            f"| {shown or '—'} |"
        )
    lines.append(f"| **cold build, in all** | **{summary['total']:.2f}** | 100 % | |")
    return lines


def profile(runs: int = 3, folder: Path | None = None) -> dict[str, Any]:
    """Profile ``runs`` cold builds of a fresh sample project (one warm-up run first)."""
    with tempfile.TemporaryDirectory(prefix="cchc-profile-") as tmp:
        project = _fresh_project(Path(folder or tmp))
        profile_once(project)  # warm-up: imports, the operating system's file cache
        return summarise([profile_once(project) for _ in range(runs)])


def top_functions(count: int) -> str:
    """One more cold build under cProfile: the functions of most own time."""
    with tempfile.TemporaryDirectory(prefix="cchc-profile-") as tmp:
        project = _fresh_project(Path(tmp))
        _cold(project)
        profiler = cProfile.Profile()
        cwd = Path.cwd()
        os.chdir(project)
        try:
            profiler.runcall(_build, project)
        finally:
            os.chdir(cwd)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(count)
        return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        _child(Path(options.child[0]), float(options.child[1]))
        return 0
    summary = profile(options.runs)
    print("\n".join(markdown_table(summary)))
    if options.json:
        options.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    if options.cprofile:
        print(top_functions(options.cprofile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
