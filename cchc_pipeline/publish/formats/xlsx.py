"""XLSX output of the commendation list: the table the emulation-and-commendation office
works in (sorting, filtering, adding the decision numbers), not a picture of the document.

Written with openpyxl from the document's structured data. openpyxl stamps the workbook and
each zip entry with the current time; both are fixed to the build's timestamp so that the
file is reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from ...errors import ConversionError
from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat

COLUMNS = (
    ("STT", 6),
    ("Loại", 10),
    ("Tên tập thể, cá nhân", 32),
    ("Chức vụ, đơn vị", 36),
    ("Thành tích", 60),
    ("Hình thức khen thưởng", 30),
    ("Đơn vị đề nghị", 28),
)


def convert(job: ConversionJob) -> None:
    if not isinstance(job.data, list):
        raise ConversionError("định dạng xlsx chỉ dùng cho danh sách đề nghị khen thưởng")
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    stamp = dt.datetime.fromtimestamp(job.epoch, dt.timezone.utc).replace(tzinfo=None)
    book = Workbook()
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = "cchc-pipeline"
    sheet = book.active
    sheet.title = "Danh sách"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    title = f"{job.metadata.get('title', '')}: {job.metadata.get('summary', '')}".strip(": ")
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(name="Times New Roman", bold=True, size=13)
    sheet["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    sheet.append([name for name, _ in COLUMNS])
    for column, (_, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=column)
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[cell.column_letter].width = width
    for number, item in enumerate(job.data, start=1):
        sheet.append([number, item["kind"], item["name"], item["position"], item["achievement"],
                      item["form"], item["proposer"]])  # fmt: skip
        for column in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=number + 2, column=column)
            if cell.data_type == "f":  # submitted text starting with "=" is text, not a formula
                cell.data_type = "s"
            cell.font = Font(name="Times New Roman")
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = (
        f"A2:{sheet.cell(row=2, column=len(COLUMNS)).column_letter}{len(job.data) + 2}"
    )
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    book.save(job.target)
    fix_zip_times(job.target, stamp)


def fix_zip_times(path: Path, stamp: dt.datetime) -> None:
    """Give every entry of the package the same timestamp (zip's are local, 2-second grained)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    partial = path.with_name(path.name + ".part")
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + when, data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    partial.replace(path)


@hookimpl
def cchc_output_formats() -> list[OutputFormat]:
    return [OutputFormat("xlsx", ".xlsx", "Bảng tính (XLSX) danh sách khen thưởng", convert)]
