"""Containment, in the built files: what a submission holds is data, never markup or a way
out of its folder. (tests/test_narrative.py checks the findings and the Markdown; this module
opens the HTML, DOCX, XLSX and PDF a build writes from hostile submissions.)

One build of a sample whose Sở Tư pháp narrative, nominations and letter particulars try
every trick, plus a secret file beside the project that nothing may pull in.
"""

from __future__ import annotations

import base64
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from cchc_pipeline.testing import ReportProject

from .conftest import pdf_text
from .test_build import _Collect as HtmlParts
from .test_build import docx_text
from .test_narrative import NARRATIVE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STRAIGHT = str.maketrans("‘’", "''")  # pandoc's typographic quotes
SECRET_TEXT = "BI-MAT-CUA-MAY-DIEU-PHOI"
# a 1×1 red PNG: found in no sample, so any copy of it in an output came from outside
SECRET_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
TEXT_LINE = "Ký tự đặc biệt | # * _ {{ 7*7 }} {% if true %}JINJA{% endif %} <b>đậm giả</b>"
HOSTILE = NARRATIVE.replace(
    "- Ý thứ hai.",
    f"""- Ý thứ hai.

{TEXT_LINE}

<script>alert('the-raw-html')</script>

```{{=html}}
<script>alert('the-raw-block')</script><img src=x onerror="alert('onerror')">
```

```{{=openxml}}
<w:p><w:r><w:t>CHEN-OPENXML</w:t></w:r></w:p>
```

`<b>CHEN-INLINE</b>`{{=html}} và `<w:t>CHEN-INLINE-XML</w:t>`{{=openxml}}

![bí mật](../../../bi-mat.png) ![tuyệt đối]({{secret}}) ![mạng](http://127.0.0.1:9/x.png)
![liên kết](hinh/lien-ket.png) [tệp](file://{{secret_text}}) [trang](javascript:alert(1))
""",
)
NAME = "<script>alert(2)</script> | # Tập thể {{ 7*7 }}"
FORMULA = '=HYPERLINK("http://127.0.0.1:9/","Bấm vào đây")'


TASK = "# Nhiệm vụ **đậm** `mã` <b>x</b> {{ y }} ::: slides"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> ReportProject:
    root = tmp_path_factory.mktemp("hostile")
    (root / "bi-mat.png").write_bytes(SECRET_PNG)
    (root / "bi-mat.txt").write_text(SECRET_TEXT, encoding="utf-8")
    project = ReportProject.sample(root / "du-an" / "bao-cao")
    folder = project.root / "submissions" / "stp"
    (folder / "bao-cao.md").write_text(
        HOSTILE.replace("{secret}", str(root / "bi-mat.png")).replace(
            "{secret_text}", str(root / "bi-mat.txt")
        ),
        encoding="utf-8",
    )
    nominations = folder / "khen-thuong.csv"
    with nominations.open("a", encoding="utf-8") as handle:
        cells = [NAME, "Sở Tư pháp", "# Thành tích **đậm** `mã`", FORMULA]
        handle.write("Tập thể," + ",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n")
    tasks = folder / "nhiem-vu.csv"
    with tasks.open("a", encoding="utf-8") as handle:
        cells = [TASK, "Sở Tư pháp", "Sở Nội vụ", "2025", FORMULA]
        handle.write(",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n")
    letter = folder / "van-ban.toml"
    letter.write_text(
        letter.read_text(encoding="utf-8").replace(
            'signer_name = "Hoàng Văn Minh họa"', 'signer_name = "<script>ky()</script> {{ x }}"'
        ),
        encoding="utf-8",
    )
    project.set_list("formats", ["md", "html", "docx", "pdf"])  # and the others' defaults
    result = project.run("build", "--keep-going")
    assert result.exit_code == 1, result.output  # the refused pictures are errors
    return project


def test_the_refusals_are_findings(hostile):
    errors = [f for f in hostile.findings("stp") if f["severity"] == "error"]
    messages = " ".join(f["message"] for f in errors)
    assert "../../../bi-mat.png" in messages and "http://127.0.0.1:9/x.png" in messages
    assert "hinh/lien-ket.png" in messages  # not in the folder (a link out: tests/test_bad_inputs)


def test_html_has_no_script_handler_or_outside_reference(hostile):
    page = HtmlParts()
    page.feed(hostile.output("html").read_text(encoding="utf-8"))
    assert [t for t, _ in page.tags if t in {"script", "iframe", "object", "embed"}] == []
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "http:", "https:", "file:")), (tag, attrs)
    text = " ".join("".join(page.text).split()).translate(STRAIGHT)
    assert TEXT_LINE in text  # literally, nothing interpreted
    assert "<script>alert('the-raw-html')</script>" in text  # raw HTML off: shown as text
    # raw blocks are read as code: shown as text, never passed through as markup
    assert "<script>alert('the-raw-block')</script>" in text and "<b>CHEN-INLINE</b>" in text
    html = hostile.output("html").read_text(encoding="utf-8")
    payloads = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert payloads  # the charts are there…
    assert SECRET_PNG not in [base64.b64decode(p) for p in payloads]  # …the secret is not


def docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_docx_has_no_injected_openxml_and_no_outside_file(hostile):
    import docx

    for document in (None, "chuyen-de-stp", "khen-thuong", "chuong-trinh-2021-2030"):
        parts = docx_parts(hostile.output("docx", document))
        xml = parts["word/document.xml"].decode("utf-8")
        texts = [t.text for t in ElementTree.fromstring(xml).iter(f"{W}t")]
        assert "CHEN-OPENXML" not in texts and "CHEN-INLINE-XML" not in texts  # no injected run
        assert SECRET_PNG not in parts.values() and SECRET_TEXT.encode() not in xml.encode()
        assert "<w:instrText" not in xml or "HYPERLINK" not in xml  # no field made of text
    report = docx_text(docx.Document(str(hostile.output("docx"))))
    assert TEXT_LINE in report
    assert NAME in report  # the merged nominations appendix: one cell, literal
    assert "# Thành tích **đậm** `mã`" in report
    thematic = docx_text(docx.Document(str(hostile.output("docx", "chuyen-de-stp"))))
    assert "<script>ky()</script> {{ x }}" in thematic  # the signer, as written
    programme = docx.Document(str(hostile.output("docx", "chuong-trinh-2021-2030")))
    cells = [c.text for row in programme.tables[-1].rows for c in row.cells]
    assert TASK in cells  # the task table's cell, literal (no heading, markup or div)


def test_xlsx_cells_are_text_not_formulas(hostile):
    sheet = openpyxl.load_workbook(hostile.output("xlsx", "khen-thuong")).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    assert cells[NAME].data_type == "s"
    assert cells[FORMULA].data_type == "s"  # shown as typed, never evaluated by Excel
    assert not [c for c in cells.values() if c.data_type == "f"]


def test_pdf_shows_the_text_literally(hostile):
    text = " ".join(pdf_text(hostile.output("pdf")).split())
    assert "{{ 7*7 }} {% if true %}JINJA{% endif %} <b>đậm giả</b>" in text
    assert "<w:t>CHEN-OPENXML</w:t>" in text and SECRET_TEXT not in text  # as text


def test_no_output_holds_the_outside_files(hostile):
    build = hostile.root / "build"
    for path in build.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_PNG not in data and SECRET_TEXT.encode() not in data, path
            if path.suffix in {".docx", ".xlsx", ".pptx"}:
                assert SECRET_PNG not in docx_parts(path).values(), path
    assert not (build / "media" / "stp" / "hinh").exists()
