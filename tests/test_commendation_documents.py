"""The commendation documents: the Tờ trình, the Quyết định and the list that is its appendix.

Built from the sample once (the report and the thematic reports left out), then read back as
a reader would: the DOCX with python-docx, the PDF with pdftotext, the XLSX with openpyxl.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from cchc_pipeline.testing import ReportProject

from .conftest import pdf_text, require_tool

PROPOSAL, DECISION, LIST = "to-trinh-khen-thuong", "quyet-dinh-khen-thuong", "khen-thuong"
FORM = "Bằng khen của Chủ tịch UBND tỉnh"


def only_commendations(project: ReportProject, formats: tuple[str, ...] = ("docx", "pdf")) -> None:
    """Build the commendation documents only (the report as Markdown, the cheapest)."""
    listed = (*formats, "xlsx") if "docx" in formats else formats
    quoted = {name: "[" + ", ".join(f'"{f}"' for f in names) + "]"
              for name, names in (("own", formats), ("list", listed))}  # fmt: skip
    project.set_list("formats", ["md"])
    project.edit_config(
        "[output]",
        f"[output]\nthematic = []\nto_trinh = {quoted['own']}\nquyet_dinh = {quoted['own']}\n"
        f"commendations = {quoted['list']}",
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> ReportProject:
    project = ReportProject.sample(tmp_path_factory.mktemp("khen") / "bao-cao")
    only_commendations(project)
    result = project.run("build")
    assert result.exit_code == 0, result.output
    return project


def nominations(project: ReportProject) -> list[dict[str, str]]:
    """Every nomination of the submissions, read straight from their CSV files."""
    rows = []
    for path in sorted((project.root / "submissions").glob("*/khen-thuong.csv")):
        with path.open(encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    # and the districts' ([districts]: their data exports), merged into the province's list
    for path in sorted((project.root / "districts").glob("*.data.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["nominations"]:
            rows.append({"loai": item["kind"], "ten": item["name"],
                         "chuc_vu_don_vi": item["position"], "thanh_tich": item["achievement"],
                         "hinh_thuc": item["form"]})  # fmt: skip
    return rows


def texts(document) -> list[str]:
    """The text of every paragraph outside the tables, in order (header cells included)."""
    found = []
    for p in document.element.body.iter(qn("w:p")):
        in_table = any(a.tag == qn("w:tbl") for a in p.iterancestors())
        if in_table and not _layout_table(p):
            continue
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if text.strip():
            found.append(text)
    return found


def _layout_table(p) -> bool:
    """Whether ``p`` is in the borderless layout tables (header, signature), not the list."""
    table = next(a for a in p.iterancestors() if a.tag == qn("w:tbl"))
    return table.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}") is not None


def in_order(lines: list[str], *expected: str) -> None:
    """Each expected line (a regular expression, matched whole) comes after the previous."""
    position = 0
    for pattern in expected:
        for index in range(position, len(lines)):
            if re.fullmatch(pattern, lines[index]):
                position = index + 1
                break
        else:
            raise AssertionError(f"{pattern!r} not found after line {position}: {lines}")


def the_list(document):
    """The list's table (the one whose header starts with STT), as rows of cell texts."""
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    return [[c.text for c in row.cells] for row in table.rows]


def listed_counts(rows: list[list[str]]) -> dict[str, int]:
    """Rows of the list per kind, counted from the table's own group rows."""
    counts: dict[str, int] = {}
    kind = None
    for row in rows[1:]:
        if row[0] in ("I", "II"):
            kind = row[1]
        elif row[0].isdigit():
            counts[kind] = counts.get(kind, 0) + 1
    return counts


# -- the Tờ trình -------------------------------------------------------------------------


def test_proposal_has_the_parts_of_a_to_trinh_in_order(built):
    document = docx.Document(str(built.output("docx", PROPOSAL)))
    lines = texts(document)
    rows = nominations(built)
    collectives = sum(r["loai"] == "Tập thể" for r in rows)
    individuals = len(rows) - collectives
    in_order(
        lines,
        "UBND TỈNH LẠNG SƠN",
        "SỞ NỘI VỤ",
        r"Số: \s+/TTr-SNV",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Lạng Sơn, ngày 12 tháng 11 năm 2020",  # [to_trinh] date of the sample
        "TỜ TRÌNH",
        "Về việc đề nghị tặng Bằng khen .*",
        "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn.",
        r"Căn cứ Luật Thi đua, khen thưởng .*;",
        r"Thực hiện Kế hoạch số 24/KH-UBND .*;",
        rf".*quyết định tặng thưởng cho {collectives} tập thể và {individuals} cá nhân .*",
        rf"{FORM}: {collectives} tập thể và {individuals} cá nhân\.",
        r"\(Có danh sách và tóm tắt thành tích kèm theo\)",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, TĐKT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Lê Thị Minh họa",
        "DANH SÁCH",
        r"\(Kèm theo Tờ trình số \s+/TTr-SNV ngày 12 tháng 11 năm 2020 của Sở Nội vụ\)",
    )
    assert listed_counts(the_list(document)) == {"Tập thể": collectives, "Cá nhân": individuals}


# -- the Quyết định -----------------------------------------------------------------------


def test_decision_has_the_parts_of_a_quyet_dinh_in_order(built):
    lines = texts(docx.Document(str(built.output("docx", DECISION))))
    in_order(
        lines,
        "ỦY BAN NHÂN DÂN",
        "TỈNH LẠNG SƠN",
        r"Số: \s+/QĐ-UBND",
        "Lạng Sơn, ngày 18 tháng 11 năm 2020",
        "QUYẾT ĐỊNH",
        "Về việc tặng Bằng khen của Chủ tịch UBND tỉnh cho các tập thể, cá nhân .*",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN",
        r"Căn cứ Luật Tổ chức chính quyền địa phương .*;",
        r"Căn cứ Luật Thi đua, khen thưởng .*;",
        r"Căn cứ Nghị định số 91/2017/NĐ-CP .*;",
        r"Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số \s+/TTr-SNV ngày 12/11/2020\.",
        "QUYẾT ĐỊNH:",
        r"Điều 1\. Tặng Bằng khen của Chủ tịch UBND tỉnh cho \d+ tập thể và \d+ cá nhân "
        r"\(có danh sách kèm theo\) .*",
        r"Điều 2\. .*tiền thưởng theo quy định tại Nghị định số 91/2017/NĐ-CP .*",
        r"Điều 3\. Quyết định này có hiệu lực kể từ ngày ký\.",
        r"Chánh Văn phòng UBND tỉnh, Giám đốc Sở Nội vụ, .* chịu trách nhiệm thi hành "
        r"Quyết định này\./\.",  # the mark right after the last word
        "Nơi nhận:",
        "- Như Điều 3;",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Lưu: VT, SNV.",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn Minh họa",
        "DANH SÁCH",
        r"\(Kèm theo Quyết định số \s+/QĐ-UBND ngày 18 tháng 11 năm 2020 của Chủ tịch "
        r"UBND tỉnh Lạng Sơn\)",
    )


def test_legal_bases_of_the_decision_are_italic_and_the_articles_are_not(built):
    document = docx.Document(str(built.output("docx", DECISION)))
    italic, upright = [], []
    for paragraph in document.paragraphs:
        runs = [r for r in paragraph.runs if r.text.strip()]
        if not runs:
            continue
        if paragraph.text.startswith(("Căn cứ", "Theo đề nghị")):
            italic.append(all(r.italic for r in runs))
        elif paragraph.text.startswith("Điều"):
            upright.append(any(r.italic for r in runs))
    assert italic == [True] * 4  # three "Căn cứ" lines of the sample, the proposal line
    assert upright == [False] * 3


def test_counts_of_article_1_are_the_rows_of_the_list(built):
    document = docx.Document(str(built.output("docx", DECISION)))
    article = next(p.text for p in document.paragraphs if p.text.startswith("Điều 1."))
    found = re.search(r"cho (\d+) tập thể và (\d+) cá nhân", article)
    assert found, article
    counted = {"Tập thể": int(found.group(1)), "Cá nhân": int(found.group(2))}
    assert listed_counts(the_list(document)) == counted
    rows = nominations(built)
    assert sum(counted.values()) == len(rows) >= 20  # every nomination, none twice
    assert counted["Tập thể"] == sum(r["loai"] == "Tập thể" for r in rows)


def test_list_is_grouped_by_form_then_kind_and_numbered_in_each_group(built):
    rows = the_list(docx.Document(str(built.output("docx", DECISION))))
    assert rows[0] == ["STT", "Tên tập thể, cá nhân", "Chức vụ, đơn vị", "Thành tích",
                       "Đơn vị đề nghị"]  # fmt: skip
    assert rows[1][:2] == ["A", FORM.upper()]
    assert rows[2][:2] == ["I", "Tập thể"]
    numbers = [row[0] for row in rows[3:]]
    second = numbers.index("II")
    assert rows[3 + second][1] == "Cá nhân"
    assert numbers[:second] == [str(n) for n in range(1, second + 1)]
    assert numbers[second + 1 :] == [str(n) for n in range(1, len(numbers) - second)]
    proposers = {row[4] for row in rows[3:] if row[0].isdigit()}
    assert {"Sở Tư pháp", "Sở Tài chính", "Văn phòng UBND tỉnh"} <= proposers


def test_the_appendix_is_a_landscape_section(built):
    decision = docx.Document(str(built.output("docx", DECISION)))
    body, appendix = decision.sections[0], decision.sections[-1]
    assert len(decision.sections) == 2
    assert body.orientation == WD_ORIENT.PORTRAIT and body.page_width < body.page_height
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert appendix.page_width > appendix.page_height
    # the body's (portrait) section ends before the list: its title and table are landscape
    xml = decision.element.body.xml
    assert (
        xml.index("<w:sectPr")
        < xml.index("Kèm theo Quyết định")
        < xml.index("<w:tbl>", xml.index("Kèm theo Quyết định"))
    )
    alone = docx.Document(str(built.output("docx", LIST)))
    assert [s.orientation for s in alone.sections] == [WD_ORIENT.LANDSCAPE]
    assert listed_counts(the_list(alone)) == listed_counts(the_list(decision))


# -- the PDFs -----------------------------------------------------------------------------


def page_sizes(path: Path) -> list[tuple[float, float]]:
    tool = require_tool("pdfinfo")
    info = subprocess.run(
        [tool, "-f", "1", "-l", "99", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)",
                                                          info)]  # fmt: skip


def test_pdfs_hold_the_documents_with_the_list_on_landscape_pages(built):
    decision = " ".join(pdf_text(built.output("pdf", DECISION)).split())
    for part in ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "QUYẾT ĐỊNH:", "Điều 1.",
                 "Điều 2.", "Điều 3.", "Như Điều 3;", "Lưu: VT, SNV.", "DANH SÁCH"):  # fmt: skip
        assert part in decision, part
    sizes = page_sizes(built.output("pdf", DECISION))
    assert sizes[0][0] < sizes[0][1]  # the decision itself, portrait
    assert len(sizes) >= 2 and all(w > h for w, h in sizes[1:])  # its appendix, landscape
    proposal = " ".join(pdf_text(built.output("pdf", PROPOSAL)).split())
    assert "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn." in proposal and "/TTr-SNV" in proposal
    assert all(w > h for w, h in page_sizes(built.output("pdf", LIST)))


def broken_words(text: str, project: ReportProject) -> list[str]:
    """The words of the list's header and cells that the printed text does not hold whole."""
    tokens = set()
    for line in text.splitlines():
        tokens.update(line.split())
    words = {"STT", "Tên", "tập", "thể,", "cá", "nhân", "Chức", "vụ,", "đơn", "vị", "Thành",
             "tích", "Đơn", "đề", "nghị"}  # fmt: skip
    for row in nominations(project):
        for field in ("ten", "chuc_vu_don_vi", "thanh_tich"):
            words.update(row[field].split())
    return sorted(w for w in words if w not in tokens)


def test_no_word_of_the_list_is_broken_across_lines_in_the_pdf(built):
    text = pdf_text(built.output("pdf", LIST))
    assert not re.search(r"\bST\s+T\b|\bn hân\b", text)  # "ST T", "cá n hân"
    assert broken_words(text, built) == []


def test_no_word_is_broken_when_word_processors_lay_out_the_docx(built, tmp_path):
    """Word processors break a word that does not fit its cell (typst lets it overflow): the
    DOCX's column widths are checked by LibreOffice's layout of the list."""
    program = require_tool("soffice")
    subprocess.run(
        [program, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(built.output("docx", LIST))],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = pdf_text(tmp_path / built.output("pdf", LIST).name)
    assert "DANH SÁCH" in text and "Tập thể" in text
    assert broken_words(text, built) == []


# -- the spreadsheet ----------------------------------------------------------------------


def test_xlsx_has_the_same_grouping(built):
    sheet = openpyxl.load_workbook(built.output("xlsx", LIST)).active
    assert [c.value for c in sheet[2]] == ["STT", "Hình thức khen thưởng", "Loại",
                                           "Tên tập thể, cá nhân", "Chức vụ, đơn vị",
                                           "Thành tích", "Đơn vị đề nghị"]  # fmt: skip
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][:2] == ["A", FORM.upper()] and sheet.cell(3, 1).font.bold
    assert rows[1][:3] == ["I", FORM, "Tập thể"]
    kinds: dict[str, list[int]] = {}
    current = None
    for row in rows[1:]:
        if row[0] in ("I", "II"):
            current = row[2]
            continue
        assert row[2] == current and row[1] == FORM  # every row says its group (filtering)
        kinds.setdefault(current, []).append(row[0])
    for numbers in kinds.values():
        assert numbers == list(range(1, len(numbers) + 1))
    document = docx.Document(str(built.output("docx", LIST)))
    assert {k: len(v) for k, v in kinds.items()} == listed_counts(the_list(document))


# -- grouping, defaults and configuration (Markdown builds: fast) --------------------------


@pytest.fixture
def markdown_project(cached_project) -> ReportProject:
    only_commendations(cached_project, ("md",))
    return cached_project


def markdown(project: ReportProject, document: str) -> str:
    result = project.run("build")
    assert result.exit_code == 0, result.output
    return project.output("md", document).read_text(encoding="utf-8")


def test_two_forms_are_two_groups_and_article_1_counts_each(markdown_project):
    project = markdown_project
    path = project.root / "submissions" / "stp" / "khen-thuong.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].replace(FORM, "Cờ thi đua của UBND tỉnh")  # the first collective
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    decision = markdown(project, DECISION)
    assert "Về việc tặng Cờ thi đua của UBND tỉnh và Bằng khen của Chủ tịch UBND tỉnh" in (
        " ".join(decision.split())
    )
    assert "1. Cờ thi đua của UBND tỉnh: 1 tập thể;" in decision
    collectives = sum(r["loai"] == "Tập thể" for r in nominations(project)) - 1  # one flag
    assert re.search(rf"2\. {FORM}: {collectives} tập thể và 14 cá nhân\.", decision)
    table = [line for line in decision.splitlines() if line.startswith("|")]
    marks = [line.split("|")[1].strip() for line in table]
    assert marks[2:6] == ["**A**", "**I**", "1", "**B**"]  # the flag's group first


def test_without_the_tables_everything_is_derived_from_the_report(markdown_project):
    project = markdown_project
    text = project.config_text()
    project.config_path.write_text(text[: text.index("# Tờ trình của Sở Nội vụ")],
                                   encoding="utf-8")  # fmt: skip
    proposal = " ".join(markdown(project, PROPOSAL).split())
    decision = " ".join(project.output("md", DECISION).read_text(encoding="utf-8").split())
    assert (
        'symbol: "TTr-SNV"' in proposal and "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn." in proposal
    )
    assert "Căn cứ Nghị định số 91/2017/NĐ-CP" in proposal
    assert 'symbol: "QĐ-UBND"' in decision and 'date: "ngày 20 tháng 11 năm 2020"' in decision
    assert '- "KT. CHỦ TỊCH" position: "PHÓ CHỦ TỊCH" name: "Nguyễn Văn Minh họa"' in decision
    assert "TM. ỦY BAN NHÂN DÂN" not in decision  # the Chủ tịch decides, not the committee
    assert "Tờ trình số" in decision and "/TTr-SNV ngày 20/11/2020" in decision


def test_the_proposer_column_can_be_left_out(markdown_project):
    project = markdown_project
    project.edit_config("show_proposer = true", "show_proposer = false")
    decision = markdown(project, DECISION)
    header = next(line for line in decision.splitlines() if line.startswith("| STT"))
    assert "Thành tích" in header and "Đơn vị đề nghị" not in header


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('signer_name = "Nguyễn Văn Minh họa"\nrecipients', 'signer_nam = "X"\nrecipients',
         "khóa “signer_nam” không có trong mục [quyet_dinh]. Có phải ý bạn là “signer_name”?"),
        ("date = 2020-11-18", 'date = "18/11/2020"',
         "khóa “date” trong mục [quyet_dinh] phải là một ngày"),
        ("date = 2020-11-18", "date = 2020-11-02",
         "ngày của quyết định (2020-11-02) ở trước ngày của tờ trình (2020-11-12)"),
        ("show_proposer = true", 'show_proposer = "có"',
         "khóa “show_proposer” trong mục [quyet_dinh] phải là true hoặc false"),
    ],
)  # fmt: skip
def test_a_bad_key_is_a_located_config_error(project, old, new, said):
    project.edit_config(old, new)
    line = next(
        n
        for n, text in enumerate(project.config_text().splitlines(), start=1)
        if text.startswith(new.split("\n")[0].split(" =")[0] + " =")
        and n > project.config_text().splitlines().index("[quyet_dinh]")
    )
    result = project.run("validate")
    assert result.exit_code == 2, result.output
    assert f"config.toml:{line}: {said}" in result.output
    assert "Traceback" not in result.output


def test_district_defaults_name_the_phong_noi_vu(tmp_path):
    from cchc_pipeline.config import load_config
    from cchc_pipeline.intake.nominations import Nomination
    from cchc_pipeline.publish.commendations import commendations

    example = Path(__file__).resolve().parents[1] / "examples" / "huyen-cao-loc" / "config.toml"
    config = load_config(example, submissions_needed=False)
    person = Nomination("Cá nhân", "Lăng Thị A", "Chuyên viên", "Tốt", "Giấy khen", "Phòng Nội vụ")
    awards = commendations(config, [person])
    assert awards.proposal.agency == ("PHÒNG NỘI VỤ",)
    assert awards.proposal.parent == ("UBND HUYỆN CAO LỘC",)
    assert awards.proposal.symbol == "TTr-PNV"
    assert awards.authority == ("CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN CAO LỘC",)
    assert awards.proposed_by.startswith("Theo đề nghị của Trưởng phòng Nội vụ tại Tờ trình số")
    assert awards.decision.summary.startswith("Về việc tặng Giấy khen cho các tập thể, cá nhân")
    assert awards.prize_fund == "Quỹ Thi đua, khen thưởng của huyện"
    assert awards.decision.recipients == ("Như Điều 3", "Chủ tịch, các PCT UBND huyện")
    assert (awards.collectives, awards.individuals) == (0, 1)
    assert awards.counted(0, 1) == "1 cá nhân"
