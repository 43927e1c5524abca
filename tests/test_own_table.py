"""A department's own yearly table ("Biểu số 01"), read by its labels instead of our form.

Each workbook is built here with openpyxl the way a department keeps it (title and note rows,
a merged "Năm" over "Năm 2011 … Năm 2020", STT / unit / label in its own order, abbreviations,
group headings, total rows), filled with the sample's figures of Sở Tư pháp, and run through
the real ``cchc validate`` / ``cchc build``. The matched figures must build the very report
the sample's CSV builds; every row, total and missing indicator is a finding at its cell.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cchc_pipeline.catalogue import load_catalogue
from cchc_pipeline.errors import PluginError
from cchc_pipeline.intake.labels import Matcher, is_total, normalize
from cchc_pipeline.resources import plugins_dir
from cchc_pipeline.testing import ReportProject

from .test_forms import without_revision

YEARS = range(2011, 2021)
XLSX = "submissions/stp/so-lieu.xlsx"
CSV = "submissions/stp/so-lieu.csv"
SHEET = "Biểu số 01"
OWN_HINT = "Nếu không đúng, sửa tên dòng cho giống tên chỉ tiêu trong danh mục của mẫu biểu."

# How Sở Tư pháp writes its indicators in its own table (abbreviations, "Số …", bullets).
OWN_LABELS = {
    "vbqppl_hdnd": "Số VB QPPL do HĐND tỉnh ban hành",
    "vbqppl_ubnd": "VBQPPL do UBND cấp tỉnh ban hành",
    "vbqppl_ban_hanh": "Văn bản QPPL do HĐND, UBND tỉnh ban hành",
    "vbqppl_tham_dinh": "VB QPPL có dự thảo được thẩm định trước khi ban hành",
    "ty_le_tham_dinh": "Tỷ lệ VBQPPL có dự thảo được thẩm định trước khi ban hành",
    "vbqppl_kiem_tra": "Văn bản QPPL được kiểm tra sau ban hành",
    "vbqppl_trai_phap_luat": "VB QPPL phát hiện trái pháp luật qua kiểm tra",
    "vbqppl_xu_ly": "VB QPPL trái pháp luật đã được xử lý",
    "ty_le_xu_ly": "Tỷ lệ VB QPPL trái pháp luật đã được xử lý",
    "vbqppl_ra_soat": "VB QPPL được rà soát, hệ thống hoá",
    "vbqppl_con_hieu_luc": "- VB QPPL còn hiệu lực (qua rà soát)",
    "vbqppl_het_hieu_luc": "- VB QPPL hết hiệu lực toàn bộ hoặc một phần (qua rà soát)",
    "pbgdpl_buoi": "Số buổi tuyên truyền, phổ biến pháp luật",
    "pbgdpl_luot_nguoi": "Số lượt người tham dự tuyên truyền, phổ biến pháp luật",
}
FUZZY = {"vbqppl_ubnd": 97, "pbgdpl_luot_nguoi": 95}  # the rest match exactly once folded


@pytest.fixture
def catalogue():
    return load_catalogue(plugins_dir() / "stp" / "catalogue.toml").localized("tỉnh")


def sample_figures(project: ReportProject) -> dict[str, tuple[str, str, list[str]]]:
    """The sample's rows of Sở Tư pháp: id → (label, unit, the year cells as typed)."""
    text = (project.root / CSV).read_text(encoding="utf-8")
    _, *rows = csv.reader(io.StringIO(text))
    return {row[0]: (row[1], row[2], row[3:]) for row in rows}


def typed(text: str) -> int | float:
    """What Excel stores when a clerk types "1.250" or "93,5" into a number cell."""
    value = float(text.replace(".", "").replace(",", "."))
    return int(value) if value.is_integer() else value


def only_own_table(project: ReportProject) -> Path:
    """Remove the sample's CSV (and nominations: the workbook has none); the xlsx path."""
    folder = project.root / "submissions" / "stp"
    (folder / "so-lieu.csv").unlink()
    return folder / "so-lieu.xlsx"


def by_severity(found: list[dict], severity: str) -> list[tuple]:
    return [
        (f["location"]["sheet"], f["location"]["cell"], f["location"]["line"], f["message"])
        for f in found
        if f["severity"] == severity and f["location"].get("paragraph") is None  # not outline
    ]


def assert_hinted(found: list[dict]) -> None:
    """Every finding carries a Vietnamese hint."""
    assert all(f["hint"] for f in found), [f for f in found if not f["hint"]]


# -- the workbook a department keeps ----------------------------------------------------


class Biểu:
    """An own table: A "STT", B "Đơn vị tính", C "Chỉ tiêu", years from D, rows from 5."""

    first_year_col = 4  # D

    def __init__(self, project: ReportProject, *, merged_header: bool = True) -> None:
        self.figures = sample_figures(project)
        self.book = openpyxl.Workbook()
        summary = self.book.active
        summary.title = "Tóm tắt"  # a smaller table first: the fuller sheet must win
        summary.append(["Chỉ tiêu", "2019", "2020"])
        for indicator in ("vbqppl_hdnd", "vbqppl_ubnd"):
            label, _, cells = self.figures[indicator]
            summary.append([label, typed(cells[-2]), typed(cells[-1])])
        self.sheet = self.book.create_sheet(SHEET)
        self.book.create_sheet("Ghi chú")["A1"] = "Số liệu do Phòng Xây dựng và kiểm tra VB lập."
        ws = self.sheet
        ws["A1"] = "Biểu số 01: KẾT QUẢ CẢI CÁCH THỂ CHẾ GIAI ĐOẠN 2011 - 2020"
        ws.merge_cells("A1:M1")
        ws["A2"] = "(Kèm theo Báo cáo số 215/BC-STP; số liệu từ 01/01 đến 31/12 hằng năm)"
        ws["A3"], ws["B3"], ws["C3"] = "STT", "Đơn vị tính", "Chỉ tiêu"
        if merged_header:
            ws["D3"] = "Năm"
            ws.merge_cells("D3:M3")
            for col in "ABC":
                ws.merge_cells(f"{col}3:{col}4")
            for offset, year in enumerate(YEARS):
                ws.cell(row=4, column=self.first_year_col + offset, value=f"Năm {year}")
        else:
            for offset, year in enumerate(YEARS):
                ws.cell(row=3, column=self.first_year_col + offset, value=year)
        self.next_row = ws.max_row + 1
        self.rows: dict[str, int] = {}

    def col(self, year: int) -> str:
        return get_column_letter(self.first_year_col + year - YEARS[0])

    def add(self, number: str, unit: str, label: str, cells: list) -> int:
        row = self.next_row
        self.sheet.cell(row=row, column=1, value=number or None)
        self.sheet.cell(row=row, column=2, value=unit or None)
        self.sheet.cell(row=row, column=3, value=label)
        for offset, value in enumerate(cells):
            self.sheet.cell(row=row, column=self.first_year_col + offset, value=value)
        self.next_row += 1
        return row

    def indicator(self, number: str, indicator: str, label: str | None = None) -> int:
        """The sample's figures of ``indicator``: rates as typed text ("93,5"), counts as
        the numbers Excel stores, the large ones as typed text ("1.250")."""
        _, unit, cells = self.figures[indicator]
        values = [
            text if unit == "%" or "." in text else typed(text) for text in cells
        ]  # text cells are read as the form reads them
        row = self.add(number, unit, label or OWN_LABELS[indicator], values)
        self.rows[indicator] = row
        return row

    def total(self, label: str, parts: list[str], change: dict[int, int] | None = None) -> int:
        sums = [
            sum(typed(self.figures[p][2][offset]) for p in parts) for offset in range(len(YEARS))
        ]
        for year, delta in (change or {}).items():
            sums[year - YEARS[0]] += delta
        return self.add("", "", label, sums)

    def heading(self, number: str, label: str) -> int:
        return self.add(number, "", label, [])

    def span(self, row: int) -> str:
        return f"C{row}:M{row}"

    def save(self, path: Path) -> None:
        self.book.save(path)


def full_table(biểu: Biểu) -> dict[str, int]:
    """Every indicator, with group headings and two total rows that add up; the rows."""
    rows = {}
    rows["heading I"] = biểu.heading("I", "XÂY DỰNG, BAN HÀNH VĂN BẢN QPPL")
    biểu.indicator("1", "vbqppl_hdnd")
    biểu.indicator("2", "vbqppl_ubnd")
    rows["cộng"] = biểu.total("Cộng", ["vbqppl_hdnd", "vbqppl_ubnd"])
    for number, indicator in (
        ("3", "vbqppl_ban_hanh"),
        ("4", "vbqppl_tham_dinh"),
        ("5", "ty_le_tham_dinh"),
    ):
        biểu.indicator(number, indicator)
    rows["heading II"] = biểu.heading("II", "KIỂM TRA, XỬ LÝ VĂN BẢN QPPL")
    for number, indicator in (
        ("6", "vbqppl_kiem_tra"),
        ("7", "vbqppl_trai_phap_luat"),
        ("8", "vbqppl_xu_ly"),
        ("9", "ty_le_xu_ly"),
    ):
        biểu.indicator(number, indicator)
    rows["heading III"] = biểu.heading("III", "RÀ SOÁT, HỆ THỐNG HÓA VĂN BẢN QPPL")
    biểu.indicator("10", "vbqppl_ra_soat")
    rows["trong đó"] = biểu.heading("", "Trong đó:")
    biểu.indicator("", "vbqppl_con_hieu_luc")
    biểu.indicator("", "vbqppl_het_hieu_luc")
    rows["tổng số"] = biểu.total("Tổng số", ["vbqppl_con_hieu_luc", "vbqppl_het_hieu_luc"])
    rows["heading IV"] = biểu.heading("IV", "PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT")
    biểu.indicator("11", "pbgdpl_buoi")
    biểu.indicator("12", "pbgdpl_luot_nguoi")
    return rows


def test_own_table_builds_the_sample_report(cached_project, sample_markdown, catalogue):
    project = cached_project
    biểu = Biểu(project)
    rows = full_table(biểu)
    biểu.save(only_own_table(project))

    found = project.findings("stp", notices=True)
    assert_hinted(found)
    assert by_severity(found, "error") == [] and by_severity(found, "warning") == []
    infos = by_severity(found, "info")
    assert infos[0] == (
        SHEET,
        None,
        None,
        "Tệp không có trang “Số liệu”; đọc trang “Biểu số 01” như bảng số liệu riêng của đơn vị "
        "(14 dòng khớp chỉ tiêu của danh mục, dòng tiêu đề là dòng 4); trang “Tóm tắt” ít dòng "
        "khớp hơn, không được đọc.",
    )
    for indicator in catalogue:
        row = biểu.rows[indicator.id]
        own = OWN_LABELS[indicator.id].removeprefix("- ")
        likeness = f" (giống {FUZZY[indicator.id]}%)" if indicator.id in FUZZY else ""
        message = (
            f"Dòng “{own}” được đọc là chỉ tiêu “{indicator.label}” ({indicator.id}){likeness}."
        )
        assert (SHEET, biểu.span(row), None, message) in infos, message
    assert (
        SHEET,
        biểu.span(rows["cộng"]),
        None,
        "Dòng “Cộng” là dòng tổng, khớp với tổng các dòng "
        f"{rows['cộng'] - 2}, {rows['cộng'] - 1}; không được đọc là chỉ tiêu.",
    ) in infos
    con = biểu.rows["vbqppl_con_hieu_luc"]
    assert (
        SHEET,
        biểu.span(rows["tổng số"]),
        None,
        f"Dòng “Tổng số” là dòng tổng, khớp với tổng các dòng {con}, {con + 1}; "
        "không được đọc là chỉ tiêu.",
    ) in infos
    for key, label in (
        ("heading I", "XÂY DỰNG, BAN HÀNH VĂN BẢN QPPL"),
        ("heading II", "KIỂM TRA, XỬ LÝ VĂN BẢN QPPL"),
        ("trong đó", "Trong đó:"),
    ):
        assert (
            SHEET,
            f"C{rows[key]}",
            None,
            f"Dòng “{label}” không có số liệu và không khớp chỉ tiêu nào: coi là dòng tiêu đề "
            "nhóm hoặc ghi chú, không đọc.",
        ) in infos
    assert len(infos) == 1 + 14 + 2 + 5  # sheet, rows, totals, headings: nothing else

    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert without_revision(markdown) == without_revision(sample_markdown)
    assert "1.250" in markdown and "93,5" in markdown  # typed text read as numbers


def test_faulty_own_table_is_answered_at_its_cells(project):
    biểu = Biểu(project, merged_header=False)  # "2011" … "2020" in one header row
    biểu.indicator("1", "vbqppl_hdnd")
    biểu.indicator("2", "vbqppl_ubnd")
    biểu.total("Cộng", ["vbqppl_hdnd", "vbqppl_ubnd"])
    for indicator in (
        "vbqppl_ban_hanh",
        "vbqppl_tham_dinh",
        "ty_le_tham_dinh",
        "vbqppl_kiem_tra",
        "vbqppl_trai_phap_luat",
        "vbqppl_xu_ly",
        "ty_le_xu_ly",
        "vbqppl_ra_soat",
    ):
        biểu.indicator("", indicator)
    biểu.heading("", "trong đó")  # the parts of the total below start here
    biểu.indicator("", "vbqppl_con_hieu_luc")
    biểu.indicator("", "vbqppl_het_hieu_luc")
    wrong = biểu.total("Tổng số", ["vbqppl_con_hieu_luc", "vbqppl_het_hieu_luc"], {2014: -6})
    buoi = biểu.indicator("11", "pbgdpl_buoi")
    biểu.sheet.merge_cells(f"{biểu.col(2013)}{buoi}:{biểu.col(2014)}{buoi}")
    ambiguous = biểu.indicator(
        "12", "pbgdpl_luot_nguoi", "Số người được tuyên truyền, phổ biến pháp luật"
    )
    unknown = biểu.add("13", "cuộc", "Hội nghị tập huấn nghiệp vụ", [4, 5, 6, 6, 7, 7, 8, 8, 9, 9])
    biểu.save(only_own_table(project))

    result = project.run("validate", "--format", "json")
    assert result.exit_code == 1
    found = project.findings("stp", notices=True)
    assert_hinted(found)
    con = biểu.rows["vbqppl_con_hieu_luc"]
    assert sorted(by_severity(found, "error"), key=str) == sorted(
        [
            (
                SHEET,
                f"C{ambiguous}",
                None,
                "Dòng “Số người được tuyên truyền, phổ biến pháp luật” giống gần như nhau nhiều "
                "chỉ tiêu: “Người tham dự tuyên truyền, phổ biến pháp luật” (pbgdpl_luot_nguoi), "
                "“Buổi tuyên truyền, phổ biến pháp luật” (pbgdpl_buoi); dòng này không được đọc.",
            ),
            (
                SHEET,
                f"{biểu.col(2014)}{buoi}",
                None,
                f"Chỉ tiêu “pbgdpl_buoi”, năm 2014: ô nằm trong ô gộp {biểu.col(2013)}{buoi}:"
                f"{biểu.col(2014)}{buoi}, chỉ ô đầu {biểu.col(2013)}{buoi} có số liệu; năm này "
                "coi như để trống.",
            ),
            (
                SHEET,
                None,
                None,
                "Thiếu chỉ tiêu bắt buộc “Người tham dự tuyên truyền, phổ biến pháp luật” "
                "(pbgdpl_luot_nguoi).",
            ),
        ],
        key=str,
    )
    assert sorted(by_severity(found, "warning"), key=str) == sorted(
        [
            (
                SHEET,
                f"{biểu.col(2014)}{wrong}",
                None,
                f"Dòng tổng “Tổng số”, năm 2014: ghi 480, nhưng cộng các dòng {con}, {con + 1} "
                "được 486.",
            ),
            (
                SHEET,
                f"C{unknown}",
                None,
                "Dòng “Hội nghị tập huấn nghiệp vụ” không khớp chỉ tiêu nào của danh mục; "
                "dòng này bị bỏ qua.",
            ),
        ],
        key=str,
    )
    infos = by_severity(found, "info")
    assert (
        SHEET,
        None,
        None,
        "Không có dòng nào khớp chỉ tiêu “Người tham dự tuyên truyền, phổ biến pháp luật” "
        f"(pbgdpl_luot_nguoi). Gần nhất là dòng {ambiguous} “Số người được tuyên truyền, "
        "phổ biến pháp luật” (giống 92%).",
    ) in infos
    read = "Dòng “Số buổi tuyên truyền, phổ biến pháp luật” được đọc là chỉ tiêu “Buổi tuyên "
    assert (
        SHEET,
        biểu.span(buoi),
        None,
        read + "truyền, phổ biến pháp luật” (pbgdpl_buoi).",
    ) in infos
    assert infos[0][3].endswith(
        "tiêu đề là dòng 3); trang “Tóm tắt” ít dòng khớp hơn, không được đọc."
    )


def own_csv(project: ReportProject, extra: list[list[str]]) -> str:
    """The sample's figures as a department exports its own table: no codes, its labels,
    STT first, ";" between cells, numbers as typed; ``extra`` rows at the end."""
    figures = sample_figures(project)
    lines = [["STT", "Nội dung", "ĐVT", *map(str, YEARS)]]
    for number, (indicator, (_, unit, cells)) in enumerate(figures.items(), start=1):
        lines.append([str(number), OWN_LABELS[indicator], unit, *cells])
    lines += extra
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(lines)
    return out.getvalue()


def test_csv_without_codes_is_read_by_label(cached_project, sample_markdown, catalogue):
    project = cached_project
    odd = ["15", "Số vụ việc hòa giải thành", "vụ", *["12"] * 10]
    (project.root / CSV).write_text(own_csv(project, [odd]), encoding="utf-8")
    found = project.findings("stp", notices=True)
    assert_hinted(found)
    assert by_severity(found, "error") == []
    assert by_severity(found, "warning") == [
        (
            None,
            None,
            16,
            "Dòng “Số vụ việc hòa giải thành” không khớp chỉ tiêu nào của danh mục; dòng này "
            "bị bỏ qua.",
        )
    ]
    infos = by_severity(found, "info")
    assert infos[0] == (
        None,
        None,
        None,
        "Tệp không có cột “ma_chi_tieu”; các dòng được đọc theo tên chỉ tiêu, như bảng số liệu "
        "riêng của đơn vị (14 dòng khớp chỉ tiêu của danh mục, dòng tiêu đề là dòng 1).",
    )
    for line, indicator in enumerate(catalogue, start=2):
        own = OWN_LABELS[indicator.id].removeprefix("- ")
        assert any(
            where == line and message.startswith(f"Dòng “{own}” được đọc là chỉ tiêu “")
            for _, _, where, message in infos
        ), (line, own)
    assert len(infos) == 15

    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert without_revision(markdown) == without_revision(sample_markdown)


def test_workbook_with_no_table_is_one_error(project):
    book = openpyxl.Workbook()
    book.active.title = "Trang 1"
    book.active["A1"] = "Báo cáo số liệu: xem tệp đính kèm."
    book.save(only_own_table(project))
    found = project.findings("stp")
    assert [(f["severity"], f["location"]["file"], f["message"]) for f in found] == [
        (
            "error",
            XLSX,
            "Tệp không có trang “Số liệu”, và không trang nào có dạng bảng số liệu theo năm "
            "(một dòng tiêu đề có các cột năm, các dòng mang tên chỉ tiêu của danh mục).",
        )
    ]
    assert "“Trang 1”" in found[0]["hint"]


# -- label matching --------------------------------------------------------------------


def test_labels_fold_case_accents_spacing_and_abbreviations():
    assert normalize("1.1. Số  VB QPPL do HĐND tỉnh ban hành") == normalize(
        "Văn bản quy phạm pháp luật do Hội đồng nhân dân tỉnh ban hành"
    )
    assert normalize("CBCCVC được đào tạo") == "can bo cong chuc vien chuc duoc dao tao"
    assert normalize("Số ĐVSNCL") == "don vi su nghiep cong lap"
    assert normalize("Tổng số cơ quan") == "tong so co quan"  # a label, not a total row
    assert all(is_total(t) for t in ("Tổng cộng", "CỘNG:", "Tổng số", "- Cộng"))
    assert not is_total("Tổng số cơ quan hành chính nhà nước áp dụng TCVN ISO 9001")


@pytest.mark.parametrize(
    ("plugin", "label", "expected"),
    [
        ("vp", "DVC trực tuyến mức độ 3", "dvc_muc_3"),
        ("vp", "Số DVC trực tuyến mức 4", "dvc_muc_4"),
        ("vp", "Hồ sơ TTHC giải quyết trễ hạn", "ho_so_tre_han"),
        ("vp", "TTHC được công bố", ("tthc_ban_hanh_moi", "tthc_cong_bo")),
        ("stp", "Số người được tuyên truyền, phổ biến pháp luật",
         ("pbgdpl_luot_nguoi", "pbgdpl_buoi")),
        ("stp", "VB QPPL do HĐND ban hành", "vbqppl_hdnd"),
        ("stp", "Văn bản QPPL ban hành", None),
        ("snv", "Số ĐVSNCL", "dvsncl"),
        ("skhcn", "Cơ quan áp dụng theo phiên bản ISO 9001:2015", "iso_2015"),
        ("skhcn", "Cơ quan áp dụng TCVN ISO 9001:2015", None),  # 82%: below the threshold
    ],
)  # fmt: skip
def test_labels_match_the_real_catalogues(plugin, label, expected):
    catalogue = load_catalogue(plugins_dir() / plugin / "catalogue.toml").localized("tỉnh")
    found = Matcher(catalogue).match(label)
    if isinstance(expected, tuple):  # ambiguous: never a guess
        assert found.indicator is None and tuple(i.id for i in found.rivals) == expected
    else:
        assert (found.indicator.id if found.indicator else None) == expected
        assert not found.ambiguous


ALIASED = """
[[indicator]]
id = "ho_so_dung_han"
label = "Hồ sơ TTHC giải quyết đúng hạn"
unit = "hồ sơ"
aliases = ["Hồ sơ giải quyết trước và đúng hạn", "Hồ sơ đúng hạn của {cap}"]

[[indicator]]
id = "ho_so_tre_han"
label = "Hồ sơ TTHC giải quyết quá hạn"
unit = "hồ sơ"
"""


def test_aliases_are_matched_like_labels(tmp_path):
    path = tmp_path / "catalogue.toml"
    path.write_text(ALIASED, encoding="utf-8")
    catalogue = load_catalogue(path).localized("huyện")
    assert catalogue["ho_so_dung_han"].aliases[1] == "Hồ sơ đúng hạn của huyện"
    matcher = Matcher(catalogue)
    assert matcher.match("Hồ sơ giải quyết trước và đúng hạn").indicator.id == "ho_so_dung_han"
    assert matcher.match("HS đúng hạn của huyện").indicator.id == "ho_so_dung_han"
    assert matcher.match("Hồ sơ giải quyết đúng hạn").indicator is None  # 72%: an alias needed


@pytest.mark.parametrize(
    ("aliases", "problem"),
    [
        ("aliases = [1]", "aliases phải là danh sách tên"),
        ('aliases = [""]', "aliases phải là danh sách tên"),
        ('aliases = ["Hồ sơ TTHC giải quyết quá hạn"]', "trùng với chỉ tiêu “ho_so_dung_han”"),
    ],
)
def test_bad_aliases_are_the_catalogues_error(tmp_path, aliases, problem):
    path = tmp_path / "catalogue.toml"
    line = 'aliases = ["Hồ sơ giải quyết trước và đúng hạn", "Hồ sơ đúng hạn của {cap}"]'
    path.write_text(ALIASED.replace(line, aliases), encoding="utf-8")
    with pytest.raises(PluginError) as caught:
        load_catalogue(path)
    assert problem in str(caught.value)
