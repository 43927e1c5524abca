"""XLSX output of the commendation list: the table the emulation-and-commendation office
works in (filtering, adding the decision numbers), grouped as the decision's list, not a
picture of the document.

Written with openpyxl from the document's structured data. openpyxl stamps the workbook and
each zip entry with the current time; both are fixed to the build's timestamp so that the
file is reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from ...errors import ConversionError
from ...markers import hookimpl
from ...model import ConversionJob, OutputFormat

COLUMNS = (
    ("STT", 6),
    ("Hình thức khen thưởng", 30),
    ("Loại", 10),
    ("Tên tập thể, cá nhân", 32),
    ("Chức vụ, đơn vị", 36),
    ("Thành tích", 60),
    ("Đơn vị đề nghị", 28),
)


def rows(data: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """The sheet's rows below the header, grouped as the decision's list: a row per form of
    award ("A", "B"…), per tập thể / cá nhân under it ("I", "II"), then the nominations
    numbered from 1 in each group; every nomination row repeats its form and kind, so that the
    sheet can still be filtered. Each row comes with its style: "form", "kind" or "item"."""
    from ...render.vi import letter, roman

    found: list[tuple[str, list[Any]]] = []
    for number, group in enumerate(data["groups"], start=1):
        found.append(("form", [letter(number).upper(), group["form"].upper()]))
        for index, kinds in enumerate(group["kinds"], start=1):
            found.append(("kind", [roman(index), group["form"], kinds["kind"]]))
            for n, item in enumerate(kinds["items"], start=1):
                found.append(("item", [n, group["form"], item["kind"], item["name"],
                                       item["position"], item["achievement"],
                                       item["proposer"]]))  # fmt: skip
    return found


def convert(job: ConversionJob) -> None:
    if not isinstance(job.data, dict) or not isinstance(job.data.get("groups"), list):
        raise ConversionError("định dạng xlsx chỉ dùng cho danh sách khen thưởng")
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
    found = rows(job.data)
    for offset, (style, values) in enumerate(found, start=3):
        sheet.append(values)
        if style == "form":  # the form's heading across the row
            sheet.merge_cells(start_row=offset, start_column=2, end_row=offset,
                              end_column=len(COLUMNS))  # fmt: skip
        for column in range(1, len(COLUMNS) + 1):
            cell = sheet.cell(row=offset, column=column)
            if cell.data_type == "f":  # submitted text starting with "=" is text, not a formula
                cell.data_type = "s"
            cell.font = Font(name="Times New Roman", bold=style != "item")
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    if not job.data.get("show_proposer", True):
        sheet.column_dimensions["G"].hidden = True
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = (
        f"A2:{sheet.cell(row=2, column=len(COLUMNS)).column_letter}{len(found) + 2}"
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
