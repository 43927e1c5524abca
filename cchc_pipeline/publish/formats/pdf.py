"""PDF output without LaTeX: pandoc writes typst, the ``typst`` module compiles it in-process.

Fonts are tried in the order of the typst template (Times New Roman, Tinos, Liberation Serif,
then typst's built-in Libertinus Serif); the build reports which one was used.
"""

from __future__ import annotations

import datetime as dt

from ...errors import ConversionError
from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat
from .pandoc import run_pandoc

FONTS = ("Times New Roman", "Tinos", "Liberation Serif", "Libertinus Serif")


def convert(job: ConversionJob) -> None:
    typ = job.target.with_suffix(".typ")
    args = [f"--template={job.find_template('typst/report.typ')}"]
    run_pandoc(job, args, to="typst", output=typ)
    import typst  # heavy (a Rust extension): imported only when a PDF is made

    try:
        _, warnings = typst.compile_with_warnings(
            str(typ),
            output=str(job.target),
            root=str(job.resources),
            timestamp=dt.datetime.fromtimestamp(job.epoch, dt.timezone.utc),
        )
    except Exception as exc:  # typst raises its own error type with the source position
        raise ConversionError(f"typst thất bại: {exc}") from exc
    finally:
        typ.unlink(missing_ok=True)
    missing = {str(w).lower() for w in warnings if "unknown font family" in str(w).lower()}
    used = next((f for f in FONTS if not any(f.lower() in m for m in missing)), FONTS[-1])
    job.log(f"PDF: phông chữ {used}")


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("pdf", ".pdf", "PDF để in và phát hành", convert)]
