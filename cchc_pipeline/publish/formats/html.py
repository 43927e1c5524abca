"""HTML output: one self-contained file (styles and images embedded) with a table of contents.

:func:`linked_page` is the same page with its pictures linked rather than embedded (the
styles still inline), for ``cchc preview``, which serves the pictures beside the page: pandoc
embedding a dozen charts costs a third of the conversion, and a linked page need not wait
for the charts to be drawn.
"""

from __future__ import annotations

import re

from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat
from .pandoc import run_pandoc


def _args(job: ConversionJob, embed: bool) -> list[str]:
    return [
        "--standalone",
        *(["--embed-resources"] if embed else []),
        "--toc",
        "--toc-depth=3",
        f"--template={job.find_template('html/report.html')}",
        f"--css={job.find_template('html/report.css')}",
        f"--metadata=pagetitle:{job.metadata['title']} {job.metadata['summary']}",
    ]


def convert(job: ConversionJob) -> None:
    run_pandoc(job, _args(job, embed=True), to="html5", output=job.target)


def convert_linked(job: ConversionJob) -> None:
    """The page with ``media/…`` pictures linked; the style sheet written into the page."""
    page = run_pandoc(job, _args(job, embed=False), to="html5").decode("utf-8")
    css = job.find_template("html/report.css").read_text(encoding="utf-8")
    link = re.compile(r'<link rel="stylesheet" href="[^"]*report\.css"\s*/?>')
    style = "<style>\n" + css.replace("</", "<\\/") + "\n</style>"
    job.target.write_text(link.sub(lambda _m: style, page, count=1), encoding="utf-8")


def linked_page(name: str) -> OutputFormat:
    """The preview's page format, under ``name`` (it reads no picture: it links them)."""
    return OutputFormat(name, ".xem-truoc.html", "Trang xem trước", convert_linked, pictures=False)


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("html", ".html", "Trang web một tệp (HTML)", convert)]
