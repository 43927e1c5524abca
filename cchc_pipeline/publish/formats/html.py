"""HTML output: one self-contained file (styles and images embedded) with a table of contents."""

from __future__ import annotations

from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat
from .pandoc import run_pandoc


def convert(job: ConversionJob) -> None:
    args = [
        "--standalone",
        "--embed-resources",
        "--toc",
        "--toc-depth=3",
        f"--template={job.find_template('html/report.html')}",
        f"--css={job.find_template('html/report.css')}",
        f"--metadata=pagetitle:{job.metadata['title']} {job.metadata['summary']}",
    ]
    run_pandoc(job, args, to="html5", output=job.target)


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("html", ".html", "Trang web một tệp (HTML)", convert)]
