"""Conversions start while the charts are drawn: each waits only for the pictures it shows."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cchc_pipeline.console import SILENT
from cchc_pipeline.model import ConversionJob, OutputFormat
from cchc_pipeline.publish.outputs import _run_parallel


class SlowCharts:
    """One chart, drawn only once the document without charts has been converted."""

    def __init__(self, chart: Path, drawn_after: threading.Event) -> None:
        self.chart, self.drawn_after = chart, drawn_after
        self.delivered: list[Path] = []

    def planned(self):
        return {self.chart: "digest"}

    def drawing(self):
        return False

    def ready(self, targets):
        return self.drawn_after.is_set() or self.chart not in list(targets)

    def wait_any(self, timeout):
        self.drawn_after.wait(timeout)

    def deliver(self, targets, mirror=None):
        for target in targets:
            assert self.drawn_after.is_set(), "a picture delivered before it was drawn"
            self.delivered.append(target)


def _jobs(tmp_path, order, plain_done):
    def convert(job):
        order.append(job.target.name)
        if job.target.name == "plain.out":
            plain_done.set()

    fmt = OutputFormat("x", ".out", "thử", convert)
    make = lambda name: ConversionJob(  # noqa: E731
        source=tmp_path / "s.md", target=tmp_path / f"{name}.out", resources=tmp_path,
        templates=(), epoch=0, metadata={}, log=lambda _m: None,
    )  # fmt: skip
    return {"report": (fmt, make("report")), "plain": (fmt, make("plain"))}


def test_a_document_without_charts_converts_while_the_report_waits_for_its_chart(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("os.cpu_count", lambda: 1)  # one thread: it must not wait idle
    order: list[str] = []
    drawn = threading.Event()
    chart = tmp_path / "media" / "stp" / "bieu-do-1.png"
    charts = SlowCharts(chart, drawn)
    jobs = _jobs(tmp_path, order, drawn)  # the chart is "drawn" when plain is converted
    errors = _run_parallel(jobs, SILENT, charts, {"report": [chart], "plain": []})
    assert errors == {}
    assert order == ["plain.out", "report.out"]  # the report first in line, yet it waited
    assert charts.delivered == [chart]


def test_a_chart_that_cannot_be_drawn_fails_the_build_as_before(tmp_path):
    class Broken(SlowCharts):
        def deliver(self, targets, mirror=None):
            if list(targets):
                raise ValueError("không vẽ được")

    drawn = threading.Event()
    drawn.set()
    chart = tmp_path / "c.png"
    with pytest.raises(ValueError, match="không vẽ được"):
        _run_parallel(_jobs(tmp_path, [], threading.Event()), SILENT, Broken(chart, drawn),
                      {"report": [chart], "plain": []})  # fmt: skip


def test_documents_made_while_the_others_convert_are_converted_too(tmp_path):
    order: list[str] = []
    converting = threading.Event()

    def convert(job):
        order.append(job.target.name)
        converting.set()

    fmt = OutputFormat("x", ".out", "thử", convert)
    jobs = {k: (fmt, j) for k, (_, j) in _jobs(tmp_path, [], threading.Event()).items()}

    def more():
        assert converting.wait(10), "made while the others convert, not before"
        jobs["so-sanh"] = (fmt, ConversionJob(
            source=tmp_path / "s.md", target=tmp_path / "so-sanh.out", resources=tmp_path,
            templates=(), epoch=0, metadata={}, log=lambda _m: None,
        ))  # fmt: skip
        return ["so-sanh"]

    errors = _run_parallel(jobs, SILENT, None, {}, None, more)
    assert errors == {}
    assert sorted(order) == ["plain.out", "report.out", "so-sanh.out"]


def test_a_failure_while_making_more_documents_fails_the_build(tmp_path):
    def more():
        raise RuntimeError("bản nháp hỏng")

    with pytest.raises(RuntimeError, match="bản nháp hỏng"):
        _run_parallel(_jobs(tmp_path, [], threading.Event()), SILENT, None, {}, None, more)


def test_while_charts_are_drawn_formats_keeping_a_worker_come_last(tmp_path):
    """The PDF's typst worker idle beside the chart worker would be stopped for memory and
    started again: while charts are drawn, the other formats are taken first."""
    from cchc_pipeline.publish.outputs import _preferred

    def fmt(name, finish):
        return OutputFormat(name, f".{name}", name, lambda job: None, finish=finish)

    job = ConversionJob(tmp_path / "a.md", tmp_path / "a.out", tmp_path, (), 0, {})
    pdf, docx = fmt("pdf", lambda: None), fmt("docx", None)
    jobs = {"r.pdf": (pdf, job), "r.docx": (docx, job), "t.pdf": (pdf, job), "t.docx": (docx, job)}

    class Drawing:
        busy = True

        def drawing(self):
            return self.busy

    charts = Drawing()
    assert _preferred(list(jobs), jobs, charts) == ["r.docx", "t.docx", "r.pdf", "t.pdf"]
    charts.busy = False  # every chart drawn: the given order again
    assert _preferred(list(jobs), jobs, charts) == list(jobs)
    assert _preferred(list(jobs), jobs, None) == list(jobs)


def test_a_pdf_writes_its_typst_while_its_charts_are_drawn(tmp_path, monkeypatch):
    """When no job's pictures are drawn, a format that reads them late (the PDF: pandoc
    writes typst, then typst reads the pictures) takes its first step meanwhile, then waits
    for them, its place given up; the others wait for theirs as before."""
    monkeypatch.setattr("os.cpu_count", lambda: 1)  # one thread: the PDF cannot start beside
    chart = tmp_path / "media" / "bieu-do-1.png"
    drawn = threading.Event()
    steps: list[str] = []

    class Drawing(SlowCharts):
        def drawing(self):
            return not drawn.is_set()

        def deliver(self, targets, mirror=None):
            if chart in list(targets):
                assert drawn.wait(10)
            super().deliver(targets, mirror)

    def late(job):
        steps.append(f"typst, chart drawn: {drawn.is_set()}")
        threading.Timer(0.2, drawn.set).start()  # the chart worker finishes meanwhile
        job.pictures()
        steps.append(f"pdf, chart delivered: {charts.delivered == [chart]}")

    def early(job):
        steps.append("docx")

    charts = Drawing(chart, drawn)
    threading.Timer(3, drawn.set).start()  # drawn anyway: without the early start, no hang
    make = lambda name: ConversionJob(  # noqa: E731
        source=tmp_path / "s.md", target=tmp_path / name, resources=tmp_path,
        templates=(), epoch=0, metadata={}, log=lambda _m: None,
    )  # fmt: skip
    jobs = {
        "r.docx": (OutputFormat("docx", ".docx", "docx", early), make("r.docx")),
        "r.pdf": (OutputFormat("pdf", ".pdf", "pdf", late, pictures_late=True), make("r.pdf")),
    }
    errors = _run_parallel(jobs, SILENT, charts, {"r.docx": [chart], "r.pdf": [chart]})
    assert errors == {}
    assert steps == ["typst, chart drawn: False", "pdf, chart delivered: True", "docx"]
