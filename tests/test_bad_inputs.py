"""A corpus of bad inputs, one row each: every one gets a Vietnamese message on the line of
its location, the documented exit code, no traceback, and leaves the output folder as it was.

The sample is built once for the module; each case works on a copy of that project (its
build folder and cache included), breaks one thing and runs ``cchc validate`` or
``cchc build -f md``. A case's ``breaks`` function returns the location the message must
name: ``config.toml:LINE``, ``submissions/stp/so-lieu.csv:LINE``, a file, or a heading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc_pipeline.testing import ReportProject

from .test_forms import SHEET, code_rows, fill_form, header_row, year_columns

VALIDATE, BUILD = ("validate",), ("build", "-f", "md")


@dataclass(frozen=True)
class Case:
    breaks: Callable[[ReportProject], str]  # returns the location the message names
    fragment: str
    exit_code: int
    command: tuple[str, ...] = VALIDATE


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# -- what a case does to the project -------------------------------------------------------


def config(old: str, new: str, mark: str | None = None) -> Callable[[ReportProject], str]:
    """Replace ``old`` by ``new`` in config.toml; the location is the line holding ``mark``."""

    def apply(project: ReportProject) -> str:
        project.edit_config(old, new)
        if mark is None:
            return "config.toml"
        return f"config.toml:{line_of(project.config_path, mark)}"

    return apply


def config_then(first: Callable[[ReportProject], None], *edit: str) -> Callable:
    def apply(project: ReportProject) -> str:
        first(project)
        return config(*edit)(project)

    return apply


def replace_in(relative: str, old: str, new: str, line: int | str | None = None) -> Callable:
    """Edit a submission file (``relative`` to the project); ``line``: the expected line, or
    the text whose line it is."""

    def apply(project: ReportProject) -> str:
        path = project.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (old, relative)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        if line is None:
            return relative
        number = line if isinstance(line, int) else line_of(path, line)
        return f"{relative}:{number}"

    return apply


def write(relative: str, content: bytes | str, where: str | None = None) -> Callable:
    """Write (or overwrite) a file; the location is ``where`` (default: the file)."""

    def apply(project: ReportProject) -> str:
        path = project.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return where or relative

    return apply


def swap_narrative(content: bytes | str, name: str = "bao-cao.docx", where: str = "") -> Callable:
    """Replace stp's Markdown narrative by ``content`` named ``name``."""

    def apply(project: ReportProject) -> str:
        (project.root / "submissions/stp/bao-cao.md").unlink()
        return write(f"submissions/stp/{name}", content)(project) + where

    return apply


def data_rows(transform: Callable[[list[str]], list[str]], line: int | None = None) -> Callable:
    """Rewrite stp's so-lieu.csv line by line."""

    def apply(project: ReportProject) -> str:
        path = project.root / "submissions/stp/so-lieu.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(transform(lines)) + "\n", encoding="utf-8")
        relative = "submissions/stp/so-lieu.csv"
        return f"{relative}:{line}" if line else relative

    return apply


def encoded(encoding: str) -> Callable:
    def apply(project: ReportProject) -> str:
        path = project.root / DATA
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
        return f"{DATA}:1"

    return apply


def damaged(encoding: str) -> Callable:
    """so-lieu.csv in ``encoding`` (accents Windows-1258 lacks dropped), with a byte that
    neither UTF-8 nor Windows-1258 has inserted on line 4."""

    def apply(project: ReportProject) -> str:
        path = project.root / DATA
        lines = path.read_text(encoding="utf-8").encode(encoding, errors="ignore").split(b"\n")
        lines[3] = lines[3].replace(b",", b",\x81", 1)
        path.write_bytes(b"\n".join(lines))
        return f"{DATA}:4"

    return apply


def template(text: str, line: int) -> Callable:
    """A project override of stp's results template."""
    return write("templates/stp/ket-qua.md.j2", text, f"templates/stp/ket-qua.md.j2:{line}")


def symlinked_submission(project: ReportProject) -> None:
    outside = project.root.parent / "ngoai-du-an"
    shutil.copytree(project.root / "submissions/stp", outside)
    (project.root / "submissions/stp-lien-ket").symlink_to(outside)


def link_out_of_a_submission(project: ReportProject) -> str:
    secret = project.root.parent / "bi-mat.csv"
    secret.write_text("mat_khau,123\n", encoding="utf-8")
    (project.root / "submissions/stp/phu-luc.csv").symlink_to(secret)
    return f"config.toml:{line_of(project.config_path, 'stp = ')}"


def outside_plugins(project: ReportProject) -> None:
    (project.root.parent / "plugin-ngoai").mkdir()


XLSX = "submissions/stp/so-lieu.xlsx"
FILLED = "bieu-mau/stp/so-lieu-da-dien.xlsx"  # the sample's figures typed into the form


def excel(edit: Callable[[Any], str]) -> Callable[[ReportProject], str]:
    """Make stp's submission the filled Excel form, edited by ``edit(workbook)``, which
    returns the location."""

    def apply(project: ReportProject) -> str:
        folder = project.root / "submissions/stp"
        for name in ("so-lieu.csv", "khen-thuong.csv"):
            (folder / name).unlink()
        path = project.root / XLSX
        shutil.copyfile(project.root / FILLED, path)
        book = openpyxl.load_workbook(path)
        where = edit(book)
        book.save(path)
        return where

    return apply


def excel_cell(indicator: str, year: int, value: Any) -> Callable[[ReportProject], str]:
    def edit(book: Any) -> str:
        sheet = book[SHEET]
        address = f"{year_columns(sheet)[year]}{code_rows(sheet)[indicator]}"
        sheet[address] = value
        return f"{XLSX} [{SHEET}!{address}]"

    return excel(edit)


def excel_raw_number(indicator: str, year: int, raw: str) -> Callable[[ReportProject], str]:
    """A numeric cell holding what openpyxl never writes but a file can (``1E999``):
    a marker number written, then replaced in the sheet's XML."""
    marked = excel_cell(indicator, year, 424242.5)

    def apply(project: ReportProject) -> str:
        import zipfile

        where = marked(project)
        path = project.root / XLSX
        with zipfile.ZipFile(path) as source:
            members = [(info, source.read(info)) for info in source.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info, data in members:
                target.writestr(info, data.replace(b">424242.5<", f">{raw}<".encode()))
        return where

    return apply


def merged_years(book: Any) -> str:
    sheet = book[SHEET]
    years, row = year_columns(sheet), code_rows(sheet)["vbqppl_hdnd"]
    sheet.merge_cells(f"{years[2013]}{row}:{years[2014]}{row}")
    return f"{XLSX} [{SHEET}!{years[2014]}{row}]"


def renamed_sheet(book: Any) -> str:
    book[SHEET].title = "Trang 1"
    return XLSX


def renamed_code_header(book: Any) -> str:
    sheet = book[SHEET]
    sheet.cell(row=header_row(sheet, "ma_chi_tieu"), column=1).value = "mã chỉ tiêu"
    return f"{XLSX} [{SHEET}]"


def bad_nomination_kind(book: Any) -> str:
    sheet = book["Khen thưởng"]
    row = header_row(sheet, "Loại") + 1
    sheet.cell(row=row, column=1).value = "Tổ chức"
    return f"{XLSX} [Khen thưởng!A{row}]"


def bidi_label(book: Any) -> str:
    sheet = book[SHEET]
    row = code_rows(sheet)["vbqppl_hdnd"]
    sheet.cell(row=row, column=2).value = "\u202dVăn bản QPPL do HĐND tỉnh ban hành"
    return f"{XLSX} [{SHEET}!B{row}]"


def figures_toml(body: str, line: int) -> Callable[[ReportProject], str]:
    """stp's figures as so-lieu.toml (its CSV removed): the sample's first rows, then ``body``."""

    def apply(project: ReportProject) -> str:
        (project.root / DATA).unlink()
        text = "vbqppl_hdnd = { 2011 = 18, 2012 = 16 }\n" + body
        (project.root / "submissions/stp/so-lieu.toml").write_text(text, encoding="utf-8")
        return f"submissions/stp/so-lieu.toml:{line}"

    return apply


def not_a_workbook(data: bytes) -> Callable[[ReportProject], str]:
    def apply(project: ReportProject) -> str:
        (project.root / DATA).unlink()
        (project.root / XLSX).write_bytes(data)
        return XLSX

    return apply


DATA = "submissions/stp/so-lieu.csv"
NOMINATIONS = "submissions/stp/khen-thuong.csv"
LETTER = "submissions/stp/van-ban.toml"
NARRATIVE_MD = "submissions/stp/bao-cao.md"
HUGE = ("# Kết quả thực hiện\n\n" + "Một câu rất dài của bài viết. " * 20) * 9000  # ~5 MB

CASES = [
    # -- config.toml (exit 2) --------------------------------------------------------------
    pytest.param(
        Case(
            config('place = "Lạng Sơn"', 'place = "Lạng Sơn', 'place = "Lạng Sơn'),
            "lỗi cú pháp TOML",
            2,
        ),
        id="config-syntax-unterminated-string",
    ),
    pytest.param(
        Case(
            config('symbol = "BC-UBND"', 'symbol = "BC-UBND"\nsymbol = "BC"', 'symbol = "BC"'),
            "lỗi cú pháp TOML",
            2,
        ),
        id="config-duplicate-key",
    ),
    pytest.param(
        Case(
            config("date = 2020-11-20", "date = 2020-13-45", "date = 2020-13-45"),
            "lỗi cú pháp TOML",
            2,
        ),
        id="config-impossible-date",
    ),
    pytest.param(
        Case(
            config("date = 2020-11-20", 'date = "20/11/2020"', "date ="),
            "khóa “date” trong mục [document] phải là một ngày dạng 2020-11-20",
            2,
        ),
        id="config-date-as-text",
    ),
    pytest.param(
        Case(
            config("final = false", 'final = "không"', "final ="),
            "khóa “final” trong mục [document] phải là true hoặc false",
            2,
        ),
        id="config-bool-as-text",
    ),
    pytest.param(
        Case(
            config("period = [2011, 2020]", "period = [2020, 2011]", "period ="),
            "khóa “period” trong mục [document] phải là hai năm",
            2,
        ),
        id="config-period-reversed",
    ),
    pytest.param(
        Case(
            config("final = false", "final = false\nranked_among = 0", "ranked_among"),
            "khóa “ranked_among” trong mục [document] phải là một số nguyên dương",
            2,
        ),
        id="config-count-zero",
    ),
    pytest.param(
        Case(
            config('formats = ["md"', 'formats = "md"\nold = ["md"', "formats ="),
            "khóa “formats” trong mục [output] phải là một danh sách chuỗi",
            2,
        ),
        id="config-list-as-text",
    ),
    pytest.param(
        Case(
            config("final = false", 'final = false\nlevel = "xã"', "level ="),
            "“level” phải là “tỉnh” hoặc “huyện”",
            2,
        ),
        id="config-unknown-level",
    ),
    pytest.param(
        Case(
            config('archive = "VT, SNV"', 'archive = "VT, SNV"\narchve = "VT"', "archve"),
            "khóa “archve” không có trong mục [recipients]. Có phải ý bạn là “archive”",
            2,
        ),
        id="config-unknown-key",
    ),
    pytest.param(
        Case(config("[signer]", "[nguoi_ky]", "[nguoi_ky]"), "mục [nguoi_ky] không có", 2),
        id="config-unknown-table",
    ),
    pytest.param(
        Case(
            config('name = "Nguyễn Văn Minh họa"\n', "", "[signer]"),
            "mục [signer] thiếu khóa bắt buộc “name”",
            2,
        ),
        id="config-missing-key",
    ),
    pytest.param(
        Case(config("[agency]", "[agency_cu]"), "thiếu mục [agency]", 2),
        id="config-missing-table",
    ),
    pytest.param(
        Case(
            write("config.toml", b'[document]\nplace = "L\xe1ng S\xf4n"\n', "config.toml"),
            "không phải văn bản UTF-8",
            2,
        ),
        id="config-not-utf8",
    ),
    pytest.param(
        Case(
            config('stp = "submissions/stp"', 'stp = "submissions/khong-co"', "khong-co"),
            "không tìm thấy thư mục bài nộp “submissions/khong-co”",
            2,
        ),
        id="config-submission-missing",
    ),
    pytest.param(
        Case(
            config('stp = "submissions/stp"', 'stp = "../../etc"', "../../etc"),
            "thư mục bài nộp “../../etc” của plugin “stp” nằm ngoài thư mục dự án",
            2,
        ),
        id="config-submission-outside-by-dots",
    ),
    pytest.param(
        Case(
            config('stp = "submissions/stp"', 'stp = "/tmp"', '"/tmp"'),
            "thư mục bài nộp “/tmp” của plugin “stp” nằm ngoài thư mục dự án",
            2,
        ),
        id="config-submission-absolute-outside",
    ),
    pytest.param(
        Case(
            config_then(
                symlinked_submission,
                'stp = "submissions/stp"',
                'stp = "submissions/stp-lien-ket"',
                "stp-lien-ket",
            ),
            "“submissions/stp-lien-ket” của plugin “stp” nằm ngoài thư mục dự án",
            2,
        ),
        id="config-submission-symlink-outside",
    ),
    pytest.param(
        Case(link_out_of_a_submission, "“phu-luc.csv” là liên kết trỏ ra ngoài", 2),
        id="config-submission-holds-a-link-outside",
    ),
    pytest.param(
        Case(
            config("folders = []", 'folders = ["plugin-rieng"]', "folders ="),
            "không tìm thấy thư mục plugin “plugin-rieng”",
            2,
        ),
        id="config-plugin-folder-missing",
    ),
    pytest.param(
        Case(
            config_then(
                outside_plugins, "folders = []", 'folders = ["../plugin-ngoai"]', "folders ="
            ),
            "thư mục plugin “../plugin-ngoai” nằm ngoài thư mục dự án",
            2,
        ),
        id="config-plugin-folder-outside",
    ),
    pytest.param(
        Case(
            config('dir = "build"', 'dir = "submissions/stp/ket-qua"', 'dir = "submissions'),
            "thư mục kết quả “submissions/stp/ket-qua” trùng, nằm trong",
            2,
            BUILD,
        ),
        id="config-output-inside-a-submission",
    ),
    pytest.param(
        Case(
            config('dir = "build"', 'dir = "config.toml"', 'dir = "config.toml"'),
            "thư mục kết quả “config.toml” là một tệp đã có",
            2,
            BUILD,
        ),
        id="config-output-is-a-file",
    ),
    pytest.param(
        Case(
            config(
                'name = "bao-cao-tong-ket-cchc-2011-2020"',
                'name = "../../bao-cao"',
                'name = "../../',
            ),
            "tên tệp kết quả “../../bao-cao” chỉ được là một tên",
            2,
            BUILD,
        ),
        id="config-output-name-is-a-path",
    ),
    pytest.param(
        Case(config('summary = "', 'summary = "\\u202e', "summary ="), "(U+202E)", 2),
        id="config-bidi-override-in-a-text",
    ),
    pytest.param(
        Case(config('"Bộ Nội vụ (b/c)"', '"Bộ Nội vụ\\u0007 (b/c)"', "to ="), "(U+0007)", 2),
        id="config-control-character-in-a-list",
    ),
    # -- so-lieu.csv (exit 1) --------------------------------------------------------------
    pytest.param(Case(write(DATA, b""), "Tệp số liệu trống.", 1), id="csv-empty-file"),
    pytest.param(
        Case(replace_in(DATA, "ma_chi_tieu,", "ma_so,"), "được đọc theo tên chỉ tiêu", 0),
        id="csv-header-renamed-read-by-label",
    ),
    pytest.param(
        Case(
            data_rows(lambda rows: [r.replace(",", "|") for r in rows], 1),
            "thiếu cột “ma_chi_tieu”",
            1,
        ),
        id="csv-unknown-delimiter",
    ),
    pytest.param(
        Case(
            replace_in(DATA, ",18,16,20,17,19,21,23,19,22,25", ",18,16,20", "vbqppl_hdnd"),
            "thiếu số liệu năm 2014",
            1,
        ),
        id="csv-ragged-short-row",
    ),
    pytest.param(
        Case(
            replace_in(DATA, ",18,16,", ",18,mười sáu,", "vbqppl_hdnd"),
            "năm 2012: “mười sáu” không phải là số",
            1,
        ),
        id="csv-text-in-a-number-cell",
    ),
    pytest.param(
        Case(
            data_rows(lambda rows: [*rows[:3], rows[1], *rows[3:]], 4),
            "Chỉ tiêu “vbqppl_hdnd” lặp lại (đã có ở dòng 2)",
            1,
        ),
        id="csv-duplicate-indicator-row",
    ),
    pytest.param(
        Case(
            replace_in(DATA, "do HĐND tỉnh ban hành", "do HĐND tỉnh\u202e ban hành", 2),
            "Tên chỉ tiêu “Văn bản QPPL do HĐND tỉnhU+202E ban hành”",
            1,
        ),
        id="csv-bidi-override-in-a-label",
    ),
    pytest.param(
        Case(damaged("utf-8"), "byte 0x81 không thuộc bảng mã UTF-8 hay Windows-1258", 1),
        id="csv-utf8-with-a-broken-byte",
    ),
    pytest.param(
        Case(damaged("cp1258"), "byte 0x81 không thuộc bảng mã UTF-8 hay Windows-1258", 1),
        id="csv-windows-1258-with-an-undefined-byte",
    ),
    pytest.param(Case(encoded("utf-32"), "thiếu cột “ma_chi_tieu”", 1), id="csv-utf32-bom"),
    pytest.param(
        Case(write(DATA, bytes(range(256)) * 4, f"{DATA}:2"), "byte 0x81 không thuộc bảng mã", 1),
        id="csv-binary-garbage",
    ),
    pytest.param(
        Case(replace_in(DATA, "2011,2012", "Năm 2011,2012", 1), "thiếu cột năm 2011", 1),
        id="csv-year-header-renamed",
    ),
    # -- narratives (exit 1) ---------------------------------------------------------------
    pytest.param(
        Case(
            swap_narrative(random.Random(6).randbytes(2048)), "tệp hỏng hoặc không phải tệp Word", 1
        ),
        id="narrative-random-bytes-named-docx",
    ),
    pytest.param(
        Case(swap_narrative(b""), "Không đọc được bài viết", 1), id="narrative-empty-docx"
    ),
    pytest.param(
        Case(
            swap_narrative("# Kết quả thực hiện\n\nVăn bản Markdown.\n"),
            "Không đọc được bài viết",
            1,
        ),
        id="narrative-markdown-named-docx",
    ),
    pytest.param(
        Case(write(NARRATIVE_MD, ""), "Thiếu mục “Kết quả thực hiện”", 1),
        id="narrative-empty-markdown",
    ),
    pytest.param(
        Case(
            write(NARRATIVE_MD, "Chỉ có lời mở đầu, không có đề mục nào.\n"),
            "Thiếu mục “Hạn chế”",
            1,
        ),
        id="narrative-no-headings",
    ),
    pytest.param(
        Case(
            write(
                NARRATIVE_MD,
                "# Kết quả\n\nHoàng".encode("cp1258", "ignore") + b"\x81\n",
                f"{NARRATIVE_MD}:3",
            ),
            "byte 0x81 không thuộc bảng mã",
            1,
        ),
        id="narrative-undefined-byte",
    ),
    pytest.param(Case(write(NARRATIVE_MD, HUGE), "quá lớn", 1), id="narrative-huge-5mb"),
    pytest.param(
        Case(write("submissions/stp/bao-cao.docx", b"PK\x03\x04"), "Có cả bao-cao.md và", 1),
        id="narrative-two-files",
    ),
    # -- van-ban.toml (exit 1) -------------------------------------------------------------
    pytest.param(
        Case(
            replace_in(LETTER, 'symbol = "BC-STP"', 'symbol = "BC-STP', "symbol ="),
            "lỗi cú pháp TOML",
            1,
        ),
        id="letter-syntax-error",
    ),
    pytest.param(
        Case(
            replace_in(LETTER, "date = 2020-09-15", 'date = "15/9/2020"', "date ="),
            "Khóa “date” của thông tin văn bản: phải là một ngày",
            1,
        ),
        id="letter-wrong-type",
    ),
    pytest.param(
        Case(
            replace_in(LETTER, '"Sở Nội vụ (tổng hợp)"]', "{a = 1}]", "recipients ="),
            "phần tử thứ 2 (một bảng) không phải chuỗi văn bản",
            1,
        ),
        id="letter-table-in-a-list",
    ),
    pytest.param(
        Case(
            replace_in(LETTER, "signer_authority = []", "signer_authority = [2]", "signer_auth"),
            "phần tử thứ 1 (một số) không phải chuỗi văn bản",
            1,
        ),
        id="letter-number-in-a-list",
    ),
    pytest.param(
        Case(
            replace_in(LETTER, 'signer_name = "Hoàng', 'signer_name = "\\u202eHoàng', "signer_n"),
            "ký tự vô hình (U+202E)",
            1,
        ),
        id="letter-bidi-override",
    ),
    # -- khen-thuong.csv (exit 1) ----------------------------------------------------------
    pytest.param(
        Case(
            replace_in(NOMINATIONS, "Tập thể,Phòng Tư pháp", "Tổ chức,Phòng Tư pháp", 3),
            "Loại “Tổ chức” không hợp lệ",
            1,
        ),
        id="nominations-bad-kind",
    ),
    pytest.param(
        Case(
            replace_in(NOMINATIONS, "huyện Hữu Lũng,", "huyện Hữu\u2067 Lũng,", 3),
            "ký tự vô hình (U+2067)",
            1,
        ),
        id="nominations-bidi-isolate",
    ),
    pytest.param(
        Case(replace_in(NOMINATIONS, ",hinh_thuc", "", 1), "Dòng tiêu đề thiếu cột: hinh_thuc", 1),
        id="nominations-missing-column",
    ),
    pytest.param(
        Case(
            replace_in(NOMINATIONS, "Tập thể,Phòng Tư pháp huyện Hữu Lũng", "Tập thể,", 3),
            "Thiếu nội dung ở cột: ten",
            1,
        ),
        id="nominations-empty-name",
    ),
    # -- chi-so.csv of the coordinator (exit 1) --------------------------------------------
    pytest.param(
        Case(
            replace_in("submissions/tonghop/chi-so.csv", '"74,36"', '"bảy tư"', 3),
            "không phải là số",
            1,
        ),
        id="index-csv-text-in-a-number-cell",
    ),
    # -- numbers no report figure is (issue 16): located errors, exit 1 -------------------
    pytest.param(
        Case(replace_in(DATA, ",18,16,", ",18,nan,", "vbqppl_hdnd"), "“nan” không phải là số", 1),
        id="csv-nan",
    ),
    pytest.param(
        Case(replace_in(DATA, ",18,16,", ",18,-inf,", "vbqppl_hdnd"), "“-inf” không phải là số", 1),
        id="csv-infinity",
    ),
    pytest.param(
        Case(
            replace_in(DATA, ",18,16,", ",18,1e308,", "vbqppl_hdnd"), "“1e308” không phải là số", 1
        ),
        id="csv-exponent",
    ),
    pytest.param(
        Case(
            replace_in(DATA, ",18,16,", ",18,1_250,", "vbqppl_hdnd"), "“1_250” không phải là số", 1
        ),
        id="csv-underscore-grouping",
    ),
    pytest.param(
        Case(replace_in(DATA, ",18,16,", ",18,١٦,", "vbqppl_hdnd"), "“١٦” không phải là số", 1),
        id="csv-arabic-indic-digits",
    ),
    pytest.param(
        Case(
            replace_in(
                DATA,
                ",18,16,",
                ",18,9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999,",
                "vbqppl_hdnd",
            ),
            "có quá nhiều chữ số",
            1,
        ),
        id="csv-400-digits",
    ),
    pytest.param(
        Case(
            replace_in(DATA, ",18,16,", ",18,12345678901234567,", "vbqppl_hdnd"),
            "lớn quá mức mọi số liệu",
            1,
        ),
        id="csv-beyond-any-figure",
    ),
    pytest.param(  # overflows to an infinite float when read (openpyxl reads no NaN cell)
        Case(excel_raw_number("vbqppl_hdnd", 2013, "1E999"), "NaN hoặc vô cực", 1),
        id="xlsx-float-infinity",
    ),
    pytest.param(
        Case(excel_cell("vbqppl_hdnd", 2013, 1e308), "lớn quá mức mọi số liệu", 1),
        id="xlsx-float-1e308",
    ),
    pytest.param(
        Case(figures_toml("vbqppl_ubnd = { 2011 = nan }\n", 2), "NaN hoặc vô cực", 1),
        id="toml-figures-nan",
    ),
    pytest.param(
        Case(figures_toml("vbqppl_ubnd = { 2011 = -inf }\n", 2), "NaN hoặc vô cực", 1),
        id="toml-figures-infinity",
    ),
    pytest.param(
        Case(figures_toml("vbqppl_ubnd = { 2011 = 1e308 }\n", 2), "lớn quá mức", 1),
        id="toml-figures-1e308",
    ),
    # -- the filled Excel form, so-lieu.xlsx (exit 1) --------------------------------------
    pytest.param(
        Case(excel_cell("vbqppl_kiem_tra", 2012, "năm tám"), "“năm tám” không phải là số", 1),
        id="xlsx-text-in-a-number-cell",
    ),
    pytest.param(
        Case(excel_cell("pbgdpl_buoi", 2015, None), "thiếu số liệu năm 2015", 1),
        id="xlsx-empty-required-cell",
    ),
    pytest.param(
        Case(excel_cell("vbqppl_hdnd", 2016, dt.datetime(2016, 3, 12)), "ô đang là ngày tháng", 1),
        id="xlsx-date-typed-into-a-number-cell",
    ),
    pytest.param(
        Case(excel_cell("vbqppl_hdnd", 2017, "=1+1"), "Ô có công thức nhưng chưa có kết quả", 1),
        id="xlsx-formula-without-a-cached-result",
    ),
    pytest.param(
        Case(excel(merged_years), "thiếu số liệu năm 2014", 1), id="xlsx-merged-year-cells"
    ),
    pytest.param(
        Case(excel(renamed_sheet), "đọc trang “Trang 1” như bảng số liệu riêng", 0),
        id="xlsx-sheet-renamed-read-by-label",
    ),
    pytest.param(
        Case(excel(renamed_code_header), "Dòng tiêu đề thiếu cột “ma_chi_tieu”", 1),
        id="xlsx-header-renamed",
    ),
    pytest.param(
        Case(excel(bad_nomination_kind), "Loại “Tổ chức” không hợp lệ", 1),
        id="xlsx-nomination-of-a-bad-kind",
    ),
    pytest.param(
        Case(excel(bidi_label), "ký tự vô hình (U+202D)", 1), id="xlsx-bidi-override-in-a-label"
    ),
    pytest.param(
        Case(not_a_workbook(random.Random(7).randbytes(4096)), "không phải là tệp Excel", 1),
        id="xlsx-random-bytes",
    ),
    pytest.param(
        Case(not_a_workbook(b"ma_chi_tieu,2011\n"), "không phải là tệp Excel", 1),
        id="xlsx-csv-named-xlsx",
    ),
    # -- figures as so-lieu.toml (exit 1) --------------------------------------------------
    pytest.param(
        Case(figures_toml("vbqppl_ubnd = { 2011 = 44, 2012 = \n", 2), "TOML", 1),
        id="toml-figures-syntax-error",
    ),
    pytest.param(
        Case(figures_toml('vbqppl_ubnd = { 2011 = "bốn tư" }\n', 2), "không phải là số", 1),
        id="toml-figures-text-for-a-number",
    ),
    # -- a plugin's templates (exit 3, at build) -------------------------------------------
    pytest.param(
        Case(template("Dòng một.\n{% if data %}\nchưa đóng khối\n", 3), "lỗi cú pháp", 3, BUILD),
        id="template-syntax-error",
    ),
    pytest.param(
        Case(
            template("Dòng một.\n\nGiá trị {{ khong_co_bien }}.\n", 3),
            "biến “khong_co_bien” chưa được định nghĩa",
            3,
            BUILD,
        ),
        id="template-undefined-variable",
    ),
    pytest.param(
        Case(
            template("{{ data.value('khong_co_chi_tieu') | number }}\n", 1),
            "mẫu không kết xuất được",
            3,
            BUILD,
        ),
        id="template-filter-fails",
    ),
]


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> ReportProject:
    """The sample, built once (Markdown) into its output folder."""
    project = ReportProject.sample(tmp_path_factory.mktemp("corpus") / "mau")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    scratch = ReportProject(tmp_path_factory.mktemp("form") / "mau")
    shutil.copytree(project.root, scratch.root, symlinks=True)
    _, path = fill_form(scratch, "stp")
    (project.root / FILLED).parent.mkdir(parents=True)
    shutil.copyfile(path, project.root / FILLED)
    return project


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_answered(built, tmp_path, case: Case):
    project = ReportProject(tmp_path / "bao-cao")
    shutil.copytree(built.root, project.root, symlinks=True)
    before = snapshot(project.root / "build")

    where = case.breaks(project)
    result = project.run(*case.command)

    assert result.exit_code == case.exit_code, result.output
    assert "Traceback" not in result.output and "không mong đợi" not in result.output
    lines = [line for line in result.output.splitlines() if case.fragment in line]
    assert lines, f"{case.fragment!r} not in:\n{result.output}"
    assert any(where in line for line in lines), f"{where!r} not in {lines}"
    assert snapshot(project.root / "build") == before


def test_corpus_is_large_enough():
    assert len({case.id for case in CASES}) == len(CASES) >= 40


def test_nfd_narrative_ends_up_nfc(built, tmp_path):
    project = ReportProject(tmp_path / "bao-cao")
    shutil.copytree(built.root, project.root, symlinks=True)
    path = project.root / NARRATIVE_MD
    text = path.read_text(encoding="utf-8") + "\n\nCâu viết bằng tổ hợp dấu: Hòa Bình, Lạng Sơn.\n"
    path.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    assert project.findings("stp") == []
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", markdown)
    assert "tổ hợp dấu: Hòa Bình, Lạng Sơn." in markdown
