"""Markdown output: the assembled Pandoc Markdown itself, the source of every other format."""

from __future__ import annotations

import shutil

from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat


def _copy(job: ConversionJob) -> None:
    shutil.copyfile(job.source, job.target)


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("md", ".md", "Pandoc Markdown (nguồn của mọi định dạng)", _copy)]
