"""Figures written as TOML (``so-lieu.toml``), for a department whose figures come out of
another program rather than a clerk's spreadsheet.

One line per indicator, its code as the key and an inline table of years::

    vbqppl_hdnd = { 2011 = 18, 2012 = 16, 2013 = 20 }
    ty_le_tham_dinh = { 2011 = 93.5, 2012 = "96,6" }

(a ``[vbqppl_hdnd]`` table with one ``2011 = 18`` line per year is read too). The file is
turned into the same :class:`~cchc_pipeline.intake.yearly.Grid` as a CSV, each indicator's row
numbered by the line its code is written on, so every check and finding is the CSV's.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from ..report import Section
from . import tomlread
from .yearly import ID_COLUMN, YEAR_COLUMN, Grid, YearlyTable, read_grid

DATA_FILE = "so-lieu.toml"
EXAMPLE = "vbqppl_hdnd = { 2011 = 18, 2012 = 16 }"


def read_toml(section: Section, path: Path) -> YearlyTable:
    """Read ``so-lieu.toml``; a syntax error or a malformed line becomes a located finding."""
    table = YearlyTable(source=section.relative(path), read=False)
    try:
        data, lines, _ = tomlread.load(path)
    except UnicodeDecodeError:
        section.error(
            "Tệp số liệu TOML không phải văn bản UTF-8.",
            file=path,
            hint="Lưu lại tệp với bảng mã UTF-8.",
        )
        return table
    except tomlread.TOMLDecodeError as exc:
        line, column = tomlread.error_position(exc)
        where = f" (cột {column})" if column else ""
        section.error(
            f"Tệp số liệu TOML sai cú pháp{where}: {tomlread.error_reason(exc)}.",
            file=path,
            line=line,
            hint=f"Mỗi chỉ tiêu một dòng, ví dụ: {EXAMPLE}",
        )
        return table
    rows: list[tuple[int, list[Any]]] = []
    years: set[str] = set()
    for code, values in data.items():
        line = lines.get((code,))
        if not isinstance(values, dict):
            section.error(
                f"Chỉ tiêu “{code}” phải ghi các năm trong ngoặc nhọn.",
                file=path,
                line=line,
                hint=f"Ví dụ: {EXAMPLE}",
            )
            continue
        years.update(key for key in values if YEAR_COLUMN.match(key))
        rows.append((line or 0, [unicodedata.normalize("NFC", code), values]))
    # every year of the period is a column, so that a year left out of a line is reported
    # as that indicator's missing figure (there is no header line to blame in TOML)
    first, last = section.config.document["period"]
    header = sorted(years | {str(year) for year in range(first, last + 1)})
    grid_rows: list[tuple[int, list[Any]]] = [(0, [ID_COLUMN, *header])]
    for line, (code, values) in rows:
        grid_rows.append((line, [code, *(_cell(values.get(year)) for year in header)]))
    return read_grid(section, Grid(path, grid_rows))


def _cell(value: Any) -> Any:
    """A TOML value as a grid cell: numbers as they are, text normalised to NFC."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
