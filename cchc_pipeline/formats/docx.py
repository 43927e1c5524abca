"""DOCX output through pandoc, styled by the reference document in ``templates/docx``."""

from __future__ import annotations

from ..markers import hookimpl
from ..model import ConversionJob, OutputFormat
from .pandoc import run_pandoc


def convert(job: ConversionJob) -> None:
    args = []
    reference = job.optional_template("docx/reference.docx")
    if reference is not None:
        args.append(f"--reference-doc={reference}")
    run_pandoc(job, args, to="docx", output=job.target)


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("docx", ".docx", "Word (DOCX) để chỉnh sửa", convert)]
