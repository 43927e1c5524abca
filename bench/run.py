"""Benchmark ``cchc build`` against its floor, bare pandoc + typst, on this machine.

Run from the repository root with the Python that has the project installed::

    python bench/run.py [--repeat N] [--quick] [--output PATH]

Every measurement is a command run in a child process: wall time with ``time.perf_counter``,
peak memory as the largest process's maximum RSS (``os.wait4``'s resource usage of the child
and its waited-for descendants) and, in an untimed warm-up run, as the sampled total PSS of
every process the benchmark started (``/proc``, every 50 ms). The results, with the
machine's description and the ratios of the performance targets, are printed and written to
``docs/benchmarks.md``.
bench/README.md explains each measurement.
"""

from __future__ import annotations

import argparse
import compileall
import concurrent.futures
import csv
import datetime as dt
import importlib.metadata
import io
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cchc_pipeline import __version__ as CCHC_VERSION
from cchc_pipeline import resources
from cchc_pipeline.config import load_config, report_epoch
from cchc_pipeline.pipeline import CACHE_DIR
from cchc_pipeline.publish.formats.pandoc import READER, pandoc_path
from cchc_pipeline.publish.uptodate import RECORD as UP_TO_DATE

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"
SAMPLE_DEPARTMENTS = 6  # stp, vp, snv, stc, stttt, skhcn (tonghop is the coordinator)
SCALES = (10, 100)
BIG_ROWS = 100_000
YEARS = range(2011, 2021)
EDIT = ("stp", "pbgdpl_buoi", "2020")  # the value the one-value rebuild changes
SAMPLE_INTERVAL = 0.05  # seconds between two samples of the process tree's memory
MIB = 1024


class BenchError(Exception):
    """A command of the benchmark failed."""


# --------------------------------------------------------------------------------------
# Running and measuring commands
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured run: wall seconds, largest process's max RSS and the tree's peak PSS."""

    wall: float
    rss_kib: int = 0
    tree_kib: int = 0


@dataclass
class Measurement:
    label: str
    runs: list[Run] = field(default_factory=list)  # the timed runs
    tree_kib: int = 0  # peak total PSS of the process tree, sampled in the warm-up run

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def minimum(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(r.rss_kib for r in self.runs) / MIB

    @property
    def tree_mib(self) -> float:
        return self.tree_kib / MIB

    @property
    def peak_mib(self) -> float:
        """The larger of the two memory figures (a short spike may fall between samples)."""
        return max(self.rss_mib, self.tree_mib)


HAVE_PROC = Path("/proc/self/stat").is_file()


def _descendants(root: int) -> list[int]:
    """Every process below ``root``, found through the parent ids in ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def _pss_kib(pid: int) -> int:
    """Proportional set size (shared pages split between their users), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGESIZE") // 1024
    except (OSError, IndexError, ValueError):
        return 0


class TreeSampler:
    """Samples the total memory of every process this benchmark started, keeps the peak."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        if HAVE_PROC:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.wait(SAMPLE_INTERVAL):
            total = sum(_pss_kib(pid) for pid in _descendants(me))
            self.peak_kib = max(self.peak_kib, total)


def _maxrss_kib(usage: object) -> int:
    value = int(getattr(usage, "ru_maxrss", 0))
    return value // 1024 if sys.platform == "darwin" else value  # bytes on macOS


def spawn(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command``; wall time and the max RSS of its largest process. Raises on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            out.seek(0)
            tail = (out.read() + err.read()).decode("utf-8", "replace").strip()[-2000:]
            raise BenchError(
                f"{' '.join(command)} (in {cwd}) exited with {process.returncode}:\n{tail}"
            )
    return Run(wall, _maxrss_kib(usage))


def measured(action: Callable[[], Run]) -> Run:
    """Run ``action`` while sampling the memory of the process tree."""
    with TreeSampler() as sampler:
        run = action()
    run.tree_kib = sampler.peak_kib
    return run


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------


def cchc_command() -> list[str]:
    """The ``cchc`` script of this Python's installation (what a user types)."""
    script = Path(sys.executable).parent / "cchc"
    if script.is_file():
        return [str(script)]
    found = shutil.which("cchc")
    return [found] if found else [sys.executable, "-m", "cchc_pipeline"]


CCHC = cchc_command()


def init_project(directory: Path) -> Path:
    spawn([*CCHC, "init", str(directory)], cwd=directory.parent)
    return directory


def set_config_line(project: Path, table: str, key: str, value: str) -> None:
    """Set ``key = value`` in ``[table]`` of the project's config.toml (added when absent)."""
    path = project / "config.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"[{table}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    pattern = re.compile(rf"^{re.escape(key)}\s*=")
    for i in range(start + 1, end):
        if pattern.match(lines[i]):
            lines[i] = f"{key} = {value}"
            break
    else:
        lines.insert(end, f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def forget_stages(project: Path) -> None:
    """Drop the cached stages and outputs (every section is collected, validated, rendered
    and written again) but keep the narratives and charts, which do not grow with scale."""
    for kind in ("stages", "outputs"):
        shutil.rmtree(project / CACHE_DIR / kind, ignore_errors=True)
    (project / CACHE_DIR / UP_TO_DATE).unlink(missing_ok=True)  # else nothing is rebuilt


def clear_cache(project: Path) -> None:
    shutil.rmtree(project / CACHE_DIR, ignore_errors=True)
    shutil.rmtree(project / "build", ignore_errors=True)


SYNTHETIC_PLUGIN = """\
from cchc_pipeline import Department, hookimpl


@hookimpl
def cchc_department():
    return Department(code="P{i}", name="Đơn vị thử {i}", field="Lĩnh vực thử {i}")


@hookimpl
def cchc_render(section, data, report):
    return {{"results": "Đoạn văn thử."}}
"""

BIG_PLUGIN = """\
from cchc_pipeline import Department, hookimpl
from cchc_pipeline.intake.yearly import read_csv


@hookimpl
def cchc_department():
    return Department(code="LON", name="Đơn vị số liệu lớn", field="Lĩnh vực số liệu lớn")


@hookimpl
def cchc_collect(section):
    return read_csv(section, section.submission / "so-lieu.csv")


@hookimpl
def cchc_render(section, data, report):
    total = sum(values.get(2020, 0) for values in data.values.values())
    return {"results": f"Đã đọc {len(data.values)} dòng số liệu; tổng năm 2020: {total}."}
"""


def scale_project(directory: Path, departments: int) -> Path:
    """The sample plus ``departments - 6`` one-file plugins in the project's extra/ folder."""
    init_project(directory)
    set_config_line(directory, "plugins", "folders", '["extra"]')
    set_config_line(directory, "plugins", "disabled", "[]")
    extra = directory / "extra"
    extra.mkdir()
    for i in range(1, departments - SAMPLE_DEPARTMENTS + 1):
        (extra / f"p{i:03d}.py").write_text(SYNTHETIC_PLUGIN.format(i=i), encoding="utf-8")
    return directory


COMMUNES = 200  # Lạng Sơn's communes from 2020: a district rolling up its communes' exports


def without_districts(directory: Path) -> Path:
    """The sample with its ``[districts]`` table (and its entries) removed."""
    path = directory / "config.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[districts]")
    end = text.index("\n[", start + 1)
    path.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    return directory


def many_districts(directory: Path, count: int) -> Path:
    """The sample rolling up ``count`` exports (copies of one district's, renamed) instead of
    its eleven: the same mechanism as a district rolling up its communes."""
    import json

    init_project(directory)
    without_districts(directory)
    source = json.loads((directory / "districts" / "huyen-cao-loc.data.json").read_text("utf-8"))
    folder = directory / "communes"
    folder.mkdir()
    lines = ["[districts]"]
    for i in range(1, count + 1):
        source["report"]["agency"] = f"UBND xã Minh họa {i:03d}"
        source["report"]["number"] = str(i)
        (folder / f"xa-{i:03d}.data.json").write_text(
            json.dumps(source, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        lines.append(f'"Xã Minh họa {i:03d}" = "communes/xa-{i:03d}.data.json"')
    path = directory / "config.toml"
    text = path.read_text(encoding="utf-8").replace("[output]", "\n".join(lines) + "\n\n[output]")
    path.write_text(text, encoding="utf-8")
    return directory


def big_project(directory: Path, rows: int) -> Path:
    """The sample plus one department whose submission holds ``rows`` rows of figures."""
    init_project(directory)
    set_config_line(directory, "plugins", "folders", '["extra"]')
    (directory / "extra").mkdir()
    (directory / "extra" / "lon.py").write_text(BIG_PLUGIN, encoding="utf-8")
    submission = directory / "submissions" / "lon"
    submission.mkdir()
    rng = random.Random(20201120)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ma_chi_tieu", *YEARS])  # the id column read_csv requires
    for row in range(1, rows + 1):
        writer.writerow([f"r{row:06d}", *(rng.randint(0, 100_000) for _ in YEARS)])
    (submission / "so-lieu.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return directory


_CSV_FIELD = re.compile(r'"(?:[^"]|"")*"|[^,\r\n]*')


def set_csv_value(path: Path, indicator: str, year: str, value: str) -> None:
    """Change one cell of a department's so-lieu.csv; every other byte stays as it was."""
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    column = [h.strip() for h in header].index(year)
    for number, line in enumerate(lines):
        if not line.startswith(indicator + ","):
            continue
        body = line.rstrip("\r\n")
        cells, position = [], 0
        while True:  # the raw text of each cell, quotes included
            match = _CSV_FIELD.match(body, position)
            cells.append(match.group(0))  # type: ignore[union-attr]
            position = match.end()  # type: ignore[union-attr]
            if position >= len(body):
                break
            position += 1  # the comma
        quoted = cells[column].startswith('"')
        cells[column] = f'"{value}"' if quoted else value
        lines[number] = ",".join(cells) + line[len(body) :]
        break
    else:
        raise BenchError(f"{path}: no line for {indicator}")
    path.write_text("".join(lines), encoding="utf-8")


def read_csv_value(path: Path, indicator: str, year: str) -> int:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    column = [h.strip() for h in rows[0]].index(year)
    row = next(r for r in rows if r and r[0] == indicator)
    return int(row[column].replace(".", "").strip())


def vietnamese_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# --------------------------------------------------------------------------------------
# The floor: bare pandoc and typst on the pipeline's own Markdown
# --------------------------------------------------------------------------------------


@dataclass
class FloorDocument:
    """One document of the build as the pipeline assembled it, and its pandoc formats."""

    markdown: Path
    formats: tuple[str, ...]
    pagetitle: str
    reader: str = READER  # "json": a comparison's syntax tree


@dataclass
class Floor:
    """The assembled Markdown of the sample's documents and what converting them needs."""

    documents: list[FloorDocument]
    epoch: int
    threads: int = 4

    @property
    def folder(self) -> Path:
        return self.documents[0].markdown.parent

    def pandoc(self, doc: FloorDocument, to: str, args: list[str], output: Path) -> list[str]:
        """The pandoc command of ``cchc_pipeline.publish.formats.pandoc.run_pandoc``."""
        templates = resources.templates_dir()
        return [
            pandoc_path(),
            str(doc.markdown),
            "--from",
            doc.reader,
            "--to",
            to,
            "--resource-path",
            str(self.folder),
            f"--lua-filter={templates / 'filters' / 'formats.lua'}",
            f"--lua-filter={templates / 'filters' / 'layout.lua'}",
            *args,
            "--output",
            str(output),
        ]

    def commands(self, doc: FloorDocument, fmt: str, out: Path) -> list[list[str]]:
        """One format of one document, as the format plugins run it (one after the other)."""
        templates = resources.templates_dir()
        target = out / f"{doc.markdown.stem}.{fmt}"
        if fmt == "docx":
            reference = f"--reference-doc={templates / 'docx' / 'reference.docx'}"
            return [self.pandoc(doc, "docx", [reference], target)]
        if fmt == "html":
            args = ["--standalone", "--embed-resources", "--toc", "--toc-depth=3",
                    f"--template={templates / 'html' / 'report.html'}",
                    f"--css={templates / 'html' / 'report.css'}",
                    f"--metadata=pagetitle:{doc.pagetitle}"]  # fmt: skip
            return [self.pandoc(doc, "html5", args, target)]
        if fmt == "pptx":
            args = ["--slide-level=2", f"--reference-doc={templates / 'pptx' / 'reference.pptx'}"]
            return [self.pandoc(doc, "pptx", args, target)]
        assert fmt == "pdf", fmt
        typ = self.folder / f".{out.name}-{doc.markdown.stem}.typ"  # beside the Markdown: root
        compile_pdf = (
            "import datetime as dt, sys, typst; "
            "typst.compile(sys.argv[1], output=sys.argv[2], root=sys.argv[3], "
            "timestamp=dt.datetime.fromtimestamp(int(sys.argv[4]), dt.timezone.utc))"
        )
        return [
            self.pandoc(doc, "typst", [f"--template={templates / 'typst' / 'report.typ'}"], typ),
            [sys.executable, "-c", compile_pdf, str(typ), str(target), str(self.folder),
             str(self.epoch)],
        ]  # fmt: skip

    def jobs(self, out: Path) -> list[list[list[str]]]:
        return [self.commands(doc, fmt, out) for doc in self.documents for fmt in doc.formats]

    def run(self, out: Path) -> Run:
        """Every document in each of its formats, ``threads`` at a time; wall time of the whole."""
        out.mkdir(parents=True)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(self.epoch)}

        def chain(commands: list[list[str]]) -> int:
            return max(spawn(command, cwd=self.folder, env=env).rss_kib for command in commands)

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.threads) as pool:
            rss = max(pool.map(chain, self.jobs(out)))
        wall = time.perf_counter() - start
        for leftover in self.folder.glob(".*.typ"):
            leftover.unlink()
        return Run(wall, rss)

    def report_only(self) -> Floor:
        """The floor of the report alone (no thematic reports, no commendation list)."""
        return Floor(self.documents[:1], self.epoch, self.threads)

    def one_value(self, comparisons: list[Path]) -> Floor:
        """What one changed value of stp reconverts: the report, stp's thematic report, and
        the comparison of each with its previous draft (``comparisons``: their syntax trees)."""
        stp = [d for d in self.documents if d.markdown.stem.endswith("-chuyen-de-stp")]
        trees = []
        for n, tree in enumerate(comparisons):
            copy = self.folder / f"so-sanh-{n + 1}.json"  # beside the Markdown: the media
            shutil.copyfile(tree, copy)
            trees.append(FloorDocument(copy, ("docx",), copy.stem, reader="json"))
        return Floor([self.documents[0], *stp, *trees], self.epoch, self.threads)


# the commendation documents' file name endings and their [output] keys (most specific first)
COMMENDATION_OUTPUTS = (
    ("to-trinh-khen-thuong", "to_trinh"),
    ("quyet-dinh-khen-thuong", "quyet_dinh"),
    ("khen-thuong", "commendations"),
    ("chuong-trinh-2021-2030", "programme"),
)


def prepare_floor(tmp: Path) -> Floor:
    """Build the sample once as Markdown (with its media/) to get the pipeline's own input:
    every document the cold build converts, each with the formats the config gives it."""
    project = init_project(tmp / "floor-project")
    config = load_config(project / "config.toml")
    output = config.output
    set_config_line(project, "output", "thematic", '["md"]')
    for key in ("commendations", "to_trinh", "quyet_dinh", "programme"):
        set_config_line(project, "output", key, '["md"]')
    markdown_dir = tmp / "floor-markdown"
    spawn([*CCHC, "build", "-f", "md", "-o", str(markdown_dir)], cwd=project)
    document = config.document
    title = f"{document['kind']} {document['summary']}"
    pandoc_formats = {"docx", "html", "pptx", "pdf"}  # md is a copy, xlsx is not pandoc's
    report = markdown_dir / f"{output['name']}.md"
    documents = [
        FloorDocument(report, tuple(f for f in output["formats"] if f in pandoc_formats), title)
    ]
    for path in sorted(markdown_dir.glob(f"{output['name']}-*.md")):
        kind = next(
            (output[key] for suffix, key in COMMENDATION_OUTPUTS if path.stem.endswith(suffix)),
            output["thematic"],
        )
        documents.append(
            FloorDocument(path, tuple(f for f in kind if f in pandoc_formats), path.stem)
        )
    return Floor(documents=documents, epoch=report_epoch(config))


# --------------------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------------------


class Bench:
    def __init__(self, tmp: Path, repeat: int) -> None:
        self.tmp = tmp
        self.repeat = repeat
        self.results: dict[str, Measurement] = {}
        self.profile: dict | None = None  # bench/stages.py's summary of this run

    def measure(
        self,
        key: str,
        label: str,
        action: Callable[[int], Run],
        *,
        before: Callable[[int], None] | None = None,
    ) -> Measurement:
        """One warm-up run, then ``repeat`` timed runs of ``action``.

        The warm-up run is not timed: it is the run whose process tree's memory is sampled
        (reading PSS from ``/proc`` takes CPU time, which would slow the timed runs down).
        ``before(i)`` prepares run ``i`` outside the timed part (i = -1 is the warm-up).
        """
        measurement = Measurement(label)
        for i in range(-1, self.repeat):
            if before is not None:
                before(i)
            if i < 0:
                run = measured(lambda: action(-1))
                measurement.tree_kib = run.tree_kib
                what = f"warm-up {run.wall:.2f} s, tree {run.tree_kib / MIB:.0f} MiB"
            else:
                run = action(i)
                measurement.runs.append(run)
                what = f"run {i + 1}/{self.repeat} {run.wall:.2f} s"
            log(f"  {label}: {what}, largest process {run.rss_kib / MIB:.0f} MiB")
        self.results[key] = measurement
        return measurement

    def build(self, project: Path, *args: str) -> Callable[[int], Run]:
        return lambda i: spawn([*CCHC, "build", *args], cwd=project)

    def portal(self, tmp: Path) -> dict[str, Measurement]:
        """``cchc serve``: upload to findings, 20 sessions at once, idle memory."""
        import portal_bench

        log("7. the portal (cchc serve on 127.0.0.1)")
        found = portal_bench.measure(CCHC, init_project(tmp / "portal"), self.repeat, log)
        self.results["portal_upload"] = Measurement(
            "portal: upload of a filled form to the page with its findings",
            [Run(w) for w in found["single"]],
        )
        self.results["portal_20"] = Measurement(
            f"portal: {portal_bench.SESSIONS} sessions uploading at once (each one's time)",
            [Run(w) for w in found["together"]],
        )
        self.results["portal_idle"] = Measurement(
            "portal: server process idle after the load (RSS)",
            [Run(0.0, found["idle_kib"])],
            found["idle_kib"],
        )
        return self.results

    def run_all(self) -> dict[str, Measurement]:
        tmp = self.tmp

        log("1. floor: pandoc + typst on the pipeline's Markdown")
        floor = prepare_floor(tmp)
        conversions = len(floor.jobs(tmp))
        self.measure(
            "floor",
            f"floor: pandoc + typst, every document's conversions ({conversions}), "
            f"{floor.threads} at a time",
            lambda i: floor.run(tmp / "floor-out" / f"run{i + 1}"),
        )
        alone = floor.report_only()
        self.measure(
            "floorreport",
            f"floor, the report only: pandoc + typst, {', '.join(alone.documents[0].formats)}",
            lambda i: alone.run(tmp / "floor-report-out" / f"run{i + 1}"),
        )

        log("2. cchc build, cold")
        project = init_project(tmp / "sample")
        self.measure(
            "cold",
            "`cchc build`, cold (all formats, cache removed)",
            self.build(project),
            before=lambda i: clear_cache(project),
        )

        log("3. cchc build, nothing changed")
        self.measure(
            "nochange",
            "`cchc build`, nothing changed",
            self.build(project),
        )

        log("4. cchc build, one value changed")
        csv_path = project / "submissions" / EDIT[0] / "so-lieu.csv"
        base = read_csv_value(csv_path, EDIT[1], EDIT[2])
        self.measure(
            "onevalue",
            f"`cchc build`, one value changed ({EDIT[0]}: {EDIT[1]} {EDIT[2]})",
            self.build(project),
            # a new value every run: an earlier value's chart would come from the chart cache
            before=lambda i: set_csv_value(csv_path, *EDIT[1:], vietnamese_int(base + i + 2)),
        )
        # the comparisons that rebuild made: one more change, and the trees it wrote
        made = time.time()
        set_csv_value(csv_path, *EDIT[1:], vietnamese_int(base + self.repeat + 5))
        spawn([*CCHC, "build"], cwd=project)
        trees = sorted(p for p in (project / CACHE_DIR / "comparisons").glob("*/out")
                       if p.stat().st_mtime >= made - 1)  # fmt: skip
        changed = floor.one_value(trees)
        self.measure(
            "flooronevalue",
            f"floor, what the one-value rebuild reconverts: the report, stp's thematic report, "
            f"{len(trees)} comparisons (DOCX), {len(changed.jobs(tmp))} conversions",
            lambda i: changed.run(tmp / "floor-one-value-out" / f"run{i + 1}"),
        )

        log("   (for reference) cchc build, cold, the report only")
        report_only = init_project(tmp / "report-only")
        set_config_line(report_only, "output", "thematic", "[]")
        for key in ("commendations", "to_trinh", "quyet_dinh", "programme"):
            set_config_line(report_only, "output", key, "[]")
        self.measure(
            "reportonly",
            "`cchc build`, cold, the report only (no thematic reports, no commendation list)",
            self.build(report_only),
            before=lambda i: clear_cache(report_only),
        )

        log("5. start-up")
        self.measure(
            "import",
            '`python -c "import click, pluggy"`',
            lambda i: spawn([sys.executable, "-c", "import click, pluggy"], cwd=tmp),
        )
        self.measure("help", "`cchc --help`", lambda i: spawn([*CCHC, "--help"], cwd=tmp))
        self.measure(
            "plugins",
            "`cchc plugins` (sample project)",
            lambda i: spawn([*CCHC, "plugins"], cwd=project),
        )

        log("6. scale")
        md_sample = init_project(tmp / "md-sample")
        self.measure(
            "md6",
            f"`cchc build -f md`, the sample ({SAMPLE_DEPARTMENTS} departments)",
            self.build(md_sample, "-f", "md"),
            before=lambda i: forget_stages(md_sample),
        )
        for n in SCALES:
            scaled = scale_project(tmp / f"scale-{n}", n)
            self.measure(
                f"md{n}",
                f"`cchc build -f md`, {n} department plugins",
                self.build(scaled, "-f", "md"),
                before=lambda i, scaled=scaled: forget_stages(scaled),
            )
        self.portal(tmp)
        big = big_project(tmp / "big", BIG_ROWS)
        self.measure(
            "big",
            f"`cchc build -f md`, sample + one department of {BIG_ROWS:,} rows",
            self.build(big, "-f", "md"),
            before=lambda i: forget_stages(big),
        )

        log("7. district roll-up")
        alone = without_districts(init_project(tmp / "no-districts"))
        self.measure(
            "coldnodist",
            "`cchc build`, cold, the sample without its 11 districts",
            self.build(alone),
            before=lambda i: clear_cache(alone),
        )
        self.measure(
            "nochangenodist",
            "`cchc build`, nothing changed, the sample without its 11 districts",
            self.build(alone),
        )
        self.measure(
            "mdnodist",
            "`cchc build -f md`, the sample without its 11 districts",
            self.build(alone, "-f", "md"),
            before=lambda i: forget_stages(alone),
        )
        log("8. cchc preview: from saving a file to the page")
        import preview_bench

        found = preview_bench.measure_preview(tmp, self.repeat, log)
        for kind, label in (("value", "a changed value"), ("narrative", "a changed narrative")):
            self.results[f"preview_{kind}"] = Measurement(
                f"`cchc preview`: {label} in the page, from saving the file",
                [Run(w) for w in found[kind]],
            )
        log("9. where a cold build spends its time (bench/stages.py)")
        import stages

        self.profile = stages.profile(self.repeat)
        communes = many_districts(tmp / "communes", COMMUNES)
        self.measure(
            "md200exports",
            f"`cchc build -f md`, the sample rolling up {COMMUNES} exports",
            self.build(communes, "-f", "md"),
            before=lambda i: forget_stages(communes),
        )
        return self.results


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    value: float
    limit: float
    text: str  # the value as shown
    limit_text: str
    at_most: bool = True  # value <= limit (else value < limit)

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.at_most else self.value < self.limit


def portal_targets(r: dict[str, Measurement]) -> list[Target]:
    """The portal's targets (issue #14), when it was measured."""
    if "portal_upload" not in r:
        return []
    upload = r["portal_upload"].median
    walls = sorted(run.wall for run in r["portal_20"].runs)
    p95 = walls[math.ceil(0.95 * len(walls)) - 1]
    idle = r["portal_idle"].rss_mib
    return [
        Target("portal: upload to findings (median)", upload, 1.0, f"{upload:.2f} s", "≤ 1.00 s"),
        Target(
            "portal: 20 concurrent uploads, p95 (all succeeded)",
            p95,
            2.0,
            f"{p95:.2f} s",
            "≤ 2.00 s",
        ),
        Target("portal: idle server memory", idle, 150, f"{idle:.0f} MiB", "≤ 150 MiB"),
    ]


def targets(r: dict[str, Measurement]) -> list[Target]:
    if "md10" not in r:  # --portal: the portal alone
        return portal_targets(r)
    per10 = r["md10"].median / SCALES[0]
    per100 = r["md100"].median / SCALES[1]
    growth = per100 / per10 - 1
    ratio = [
        ("cold build, every document and format / floor", r["cold"].median / r["floor"].median,
         1.3),
        ("no-change rebuild / cold build", r["nochange"].median / r["cold"].median, 0.05),
        ("`cchc --help` / import click + pluggy", r["help"].median / r["import"].median, 1.5),
    ]  # fmt: skip
    if "flooronevalue" in r:  # against the floor of the conversions it makes (issue 17)
        ratio.insert(2, ("one-value rebuild / floor of what it reconverts",
                         r["onevalue"].median / r["flooronevalue"].median, 1.2))  # fmt: skip
    if "reportonly" in r and "floorreport" in r:  # the same ratio for the report alone
        ratio.insert(1, ("cold build, the report only / its floor",
                         r["reportonly"].median / r["floorreport"].median, 1.5))  # fmt: skip
    found = [
        Target(name, value, limit, f"{value:.2f}", f"≤ {limit:.2f}") for name, value, limit in ratio
    ]
    for kind, limit in (("value", 1.0), ("narrative", 1.5)):
        if f"preview_{kind}" in r:
            wall = r[f"preview_{kind}"].median
            found.append(Target(f"preview: a changed {kind}, from saving to the page", wall,
                                limit, f"{wall:.2f} s", f"≤ {limit:.2f} s"))  # fmt: skip
    found.append(
        Target(
            "time per plugin, 100 vs 10 department plugins",
            growth,
            0.20,
            f"{growth:+.0%} ({per10 * 1000:.0f} → {per100 * 1000:.0f} ms per plugin)",
            "growth ≤ +20 %",
        )
    )
    found += portal_targets(r)
    if "coldnodist" in r:  # the district roll-up (issue 13)
        for name, key, base, limit, shown in (
            ("11 districts' roll-up, cold build (added)", "cold", "coldnodist", 0.5, "≤ +0.50 s"),
            ("11 districts' roll-up, nothing-changed rebuild (added)", "nochange",
             "nochangenodist", 0.05, "≤ +0.05 s"),
            (f"{COMMUNES} exports' roll-up, `-f md` (added)", "md200exports", "mdnodist", 2.0,
             "< +2.00 s"),
        ):  # fmt: skip
            added = r[key].median - r[base].median
            found.append(Target(name, added, limit, f"{added:+.2f} s", shown))
    peak = r["cold"].peak_mib
    found.append(
        Target("peak memory, sample build (all formats)", peak, 300, f"{peak:.0f} MiB",
               "≤ 300 MiB")
    )  # fmt: skip
    return found


def _run(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> list[tuple[str, str]]:
    cpu = ""
    memory = ""
    if HAVE_PROC:
        info = Path("/proc/cpuinfo").read_text(errors="replace")
        match = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
        cpu = match.group(1).strip() if match else ""
        mem = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M)
        memory = f"{int(mem.group(1)) / MIB / MIB:.1f} GiB" if mem else ""
    pandoc = _run([pandoc_path(), "--version"]).splitlines()
    commit = _run(["git", "rev-parse", "--short", "HEAD"])
    # the results file itself does not count: it is rewritten by every run
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                  ":(exclude)docs/benchmarks.md"])  # fmt: skip
    return [
        ("platform", platform.platform()),
        ("CPU", f"{os.cpu_count()} logical CPUs" + (f", {cpu}" if cpu else "")),
        ("memory", memory or "unknown"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("pandoc", pandoc[0] if pandoc else "unknown"),
        ("typst (Python module)", importlib.metadata.version("typst")),
        (
            "cchc-pipeline",
            CCHC_VERSION
            + (f", commit {commit}" if commit else "")
            + (" with uncommitted changes" if dirty else ""),
        ),
    ]


def render(
    r: dict[str, Measurement],
    machine_rows: list[tuple[str, str]],
    repeat: int,
    started: dt.datetime,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    command: str,
    profile: dict | None = None,
) -> str:
    found = targets(r)
    lines = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {started:%Y-%m-%d %H:%M %Z}"
        " (do not edit by hand; run it again). How to run it and what each line measures: "
        "[bench/README.md](../bench/README.md).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in machine_rows),
        f"| date | {started.isoformat(timespec='seconds')} |",
        "| load average (1, 5, 15 min) | "
        f"before {' / '.join(f'{x:.2f}' for x in load[0])}, "
        f"after {' / '.join(f'{x:.2f}' for x in load[1])} |",
        "",
        "## Targets",
        "",
        "| target | measured | limit | |",
        "|---|---|---|---|",
        *(
            f"| {t.name} | {t.text} | {t.limit_text} | {'met' if t.met else '**not met**'} |"
            for t in found
        ),
        "",
        f"Ratios are of medians over {repeat} runs. Memory is the larger of the two memory "
        "figures in the table below.",
        "",
        "## Measurements",
        "",
        f"Wall time in seconds over {repeat} timed runs (median, minimum, every run) and peak "
        "memory in MiB: *tree* is the whole process tree (the pipeline, its chart workers, "
        "every pandoc and typst process) as total PSS sampled every 50 ms during the untimed "
        "warm-up run; *largest process* is the maximum RSS of the biggest single process over "
        "the timed runs.",
        "",
        "| measurement | median s | min s | runs s | tree MiB | largest process MiB |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for m in r.values():
        runs = " ".join(f"{x.wall:.2f}" for x in m.runs)
        tree = f"{m.tree_mib:.0f}" if HAVE_PROC else "n/a"
        lines.append(
            f"| {m.label} | {m.median:.2f} | {m.minimum:.2f} | {runs} | {tree} | {m.rss_mib:.0f} |"
        )
    per = {n: r[f"md{n}"].median / n for n in SCALES}
    marginal = (r[f"md{SCALES[1]}"].median - r[f"md{SCALES[0]}"].median) / (SCALES[1] - SCALES[0])
    big_extra = r["big"].median - r["md6"].median
    lines += [
        "",
        "Scale, derived from the medians above:",
        "",
        *(
            f"- {n} department plugins: {per[n] * 1000:.0f} ms per plugin (build time / {n})."
            for n in SCALES
        ),
        f"- each plugin added between {SCALES[0]} and {SCALES[1]}: {marginal * 1000:.1f} ms "
        f"(({SCALES[1]} − {SCALES[0]} plugins) difference / {SCALES[1] - SCALES[0]}).",
        f"- a department of {BIG_ROWS:,} rows adds {big_extra:+.2f} s to the sample's "
        f"Markdown build ({r['big'].median:.2f} s against {r['md6'].median:.2f} s); its "
        f"largest process reaches {r['big'].rss_mib:.0f} MiB against {r['md6'].rss_mib:.0f} "
        f"MiB (process tree {r['big'].tree_mib:.0f} MiB against {r['md6'].tree_mib:.0f} MiB).",
        "",
        *_profile_lines(profile),
        "## What is measured",
        "",
        "1. **Floor**: what the conversions alone cost. The sample is built once as Markdown "
        "to get the pipeline's own assembled Markdown of every document the cold build "
        "converts (the report, each department's thematic report, the commendation list) "
        "and their `media/`; then pandoc converts each document to the formats the config "
        "gives it (the report to DOCX, HTML, PPTX and PDF; thematic reports to DOCX and PDF; "
        "the commendation list to DOCX), a PDF through typst, which a `python -c "
        '"import typst; typst.compile(...)"` subprocess compiles, with the exact reader, Lua '
        "filters, templates, reference documents and `SOURCE_DATE_EPOCH` of the format "
        "plugins. The conversions run four at a time. The Markdown file and the commendation "
        "list's XLSX (written by openpyxl, not pandoc) are not in the floor. The line *floor, "
        "the report only* converts the report alone (its four formats at once).",
        "2. **Cold build**: `cchc build` of a fresh `cchc init` project, every format of the "
        "config, after removing `.cchc-cache` and `build/`: the report's five files, each "
        "department's thematic report (DOCX and PDF, six departments) and the commendation "
        "list (DOCX and XLSX), 19 files in all. Besides the floor's conversions it reads and "
        "validates the submissions (narratives through pandoc), draws the charts, renders "
        "the templates and post-processes the DOCX. The line *cold, the report only* is the "
        "same build with `thematic = []` and `commendations = []` in the project's config, "
        "compared with *floor, the report only*.",
        "3. **No-change rebuild**: `cchc build` again in the same project, nothing changed, "
        "the cache kept.",
        "4. **One-value rebuild**: before each run the 2020 value of `pbgdpl_buoi` in "
        "`submissions/stp/so-lieu.csv` is changed (a value not used before, so that the "
        "changed chart is not in the chart cache), then `cchc build`.",
        "5. **Start-up**: `cchc --help` and `cchc plugins` (which loads every plugin) against "
        '`python -c "import click, pluggy"`, the least a click and pluggy program costs.',
        f"6. **Scale**: `cchc build -f md` of projects with {SCALES[0]} and {SCALES[1]} "
        f"department plugins: the sample's {SAMPLE_DEPARTMENTS} plus one-file plugins in the "
        'project\'s `extra/` folder (`[plugins] folders = ["extra"]`), each returning its '
        "`Department` and one paragraph from `cchc_render`. *Time per plugin* is the build "
        "time divided by the number of department plugins; the target is on its growth from "
        f"{SCALES[0]} to {SCALES[1]}. Also the sample with one more department whose "
        f"`cchc_collect` reads a {BIG_ROWS:,}-row CSV (an id column and 2011 to 2020, random "
        "whole numbers; the id column is named `ma_chi_tieu`, which `read_csv` requires) with "
        "`cchc_pipeline.intake.yearly.read_csv` and renders a one-line summary. Before each run "
        "the cached stages and outputs are removed, so that every section is read, validated and "
        "rendered again; the narratives and charts stay cached (filled by the warm-up run), "
        "their cost does not grow with the number of plugins or rows.",
        "7. **Peak memory** of the sample's cold build, all formats: the larger of the process "
        "tree's sampled total and the largest process's maximum RSS.",
        "",
        "Every line starts with one untimed warm-up run of the same kind (for the rebuilds, "
        "one more rebuild), which is also the run whose process tree's memory is sampled: "
        "reading PSS from `/proc` costs CPU time, which would slow the timed runs. Commands "
        "run one at a time; the benchmark starts no other work, but other programs on the "
        "machine may run meanwhile.",
        "",
        "## Notes",
        "",
        "- Rebuilds use the project's cache (`.cchc-cache`): narratives read through pandoc, "
        "charts, compiled templates and converted outputs, each keyed by its content. A "
        "value changed in one department changes the report and that department's thematic "
        "report; the other documents come from the cache.",
        "- The pipeline converts with at most as many threads as the machine has CPUs "
        f"({os.cpu_count()} here); the floor four at a time.",
        "- *Time per plugin* (build time / plugins) includes the fixed cost of a build "
        "(start-up, the six sample departments, their narratives read through pandoc), which "
        f"{SCALES[0]} plugins share less widely than {SCALES[1]}: it falls as plugins are "
        "added unless each plugin's cost grows a lot. The cost of each added plugin, above, "
        "says more about how a build grows with its plugins.",
        "- On a busy machine (see the load average) the numbers are noisy; the minimum is the "
        "least disturbed run.",
        "",
    ]
    return "\n".join(lines)


PROFILE_BEFORE = Path(__file__).with_name("profile-before.json")


def _profile_lines(after: dict | None) -> list[str]:
    """Where a cold build spends its time: before the work of issue 17 (recorded once, in
    ``bench/profile-before.json``) and in this run."""
    import json

    import stages

    if after is None:
        return []
    lines = [
        "## Where a cold build spends its time",
        "",
        "`bench/stages.py`: the sample's cold build (cache and outputs removed, drafts kept) in "
        "a fresh interpreter, the wall time of each stage of `Pipeline.build` and the external "
        "processes started in it (median of the runs; processes overlap, so their seconds add "
        "up to more than the stage's wall time). Typst compilations are timed one by one.",
        "",
    ]
    if PROFILE_BEFORE.is_file():
        before = json.loads(PROFILE_BEFORE.read_text(encoding="utf-8"))
        lines += [
            f"Before (recorded {before.get('recorded', '')}):",
            "",
            *stages.markdown_table(before),
            "",
        ]
    lines += ["This run:", "", *stages.markdown_table(after), ""]
    return lines


def print_summary(r: dict[str, Measurement]) -> None:
    width = max(len(m.label) for m in r.values())
    print(f"{'measurement':<{width}}  median s   min s  tree MiB  largest MiB")
    for m in r.values():
        print(
            f"{m.label:<{width}}  {m.median:8.2f} {m.minimum:7.2f} "
            f"{m.tree_mib:9.0f} {m.rss_mib:12.0f}"
        )
    print()
    for t in targets(r):
        print(f"{t.name}: {t.text} (target {t.limit_text}): {'met' if t.met else 'NOT MET'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 runs per measurement")
    parser.add_argument(
        "--portal", action="store_true", help="only the portal's measurements, printed"
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the results"
    )
    args = parser.parse_args(argv)
    repeat = 2 if args.quick else args.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    command = "python bench/run.py" + (" --quick" if args.quick else f" --repeat {repeat}")
    started = dt.datetime.now().astimezone()
    load_before = os.getloadavg()
    log(f"cchc: {' '.join(CCHC)}; {repeat} runs per measurement")
    # Python's compiled files, as ``pip install`` writes them: without them (an editable
    # install under PYTHONDONTWRITEBYTECODE) every run would compile the project's modules.
    for folder in (Path(resources.__file__).parent, resources.plugins_dir()):
        compileall.compile_dir(str(folder), quiet=1)
    try:
        with tempfile.TemporaryDirectory(prefix="cchc-bench-") as tmp:
            bench = Bench(Path(tmp).resolve(), repeat)
            if args.portal:
                print_summary(bench.portal(Path(tmp).resolve()))
                return 0
            results = bench.run_all()
    except BenchError as exc:
        log(f"benchmark failed: {exc}")
        return 1
    report = render(
        results, machine(), repeat, started, (load_before, os.getloadavg()), command,
        bench.profile,
    )  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print_summary(results)
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
