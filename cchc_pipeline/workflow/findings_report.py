"""Findings reports (``cchc validate --report DIR``): one file per department, sent as is.

The coordinator forwards each department its own file, so a file stands alone: whom it is
for, which report, when the submission was checked, the counts, then one row per finding with
a place a clerk can go to and how to fix it. XLSX (the default) is what the offices exchange:
the department can filter, sort and note what it fixed in the last column. HTML opens in any
browser and prints on A4. Findings quote submitted text, so the HTML is escaped by the
template engine and the XLSX cells are forced to text (a leading "=" is not a formula).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import resources
from ..config import ReportConfig
from ..errors import ConfigError, ConversionError, describe_os_error
from ..model import Finding, Location, Severity
from ..publish.atomic import write_atomically, write_text_atomically
from ..report import Report

FORMATS = ("xlsx", "html")
HTML_TEMPLATE = "findings/ket-qua-kiem-tra.html.j2"
COLUMNS = ("STT", "Mức độ", "Tệp", "Vị trí", "Nội dung", "Cách sửa")
NOTE_COLUMN = "Ghi chú của đơn vị"  # XLSX only: left blank for the department
# Control characters XML 1.0 cannot carry (a pasted form feed, a NUL from a broken file).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def file_name(plugin: str, extension: str) -> str:
    """The predictable name of a department's findings file."""
    return f"ket-qua-kiem-tra-{plugin}.{extension}"


def position(location: Location) -> str:
    """Where in the file: "Số liệu!C5", "ô C5", "dòng 7", "mục “Hạn chế”" (joined by "; ")."""
    parts = []
    if location.sheet:
        parts.append(f"{location.sheet}!{location.cell}" if location.cell else location.sheet)
    elif location.cell:
        parts.append(f"ô {location.cell}")
    if location.line is not None:
        parts.append(f"dòng {location.line}")
    if location.paragraph is not None:
        parts.append(f"đoạn {location.paragraph}")
    if location.heading:
        parts.append(f"mục “{location.heading}”")
    return "; ".join(parts)


def _clean(text: str | None) -> str:
    return _CONTROL.sub("", text or "")


@dataclass(frozen=True)
class Row:
    """One finding as both formats show it."""

    number: int
    severity: Severity
    file: str
    position: str
    message: str
    hint: str

    @property
    def label(self) -> str:
        """ "Lỗi", "Cảnh báo", "Thông tin"."""
        return self.severity.label.capitalize()

    def cells(self) -> tuple[int | str, ...]:
        return (self.number, self.label, self.file, self.position, self.message, self.hint)


@dataclass(frozen=True)
class DepartmentFindings:
    """What one department's file says."""

    plugin: str
    department: str
    report: str
    checked_at: dt.datetime
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def checked(self) -> str:
        return self.checked_at.strftime("%H:%M ngày %d/%m/%Y")

    @property
    def verdict(self) -> str:
        """The one-line outcome printed under the title."""
        counts = f"{self.errors} lỗi, {self.warnings} cảnh báo"
        if self.errors:
            return f"{counts}. Đơn vị cần sửa các lỗi rồi gửi lại bài nộp."
        if self.warnings:
            return f"{counts}. Bài nộp đạt yêu cầu; đề nghị xem lại các cảnh báo."
        return "Không có lỗi hay cảnh báo nào. Bài nộp đạt yêu cầu."

    def rows(self) -> list[Row]:
        """Errors first, then warnings, then remarks; each by file and line, as a clerk reads."""
        order = list(Severity)
        ranked = sorted(
            self.findings,
            key=lambda f: (order.index(f.severity), f.location.file or "", f.location.line or 0),
        )
        return [
            Row(
                number,
                f.severity,
                _clean(f.location.file),
                _clean(position(f.location)),
                _clean(f.message),
                _clean(f.hint),
            )
            for number, f in enumerate(ranked, start=1)
        ]


def report_title(report: Report) -> str:
    """ "Báo cáo tổng kết Chương trình …": the document kind and summary as one phrase."""
    document = report.config.document
    summary = document["summary"]
    return f"{document['kind'].capitalize()} {summary[:1].lower()}{summary[1:]}"


def department_findings(report: Report, checked_at: dt.datetime) -> list[DepartmentFindings]:
    """One entry per section of the report, in report order."""
    title = report_title(report)
    return [
        DepartmentFindings(
            plugin=section.name,
            department=section.department.name if section.department else section.name,
            report=title,
            checked_at=checked_at,
            findings=tuple(section.findings),
        )
        for section in report.sections.values()
    ]


def check_report_folder(
    config: ReportConfig, directory: Path, plugin_folders: Iterable[Path] = ()
) -> None:
    """Refuse a findings folder inside a submission or plugin folder (or the cache): every
    department's findings would become part of one department's inputs, or of a plugin's
    code folder, changing its revision and what the next build reads."""
    from ..cache import CACHE_DIR

    folder = Path(directory).absolute().resolve()
    holders = [
        *((f"thư mục bài nộp của “{name}”", path) for name, path in config.submissions.items()),
        *(("thư mục plugin", path) for path in (*config.plugin_folders, *plugin_folders)),
        ("bộ nhớ đệm", config.project_dir / CACHE_DIR),
    ]
    for what, holder in holders:
        if folder.is_relative_to(Path(holder).resolve()):
            raise ConfigError(
                f"--report {directory}: thư mục kết quả kiểm tra nằm trong {what} "
                f"({holder}); tệp kết quả của mọi đơn vị sẽ lẫn vào đó.",
                "Chọn thư mục riêng, ví dụ “--report ket-qua-kiem-tra”.",
            )


def write_reports(
    report: Report,
    directory: Path,
    formats: Iterable[str] = ("xlsx",),
    checked_at: dt.datetime | None = None,
) -> list[Path]:
    """Write every department's findings file in each format; return the paths written."""
    checked_at = checked_at or dt.datetime.now().replace(microsecond=0)
    directory = Path(directory)
    sections = report.sections.values()
    check_report_folder(report.config, directory, [s.submission for s in sections if s.submission])
    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for entry in department_findings(report, checked_at):
            for extension in dict.fromkeys(formats):
                path = directory / file_name(entry.plugin, extension)
                if extension == "xlsx":
                    write_atomically(path, lambda tmp, e=entry: write_xlsx(e, tmp))
                else:
                    write_text_atomically(path, render_html(entry, report.config.project_dir))
                written.append(path)
    except OSError as exc:
        raise ConversionError(
            f"Không ghi được tệp kết quả kiểm tra vào {directory}: {describe_os_error(exc)}.",
            "Kiểm tra quyền ghi của thư mục, hoặc chọn thư mục khác bằng --report.",
        ) from exc
    return written


def render_html(entry: DepartmentFindings, project_dir: Path) -> str:
    """The self-contained, printable page (the project's ``templates/`` may override it)."""
    import jinja2

    folders = [project_dir / "templates", resources.templates_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(HTML_TEMPLATE).render(entry=entry, columns=COLUMNS)


def write_xlsx(entry: DepartmentFindings, path: Path) -> None:
    """One sheet: title block, then a filterable table that prints landscape on A4."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả kiểm tra"
    book.properties.title = f"Kết quả kiểm tra bài nộp - {entry.department}"
    book.properties.creator = "cchc-pipeline"
    headers = (*COLUMNS, NOTE_COLUMN)
    last = len(headers)
    lines = [
        ("KẾT QUẢ KIỂM TRA BÀI NỘP", Font(bold=True, size=14)),
        (f"Đơn vị: {entry.department} ({entry.plugin})", Font(bold=True)),
        (f"Báo cáo: {entry.report}", Font()),
        (f"Thời điểm kiểm tra: {entry.checked}", Font()),
        (f"Kết quả: {entry.verdict}", Font(bold=True)),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        _text(sheet.cell(row=row, column=1), text).font = font
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    header_row = len(lines) + 2
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, title in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
    rows = entry.rows()
    error_fill = PatternFill("solid", fgColor="FCE4E4")
    for offset, item in enumerate(rows, start=1):
        for column, value in enumerate((*item.cells(), ""), start=1):
            cell = sheet.cell(row=header_row + offset, column=column)
            if isinstance(value, int):
                cell.value = value
            else:
                _text(cell, value)
            cell.alignment = wrap
            cell.border = border
            if item.severity is Severity.ERROR and column == 2:
                cell.font = Font(bold=True, color="C00000")
                cell.fill = error_fill
    if not rows:
        cell = _text(sheet.cell(row=header_row + 1, column=1), "Không có lỗi hay cảnh báo nào.")
        sheet.merge_cells(
            start_row=header_row + 1, start_column=1, end_row=header_row + 1, end_column=last
        )
    for column, width in zip("ABCDEFG", (6, 11, 28, 16, 60, 45, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if rows:
        sheet.auto_filter.ref = f"A{header_row}:G{header_row + len(rows)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.save(path)


def _text(cell, value: str):
    """Store ``value`` as text whatever it looks like ("=1+1" stays a string, not a formula)."""
    cell.value = value
    cell.data_type = "s"
    return cell
