"""DOCX, PPTX and the PDF's typst written by kept pandoc processes (issue 17): the bytes the
pandoc command line writes, a document read once for all its formats but again when it
changed, pandoc's warnings and failures told as before, and the idle processes counted in
the memory ledger."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cchc_pipeline import resources
from cchc_pipeline.errors import ConversionError
from cchc_pipeline.memory import LEDGER
from cchc_pipeline.model import ConversionJob
from cchc_pipeline.publish.formats import pandoc_service
from cchc_pipeline.publish.formats.pandoc import READER, pandoc_command, run_pandoc

TEMPLATES = resources.templates_dir()
EPOCH = 1605830400

# the arguments the format plugins give (docx.py, pptx.py, pdf.py)
FORMATS = {
    "docx": [f"--reference-doc={TEMPLATES / 'docx' / 'reference.docx'}"],
    "pptx": ["--slide-level=2", f"--reference-doc={TEMPLATES / 'pptx' / 'reference.pptx'}"],
    "typst": [f"--template={TEMPLATES / 'typst' / 'report.typ'}"],
}


def _job(source: Path, target: Path, logged: list[str] | None = None) -> ConversionJob:
    return ConversionJob(
        source=source,
        target=target,
        resources=source.parent,
        templates=(TEMPLATES,),
        epoch=EPOCH,
        metadata={},
        log=(logged.append if logged is not None else lambda _: None),
    )


def _by_command_line(source: Path, to: str, args: list[str], output: Path) -> None:
    """What run_pandoc ran before the kept processes: one pandoc for the one format."""
    reader = "json" if source.suffix == ".json" else READER
    filters = [TEMPLATES / "filters" / "formats.lua", TEMPLATES / "filters" / "layout.lua"]
    subprocess.run(
        [*pandoc_command(), str(source), "--from", reader, "--to", to,
         "--resource-path", str(source.parent), *[f"--lua-filter={f}" for f in filters],
         *args, "--output", str(output)],
        cwd=source.parent, env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}, check=True,
    )  # fmt: skip


@pytest.fixture
def documents(markdown_sample, tmp_path) -> list[Path]:
    """The sample's report and a thematic report as the build assembles them (with their
    pictures), and the report's syntax tree, as a comparison is converted."""
    folder = tmp_path / "build"
    shutil.copytree(markdown_sample.output("md").parent, folder)
    report = folder / markdown_sample.output("md").name
    tree = folder / "so-sanh.json"
    tree.write_bytes(
        subprocess.run(
            [*pandoc_command(), str(report), "-f", READER, "-t", "json"],
            capture_output=True,
            check=True,
        ).stdout
    )
    thematic = report.with_name(report.stem + "-chuyen-de.md")
    section = report.read_text(encoding="utf-8").split("\n# ", 2)[:2]
    thematic.write_text("\n# ".join(section) + "\n", encoding="utf-8")
    return [report, thematic, tree]


def test_each_format_is_the_bytes_of_the_command_line(documents, tmp_path):
    for source in documents:
        formats = ["docx"] if source.suffix == ".json" else list(FORMATS)
        for to in formats:  # one after the other: the later formats use the kept tree
            served = tmp_path / f"served-{source.stem}.{to}"
            expected = tmp_path / f"cli-{source.stem}.{to}"
            run_pandoc(_job(source, served), FORMATS[to], to=to, output=served)
            _by_command_line(source, to, FORMATS[to], expected)
            assert served.read_bytes() == expected.read_bytes(), f"{source.name} → {to}"
    report_docx = (tmp_path / f"served-{documents[0].stem}.docx").read_bytes()
    assert b"word/media/" in report_docx, "the report's charts are in its DOCX"
    pandoc_service.stop()


def test_a_document_changed_between_conversions_is_read_again(tmp_path):
    source = tmp_path / "van-ban.md"
    target = tmp_path / "van-ban.typ"
    source.write_text("# I. KẾT QUẢ\n\nBan hành 12 văn bản.\n", encoding="utf-8")
    run_pandoc(_job(source, target), FORMATS["typst"], to="typst", output=target)
    assert "12 văn bản" in target.read_text(encoding="utf-8")
    source.write_text("# I. KẾT QUẢ\n\nBan hành 15 văn bản.\n", encoding="utf-8")
    run_pandoc(_job(source, target), FORMATS["typst"], to="typst", output=target)
    text = target.read_text(encoding="utf-8")
    assert "15 văn bản" in text and "12 văn bản" not in text
    pandoc_service.stop()


def test_pandoc_warnings_reach_the_build_log(tmp_path):
    (tmp_path / "media").mkdir()
    source = tmp_path / "co-hinh.md"
    source.write_text("# I. KẾT QUẢ\n\n![Biểu đồ](media/khong-co.png)\n", encoding="utf-8")
    logged: list[str] = []
    target = tmp_path / "co-hinh.docx"
    run_pandoc(_job(source, target, logged), FORMATS["docx"], to="docx", output=target)
    assert target.stat().st_size > 0
    assert any(
        line.startswith("pandoc (docx): [WARNING]") and "media/khong-co.png" in line
        for line in logged
    ), logged
    pandoc_service.stop()


def test_a_failing_conversion_is_told_and_the_next_one_runs(tmp_path):
    source = tmp_path / "van-ban.md"
    source.write_text("# I. KẾT QUẢ\n\nVăn bản.\n", encoding="utf-8")
    not_word = tmp_path / "mau.docx"
    not_word.write_text("không phải tệp Word", encoding="utf-8")
    target = tmp_path / "van-ban.docx"
    with pytest.raises(ConversionError, match=r"^pandoc \(docx\) thất bại: .+"):
        run_pandoc(_job(source, target), [f"--reference-doc={not_word}"], to="docx",
                   output=target)  # fmt: skip
    run_pandoc(_job(source, target), FORMATS["docx"], to="docx", output=target)
    assert target.read_bytes()[:2] == b"PK"
    pandoc_service.stop()


def test_an_idle_process_is_in_the_ledger_until_it_ends(tmp_path):
    source = tmp_path / "van-ban.md"
    source.write_text("# I. KẾT QUẢ\n\nVăn bản.\n", encoding="utf-8")
    target = tmp_path / "van-ban.docx"
    pandoc_service.stop()
    before = LEDGER._used()
    run_pandoc(_job(source, target), FORMATS["docx"], to="docx", output=target)
    assert LEDGER._used() > before, "the idle process holds its share"
    pandoc_service.stop()
    assert LEDGER._used() == before


def test_options_it_does_not_know_go_to_the_command_line(tmp_path):
    """An HTML page, or a format with an option the kept processes do not take, is
    converted by the command line as before."""
    source = tmp_path / "van-ban.md"
    source.write_text("# I. KẾT QUẢ\n\nVăn bản.\n", encoding="utf-8")
    target = tmp_path / "van-ban.docx"
    pandoc_service.stop()
    run_pandoc(_job(source, target), [*FORMATS["docx"], "--toc"], to="docx", output=target)
    assert not pandoc_service.READERS._idle
    page = run_pandoc(_job(source, target), ["--standalone"], to="html5")
    assert "Văn bản." in page.decode("utf-8")
    assert not pandoc_service.READERS._idle


def test_a_projects_filter_runs_as_on_the_command_line(tmp_path):
    """A filter of the project's own (a template override) sees what --lua-filter gives it
    and starts afresh each time, its required modules included."""
    templates = tmp_path / "templates"
    (templates / "filters").mkdir(parents=True)
    (tmp_path / "dem.lua").write_text("return { n = 0 }\n", encoding="utf-8")
    (templates / "filters" / "formats.lua").write_text(
        f'package.path = "{tmp_path}/?.lua;" .. package.path\n'
        'local counter = require("dem")\n'
        "counter.n = counter.n + 1\n"
        "function Pandoc(doc)\n"
        "  doc.blocks:insert(pandoc.Para(FORMAT .. ' ' .. PANDOC_SCRIPT_FILE:match('[^/]*$')\n"
        "    .. ' ' .. counter.n .. ' ' .. tostring(PANDOC_WRITER_OPTIONS.slide_level)))\n"
        "  return doc\n"
        "end\n",
        encoding="utf-8",
    )
    source = tmp_path / "van-ban.md"
    source.write_text("# I. KẾT QUẢ\n\nVăn bản.\n", encoding="utf-8")
    for _ in range(2):
        target = tmp_path / "van-ban.typ"
        job = dataclasses.replace(_job(source, target), templates=(templates, TEMPLATES))
        run_pandoc(job, ["--slide-level=2", *FORMATS["typst"]], to="typst", output=target)
        assert "typst formats.lua 1 2" in target.read_text(encoding="utf-8")
    pandoc_service.stop()
