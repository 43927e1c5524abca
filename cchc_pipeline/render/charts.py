"""Time-series charts of a field's indicators, drawn with matplotlib in worker processes.

Drawing a chart costs a seventh of a second and importing matplotlib almost a whole one, all
of it CPU-bound under the GIL, so charts are drawn by a worker process that starts (and
imports matplotlib) while the submissions are still being read. One worker: a second would
pay the import again, CPU time that the narratives and conversions need on a small machine,
and while charts are drawn the conversions run one fewer at a time (the worker has a CPU).
A plugin's render hook only *asks* for a chart (:meth:`ChartDrawer.submit` returns its
Markdown at once); the conversions start while charts are still being drawn, each document
waiting only for its own (:meth:`ChartDrawer.deliver`), so that the documents without charts
(the Tờ trình, the decision, the programme) fill the time the charts take. A
:class:`ChartJob` holds plain values only, so it crosses into the worker, and its digest
names the file, so an unchanged chart is never drawn twice.

Charts carry Vietnamese titles, axis labels and numbers (7.518; 85,5%), use DejaVu Sans (it
ships with matplotlib and has every Vietnamese letter), and are written as PNG without a
timestamp, so that rebuilding gives the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import textwrap
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import asdict, dataclass
from pathlib import Path

from ..catalogue import Catalogue, Chart
from ..intake.yearly import YearlyTable
from ..memory import CHARTS_MB, LEDGER
from . import vi

WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.3, 150
LAST_REVISION = "last-revision"
COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6")


@dataclass(frozen=True)
class Series:
    label: str
    unit: str
    percent: bool
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartJob:
    """Everything needed to draw one chart, as plain picklable values."""

    title: str
    kind: str  # bar | line | compare (one panel per series, a bar per category)
    years: tuple[int, ...]
    series: tuple[Series, ...]
    categories: tuple[str, ...] = ()  # compare: the units compared (the districts)

    @classmethod
    def from_catalogue(
        cls, chart: Chart, catalogue: Catalogue, table: YearlyTable, years: range
    ) -> ChartJob:
        series = tuple(
            Series(
                label=catalogue[i].label,
                unit=catalogue[i].unit,
                percent=catalogue[i].kind == "percent",
                values=tuple(table.get(i, y) for y in years),
            )
            for i in chart.indicators
        )
        return cls(chart.title, chart.kind, tuple(years), series)

    @classmethod
    def comparison(
        cls, title: str, categories: tuple[str, ...], series: tuple[Series, ...]
    ) -> ChartJob:
        """Units compared side by side: one panel per series (one indicator of each field),
        one horizontal bar per unit, so indicators of different units share one figure."""
        return cls(title, "compare", (), series, categories)

    def digest(self) -> str:
        """A name that changes whenever anything drawn changes (and the drawing code's version)."""
        text = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(_CODE + text.encode("utf-8")).hexdigest()[:16]


_CODE = Path(__file__).read_bytes()  # a change to the drawing code is a new chart


def draw(job: ChartJob, path: Path) -> None:
    """Draw ``job`` into the PNG file ``path`` (runs in a worker process)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    if job.kind == "compare":
        figure = _panels(job, Figure, FuncFormatter)
        _save(figure, path)
        return
    count = len(job.series)
    legend_rows = count if count > 1 else 0
    height = HEIGHT_IN + 0.22 * legend_rows
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    bottom = (0.45 + 0.22 * legend_rows + 0.1) / height
    figure.subplots_adjust(left=0.12, right=0.98, top=1 - 0.45 / height, bottom=bottom)
    axes = figure.add_subplot()
    width = 0.8 / count
    percent = all(s.percent for s in job.series)
    for n, series in enumerate(job.series):
        label = textwrap.shorten(series.label, 90, placeholder="…")
        colour = COLOURS[n % len(COLOURS)]
        if job.kind == "line":
            points = [
                (y, v) for y, v in zip(job.years, series.values, strict=True) if v is not None
            ]
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                      color=colour, label=label, linewidth=1.8)  # fmt: skip
        else:
            offsets = [y - 0.4 + width * (n + 0.5) for y in job.years]
            axes.bar(offsets, [v or 0 for v in series.values], width=width * 0.95,
                     color=colour, label=label)  # fmt: skip
    axes.set_title(job.title, fontsize=10)
    axes.set_xlabel("Năm", fontsize=9)
    unit = ", ".join(sorted({s.unit for s in job.series}))
    axes.set_ylabel("Tỷ lệ (%)" if percent else unit[:1].upper() + unit[1:], fontsize=9)
    axes.set_xticks(list(job.years))
    axes.tick_params(labelsize=8)
    formatter = (lambda v, _: vi.percent(v)) if percent else (lambda v, _: vi.number(v))
    axes.yaxis.set_major_formatter(FuncFormatter(formatter))
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", linewidth=0.4, alpha=0.6)
    if count > 1:
        figure.legend(loc="lower left", bbox_to_anchor=(0.02, 0.01), fontsize=7.5,
                      frameon=False, ncols=1)  # fmt: skip
    _save(figure, path)


def _save(figure: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    figure.savefig(partial, format="png", metadata={"Software": None})  # type: ignore[attr-defined]
    os.replace(partial, path)


def _panels(job: ChartJob, figure_class: type, formatter_class: type) -> object:
    """A comparison: panels in two columns, the units on each panel's vertical axis."""
    columns = 2 if len(job.series) > 1 else 1
    rows = (len(job.series) + columns - 1) // columns
    panel_height = 0.22 * len(job.categories) + 0.7
    height = panel_height * rows + 0.5
    figure = figure_class(figsize=(WIDTH_IN * 1.3, height), dpi=DPI)  # the caption is the title
    figure.subplots_adjust(left=0.17, right=0.98, top=1 - 0.4 / height, bottom=0.35 / height,
                           wspace=0.6, hspace=0.4)  # fmt: skip
    positions = list(range(len(job.categories)))
    for n, series in enumerate(job.series):
        axes = figure.add_subplot(rows, columns, n + 1)
        values = [v or 0 for v in series.values]
        axes.barh(positions, values, color=COLOURS[n % len(COLOURS)], height=0.7)
        axes.set_yticks(positions, list(job.categories), fontsize=6.5)
        axes.invert_yaxis()
        label = textwrap.fill(textwrap.shorten(series.label, 80, placeholder="…"), 48)
        axes.set_title(label, fontsize=7)
        if series.percent:
            axes.xaxis.set_major_formatter(formatter_class(lambda v, _: vi.percent(v)))
        else:
            axes.xaxis.set_major_formatter(formatter_class(lambda v, _: vi.number(v)))
            axes.set_xlabel(series.unit, fontsize=6.5)
        axes.tick_params(axis="x", labelsize=6)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="x", linewidth=0.4, alpha=0.6)
    return figure


def _signature(path: Path) -> str | None:
    from ..cache import file_digest, sign

    return sign("chart", path.name, file_digest(path))


def _seal(path: Path) -> None:
    """Sign a chart drawn into the cache, so that the next build can trust it."""
    signature = _signature(path)
    if signature is not None:
        with contextlib.suppress(OSError):  # an unsigned chart is only drawn again
            path.with_name(path.name + ".sig").write_text(signature, "ascii")


def _authentic(path: Path) -> bool:
    """Whether a cached chart is one this user drew, whole (a truncated or foreign picture
    is drawn again rather than published)."""
    import hmac

    try:
        given = path.with_name(path.name + ".sig").read_text("ascii").strip()
        expected = _signature(path)
    except (OSError, UnicodeError):
        return False
    return expected is not None and hmac.compare_digest(given, expected)


def _warm_up() -> None:
    """Worker initialiser: pay matplotlib's import while the main process reads submissions.

    Ctrl-C is the main process's to handle (it ends the workers): the worker ignores it, then
    receives the signals its parent held back while forking it."""
    if hasattr(signal, "pthread_sigmask"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """SIGINT blocked in this thread while the body forks (where threads' masks exist)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _nothing() -> None:
    """A job that only makes the pool start a worker."""


LEDGER_NAME = "chart workers"  # in the memory ledger, while they live


class ChartDrawer:
    """Draws charts in the background; a cache folder keeps every chart by its digest."""

    keeps_workers = False  # the workers end once every chart asked for is delivered

    def __init__(self, cache: Path | None = None, workers: int | None = None) -> None:
        self.cache = cache
        self.workers = workers  # None: one (see the module's docstring)
        self._pool: ProcessPoolExecutor | None = None
        # target -> (the drawing, None when cached; where it is drawn; the job's digest)
        self._pending: dict[Path, tuple[Future[None] | None, Path, str]] = {}
        self._lock = threading.Lock()
        self._all_asked = False  # set by all_asked(): no chart comes after

    def _empty(self) -> bool:
        return self.cache is None or not any(self.cache.glob("*.png"))

    def cold(self, revision: str | None = None) -> bool:
        """Whether charts will likely need drawing: no cache, an empty one, or inputs that
        changed since the last build (whose ``revision`` :meth:`note` kept)."""
        if self._empty():
            return True
        noted = self.cache / LAST_REVISION
        return revision is None or not noted.is_file() or noted.read_text("ascii") != revision

    def note(self, revision: str) -> None:
        """Remember the inputs' revision of a build whose charts are all in the cache."""
        if self.cache is not None:
            partial = self.cache / (LAST_REVISION + ".part")
            with contextlib.suppress(OSError):  # only a hint for the next build's start-up
                partial.write_text(revision, "ascii")
                os.replace(partial, self.cache / LAST_REVISION)

    def start(self) -> None:
        """Start the workers now (their imports overlap with reading the submissions)."""
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            workers = self.workers or 1
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_up)
            LEDGER.hold(LEDGER_NAME, CHARTS_MB * workers)
            # a Ctrl-C landing while a worker is forked would print the child's traceback:
            # held back meanwhile, it reaches this process after the fork (the worker ignores it)
            with _sigint_held():
                for _ in range(workers):  # workers are forked on demand: ask for all now
                    self._pool.submit(_nothing)

    def submit(self, job: ChartJob, target: Path) -> None:
        """Have ``job`` drawn to ``target`` (from the cache when it was drawn before)."""
        self._all_asked = False
        name = job.digest()
        if self.cache is not None:
            cached = self.cache / f"{name}.png"
            if cached.is_file() and _authentic(cached):
                with self._lock:
                    self._pending[target] = (None, cached, name)
                return
            drawn = cached
        else:
            drawn = target
        self.start()
        assert self._pool is not None
        future = self._pool.submit(draw, job, drawn)
        with self._lock:
            self._pending[target] = (future, drawn, name)

    def all_asked(self) -> None:
        """Every chart of the build has been asked for: the worker ends as soon as the last
        one is drawn (unless kept), not when the last is delivered, which can be near the
        end of the conversions. matplotlib's process is the largest beside them."""
        with self._lock:
            self._all_asked = True
            futures = [f for f, _, _ in self._pending.values() if f is not None]
        for future in futures:
            future.add_done_callback(self._release)
        self._release()

    def _release(self, _future: object = None) -> None:
        with self._lock:
            if not self._all_asked or self._pool is None or self.keeps_workers:
                return
            if any(f is not None and not f.done() for f, _, _ in self._pending.values()):
                return
            pool, self._pool = self._pool, None
        pool.shutdown(wait=False)  # from the pool's own thread: it must not wait for itself
        LEDGER.release(LEDGER_NAME)

    def planned(self) -> dict[Path, str]:
        """Every chart asked for and not yet delivered: target -> the digest of its job (its
        content, drawn or not: what a conversion's cache key takes for the picture)."""
        with self._lock:
            return {target: name for target, (_, _, name) in self._pending.items()}

    def ready(self, targets: Iterable[Path]) -> bool:
        """Whether every one of ``targets`` is drawn (or was never asked for)."""
        with self._lock:
            entries = [self._pending.get(t) for t in targets]
        return all(e is None or e[0] is None or e[0].done() for e in entries)

    def drawing(self) -> bool:
        """Whether a chart asked for is still being drawn (its worker busy)."""
        with self._lock:
            return any(f is not None and not f.done() for f, _, _ in self._pending.values())

    def wait_any(self, timeout: float) -> None:
        """Block until one more chart is drawn, at most ``timeout`` seconds."""
        with self._lock:
            running = [f for f, _, _ in self._pending.values() if f is not None and not f.done()]
        if running:
            wait_futures(running, timeout=timeout, return_when=FIRST_COMPLETED)

    def deliver(self, targets: Iterable[Path], mirror: tuple[Path, Path] | None = None) -> None:
        """Wait for ``targets`` and put each in place; re-raise a worker's failure. With
        ``mirror`` (a folder the targets are under, another folder), each is also copied to
        the same place under the other folder (the staging folder of the conversions)."""
        for target in targets:
            with self._lock:
                entry = self._pending.get(target)
            if entry is None:
                continue
            future, drawn, _ = entry
            if future is not None:
                future.result()
            with self._lock:
                if self._pending.pop(target, None) is None:
                    continue  # another thread delivered it meanwhile
                if future is not None and drawn != target:
                    _seal(drawn)
                for place in [target] + (
                    [mirror[1] / target.relative_to(mirror[0])] if mirror else []
                ):
                    if drawn != place:
                        place.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(drawn, place)
                if not self._pending and self._pool is not None and not self.keeps_workers:
                    self._pool.shutdown(wait=False)  # every chart drawn: the workers' memory
                    self._pool = None
                    LEDGER.release(LEDGER_NAME)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            LEDGER.release(LEDGER_NAME)


class KeptDrawer(ChartDrawer):
    """A drawer whose worker outlives the build that used it (``cchc preview``): the next
    build's changed chart is drawn by a worker that has matplotlib imported already, instead
    of one that pays the import first. :meth:`close` (what a build calls) keeps the worker
    and forgets only what a failed build left pending; :meth:`shutdown` stops it."""

    def submit(self, job: ChartJob, target: Path) -> None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            super().submit(job, target)
        except BrokenProcessPool:  # the worker died while idle (killed): start another
            super().close()
            super().submit(job, target)

    keeps_workers = True

    def close(self) -> None:
        with self._lock:
            self._pending = {}

    def shutdown(self) -> None:
        self.close()
        super().close()
