"""Narratives in Markdown or Word: parts found, required parts checked, content contained."""

from __future__ import annotations

import base64
import subprocess

import docx
import pypandoc

from cchc_pipeline.testing import ReportProject

NARRATIVE = """# Kết quả thực hiện

Đoạn mở đầu có chữ **đậm** và *nghiêng*.

- Ý thứ nhất;
- Ý thứ hai.

# TỒN TẠI, HẠN CHẾ

Một hạn chế.

# Nguyên nhân

Một nguyên nhân.

# Bài học kinh nghiệm

Một bài học.

# Nhiệm vụ, giải pháp giai đoạn 2021 - 2030

Một nhiệm vụ.

# Đề xuất, kiến nghị

Một kiến nghị.
"""

# a 1×1 transparent PNG
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def section_text(project: ReportProject, title: str) -> str:
    """The Markdown of the results sub-section titled ``title`` in the built report."""
    markdown = project.output("md").read_text(encoding="utf-8")
    start = markdown.index(f". {title}\n")
    return markdown[start : markdown.index("\n### ", start)]


def write_narrative(project: ReportProject, text: str, plugin: str = "stp") -> None:
    path = project.root / "submissions" / plugin / "bao-cao.md"
    path.write_text(text, encoding="utf-8")


def test_parts_are_found_by_heading_whatever_the_case(cached_project):
    project = cached_project
    write_narrative(project, NARRATIVE)
    assert project.findings("stp") == []
    assert project.run("build", "-f", "md").exit_code == 0
    text = section_text(project, "Cải cách thể chế")
    assert "Đoạn mở đầu có chữ **đậm** và *nghiêng*." in text
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "Một hạn chế." in markdown.split("ĐÁNH GIÁ CHUNG")[1]
    assert "Một nhiệm vụ." in markdown.split("# Phần II")[1]
    assert "Một kiến nghị." in markdown.split("# Phần III")[1]


def test_missing_and_empty_parts_are_errors_with_the_heading(project):
    text = NARRATIVE.replace("# Bài học kinh nghiệm\n\nMột bài học.\n", "")
    text = text.replace("Một nguyên nhân.", "")
    write_narrative(project, text)
    found = {f["message"]: f["location"] for f in project.findings("stp")}
    assert found["Thiếu mục “Bài học kinh nghiệm”."]["file"] == "submissions/stp/bao-cao.md"
    empty = found["Mục “Nguyên nhân” chưa có nội dung."]
    assert empty["heading"] == "Nguyên nhân"


def test_no_narrative_is_an_error(project):
    (project.root / "submissions" / "stp" / "bao-cao.md").unlink()
    (finding,) = [f for f in project.findings("stp") if "bài viết" in f["message"]]
    assert finding["severity"] == "error"


def test_unknown_heading_and_text_before_the_first_heading_are_warnings(project):
    write_narrative(project, "Lời nói đầu.\n\n" + NARRATIVE + "\n# Phụ lục riêng\n\nx\n")
    found = project.findings("stp")
    assert {f["severity"] for f in found} == {"warning"}
    assert any(f["location"]["heading"] == "Phụ lục riêng" for f in found)


def test_word_narrative_builds_the_same_section_as_its_markdown_twin(built_cache_project, tmp_path):
    project = built_cache_project
    write_narrative(project, NARRATIVE)
    assert project.run("build", "-f", "md").exit_code == 0
    from_markdown = section_text(project, "Cải cách thể chế")

    md = project.root / "submissions" / "stp" / "bao-cao.md"
    pypandoc.convert_file(str(md), "docx", outputfile=str(md.with_suffix(".docx")))
    md.unlink()
    assert project.findings("stp") == []
    assert project.run("build", "-f", "md").exit_code == 0
    assert section_text(project, "Cải cách thể chế") == from_markdown


def test_word_narrative_keeps_tables_and_images(built_cache_project):
    project = built_cache_project
    folder = project.root / "submissions" / "stp"
    (folder / "hinh").mkdir()
    (folder / "hinh" / "diem.png").write_bytes(PIXEL)
    text = NARRATIVE.replace(
        "- Ý thứ hai.",
        "- Ý thứ hai.\n\n| Năm | Số |\n|---|---|\n| 2020 | 5 |\n\n![Ảnh hội nghị](hinh/diem.png)",
    )
    (folder / "bao-cao.md").write_text(text, encoding="utf-8")
    pypandoc.convert_file(
        str(folder / "bao-cao.md"),
        "docx",
        outputfile=str(folder / "bao-cao.docx"),
        extra_args=[f"--resource-path={folder}"],
    )
    (folder / "bao-cao.md").unlink()
    result = project.run("build", "-f", "md", "-f", "docx")
    assert result.exit_code == 0, result.output
    text = section_text(project, "Cải cách thể chế")
    assert "| 2020 | 5 |" in text.replace("  ", " ") or "2020" in text
    assert "](media/stp/media/" in text  # the extracted picture, inside the report's media
    document = docx.Document(str(project.output("docx")))
    assert len(document.inline_shapes) >= 1 + 6  # the picture and the charts


def test_injection_attempts_stay_text(built_cache_project):
    project = built_cache_project
    hostile = NARRATIVE.replace(
        "- Ý thứ hai.",
        "- Ý thứ hai.\n\n<script>alert('x')</script>\n\n"
        "```{=openxml}\n<w:p><w:r><w:t>CHEN</w:t></w:r></w:p>\n```\n\n"
        "::: slides\n## Trang chiếu lạ\n:::\n\n---\ntitle: Giả mạo\n---\n",
    )
    write_narrative(project, hostile)
    result = project.run("build", "-f", "md", "-f", "html", "-f", "docx")
    assert result.exit_code == 0, result.output
    html = project.output("html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    with open(project.output("docx"), "rb") as handle:
        import zipfile

        xml = zipfile.ZipFile(handle).read("word/document.xml").decode("utf-8")
    assert "<w:t>CHEN</w:t>" not in xml
    markdown = project.output("md").read_text(encoding="utf-8")
    slides = markdown.split("::: slides", 1)[1]
    assert "Trang chiếu lạ" not in slides


def test_images_and_links_outside_the_submission_are_refused(cached_project, tmp_path):
    project = cached_project
    secret = tmp_path / "bi-mat.png"
    secret.write_bytes(PIXEL)
    hostile = NARRATIVE.replace(
        "- Ý thứ hai.",
        f"- Ý thứ hai.\n\n![a]({secret})\n\n![b](../../bi-mat.png)\n\n![c](http://example.com/x.png)\n\n"
        "[trang](https://example.com)",
    )
    write_narrative(project, hostile)
    found = [f for f in project.findings("stp")]
    errors = [f for f in found if f["severity"] == "error"]
    assert len(errors) == 3
    assert all(f["location"]["heading"] == "Kết quả thực hiện" for f in errors)
    assert any("https://example.com" in f["message"] for f in found if f["severity"] == "warning")
    result = project.run("build", "-f", "md", "--keep-going")
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "bi-mat" not in markdown and "example.com" not in markdown
    assert result.exit_code == 1


def test_corrupt_word_file_is_a_located_error(project):
    folder = project.root / "submissions" / "stp"
    (folder / "bao-cao.md").unlink()
    (folder / "bao-cao.docx").write_bytes(b"PK\x03\x04 not really a word file")
    (finding,) = [f for f in project.findings("stp") if "Không đọc được bài viết" in f["message"]]
    assert finding["location"]["file"] == "submissions/stp/bao-cao.docx"


def test_subprocess_pandoc_is_the_bundled_one():
    out = subprocess.run(
        [pypandoc.get_pandoc_path(), "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("pandoc 3.")


def test_a_typed_fence_stays_text_inside_the_departments_part(cached_project):
    """A clerk's line ":::" must not close the div the part is placed in (nor open one)."""
    project = cached_project
    text = (project.root / "submissions" / "stp" / "bao-cao.md").read_text(encoding="utf-8")
    text = text.replace("# Hạn chế\n", "# Hạn chế\n\n:::\n\n::: slides\n\nCHÈN SLIDE\n\n:::\n\n", 1)
    write_narrative(project, text)
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    at = markdown.index("CHÈN SLIDE")
    opened = markdown.rindex("::: narrative", 0, at)
    assert "\n:::\n" not in markdown[opened:at]  # still inside the department's part
    assert "\\:::" in markdown[opened:at]
