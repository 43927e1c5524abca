"""PPTX output: the conference slides, from the report's ``slides`` divs only."""

from __future__ import annotations

from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat
from .pandoc import run_pandoc


def convert(job: ConversionJob) -> None:
    args = ["--slide-level=2"]
    reference = job.optional_template("pptx/reference.pptx")
    if reference is not None:
        args.append(f"--reference-doc={reference}")
    run_pandoc(job, args, to="pptx", output=job.target)


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("pptx", ".pptx", "Trình chiếu hội nghị (PPTX)", convert)]
