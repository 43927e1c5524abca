"""Convert the assembled Markdown to every format in parallel, then publish atomically.

All files are first written to a hidden staging folder inside the output folder (same file
system, so the final ``os.replace`` is atomic). Only when every format succeeded are they
renamed into place: a failed or interrupted build leaves the previous outputs untouched and
no partial file under a real name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from ..cache import Cache, digest, tree_digest
from ..console import Console
from ..errors import ConversionError, describe_os_error
from ..model import ConversionJob, OutputFormat
from .documents import Document

STAGING_PREFIX = ".cchc-staging-"
MEDIA = "media"  # the Markdown's images, beside it: what md readers need to see the pictures


class Pictures(Protocol):
    """Pictures still being made while the conversions start (the charts): each conversion
    waits for those its document shows (see :class:`~cchc_pipeline.render.charts.ChartDrawer`)."""

    def planned(self) -> dict[Path, str]: ...
    def drawing(self) -> bool: ...
    def ready(self, targets: Iterable[Path]) -> bool: ...
    def wait_any(self, timeout: float) -> None: ...
    def deliver(self, targets: Iterable[Path], mirror: tuple[Path, Path] | None = None) -> None: ...


def _remove_stale_staging(output_dir: Path) -> None:
    """Staging folders left by a killed build are garbage: no output was published from them."""
    for entry in output_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(entry, ignore_errors=True)


def convert_and_publish(
    *,
    documents: list[Document],
    formats: dict[str, OutputFormat],
    output_dir: Path,
    templates: tuple[Path, ...],
    epoch: int,
    console: Console,
    media: Path | None = None,
    cache: Cache | None = None,
    seal: Callable[[Path, dict[str, Path]], Path] | None = None,
    limits: Any = None,
    extra: dict[str, tuple[str, bytes]] | None = None,
    pictures: Pictures | None = None,
    later: Callable[[], list[Document]] | None = None,
) -> dict[str, Path]:
    """Write every document in each of its formats into ``output_dir``; all or nothing.

    The report's files are keyed by format ("docx"); the other documents' by document and
    format ("chuyen-de-stp.docx"); ``extra`` files (the data export) are key → (file name,
    bytes), written as given. ``seal``, given the staging folder and every staged file by
    its published name, stages one more file (the manifest), published after all the others.
    ``pictures`` still being drawn into ``media`` are waited for by the conversions that show
    them, each one as late as it can; the documents showing none convert meanwhile.
    ``later`` makes more documents (the comparisons with the previous draft) while the
    others convert, one conversion fewer running meanwhile; they convert when it returns.
    """
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(output_dir)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output_dir))
    except OSError as exc:
        raise ConversionError(
            f"Không ghi được vào thư mục kết quả {output_dir}: {describe_os_error(exc)}.",
            "Kiểm tra quyền ghi và dung lượng ổ đĩa, hoặc chọn thư mục khác bằng -o.",
        ) from exc
    try:
        if media is not None and media.is_dir():
            shutil.copytree(media, staging / MEDIA)
        jobs: dict[str, tuple[OutputFormat, ConversionJob]] = {}
        planned = pictures.planned() if pictures is not None and media is not None else {}
        names = {t: t.relative_to(media).as_posix() for t in planned}  # type: ignore[arg-type]
        charts = {names[t]: digest_ for t, digest_ in planned.items()}
        needs: dict[str, list[Path]] = {}
        keys: dict[str, str] = {}
        pending: dict[str, tuple[OutputFormat, ConversionJob]] = {}

        def plan(docs: list[Document]) -> list[str]:
            """Stage ``docs``' sources and jobs; the jobs the cache does not have, in order."""
            new: dict[str, tuple[OutputFormat, ConversionJob]] = {}
            for document in docs:
                shown = [t for t, name in names.items() if _names(document.markdown, name)]
                suffix = ".json" if document.reader == "json" else ".md"
                source = staging / f".{document.key}.source{suffix}"
                source.write_text(document.markdown, encoding="utf-8")
                for name in document.formats:
                    key = name if document.key == "report" else f"{document.key}.{name}"
                    needs[key] = shown if formats[name].pictures else []
                    new[key] = (
                        formats[name],
                        ConversionJob(
                            source=source,
                            target=staging / f"{document.basename}{formats[name].extension}",
                            resources=staging,
                            templates=templates,
                            epoch=epoch,
                            metadata=document.metadata,
                            log=console.warn,
                            data=document.data,
                            limits=limits,
                        ),
                    )
            if cache and cache.enabled:
                keys.update(_cache_keys(new, templates, staging / MEDIA, charts))
            misses = []
            for key, (fmt, job) in new.items():
                hit = cache.get(keys[key]) if key in keys else None  # type: ignore[union-attr]
                if hit is not None:
                    shutil.copyfile(hit / "out", job.target)
                    console.progress(f"{key}: không đổi (bộ nhớ đệm)")
                else:
                    pending[key] = (fmt, job)
                    misses.append(key)
            jobs.update(new)
            return misses

        plan(documents)
        mirror = (media, staging / MEDIA) if media is not None else None
        more = (lambda: plan(later())) if later is not None else None
        try:
            errors = _run_parallel(pending, console, pictures, needs, mirror, more)
        finally:
            for fmt in {id(f): f for f, _ in pending.values()}.values():
                if fmt.finish is not None:
                    fmt.finish()
        if pictures is not None:
            pictures.deliver(list(planned), mirror)  # all of them: the md's media/, the manifest
        if not errors and keys:
            for key, (_, job) in pending.items():
                cache.put(keys[key], {"out": job.target})
        if errors:
            raise ConversionError(
                "Không tạo được: "
                + "; ".join(f"{_shown(name)}: {message}" for name, message in errors.items()),
                "Kết quả của lần dựng trước vẫn giữ nguyên. Chạy lại với --debug để xem chi tiết.",
            )
        staged_media = staging / MEDIA if "md" in jobs and (staging / MEDIA).is_dir() else None
        files = [job.target for _, job in jobs.values()]
        for name, content in (extra or {}).values():
            (staging / name).write_bytes(content)
            files.append(staging / name)
        if seal is not None:
            named = {p.name: p for p in files}
            if staged_media is not None:
                named |= {f"{MEDIA}/{p.relative_to(staged_media).as_posix()}": p
                          for p in sorted(staged_media.rglob("*")) if p.is_file()}  # fmt: skip
            files.append(seal(staging, named))
        publish(files, output_dir, staged_media)
        written = {key: output_dir / job.target.name for key, (_, job) in jobs.items()}
        return written | {key: output_dir / name for key, (name, _) in (extra or {}).items()}
    except OSError as exc:
        raise ConversionError(
            f"Không ghi được kết quả vào {output_dir}: {describe_os_error(exc)}.",
            "Kiểm tra quyền ghi và dung lượng ổ đĩa; kết quả cũ vẫn giữ nguyên.",
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _shown(key: str) -> str:
    """A job's key as the coordinator knows the document: "pdf của báo cáo chuyên đề (stp)"."""
    document, _, fmt = key.rpartition(".")
    if document.endswith("so-sanh"):
        return f"{fmt} của bản so sánh với dự thảo trước ({document})"
    if document.startswith("chuyen-de-"):
        return f"{fmt} của báo cáo chuyên đề ({document.removeprefix('chuyen-de-')})"
    if document == "khen-thuong":
        return f"{fmt} của danh sách khen thưởng"
    if document == "to-trinh-khen-thuong":
        return f"{fmt} của tờ trình khen thưởng"
    if document == "quyet-dinh-khen-thuong":
        return f"{fmt} của quyết định khen thưởng"
    return key if not document else f"{fmt} của {document}"


def _cache_keys(
    jobs: dict[str, tuple[OutputFormat, ConversionJob]],
    templates: tuple[Path, ...],
    media: Path,
    charts: dict[str, str],
) -> dict[str, str]:
    """Each job's cache key: its source, format and the format's code, templates, the
    pictures it shows, tools and metadata. (The formats' shared pandoc runner is part of
    every key too.) A chart, which may not be drawn yet, counts by its job's digest (what it
    shows and the drawing code) and matplotlib's version; every other picture by its bytes.
    A document counts the pictures its text names (so that a changed chart reconverts the
    documents showing it, not every document), and every picture that no document's text
    names (whatever shows it, a changed one is never served from the cache)."""
    from importlib.metadata import version

    from .formats.pandoc import pandoc_version

    runner = Path(sys.modules[pandoc_version.__module__].__file__ or "").read_bytes()
    shared = digest(tree_digest(templates), pandoc_version(), version("typst"), runner,
                    version("matplotlib") if charts else "")  # fmt: skip
    pictures = _pictures(media, charts)
    sources = {key: job.source.read_bytes() for key, (_, job) in jobs.items()}
    texts = {key: data.decode("utf-8", "replace") for key, data in sources.items()}
    shown = {key: {n for n in pictures if _names(text, n)} for key, text in texts.items()}
    unnamed = set(pictures) - set().union(*shown.values())
    keys = {}
    for key, (fmt, job) in jobs.items():
        code = Path(sys.modules[fmt.convert.__module__].__file__ or "").read_bytes()
        seen = sorted(shown[key] | unnamed)
        keys[key] = digest(
            shared, fmt.name, code, sources[key], str(job.epoch),
            json.dumps(job.metadata, sort_keys=True, default=str),
            json.dumps(job.data, sort_keys=True, default=str),
            *(part for name in seen for part in (name, pictures[name])),
        )  # fmt: skip
    return keys


def _names(text: str, name: str) -> bool:
    """Whether a document's text names the picture ``media/<name>`` (as written, or with
    its characters escaped for a URL)."""
    import urllib.parse

    written = f"{MEDIA}/{name}"
    return written in text or urllib.parse.quote(written) in text


def _pictures(media: Path, charts: dict[str, str]) -> dict[str, str]:
    """Every picture under ``media`` by its name: a file's digest, a chart's job digest."""
    from ..inputs import file_digest, submission_files

    found = {}
    if media.is_dir():
        for path in submission_files(media):
            name = path.relative_to(media).as_posix()
            if name not in charts:
                found[name] = file_digest(path)
    for name, job in charts.items():
        found[name] = f"chart {job}"
    return found


def publish(files: list[Path], output_dir: Path, media: Path | None = None) -> None:
    """Rename the staged ``files`` into ``output_dir`` in order, the ``media`` folder before
    the last file. Should a rename fail (a full disk, Ctrl-C), what was replaced is put back,
    so the folder holds the new outputs or the old ones, never a mix."""
    backup = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX + "old-", dir=output_dir))
    done: list[tuple[Path, Path | None]] = []  # (published path, its previous version)
    try:
        for number, staged in enumerate(files):
            if media is not None and number == len(files) - 1:
                _swap(media, output_dir / MEDIA, backup / MEDIA, done)
            _swap(staged, output_dir / staged.name, backup / staged.name, done)
    except BaseException:
        for final, previous in reversed(done):
            with contextlib.suppress(OSError):
                if final.is_dir() and not final.is_symlink():
                    shutil.rmtree(final)
                elif previous is None:
                    final.unlink(missing_ok=True)
                if previous is not None:
                    os.replace(previous, final)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _swap(new: Path, final: Path, keep: Path, done: list[tuple[Path, Path | None]]) -> None:
    """Put ``new`` in place of ``final``, keeping the previous version at ``keep``. A file is
    replaced in one atomic rename (its old bytes kept through a hard link, else a copy); a
    folder is moved aside first."""
    previous = None
    if final.is_dir() and not final.is_symlink():
        os.replace(final, keep)
        previous = keep
    elif final.exists():
        try:
            os.link(final, keep)
        except OSError:  # a file system without hard links
            shutil.copy2(final, keep)
        previous = keep
    done.append((final, previous))
    os.replace(new, final)


def _preferred(
    waiting: list[str], jobs: dict[str, tuple[OutputFormat, ConversionJob]], pictures: Any
) -> list[str]:
    """The waiting jobs in the order to try them: while charts are drawn, the formats that keep
    a worker of their own for the build (``finish``: the PDF's typst) come last, since that
    worker idle beside the chart worker and a conversion would be stopped to make room (see
    :mod:`cchc_pipeline.memory`) and started again for the next PDF."""
    if pictures is None or not pictures.drawing():
        return list(waiting)
    return sorted(waiting, key=lambda key: jobs[key][0].finish is not None)


def _run_parallel(
    jobs: dict[str, tuple[OutputFormat, ConversionJob]],
    console: Console,
    pictures: Pictures | None = None,
    needs: dict[str, list[Path]] | None = None,
    mirror: tuple[Path, Path] | None = None,
    more: Callable[[], list[str]] | None = None,
) -> dict[str, str]:
    """Run every converter, as many at once as the machine has CPUs; return the error message
    of each one that failed. A free thread takes the first job, in the given order, whose
    pictures are drawn; while none is, a job showing no picture still being drawn."""
    needs = needs or {}
    waiting = list(jobs)
    errors: dict[str, str] = {}
    failures: list[BaseException] = []  # a chart that could not be drawn: the build's fault
    lock = threading.Lock()
    finished = threading.Condition(lock)

    running = [0]
    coming = [more is not None]  # ``more`` still making jobs

    def room() -> int:
        """How many conversions may run now (with ``lock`` held): while charts are drawn (or
        ``more`` works) that has a CPU, so one fewer, which also keeps the processes'
        memory within that of ``count``."""
        free = count - (1 if pictures is not None and pictures.drawing() else 0)
        return max(1, free - (1 if coming[0] else 0))

    def take() -> str | None:
        while True:
            with lock:
                if failures or not (waiting or coming[0]):
                    return None
                if running[0] < room():
                    for key in _preferred(waiting, jobs, pictures):
                        if pictures is None or pictures.ready(needs.get(key, ())):
                            waiting.remove(key)
                            running[0] += 1
                            return key
                    # none is ready: a job whose first step reads no picture starts it
                    late = next((k for k in waiting if jobs[k][0].pictures_late), None)
                    if late is not None:
                        waiting.remove(late)
                        running[0] += 1
                        return late
                if pictures is None or not pictures.drawing():
                    finished.wait(0.05)  # for a conversion to end, or ``more``
                    continue
            pictures.wait_any(0.02)  # for a chart (or, at most this long, a conversion)

    def done() -> None:
        with lock:
            running[0] -= 1
            finished.notify_all()

    def wait_for_pictures(key: str) -> None:
        """A job started before its pictures were drawn waits for them here, its place
        given to another conversion meanwhile."""
        assert pictures is not None
        done()
        try:
            pictures.deliver(needs.get(key, ()), mirror)
        except BaseException as exc:
            with lock:
                failures.append(exc)
            raise
        finally:
            with lock:
                while running[0] >= room() and not failures:
                    finished.wait(0.05)
                running[0] += 1

    def work() -> None:
        while (key := take()) is not None:
            fmt, job = jobs[key]
            try:
                if pictures is not None and pictures.ready(needs.get(key, ())):
                    pictures.deliver(needs.get(key, ()), mirror)
                elif pictures is not None:  # taken early: a format reading its pictures late
                    job = dataclasses.replace(
                        job, pictures=functools.partial(wait_for_pictures, key)
                    )
            except BaseException as exc:
                with lock:
                    failures.append(exc)
                done()
                return
            try:
                fmt.convert(job)
                console.progress(f"{key}: xong")
            except Exception as exc:  # a converter's failure is reported per format
                message = (
                    describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
                ) or type(exc).__name__
                with lock:
                    errors[key] = message
            finally:
                done()

    def make_more() -> None:
        assert more is not None
        try:
            added = more()
        except BaseException as exc:
            with lock:
                failures.append(exc)
                coming[0] = False
                finished.notify_all()
            return
        with lock:
            waiting.extend(added)
            coming[0] = False
            finished.notify_all()

    count = max(1, min(len(jobs) + (1 if more else 0), os.cpu_count() or 2))
    threads = [
        threading.Thread(target=work, name=f"cchc-convert-{n}", daemon=True) for n in range(count)
    ]
    if more is not None:
        threads.append(threading.Thread(target=make_more, name="cchc-more", daemon=True))
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # Ctrl-C: no job is started any more
        with lock:
            waiting.clear()
            coming[0] = False
        raise
    if failures:
        raise failures[0]
    return {key: errors[key] for key in jobs if key in errors}
