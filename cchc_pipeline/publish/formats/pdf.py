"""PDF output without LaTeX: pandoc writes typst, the ``typst`` module compiles it.

Typst compiles in a worker process with a time and a memory limit (``[limits]`` of the
config): typst aborts its process when an allocation fails, so a picture or a text that
escaped the intake checks can end the worker only, never the build. The worker costs a new
Python process per PDF (about 0.15 s).

Fonts are tried in the order of the typst template (Times New Roman, Tinos, Liberation Serif,
then typst's built-in Libertinus Serif); the build reports which one was used.
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path

from ...errors import ConversionError, LimitExceeded
from ...intake.limits import Limits
from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat
from .bounded import run_bounded
from .pandoc import run_pandoc

FONTS = ("Times New Roman", "Tinos", "Liberation Serif", "Libertinus Serif")
WORKER = Path(__file__).with_name("typst_worker.py")


@lru_cache(maxsize=1)
def typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


def compile_typst(typ: Path, pdf: Path, root: Path, epoch: int, limits: Limits) -> list[str]:
    """Compile ``typ`` into ``pdf`` in the worker; return typst's warnings."""
    result = run_bounded(
        [sys.executable, str(WORKER), str(typ), str(pdf), str(root), str(epoch),
         str(limits.typst_memory_mb)],
        what="typst (tạo PDF)",
        seconds=limits.typst_seconds,
        megabytes=limits.typst_memory_mb,
        limit_in_child=False,  # the worker sets its own limit, after Python started
    )  # fmt: skip
    try:
        answer = json.loads(result.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = {"error": result.stderr.decode("utf-8", "replace").strip()[-500:]}
    if result.returncode == 75:
        raise LimitExceeded(
            f"typst (tạo PDF): quá giới hạn bộ nhớ {limits.typst_memory_mb} MB, đã dừng.",
            "Hình ảnh hoặc bảng quá lớn: giảm kích thước; nếu đúng, tăng “typst_memory_mb” "
            "trong mục [limits] của config.toml.",
        )
    if result.returncode != 0:
        raise ConversionError(_located(str(answer.get("error") or "lỗi không rõ"), typ))
    return list(answer.get("warnings", []))


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
    run_pandoc(job, args, to="typst", output=typ)
    try:
        warnings = compile_typst(typ, job.target, job.resources, job.epoch, job.limits or Limits())
    finally:
        typ.unlink(missing_ok=True)
    missing = {w.lower() for w in warnings if "unknown font family" in w.lower()}
    used = next((f for f in FONTS if not any(f.lower() in m for m in missing)), FONTS[-1])
    job.log(f"PDF: phông chữ {used}")


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("pdf", ".pdf", "PDF để in và phát hành", convert)]
