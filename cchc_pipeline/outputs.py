"""Convert the assembled Markdown to every format in parallel, then publish atomically.

All files are first written to a hidden staging folder inside the output folder (same file
system, so the final ``os.replace`` is atomic). Only when every format succeeded are they
renamed into place: a failed or interrupted build leaves the previous outputs untouched and
no partial file under a real name.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .cache import Cache, digest, tree_digest
from .console import Console
from .documents import Document
from .errors import ConversionError
from .model import ConversionJob, OutputFormat

STAGING_PREFIX = ".cchc-staging-"
MEDIA = "media"  # the Markdown's images, beside it: what md readers need to see the pictures


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
) -> dict[str, Path]:
    """Write every document in each of its formats into ``output_dir``; all or nothing.

    The report's files are keyed by format ("docx"); the other documents' by document and
    format ("chuyen-de-stp.docx").
    """
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(output_dir)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output_dir))
    except OSError as exc:
        raise ConversionError(
            f"Không ghi được vào thư mục kết quả {output_dir}: {exc.strerror or exc}.",
            "Kiểm tra quyền ghi và dung lượng ổ đĩa, hoặc chọn thư mục khác bằng -o.",
        ) from exc
    try:
        if media is not None and media.is_dir():
            shutil.copytree(media, staging / MEDIA)
        jobs: dict[str, tuple[OutputFormat, ConversionJob]] = {}
        for document in documents:
            source = staging / f".{document.key}.source.md"
            source.write_text(document.markdown, encoding="utf-8")
            for name in document.formats:
                key = name if document.key == "report" else f"{document.key}.{name}"
                jobs[key] = (
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
                    ),
                )
        keys = _cache_keys(jobs, templates, staging / MEDIA) if cache and cache.enabled else {}
        pending = {}
        for key, (fmt, job) in jobs.items():
            hit = cache.get(keys[key]) if keys else None
            if hit is not None:
                shutil.copyfile(hit / "out", job.target)
                console.progress(f"{key}: không đổi (bộ nhớ đệm)")
            else:
                pending[key] = (fmt, job)
        errors = _run_parallel(pending, console)
        if not errors and keys:
            for key, (_, job) in pending.items():
                cache.put(keys[key], {"out": job.target})
        if errors:
            raise ConversionError(
                "Không tạo được: "
                + "; ".join(f"{name}: {message}" for name, message in errors.items()),
                "Kết quả của lần dựng trước vẫn giữ nguyên. Chạy lại với --debug để xem chi tiết.",
            )
        published: dict[str, Path] = {}
        for key, (_, job) in jobs.items():
            final = output_dir / job.target.name
            os.replace(job.target, final)
            published[key] = final
        if "md" in published and (staging / MEDIA).is_dir():
            _replace_folder(staging / MEDIA, output_dir / MEDIA)
        return published
    except OSError as exc:
        raise ConversionError(
            f"Không ghi được kết quả vào {output_dir}: {exc.strerror or exc}.",
            "Kiểm tra quyền ghi và dung lượng ổ đĩa; kết quả cũ vẫn giữ nguyên.",
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _cache_keys(
    jobs: dict[str, tuple[OutputFormat, ConversionJob]], templates: tuple[Path, ...], media: Path
) -> dict[str, str]:
    """Each job's cache key: its source, format and the format's code, templates, media, tools
    and metadata. (The formats' shared pandoc runner is part of every key too.)"""
    from importlib.metadata import version

    from .formats.pandoc import pandoc_version

    runner = Path(sys.modules[pandoc_version.__module__].__file__ or "").read_bytes()
    shared = digest(tree_digest(templates), tree_digest([media]), pandoc_version(),
                    version("typst"), runner)  # fmt: skip
    keys = {}
    for key, (fmt, job) in jobs.items():
        code = Path(sys.modules[fmt.convert.__module__].__file__ or "").read_bytes()
        keys[key] = digest(
            shared, fmt.name, code, job.source.read_bytes(), str(job.epoch),
            json.dumps(job.metadata, sort_keys=True, default=str),
            json.dumps(job.data, sort_keys=True, default=str),
        )  # fmt: skip
    return keys


def _replace_folder(new: Path, current: Path) -> None:
    """Put ``new`` where ``current`` is, with the old one moved aside until the swap is done."""
    old = current.with_name(STAGING_PREFIX + "old-" + current.name)
    if current.exists():
        os.replace(current, old)
    os.replace(new, current)
    shutil.rmtree(old, ignore_errors=True)


def _run_parallel(
    jobs: dict[str, tuple[OutputFormat, ConversionJob]], console: Console
) -> dict[str, str]:
    """Run every converter; return the error message of each one that failed."""
    errors: dict[str, str] = {}
    workers = max(1, min(len(jobs), os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cchc-convert") as pool:
        futures = {key: pool.submit(fmt.convert, job) for key, (fmt, job) in jobs.items()}
        for key, future in futures.items():
            try:
                future.result()
                console.progress(f"{key}: xong")
            except Exception as exc:  # a converter's failure is reported per format
                errors[key] = str(exc) or type(exc).__name__
    return errors
