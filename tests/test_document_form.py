"""The form of Decree 30/2020/NĐ-CP, one set of checks over every kind of document a build
makes, read back from the DOCX (python-docx) and the PDF (pdftotext).

Each kind is one line of ``KINDS``: the document (as ``ReportProject.output`` names it), the
``[output]`` key listing its formats, and what its header, number line, date line, title,
"Kính gửi:", signature and "Nơi nhận" must say. A new kind of document adds its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from cchc_pipeline.testing import ReportProject

from .conftest import pdf_text, sample_with_cache


@dataclass(frozen=True)
class Kind:
    """One kind of document and what its form must show."""

    document: str | None  # ReportProject.output's name; None: the report
    formats_key: str  # the [output] key listing its formats
    agency: tuple[str, ...]  # the header's left column, parent first
    number: str  # a regular expression of the number line
    date: str  # the place and date line
    title: tuple[str, ...]  # the document type, then the start of the summary
    addressees: tuple[str, ...]  # the "Kính gửi" lines; () when the document has none
    signer: tuple[str, ...]  # authority and position lines, then the name
    archive: str  # the last entry of "Nơi nhận"
    parts: bool = False  # whether the body is in parts ("Phần I" on its own line)

    @property
    def id(self) -> str:
        return self.document or "report"


UBND = ("ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN")
UBND_SIGNER = ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Minh họa")
REPORT_DATE = "Lạng Sơn, ngày 20 tháng 11 năm 2020"
# fmt: off
KINDS = [  # one line per kind of document
    Kind(None, "formats", UBND, r"Số:\s+/BC-UBND", REPORT_DATE, ("BÁO CÁO", "Tổng kết Chương trình tổng thể"), ("Kính gửi: Bộ Nội vụ.",), UBND_SIGNER, "- Lưu: VT, SNV.", parts=True),  # noqa: E501
    Kind("chuyen-de-stp", "thematic", ("UBND TỈNH LẠNG SƠN", "SỞ TƯ PHÁP"), r"Số:\s+/BC-STP", "Lạng Sơn, ngày 15 tháng 9 năm 2020", ("BÁO CÁO", "Tổng kết thực hiện Chương trình"), (), ("GIÁM ĐỐC", "Hoàng Văn Minh họa"), "- Lưu: VT, STP."),  # noqa: E501
    Kind("chuyen-de-skhcn", "thematic", ("UBND TỈNH LẠNG SƠN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"), r"Số:\s+/BC-SKHCN", "Lạng Sơn, ngày 15 tháng 9 năm 2020", ("BÁO CÁO", "Tổng kết thực hiện Chương trình"), (), ("GIÁM ĐỐC", "Lương Thị Minh họa"), "- Lưu: VT, SKHCN."),  # noqa: E501
    Kind("to-trinh-khen-thuong", "to_trinh", ("UBND TỈNH LẠNG SƠN", "SỞ NỘI VỤ"), r"Số:\s+/TTr-SNV", "Lạng Sơn, ngày 12 tháng 11 năm 2020", ("TỜ TRÌNH", "Về việc đề nghị tặng"), ("Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn.",), ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Thị Minh họa"), "- Lưu: VT, TĐKT."),  # noqa: E501
    Kind("quyet-dinh-khen-thuong", "quyet_dinh", UBND, r"Số:\s+/QĐ-UBND", "Lạng Sơn, ngày 18 tháng 11 năm 2020", ("QUYẾT ĐỊNH", "Về việc tặng"), (), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn Minh họa"), "- Lưu: VT, SNV."),  # noqa: E501
    Kind("chuong-trinh-2021-2030", "programme", UBND, r"Số:\s+/CTr-UBND", REPORT_DATE, ("CHƯƠNG TRÌNH", "Cải cách hành chính tỉnh Lạng Sơn"), (), UBND_SIGNER, "- Lưu: VT, SNV."),  # noqa: E501
]
# fmt: on
NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
FORMATS = ("docx", "pdf")


def _with_formats(project: ReportProject, key: str, wanted: tuple[str, ...]) -> None:
    """Make sure [output] ``key`` lists ``wanted`` (the sample may build fewer)."""
    from cchc_pipeline.config import SCHEMA, load_config

    current = load_config(project.config_path).output[key]
    formats = list(dict.fromkeys([*current, *wanted]))
    if re.search(rf"(?m)^{key}\s*=", project.config_text()):
        project.set_list(key, formats)
    else:
        assert key in SCHEMA["output"]
        listed = ", ".join(f'"{f}"' for f in formats)
        project.edit_config("[output]\n", f"[output]\n{key} = [{listed}]\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ReportProject:
    """The sample built once, every kind of document in DOCX and PDF."""
    project = ReportProject.sample(tmp_path_factory.mktemp("form") / "bao-cao")
    for key in dict.fromkeys(kind.formats_key for kind in KINDS):
        _with_formats(project, key, FORMATS)
    result = project.run("build")
    assert result.exit_code == 0, result.output
    return project


def docx_lines(path: Path) -> list[str]:
    """Every non-empty paragraph of the body in order (table cells included), a line break
    inside a paragraph kept as "\\n"."""
    out = []
    for p in docx.Document(str(path)).element.body.iter(qn("w:p")):
        text = "".join(
            (node.text or "") if node.tag == qn("w:t") else "\n"
            for node in p.iter(qn("w:t"), qn("w:br"))
        )
        if text.strip():
            out.append(text.strip())
    return out


def pdf_lines(path: Path) -> list[str]:
    """The PDF's lines in reading order, spaces collapsed, without the running header (page
    numbers) and the draft's footer."""
    lines = [" ".join(line.split()) for line in pdf_text(path).splitlines()]
    return [
        line for line in lines
        if line and not line.isdigit() and not line.startswith("Dự thảo - phiên bản")
    ]  # fmt: skip


@pytest.fixture(scope="module")
def texts(built):
    """(kind, format) → the document's lines, read once."""
    cache: dict[tuple[str, str], list[str]] = {}

    def read(kind: Kind, fmt: str) -> list[str]:
        if (kind.id, fmt) not in cache:
            path = built.output(fmt, kind.document)
            cache[kind.id, fmt] = docx_lines(path) if fmt == "docx" else pdf_lines(path)
        return cache[kind.id, fmt]

    return read


CASES = [pytest.param(kind, fmt, id=f"{kind.id}-{fmt}") for kind in KINDS for fmt in FORMATS]


def _in_order(words: list[str], among: list[str]) -> bool:
    """Whether ``words`` occur in ``among`` in order, other words between them allowed."""
    rest = iter(among)
    return all(word in rest for word in words)


def _index(lines: list[str], predicate, start: int = 0) -> int:
    for number in range(start, len(lines)):
        if predicate(lines[number]):
            return number
    raise AssertionError(f"no line matches after line {start}: {lines[start : start + 8]}")


def _has(text: str):
    return lambda line: text in line


@pytest.mark.parametrize(("kind", "fmt"), CASES)
def test_header_number_and_date(texts, kind, fmt) -> None:
    lines = texts(kind, fmt)
    head = "\n".join(lines[:12])
    for expected in (*kind.agency, *NATIONAL, kind.date):
        if fmt == "pdf":  # the two columns side by side: a long name wraps beside the motto
            assert _in_order(expected.split(), head.split()), expected
        else:
            assert expected in lines[:12], expected
    assert re.search(kind.number, head), kind.number
    # the agency above its number, the national name above the motto
    assert head.index(kind.agency[-1].split()[0]) < re.search(kind.number, head).start()
    assert head.index(NATIONAL[0]) < head.index(NATIONAL[1])


@pytest.mark.parametrize(("kind", "fmt"), CASES)
def test_title_then_addressees(texts, kind, fmt) -> None:
    lines = texts(kind, fmt)
    kind_line = _index(lines, lambda line: line == kind.title[0])
    summary = _index(lines, _has(kind.title[1]), kind_line)
    assert summary == kind_line + 1
    found = [n for n, line in enumerate(lines) if line.startswith("Kính gửi")]
    if not kind.addressees:
        assert found == []
        return
    assert len(found) == 1
    first = found[0]
    assert summary < first < summary + 4  # under the summary line, before the body
    assert lines[first : first + len(kind.addressees)] == list(kind.addressees)


@pytest.mark.parametrize(("kind", "fmt"), CASES)
def test_closing_mark_follows_the_last_word(texts, kind, fmt) -> None:
    lines = texts(kind, fmt)
    marked = [n for n, line in enumerate(lines) if "./." in line]
    assert len(marked) == 1, [lines[n] for n in marked]
    line = lines[marked[0]]
    assert line.endswith("./.") and line != "./."
    assert re.search(r"\w\./\.$", line), line  # no space, no line between word and mark
    # nothing of the body after it: the recipients' block comes next
    assert lines[marked[0] + 1].startswith("Nơi nhận:"), lines[marked[0] + 1]


@pytest.mark.parametrize(("kind", "fmt"), CASES)
def test_signature_and_recipients(texts, kind, fmt) -> None:
    lines = texts(kind, fmt)
    recipients = _index(lines, lambda line: line.startswith("Nơi nhận:"))
    after = "\n".join(lines[recipients:])
    position = 0
    for expected in kind.signer:  # in order, after "Nơi nhận:"
        found = after.find(expected, position)
        assert found >= 0, expected
        position = found + len(expected)
    assert kind.archive in after
    assert after.index(kind.archive) < after.index(kind.signer[-1]) or fmt == "pdf"


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [c for c in CASES if c.values[0].parts],  # type: ignore[attr-defined]
)
def test_part_number_on_its_own_line(texts, kind, fmt) -> None:
    lines = texts(kind, fmt)
    if fmt == "docx":  # one heading, the title after a line break
        parts = [line for line in lines if re.match(r"Phần [IVX]+(\n|$)", line)]
        assert [p.split("\n")[0] for p in parts] == ["Phần I", "Phần II", "Phần III"]
        for part in parts:
            title = part.split("\n")[1]
            assert title == title.upper() and len(title) > 10, part
    else:
        for numeral in ("I", "II", "III"):
            at = lines.index(f"Phần {numeral}")
            assert lines[at + 1] == lines[at + 1].upper() and len(lines[at + 1]) > 10
        assert not any(re.match(r"Phần [IVX]+\. ", line) for line in lines)


def test_part_headings_in_docx_are_centred_bold_headings(built) -> None:
    document = docx.Document(str(built.output("docx")))
    parts = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text.split("\n")[0] for p in parts] == ["Phần I", "Phần II", "Phần III"]
    for p in parts:
        assert p._p.find(f".//{qn('w:br')}") is not None
        assert p.alignment is None or p.alignment == 1  # centred by the style
    assert parts[0].style.paragraph_format.alignment == 1 and parts[0].style.font.bold


def test_kinh_gui_in_docx_is_centred_in_the_body_size(built) -> None:
    document = docx.Document(str(built.output("docx")))
    (p,) = [p for p in document.paragraphs if p.text.startswith("Kính gửi")]
    assert p._p.find(f".//{qn('w:jc')}").get(qn("w:val")) == "center"
    assert p._p.find(f".//{qn('w:sz')}").get(qn("w:val")) == "28"  # 14 pt


def test_html_has_the_same_form(built) -> None:
    import lxml.html

    page = lxml.html.parse(str(built.output("html"))).getroot()
    (addressees,) = page.find_class("addressees")
    assert addressees.text_content().strip() == "Kính gửi: Bộ Nội vụ."
    parts = page.find_class("part")
    assert [h.tag for h in parts] == ["h1", "h1", "h1"]
    for h in parts:
        (number,) = h.find_class("part-number")  # a block of its own (report.css)
        assert re.fullmatch(r"Phần [IVX]+", number.text_content().strip())
        title = h.text_content().replace(number.text_content(), "", 1).strip()
        assert title == title.upper() and len(title) > 10
    assert "h1 .part-number { display: block; }" in built.output("html").read_text("utf-8")
    main = page.find(".//main")
    marked = [e for e in main.iter("p", "li") if "./." in e.text_content()]
    assert len(marked) == 1
    assert re.search(r"\w\./\.$", marked[0].text_content().strip())
    assert not page.find_class("closing")


def test_several_addressees_are_listed(built_sample, tmp_path) -> None:
    project = sample_with_cache(built_sample, tmp_path / "bao-cao")
    project.edit_config(
        'addressees = ["Bộ Nội vụ"]',
        'addressees = ["Bộ Nội vụ", "Ban Chỉ đạo cải cách hành chính của Chính phủ;"]',
    )
    result = project.run("build", "-f", "docx", "-f", "pdf", "-f", "html")
    assert result.exit_code == 0, result.output
    expected = ["Kính gửi:", "- Bộ Nội vụ;", "- Ban Chỉ đạo cải cách hành chính của Chính phủ."]
    for lines in (docx_lines(project.output("docx")), pdf_lines(project.output("pdf"))):
        at = lines.index("Kính gửi:")
        assert lines[at : at + 3] == expected
    html = project.output("html").read_text(encoding="utf-8")
    assert "<li>Ban Chỉ đạo cải cách hành chính của Chính phủ.</li>" in html


@pytest.mark.parametrize(
    ("value", "message"),
    [('["Bộ Nội vụ", " "]', "có một mục để trống"), ('"Bộ Nội vụ"', "phải là một danh sách")],
)
def test_addressees_are_validated(tmp_path, value, message) -> None:
    project = ReportProject.sample(tmp_path / "bao-cao")
    project.edit_config('addressees = ["Bộ Nội vụ"]', f"addressees = {value}")
    result = project.run("validate")
    assert result.exit_code == 2
    assert message in result.output and "config.toml:" in result.output
