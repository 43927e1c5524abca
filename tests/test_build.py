"""End to end: the sample builds in every format, reproducibly and atomically."""

from __future__ import annotations

import hashlib
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pptx
import pytest

from .conftest import FIELDS, pdf_text, sample_with_cache

FORMATS = ("md", "docx", "pdf", "html", "pptx")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


DEPARTMENTS = ("stp", "vp", "snv", "stc", "stttt", "skhcn")


def test_sample_build_writes_every_document_and_format(built_sample):
    for extension in FORMATS:
        path = built_sample.output(extension)
        assert path.stat().st_size > 1000, path
    expected = [built_sample.output(e).name for e in FORMATS] + ["media"]
    for code in DEPARTMENTS:
        expected += [built_sample.output(e, f"chuyen-de-{code}").name for e in ("docx", "pdf")]
    expected += [built_sample.output(e, "khen-thuong").name for e in ("docx", "pdf", "xlsx")]
    for document in ("to-trinh-khen-thuong", "quyet-dinh-khen-thuong"):
        expected += [built_sample.output(e, document).name for e in ("docx", "pdf")]
    expected += [built_sample.output(e, "chuong-trinh-2021-2030").name for e in ("docx", "pdf")]
    expected.append(built_sample.output("manifest.json").name)  # the audit trail (test_audit.py)
    expected.append(built_sample.output("data.json").name)  # the data export (test_data_export)
    leftovers = [p.name for p in (built_sample.root / "build").iterdir()]
    assert sorted(leftovers) == sorted(expected)
    media = built_sample.root / "build" / "media"
    assert len(list(media.rglob("*.png"))) >= 6  # the charts the md refers to


def docx_text(document) -> str:
    """Every paragraph's text, including those inside tables, in document order."""
    from docx.oxml.ns import qn

    return "\n".join(
        "".join(t.text or "" for t in p.iter(qn("w:t")))
        for p in document.element.body.iter(qn("w:p"))
    )


def test_docx_holds_the_report(built_sample):
    document = docx.Document(str(built_sample.output("docx")))
    text = docx_text(document)
    assert "Phần IKẾT QUẢ THỰC HIỆN" in text and "Phần II" in text  # a line break between
    for field in FIELDS:
        assert field in text, field
    assert "Nơi nhận:" in text and "PHÓ CHỦ TỊCH" in text
    data_tables = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    assert len(data_tables) >= 6
    header = [cell.text for cell in data_tables[0].rows[0].cells]
    assert header[:3] == ["STT", "Chỉ tiêu", "Đơn vị"] and header[-1] == "2020"


def test_pdf_text_is_vietnamese(built_sample):
    text = pdf_text(built_sample.output("pdf"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Cải cách thể chế" in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_self_contained_page(built_sample):
    parser = _Collect()
    parser.feed(built_sample.output("html").read_text(encoding="utf-8"))
    tags = [tag for tag, _ in parser.tags]
    assert "nav" in tags and "table" in tags
    assert not [a for t, a in parser.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert not [a for t, a in parser.tags if t == "script"]
    assert "Cải cách thể chế" in "".join(parser.text)


def test_pptx_has_title_and_field_slides(built_sample):
    deck = pptx.Presentation(str(built_sample.output("pptx")))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert "Tổng kết Chương trình tổng thể" in titles[0]
    assert "Cải cách thể chế" in titles


def test_two_builds_are_byte_identical(project, tmp_path):
    first = project.run("build", "-o", str(tmp_path / "a"))
    second = project.run("build", "-o", str(tmp_path / "b"))
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert len(files) >= 5 + 12 + 2 + 6  # every document, format and chart
    assert any(name.name.endswith(".manifest.json") for name in files)
    for name in files:
        assert digest(tmp_path / "a" / name) == digest(tmp_path / "b" / name), name


FAILING_FORMAT = """
from cchc_pipeline import OutputFormat, hookimpl

@hookimpl
def cchc_output_formats():
    def convert(job):
        job.target.write_text("half", encoding="utf-8")
        raise RuntimeError("máy in hết giấy")
    return [OutputFormat("hong", ".hong", "Định dạng hỏng", convert)]
"""


def test_failed_build_leaves_previous_outputs_untouched(built_sample, tmp_path):
    project = sample_with_cache(built_sample, tmp_path / "bao-cao")
    assert project.run("build", "-f", "md", "-f", "docx").exit_code == 0
    before = {p.name: digest(p) for p in (project.root / "build").rglob("*") if p.is_file()}
    project.add_plugin("hong", FAILING_FORMAT)
    project.edit_config("date = 2020-11-20", "date = 2020-11-21")  # the md would change
    result = project.run("build", "-f", "md", "-f", "docx", "-f", "hong")
    assert result.exit_code == 3
    assert "hong: máy in hết giấy" in result.stderr
    after = {p.name: digest(p) for p in (project.root / "build").rglob("*") if p.is_file()}
    assert after == before


def test_keep_going_marks_the_failed_section(project):
    project.add_plugin(
        "gay",
        "from cchc_pipeline import hookimpl\n\n"
        "@hookimpl\ndef cchc_collect(section):\n    raise ValueError('ô B7 hỏng')\n",
    )
    project.add_submission("gay", {"x.txt": "x"})
    stopped = project.run("build", "-f", "md")
    assert stopped.exit_code == 3
    assert "Plugin “gay” gặp lỗi ở bước thu thập dữ liệu: ValueError: ô B7 hỏng" in stopped.stderr
    assert not (project.root / "build").exists()

    kept = project.run("build", "-f", "md", "--keep-going")
    assert kept.exit_code == 3
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "CHƯA DỰNG ĐƯỢC PHẦN NÀY" in markdown and "Cải cách thể chế" in markdown


def test_docx_is_a_valid_package(built_sample):
    with zipfile.ZipFile(built_sample.output("docx")) as archive:
        assert archive.testzip() is None
        assert "word/document.xml" in archive.namelist()


@pytest.mark.parametrize("flag", ["-q", None])
def test_quiet_and_pipe_output_have_no_progress(project, flag):
    args = ["build", "-f", "md"] + ([flag] if flag else [])
    result = project.run(*args)
    assert result.exit_code == 0
    assert "»" not in result.stderr
    # -q hides progress only: the files written are the result, on standard output
    assert "Đã ghi md:" in result.stdout
    assert "Đã ghi bản kê:" in result.stdout
