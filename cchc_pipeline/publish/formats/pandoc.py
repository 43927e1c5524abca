"""Running the pandoc binary that ``pypandoc-binary`` bundles.

The binary is called directly (``pypandoc`` only tells where it is): that lets us pass
``SOURCE_DATE_EPOCH`` for reproducible DOCX/PPTX, keep pandoc's stderr for the user, and
skip pypandoc's per-call overhead.

Containment: the Markdown is read with raw HTML, raw attributes and raw TeX turned off, so
no text can inject markup into an output format; the ``formats.lua`` filter drops any image
that is a URL or points outside the build folder, so pandoc never fetches or embeds a file
from elsewhere. (``--sandbox`` would also stop the report's own charts from being embedded.)
"""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

from ...errors import ConversionError
from ...intake.limits import Limits
from ...memory import LEDGER, PANDOC_MB
from ...model import ConversionJob
from .bounded import run_bounded

# citations off: no bibliography exists, and "@SoTuPhap" or "[@key]" in a text is text
READER = "markdown-raw_attribute-raw_html-raw_tex-citations"


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """Where the pandoc binary is; a clear error when pypandoc-binary is missing. The binary
    that pypandoc-binary bundles is found without importing pypandoc, which imports urllib
    and its TLS set-up for downloads we never make (a tenth of a no-change rebuild)."""
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    if spec is not None and spec.origin:
        bundled = (
            Path(spec.origin).parent / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
        )
        if bundled.is_file():
            return str(bundled)
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError) as exc:
        raise ConversionError(
            "Không tìm thấy chương trình pandoc.",
            "Cài lại công cụ: pip install cchc-pipeline (gói pypandoc-binary kèm pandoc).",
        ) from exc


# pandoc's binary asks its Haskell runtime for a 64 MB heap up front (-H64m); a conversion of
# the report needs far less. A smaller hint keeps each pandoc process about 45 MB smaller at
# no measurable cost in time, so that conversions side by side stay within the memory target.
RTS_OPTIONS = ("+RTS", "-H16m", "-RTS")


@lru_cache(maxsize=1)
def _version_and_options() -> tuple[str, tuple[str, ...]]:
    """pandoc's version, and the runtime options it accepts (none when built without them)."""
    for options in (RTS_OPTIONS, ()):
        out = subprocess.run(
            [pandoc_path(), *options, "--version"], capture_output=True, text=True, check=False
        )
        if out.returncode == 0:
            return out.stdout.split("\n", 1)[0].split()[-1], options
    raise ConversionError(
        "Không chạy được chương trình pandoc: " + out.stderr.strip()[-300:],
        "Cài lại công cụ: pip install --force-reinstall pypandoc-binary.",
    )


def pandoc_version() -> str:
    return _version_and_options()[0]


def pandoc_command(memory_mb: int | None = None) -> list[str]:
    """The pandoc binary with its runtime options: how every conversion starts. With
    ``memory_mb``, the runtime's heap is capped at three quarters of it (the address-space
    limit set by :func:`~.bounded.run_bounded` is the rest), so pandoc stops with "heap
    exhausted" rather than being killed."""
    options = list(_version_and_options()[1])
    if options and memory_mb:
        options.insert(-1, f"-M{max(memory_mb * 3 // 4, 64)}m")
    return [pandoc_path(), *options]


def bounded_pandoc(
    args: list[str],
    *,
    what: str,
    limits: Limits,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run pandoc with ``args`` under the time and memory limits of ``[limits]``: how every
    pandoc of a build runs (narratives read, checked, converted)."""
    return run_bounded(
        [*pandoc_command(limits.pandoc_memory_mb), *args],
        what=what,
        seconds=limits.pandoc_seconds,
        megabytes=limits.pandoc_memory_mb,
        cwd=cwd,
        env=env,
    )


# formats whose conversion the kept processes do (pandoc_service.lua's "convert"): HTML's
# --embed-resources is the command line's own, not a writer's, so HTML keeps the command line
SERVED_FORMATS = frozenset({"docx", "pptx", "typst"})


def _served(args: list[str]) -> dict[str, object] | None:
    """The options of ``args`` as a kept process takes them, or None when one of them is
    not among those it knows (then the command line converts)."""
    fields: dict[str, object] = {}
    for arg in args:
        name, _, value = arg.partition("=")
        if name in ("--reference-doc", "--template") and Path(value).is_absolute():
            fields[name[2:].replace("-", "_")] = value
        elif name == "--slide-level" and value.isdigit():
            fields["slide_level"] = int(value)
        else:
            return None
    return fields


def run_pandoc(
    job: ConversionJob, args: list[str], *, to: str, output: Path | None = None
) -> bytes:
    """Convert ``job.source`` with pandoc; return stdout when ``output`` is None. DOCX, PPTX
    and typst are written by a kept pandoc process (see :mod:`.pandoc_service`), which reads
    a document once for all of them; the rest by the command line, with the same result."""
    filters = [job.find_template("filters/formats.lua"), job.find_template("filters/layout.lua")]
    reader = "json" if job.source.suffix == ".json" else READER  # a comparison is a syntax tree
    what = f"pandoc ({to})"
    limits = job.limits or Limits()
    served = _served(args) if output is not None and to in SERVED_FORMATS else None
    if served is not None and output is not None:
        from . import pandoc_service

        source = str(job.source.absolute())
        request = {
            "op": "convert", "path": source, "from": reader, "to": to,
            "filters": [str(f.absolute()) for f in filters],
            "dir": str(job.resources.absolute()), "epoch": str(job.epoch),
            "output": str(output.absolute()), **served,
        }  # fmt: skip
        answer = pandoc_service.read(
            request, what=what, limits=limits, document=source, ledger_mb=PANDOC_MB
        )
        stderr = answer.stdout if answer.returncode == 0 else answer.stderr
        result = subprocess.CompletedProcess([], answer.returncode, b"", stderr)
    else:
        command = [
            str(job.source), "--from", reader, "--to", to,
            "--resource-path", str(job.resources),
            *[f"--lua-filter={f}" for f in filters], *args,
            *(["--output", str(output)] if output is not None else []),
        ]  # fmt: skip
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(job.epoch)}
        with LEDGER.step("pandoc", PANDOC_MB):
            result = bounded_pandoc(command, what=what, limits=limits, env=env, cwd=job.resources)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConversionError(f"{what} thất bại: " + " ".join(message[-3:]))
    for line in result.stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            job.log(f"{what}: {line.strip()}")
    return result.stdout
