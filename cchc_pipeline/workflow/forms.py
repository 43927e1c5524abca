"""Submission forms: the Excel form and the Word template a department fills in and returns.

``cchc form`` makes them from what the plugin reads, so that a filled form *is* a submission
(``so-lieu.xlsx`` and ``bao-cao.docx`` dropped into ``submissions/<plugin>/``):

- the workbook's "Số liệu" sheet has one row per catalogue indicator (its code, which the
  reader maps rows by, its label for the report's level, its unit) and one column per year
  of the report's period; Excel's data validation follows the catalogue's kinds and bounds,
  the years an indicator is not due are grey and locked, labels are locked and the sheet is
  protected (no password: protection prevents accidents, not edits). "Khen thưởng" has the
  nominations' columns and "Hướng dẫn" says how to fill both;
- the Word template has the narrative's headings, each with an italic guidance paragraph,
  written by pandoc with the report's reference document, so its headings carry the styles
  the narrative reader splits at. Guidance left in a returned narrative is an error
  (:func:`leftover_guidance`), so that it never reaches the report.

The coordinator plugin has no catalogue: its form is the Word template alone (its PAR Index
file ``chi-so.csv`` is read only as CSV by the plugin).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, Indicator
from ..config import ReportConfig, did_you_mean
from ..errors import ConfigError, ConversionError, PluginError
from ..intake import tasks as task_data
from ..intake.narrative import COORDINATOR_PARTS, DEPARTMENT_PARTS, Part
from ..intake.narrative import NAMES as NARRATIVE_FILES
from ..intake.nominations import KINDS as NOMINATION_KINDS
from ..intake.xlsxread import DATA_FILE as WORKBOOK
from ..intake.xlsxread import DATA_SHEET, NOMINATIONS_SHEET
from ..intake.yearly import ID_COLUMN, accepts_zero, bounds_text
from ..model import Department
from ..render.vi import fold, number

TEMPLATE = NARRATIVE_FILES[0]  # bao-cao.docx, the narrative in Word
DEFAULT_DIR = "bieu-mau"
COORDINATOR = "tonghop"  # the shipped coordinator: no catalogue, its own narrative parts
GUIDE_SHEET = "Hướng dẫn"
AGENCIES_SHEET = "Danh mục cơ quan"  # hidden: the list the task sheet's agency cells offer
DEADLINES = (*map(str, range(2021, 2031)), "2021 - 2025", "2026 - 2030", "2021 - 2030")
NOMINATION_HEADERS = ("Loại", "Tên", "Chức vụ, đơn vị", "Thành tích", "Hình thức")
GUIDANCE_MARK = "Hướng dẫn (xóa đoạn này khi viết):"
GUIDANCE = {
    "ket_qua": "các kết quả chủ yếu của lĩnh vực giai đoạn 2011 - 2020: văn bản đã ban hành, "
    "việc đã làm, số liệu nổi bật (đã có trong mẫu biểu số liệu, không cần nhắc lại cả bảng).",
    "han_che": "những việc chưa làm được, chưa đạt chỉ tiêu, tồn tại; mỗi ý một đoạn hoặc "
    "một gạch đầu dòng.",
    "nguyen_nhan": "nguyên nhân của các hạn chế: nguyên nhân khách quan, nguyên nhân chủ quan.",
    "bai_hoc": "các bài học kinh nghiệm rút ra từ việc thực hiện giai đoạn 2011 - 2020.",
    "nhiem_vu": "nhiệm vụ, giải pháp của lĩnh vực giai đoạn 2021 - 2030; từng nhiệm vụ cụ thể "
    "(cơ quan chủ trì, phối hợp, thời gian hoàn thành, sản phẩm) và chỉ tiêu năm 2025, 2030 "
    "ghi ở trang “Nhiệm vụ 2021-2030” và “Chỉ tiêu 2025-2030” của mẫu biểu số liệu.",
    "kien_nghi": "đề xuất, kiến nghị với Trung ương, với tỉnh; ghi rõ cơ quan nhận kiến nghị.",
    "chi_dao": "công tác lãnh đạo, chỉ đạo, điều hành: kế hoạch, ban chỉ đạo, kiểm tra, "
    "tuyên truyền, chỉ số CCHC của các sở, ngành, huyện, kinh phí.",
    "danh_gia": "đánh giá chung kết quả thực hiện so với mục tiêu của Chương trình.",
    "phuong_huong": "mục tiêu, phương hướng chung giai đoạn 2021 - 2030.",
}
_GREY, _WHITE, _HEAD = "D9D9D9", "FFFFFF", "DDEBF7"
_FONT = "Times New Roman"


@dataclass(frozen=True)
class Form:
    """What one plugin's form holds: its catalogue (``None``: Word template only), parts."""

    plugin: str
    department: Department | None
    catalogue: Catalogue | None
    parts: Mapping[str, Part]
    years: range
    recipient: str  # who the filled form goes back to
    agencies: tuple[str, ...] = ()  # the agencies a task may name (the task sheet's list)

    @property
    def who(self) -> str:
        return self.department.name if self.department else self.plugin

    @property
    def field(self) -> str:
        return self.department.field if self.department else self.plugin


def load_forms(config: ReportConfig, plugin: str | None) -> tuple[list[Form], list[str]]:
    """The forms of ``plugin`` (or of every section plugin when ``None``), and the names of
    the section plugins that have none."""
    from ..plugins import load_plugins

    found = load_plugins(config)
    names = found.order if plugin is None else [plugin]
    if plugin is not None and plugin not in found.order:
        raise ConfigError(
            f"Không có plugin lĩnh vực “{plugin}”.{did_you_mean(plugin, found.order)}",
            "Xem danh sách plugin bằng “cchc plugins”.",
        )
    first, last = config.document["period"]
    coordinator = found.infos.get(COORDINATOR)
    recipient = (
        coordinator.department.name
        if coordinator and coordinator.department
        else config.agency["full_name"] or "cơ quan tổng hợp báo cáo"
    )
    agencies = [
        re.sub(r"\s*\([^)]*\)$", "", i.department.name)
        for i in found.infos.values()
        if i.department
    ]
    agencies = list(dict.fromkeys([*agencies, *config.chuong_trinh["agencies"]]))
    forms, skipped = [], []
    for name in names:
        info = found.infos[name]
        catalogue = found.call(info, "cchc_catalogue")
        if catalogue is not None and not isinstance(catalogue, Catalogue):
            raise PluginError(
                f"Plugin “{name}”: cchc_catalogue trả về {type(catalogue).__name__}, "
                "không phải Catalogue.",
                "Trả về danh mục chỉ tiêu của plugin (load_catalogue) hoặc None.",
            )
        if catalogue is None and name != COORDINATOR:
            skipped.append(name)
            continue
        forms.append(
            Form(
                plugin=name,
                department=info.department,
                catalogue=catalogue.localized(config.document["level"]) if catalogue else None,
                parts=DEPARTMENT_PARTS if catalogue else COORDINATOR_PARTS,
                years=range(first, last + 1),
                recipient=recipient,
                agencies=tuple(agencies),
            )
        )
    if plugin is not None and skipped:
        raise ConfigError(
            f"Plugin “{plugin}” không có danh mục chỉ tiêu (hook cchc_catalogue) nên không "
            "có mẫu biểu.",
            "Chỉ các plugin lĩnh vực có catalogue.toml mới có mẫu biểu.",
        )
    return forms, skipped


def form_files(form: Form, output: Path, *, folder: bool) -> dict[str, Path]:
    """Where a form's files go: ``so-lieu.xlsx`` and ``bao-cao.docx`` in the folder
    ``output``, or, when ``output`` names a file, that file and the other kind beside it."""
    names = {"xlsx": WORKBOOK, "docx": TEMPLATE}
    if not folder:
        names = {kind: f"{output.stem}.{kind}" for kind in names}
        output = output.parent
    return {kind: output / name for kind, name in names.items() if kind == "docx" or form.catalogue}


def write_forms(
    config: ReportConfig,
    plugin: str | None,
    output: Path | None,
    *,
    force: bool = False,
    reference: Path | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the forms of ``plugin`` (every section plugin when ``None``); return the files
    written and the plugins that have no form. Nothing is written when a file exists and
    ``force`` is not given."""
    forms, skipped = load_forms(config, plugin)
    base = output if output is not None else config.project_dir / DEFAULT_DIR
    as_file = plugin is not None and base.suffix.lower() in (".xlsx", ".docx")
    if plugin is None and base.suffix.lower() in (".xlsx", ".docx"):
        raise ConfigError(
            f"Với --all, -o phải là một thư mục (không phải {base.name}).",
            "Ví dụ: cchc form --all -o bieu-mau",
        )
    plan = []
    for form in forms:
        folder = base if plugin is not None and output is not None else base / form.plugin
        plan.append((form, form_files(form, folder, folder=not as_file)))
    existing = [p for _, files in plan for p in files.values() if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (" …" if len(existing) > 3 else "")
        raise ConfigError(
            f"Đã có tệp {shown}; không ghi đè để tránh mất số liệu đã điền.",
            "Chọn thư mục khác bằng -o, hoặc thêm --force để ghi đè.",
        )
    stamp = dt.datetime.combine(config.document["date"], dt.time())  # reproducible files
    written = []
    for form, files in plan:
        for kind, path in files.items():
            write = _write_workbook if kind == "xlsx" else _write_template
            _replace(path, write, form, stamp, reference)
            written.append(path)
    return written, skipped


def _replace(path: Path, write: Any, *args: Any) -> None:
    """``write(*args, partial)`` to a hidden file renamed into place: never half a form."""
    partial = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(*args, partial)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConversionError(
            f"Không ghi được {path}: {exc.strerror or exc}.", "Kiểm tra quyền ghi của thư mục."
        ) from exc


# ------------------------------------------------------------------------------------------
# The workbook
# ------------------------------------------------------------------------------------------


def requirement(indicator: Indicator) -> str:
    """What a cell of the indicator accepts, in words (the sheet's last column)."""
    low, high = indicator.bounds()
    text = {
        "count": "Số nguyên",
        "percent": "Tỷ lệ %, có thể có phần thập phân",
        "decimal": "Số, có thể có phần thập phân",
    }[indicator.kind]
    if low is not None and high is not None:
        text += f", từ {number(low)} đến {number(high)}"
    elif low is not None:
        text += f", từ {number(low)} trở lên"
    elif high is not None:
        text += f", không quá {number(high)}"
    if indicator.from_year:
        text += f"; điền từ năm {indicator.from_year}"
    if not indicator.required:
        text += "; không bắt buộc"
    return text + "."


def _validation(indicator: Indicator) -> Any:
    """Excel's data validation for the indicator's input cells, with a Vietnamese message."""
    from openpyxl.worksheet.datavalidation import DataValidation

    low, high = indicator.bounds()
    kind = "whole" if indicator.kind == "count" else "decimal"
    if low is not None and high is not None:
        operator, formulas = "between", (low, high)
    elif low is not None:
        operator, formulas = "greaterThanOrEqual", (low,)
    elif high is not None:
        operator, formulas = "lessThanOrEqual", (high,)
    else:
        operator, formulas = "between", (-1e12, 1e12)  # any number, but no text
    return DataValidation(
        type=kind,
        operator=operator,
        formula1=_excel_number(formulas[0]),
        formula2=_excel_number(formulas[1]) if len(formulas) > 1 else None,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Số liệu không hợp lệ",
        error=f"Ô này nhận: {requirement(indicator)} Chỉ ghi số, không ghi chữ hay đơn vị.",
    )


def _excel_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _write_workbook(form: Form, stamp: dt.datetime, reference: Path | None, path: Path) -> None:
    from openpyxl import Workbook

    from ..publish.formats.xlsx import fix_zip_times

    assert form.catalogue is not None
    book = Workbook()
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = "cchc-pipeline"
    book.properties.title = f"Mẫu biểu số liệu: {form.field} ({form.who})"
    guide = book.active
    guide.title = GUIDE_SHEET
    _guide_sheet(guide, form)
    _data_sheet(book.create_sheet(DATA_SHEET), form)
    _nominations_sheet(book.create_sheet(NOMINATIONS_SHEET), form)
    _tasks_sheet(book.create_sheet(task_data.TASKS_SHEET), form)
    _targets_sheet(book.create_sheet(task_data.TARGETS_SHEET), form)
    _agencies_sheet(book.create_sheet(AGENCIES_SHEET), form)
    book.save(path)
    fix_zip_times(path, stamp)


def _style(cell: Any, *, bold: bool = False, fill: str | None = None, **align: Any) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    cell.font = Font(name=_FONT, size=12, bold=bold)
    cell.alignment = Alignment(**{"vertical": "center", "wrap_text": True, **align})
    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if fill:
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)


def _title(sheet: Any, row: int, text: str, width: int, *, bold: bool = True) -> None:
    from openpyxl.styles import Alignment, Font

    cell = sheet.cell(row=row, column=1, value=text)
    cell.font = Font(name=_FONT, size=13 if bold else 12, bold=bold, italic=not bold)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _top(sheet: Any, title: str, note: str, header: list[Any]) -> None:
    """Rows 1 to 3 of a sheet: its title, a note on how to fill it, the header row."""
    _title(sheet, 1, title, len(header))
    _title(sheet, 2, note, len(header), bold=False)
    for column, value in enumerate(header, start=1):
        cell = sheet.cell(row=3, column=column, value=value)
        _style(cell, bold=True, fill=_HEAD, horizontal="center")
    sheet.row_dimensions[1].height = 24
    sheet.row_dimensions[2].height = 36


def _print_setup(sheet: Any, title_rows: str | None) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _protect(sheet: Any, **allowed: bool) -> None:
    """Protect without password; ``allowed`` names what a clerk may still do."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widen a column, taller rows: harmless
    sheet.protection.formatRows = False
    for name, value in allowed.items():
        setattr(sheet.protection, name, not value)


def _data_sheet(sheet: Any, form: Form) -> None:
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter

    assert form.catalogue is not None
    years = list(form.years)
    last = 4 + len(years)  # code, label, unit, the years, then the requirement column
    _top(
        sheet,
        f"SỐ LIỆU {form.field.upper()}, GIAI ĐOẠN {years[0]} - {years[-1]}",
        f"Đơn vị điền: {form.who}. Ô trắng: điền số liệu của năm; ô xám: năm chưa phải báo "
        "cáo. Không sửa cột mã chỉ tiêu (xem trang “Hướng dẫn”).",
        [ID_COLUMN, "Chỉ tiêu", "Đơn vị tính", *years, "Yêu cầu"],
    )
    rules: dict[str, Any] = {}
    for row, indicator in enumerate(form.catalogue, start=4):
        for column, value in enumerate((indicator.id, indicator.label, indicator.unit), 1):
            _style(sheet.cell(row=row, column=column, value=value))
        for column, year in enumerate(years, start=4):
            cell = sheet.cell(row=row, column=column)
            due = indicator.due(year)
            _style(cell, fill=_WHITE if due else _GREY, horizontal="right")
            if due:
                cell.protection = Protection(locked=False)
                cell.number_format = "#,##0" if indicator.kind == "count" else "General"
                key = requirement(indicator)
                if key not in rules:
                    rules[key] = _validation(indicator)
                    sheet.add_data_validation(rules[key])
                rules[key].add(cell.coordinate)
        _style(sheet.cell(row=row, column=last, value=requirement(indicator)))
    widths = {1: 24, 2: 58, 3: 12, last: 36}
    for column in range(1, last + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 11)
    sheet.freeze_panes = "D4"
    _print_setup(sheet, "3:3")
    _protect(sheet)


def _nominations_sheet(sheet: Any, form: Form, rows: int = 200) -> None:
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    width = len(NOMINATION_HEADERS)
    _top(
        sheet,
        f"ĐỀ NGHỊ KHEN THƯỞNG - {form.who.upper()}",
        "Mỗi dòng một tập thể hoặc cá nhân; cột Loại chọn Tập thể hoặc Cá nhân. "
        "Không sửa dòng tiêu đề (xem trang “Hướng dẫn”).",
        list(NOMINATION_HEADERS),
    )
    for row in range(4, 4 + rows):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            _style(cell, vertical="top")
            cell.protection = Protection(locked=False)
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(NOMINATION_KINDS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Loại không hợp lệ",
        error="Chọn “Tập thể” hoặc “Cá nhân” trong danh sách.",
    )
    sheet.add_data_validation(kinds)
    kinds.add(f"A4:A{3 + rows}")
    for column, size in enumerate((12, 32, 36, 60, 32), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    sheet.freeze_panes = "A4"
    _print_setup(sheet, "3:3")
    _protect(sheet, sort=True, autoFilter=True)


def _open_rows(sheet: Any, width: int, rows: int) -> None:
    """The input rows under the header: bordered, unlocked."""
    from openpyxl.styles import Protection

    for row in range(4, 4 + rows):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            _style(cell, vertical="top")
            cell.protection = Protection(locked=False)


def _list_rule(values: str, title: str, error: str, *, stop: bool = True) -> Any:
    """A drop-down list; ``stop=False`` warns and still accepts another value."""
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type="list", formula1=values, allow_blank=True, showErrorMessage=True,
        errorStyle="stop" if stop else "warning", errorTitle=title, error=error,
    )  # fmt: skip


def _tasks_sheet(sheet: Any, form: Form, rows: int = 100) -> None:
    """The 2021–2030 tasks: lead agency from the list of known agencies (another name is
    accepted with a warning, as the reader does), the deadline from a list of years."""
    from openpyxl.utils import get_column_letter

    headers = list(task_data.TASK_COLUMNS.values())
    _top(
        sheet,
        f"NHIỆM VỤ GIAI ĐOẠN 2021 - 2030 - {form.who.upper()}",
        "Mỗi dòng một nhiệm vụ: một cơ quan chủ trì (chọn trong danh sách), các cơ quan phối "
        f"hợp cách nhau bằng dấu “{task_data.PARTNER_SEPARATOR}”, năm hoàn thành từ 2021 đến "
        "2030 (hoặc khoảng năm như “2021 - 2025”), sản phẩm.",
        headers,
    )
    _open_rows(sheet, len(headers), rows)
    last = 3 + rows
    if form.agencies:
        lead = _list_rule(
            f"'{AGENCIES_SHEET}'!$A$1:$A${len(form.agencies)}", "Cơ quan chưa có trong danh sách",
            "Nên chọn cơ quan trong danh sách; tên khác sẽ bị cảnh báo khi kiểm tra.", stop=False,
        )  # fmt: skip
        sheet.add_data_validation(lead)
        lead.add(f"B4:B{last}")
    deadline = _list_rule(
        '"' + ",".join(DEADLINES) + '"', "Thời gian hoàn thành không hợp lệ",
        "Chọn năm hoàn thành từ 2021 đến 2030, hoặc một khoảng năm trong danh sách.",
    )  # fmt: skip
    sheet.add_data_validation(deadline)
    deadline.add(f"D4:D{last}")
    for row in range(4, 4 + rows):
        sheet.cell(row=row, column=4).number_format = "@"  # "2025" stays text
    for column, size in enumerate((60, 30, 40, 16, 40), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    sheet.freeze_panes = "A4"
    _print_setup(sheet, "3:3")
    _protect(sheet, sort=True, autoFilter=True)


def _targets_sheet(sheet: Any, form: Form, rows: int = 50) -> None:
    """The specific targets for 2025 and 2030: the year from a list, then the target."""
    from openpyxl.utils import get_column_letter

    headers = list(task_data.TARGET_COLUMNS.values())
    _top(
        sheet,
        f"CHỈ TIÊU CỤ THỂ ĐẾN NĂM 2025 VÀ NĂM 2030 - {form.who.upper()}",
        "Mỗi dòng một chỉ tiêu: chọn năm phải đạt (2025 hoặc 2030), ghi chỉ tiêu thành một "
        "câu, ví dụ “100% dự thảo VBQPPL được thẩm định trước khi ban hành”.",
        headers,
    )
    _open_rows(sheet, len(headers), rows)
    year = _list_rule('"2025,2030"', "Năm không hợp lệ", "Chọn năm 2025 hoặc năm 2030.")
    sheet.add_data_validation(year)
    year.add(f"A4:A{3 + rows}")
    for column, size in enumerate((12, 100), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size
    sheet.freeze_panes = "A4"
    _print_setup(sheet, "3:3")
    _protect(sheet, sort=True, autoFilter=True)


def _agencies_sheet(sheet: Any, form: Form) -> None:
    """The known agencies, one a row, hidden: the source of the lead agency's list."""
    for row, name in enumerate(form.agencies, start=1):
        sheet.cell(row=row, column=1, value=name)
    sheet.sheet_state = "hidden"
    _protect(sheet)


def zero_guidance(catalogue: Catalogue) -> str:
    """What to write for a year without figures: 0 only where the indicator's bounds allow it,
    so that a rank bounded 1–63 is never told to take a 0 that its own cell refuses."""
    refusing = [i for i in catalogue if not accepts_zero(i)]
    if not refusing:
        return "Năm không có số liệu ghi 0."
    listed = "; ".join(
        f"“{i.label}” ({bounds_text(i)}"
        + ("" if i.required else ", không bắt buộc: năm không có số liệu để trống")
        + ")"
        for i in refusing
    )
    if len(refusing) == len(catalogue):
        return f"Các chỉ tiêu không nhận số 0, ghi đúng giá trị: {listed}."
    return f"Năm không có số liệu ghi 0, trừ các chỉ tiêu không nhận số 0: {listed}."


def guide_lines(form: Form) -> list[tuple[str, str]]:
    """The "Hướng dẫn" sheet, as (style, text) lines: ``title``, ``head`` or ``text``."""
    years = f"{form.years[0]} - {form.years[-1]}"
    assert form.catalogue is not None
    accepts = {
        "count": "Chỉ tiêu đếm số lượng: ghi số nguyên từ 0 trở lên, ví dụ 1250.",
        "percent": "Chỉ tiêu tỷ lệ (%): ghi số từ 0 đến 100, có thể có phần thập phân, ví dụ "
        "97,5; không cần gõ dấu %.",
        "decimal": "Chỉ tiêu số thập phân: ghi số, có thể có phần thập phân.",
    }
    kinds = [kind for kind in accepts if any(i.kind == kind for i in form.catalogue)]
    headings = "; ".join(f"“{p.title}”" for p in form.parts.values())
    return [
        ("title", f"MẪU BIỂU TỔNG KẾT CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN {years}"),
        ("text", f"Lĩnh vực: {form.field}. Đơn vị điền: {form.who}."),
        ("head", "1. Trang “Số liệu”"),
        (
            "text",
            f"Mỗi dòng là một chỉ tiêu, mỗi cột là một năm của giai đoạn {years}. Chỉ điền "
            "vào các ô trắng; ô xám là năm chỉ tiêu chưa phải báo cáo. Đơn vị tính ghi ở cột "
            "“Đơn vị tính”, yêu cầu của từng chỉ tiêu ở cột “Yêu cầu”.",
        ),
        *[("text", f"- {accepts[kind]}") for kind in kinds],
        (
            "text",
            f"Excel báo lỗi khi ô nhập không đúng yêu cầu. {zero_guidance(form.catalogue)} "
            "Có thể dùng công thức; trước khi gửi hãy mở và lưu tệp bằng Excel để kết quả "
            "công thức được lưu.",
        ),
        (
            "text",
            f"Cột “{ID_COLUMN}” (mã chỉ tiêu), tên chỉ tiêu, đơn vị tính và dòng tiêu đề "
            "đã được khóa: không sửa, không xóa dòng. Trang tính được bảo vệ không đặt mật "
            "khẩu chỉ để tránh sửa nhầm; số liệu được đọc theo mã chỉ tiêu nên thứ tự các "
            "dòng không quan trọng.",
        ),
        ("head", "2. Trang “Khen thưởng”"),
        (
            "text",
            "Mỗi dòng một tập thể hoặc cá nhân đề nghị khen thưởng: Loại (chọn Tập thể "
            "hoặc Cá nhân), Tên, Chức vụ, đơn vị (cá nhân: chức vụ và đơn vị công tác; tập "
            "thể: đơn vị chủ quản), Thành tích (một câu), Hình thức (ví dụ: Bằng khen của "
            "Chủ tịch UBND tỉnh). Không có đề nghị thì để trống.",
        ),
        ("head", f"3. Trang “{task_data.TASKS_SHEET}” và “{task_data.TARGETS_SHEET}”"),
        (
            "text",
            "Các nhiệm vụ đề xuất đưa vào Chương trình cải cách hành chính giai đoạn 2021 - "
            "2030, mỗi dòng một nhiệm vụ: Nhiệm vụ, Cơ quan chủ trì (bắt buộc, chọn trong danh "
            "sách), Cơ quan phối hợp (cách nhau bằng dấu “;”), Thời gian hoàn thành (bắt buộc, "
            "năm từ 2021 đến 2030), Sản phẩm. Các chỉ tiêu cụ thể ghi ở trang chỉ tiêu, mỗi "
            "dòng một chỉ tiêu với năm phải đạt (2025 hoặc 2030). Không có thì để trống.",
        ),
        ("head", f"4. Bài viết (tệp Word {TEMPLATE})"),
        (
            "text",
            f"Phần bài viết của báo cáo viết trong tệp Word {TEMPLATE} gửi kèm, giữ "
            f"nguyên các đề mục: {headings}. Viết dưới mỗi đề mục và xóa đoạn hướng dẫn "
            "in nghiêng.",
        ),
        (
            "text",
            "Đơn vị cũng có thể gửi nguyên báo cáo chuyên đề đã ký (tệp Word .docx hoặc .doc) "
            "với đề mục của mình, ví dụ “I. KẾT QUẢ ĐẠT ĐƯỢC”, “II. TỒN TẠI, HẠN CHẾ VÀ "
            "NGUYÊN NHÂN”: công cụ nhận ra các đề mục theo nghĩa, bỏ phần tiêu đề, chữ ký và "
            "nơi nhận, và báo lại đề mục nào ứng với mục nào để đơn vị kiểm tra. Nên chấp "
            "nhận hết các thay đổi (Track Changes) và xóa nhận xét trước khi gửi.",
        ),
        ("head", "5. Gửi mẫu biểu"),
        (
            "text",
            f"Lưu tệp với tên {WORKBOOK} (định dạng Excel Workbook .xlsx), gửi cùng tệp "
            f"{TEMPLATE} về {form.recipient} theo thời hạn trong văn bản đề nghị.",
        ),
        (
            "text",
            "Nếu đơn vị đã có biểu số liệu riêng (ví dụ “Biểu số 01” với cột STT, Chỉ tiêu, "
            "Đơn vị tính và các cột năm), có thể gửi nguyên biểu đó (.xlsx hoặc .xls): số "
            "liệu được đọc theo tên chỉ tiêu; cơ quan tổng hợp sẽ báo lại dòng nào ứng với "
            "chỉ tiêu nào, dòng nào không nhận ra và chỉ tiêu nào còn thiếu.",
        ),
    ]


def _guide_sheet(sheet: Any, form: Form) -> None:
    from openpyxl.styles import Alignment, Font

    for row, (kind, text) in enumerate(guide_lines(form), start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = Font(name=_FONT, size=13 if kind == "title" else 12, bold=kind != "text")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 18 * max(1, len(text) // 62 + 1)
    sheet.column_dimensions["A"].width = 72  # within A4 portrait margins at 12 pt, unscaled
    _print_setup(sheet, None)
    sheet.page_setup.orientation = "portrait"
    _protect(sheet)


# ------------------------------------------------------------------------------------------
# The Word template
# ------------------------------------------------------------------------------------------


def template_markdown(form: Form) -> str:
    """The narrative template: each part's heading and its italic guidance paragraph."""
    blocks = []
    for key, part in form.parts.items():
        guidance = GUIDANCE.get(key, "nội dung của mục này.")
        blocks.append(f"# {part.title}\n\n*{GUIDANCE_MARK} viết {guidance}*\n")
    return "\n".join(blocks)


def _write_template(form: Form, stamp: dt.datetime, reference: Path | None, path: Path) -> None:
    from .. import resources
    from ..publish.formats.pandoc import pandoc_path

    reference = reference or resources.templates_dir() / "docx" / "reference.docx"
    years = f"{form.years[0]} - {form.years[-1]}"
    command = [
        pandoc_path(),
        "--from",
        "markdown-raw_html-raw_attribute-raw_tex-yaml_metadata_block",
        "--to",
        "docx",
        f"--reference-doc={reference}",
        "--metadata",
        f"title=Bài viết báo cáo tổng kết CCHC giai đoạn {years}: {form.field}",
        "--metadata",
        f"subtitle={form.who}",
        "--output",
        str(path),
    ]
    epoch = int(stamp.replace(tzinfo=dt.timezone.utc).timestamp())
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    result = subprocess.run(
        command, input=template_markdown(form).encode("utf-8"), capture_output=True, env=env
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise ConversionError(f"pandoc (docx) không tạo được mẫu bài viết: {' '.join(message)}")
    from ..publish.formats.docx import postprocess

    postprocess(path, "")  # the reference document's footer placeholder: no revision here


def leftover_guidance(parts: Mapping[str, str]) -> list[str]:
    """The parts (keys) of a returned narrative that still hold the template's guidance."""
    mark = fold(GUIDANCE_MARK)
    return [key for key, text in parts.items() if mark in fold(str(text))]
