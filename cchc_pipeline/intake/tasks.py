"""A department's 2021–2030 tasks and its 2025/2030 targets, read as data.

The programme's task table (Phụ lục) lists every task with its lead agency, partners,
deadline and product; a department gives them as ``nhiem-vu.csv``, the "Nhiệm vụ 2021-2030"
sheet of the Excel form, or a table with the same columns in its narrative (under the
nhiệm vụ part), and its specific targets as ``chi-tieu.csv``, the "Chỉ tiêu 2025-2030" sheet
or a table of "Năm" and "Chỉ tiêu" (the first of these found is read). Headers are matched
ignoring case and accents, so "Cơ quan chủ trì" is ``co_quan_chu_tri``. Each problem is a
finding at its line or cell: a task needs a lead agency and a deadline within 2021–2030; a
target a year. Whether the agencies are known is checked once every department is read
(:mod:`cchc_pipeline.checks.agencies`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from ..model import Severity
from ..render.vi import fold
from ..report import Section
from . import invisible
from .names import on_disk
from .yearly import Grid, text

TASKS_FILE = "nhiem-vu.csv"
TARGETS_FILE = "chi-tieu.csv"
TASKS_SHEET = "Nhiệm vụ 2021-2030"
TARGETS_SHEET = "Chỉ tiêu 2025-2030"
PERIOD = (2021, 2030)
# column code → its header as the form writes it
TASK_COLUMNS = {
    "nhiem_vu": "Nhiệm vụ",
    "co_quan_chu_tri": "Cơ quan chủ trì",
    "co_quan_phoi_hop": "Cơ quan phối hợp",
    "thoi_gian_hoan_thanh": "Thời gian hoàn thành",
    "san_pham": "Sản phẩm",
}
TARGET_COLUMNS = {"nam": "Năm", "chi_tieu": "Chỉ tiêu"}
PARTNER_SEPARATOR = ";"
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DEADLINE = re.compile(r"^(?:năm\s+)?\d{4}(?:\s*[-–]\s*\d{4})?$", re.I)


@dataclass(frozen=True)
class Task:
    """One task of the programme: what, who leads, who helps, by when, what it delivers.

    ``at`` holds where its lead and partner agencies were typed (finding keywords), so that
    an unknown agency is told at its cell."""

    text: str
    lead: str
    partners: tuple[str, ...]
    deadline: str  # as written: "2025", "2021 - 2025"
    year: int  # the year it is completed (the last year of a span)
    product: str
    field: str = ""
    department: str = ""
    at: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

    def where(self, column: str) -> dict[str, Any]:
        """The finding keywords of a column of this task's row."""
        return dict(dict(self.at).get(column, ()))


@dataclass(frozen=True)
class Aim:
    """A specific target of the programme, to be reached by ``year`` (2025 or 2030)."""

    year: int
    text: str
    field: str = ""
    department: str = ""


@dataclass
class Plan:
    """A department's tasks and targets for 2021–2030."""

    tasks: list[Task] = field(default_factory=list)
    aims: list[Aim] = field(default_factory=list)


@dataclass
class TableInText(Grid):
    """A task or target table typed in the narrative: a row is told by its number in the
    table, under the paragraph and heading where the table is."""

    paragraph: int | None = None
    heading: str | None = None

    def at(self, number: int | None, column: int | None = None) -> dict[str, Any]:
        cell = None
        if number is not None:
            cell = f"bảng, hàng {number}" + (f", cột {column + 1}" if column is not None else "")
        return {"file": str(self.path), "cell": cell, "paragraph": self.paragraph,
                "heading": self.heading}  # fmt: skip


def table_kind(cells: Any) -> str | None:
    """ "tasks" or "targets" when a table's header names their columns, else None."""
    for row in list(cells)[:2]:
        codes = set(_codes([text(c) for c in row]))
        if {"nhiem_vu", "co_quan_chu_tri"} <= codes:
            return "tasks"
        if {"nam", "chi_tieu"} <= codes:
            return "targets"
    return None


def read_plan(section: Section, task_sheet: Grid | None = None,
              target_sheet: Grid | None = None, narrative: Any = None) -> Plan:  # fmt: skip
    """The department's tasks and targets: the CSV files when they exist, else the form's
    sheets (``None``: the workbook has none, or there is no workbook), else the tables in
    the narrative."""
    assert section.submission is not None
    grids: list[Grid | None] = []
    tables = list(getattr(narrative, "tables", None) or ())
    for name, sheet, kind in ((TASKS_FILE, task_sheet, "tasks"),
                              (TARGETS_FILE, target_sheet, "targets")):  # fmt: skip
        path = on_disk(section.submission, name)
        typed = [t for t in tables if t.kind == kind]
        if path.is_file():
            section.use(path)
            grids.append(Grid.csv(path))
        elif sheet is not None:
            grids.append(sheet)
        elif typed:
            table = typed[0]
            grids.append(TableInText(
                section.submission / PurePath(narrative.source).name,
                list(enumerate(table.cells, start=1)),
                paragraph=table.paragraph, heading=table.heading,
            ))  # fmt: skip
            typed = typed[1:]
        else:
            grids.append(None)  # the department sent none
        for extra in typed:  # a table not read must not vanish without a word
            section.warning(
                f"Bảng {'nhiệm vụ' if kind == 'tasks' else 'chỉ tiêu'} trong bài viết không "
                f"được dùng: đã đọc {name if path.is_file() else 'bảng khác'}.",
                hint="Giữ một nơi ghi nhiệm vụ, chỉ tiêu: tệp CSV, trang của mẫu biểu, hoặc "
                "một bảng trong bài viết.",
                file=section.submission / PurePath(narrative.source).name,
                paragraph=extra.paragraph,
                heading=extra.heading,
            )
    department = section.department
    owner = (department.field if department else section.name,
             department.name if department else section.name)  # fmt: skip
    plan = Plan(
        tasks=read_tasks(section, grids[0], owner) if grids[0] is not None else [],
        aims=read_aims(section, grids[1], owner) if grids[1] is not None else [],
    )
    for grid, what, count in ((grids[0], "nhiệm vụ", len(plan.tasks)),
                              (grids[1], "chỉ tiêu", len(plan.aims))):  # fmt: skip
        if isinstance(grid, TableInText):
            section.add(
                Severity.INFO,
                f"Bảng {what} trong bài viết được đọc thành {count} {what} của Chương trình "
                "2021 - 2030; bảng không đưa vào phần bài viết.",
                hint=f"Nhiệm vụ, chỉ tiêu được in trong Chương trình; có thể ghi {what} bằng "
                "tệp CSV hoặc mẫu biểu thay cho bảng.",
                **grid.at(None),
            )
    return plan


def _header(section: Section, grid: Grid, columns: dict[str, str], first: str, what: str):
    """The header and rows of a grid whose header names every column, else None (an error)."""
    shown = ", ".join(columns.values())
    hint = f"Giữ nguyên dòng tiêu đề của mẫu: {shown} (xem docs/submission-format.md)."
    found = grid.header(lambda cells: first in _codes(cells))
    if found is None:
        if not grid.blank:
            section.error(f"{what}: không có dòng tiêu đề với các cột {shown}.", hint=hint,
                          **grid.at(None if grid.sheet else 1))  # fmt: skip
        return None
    number, header, rows = found
    codes = _codes(header)
    missing = [columns[c] for c in columns if c not in codes]
    if missing:
        section.error(f"{what}: dòng tiêu đề thiếu cột " + ", ".join(missing) + ".", hint=hint,
                      **grid.at(number, 0))  # fmt: skip
        return None
    return {c: codes.index(c) for c in columns}, rows


def _cells(section: Section, grid: Grid, number: int, row: Any, index: dict[str, int]):
    """A row's cells by column code; None for a blank row or one with hidden characters."""
    cells = {c: text(row[i]) if i < len(row) else "" for c, i in index.items()}
    if not any(cells.values()):
        return None
    hidden = next((c for c, value in cells.items() if invisible.problem(value)), None)
    if hidden is not None:
        section.error(
            f"Cột “{hidden}”: {invisible.problem(cells[hidden])} Dòng này không được đọc.",
            hint=invisible.RETYPE_HINT,
            **grid.at(number, index[hidden]),
        )
        return None
    return cells


def read_tasks(section: Section, grid: Grid, owner: tuple[str, str]) -> list[Task]:
    """The tasks of a CSV file or sheet; a row without a lead agency or a deadline within
    2021–2030 is an error at its cell and is left out of the programme."""
    found = _header(section, grid, TASK_COLUMNS, "nhiem_vu", "Bảng nhiệm vụ")
    if found is None:
        return []
    index, rows = found
    first, last = PERIOD
    tasks = []
    for number, row in rows:
        cells = _cells(section, grid, number, row, index)
        if cells is None:
            continue
        if not cells["nhiem_vu"]:
            section.error("Dòng có nội dung nhưng chưa ghi nhiệm vụ.",
                          hint="Ghi nội dung nhiệm vụ ở cột “Nhiệm vụ”, hoặc xóa cả dòng.",
                          **grid.at(number, index["nhiem_vu"]))  # fmt: skip
            continue
        ok = True
        if not cells["co_quan_chu_tri"]:
            section.error(f"Nhiệm vụ “{_short(cells['nhiem_vu'])}” chưa có cơ quan chủ trì.",
                          hint="Ghi một cơ quan chủ trì ở cột “Cơ quan chủ trì”, ví dụ "
                          "“Sở Tư pháp”; các cơ quan khác ghi ở cột “Cơ quan phối hợp”.",
                          **grid.at(number, index["co_quan_chu_tri"]))  # fmt: skip
            ok = False
        deadline = cells["thoi_gian_hoan_thanh"]
        years = [int(y) for y in _YEAR.findall(deadline)] if _DEADLINE.match(deadline) else []
        if not years or not all(first <= y <= last for y in years) or years != sorted(years):
            problem = (
                "chưa ghi thời gian hoàn thành"
                if not deadline
                else (f"thời gian hoàn thành “{deadline}” không phải một năm từ {first} đến {last}")
            )
            section.error(f"Nhiệm vụ “{_short(cells['nhiem_vu'])}”: {problem}.",
                          hint=f"Ghi năm hoàn thành từ {first} đến {last}, ví dụ “2025”; nhiệm "
                          "vụ làm nhiều năm ghi khoảng năm, ví dụ “2021 - 2025”.",
                          **grid.at(number, index["thoi_gian_hoan_thanh"]))  # fmt: skip
            ok = False
        if not ok:
            continue
        shown = str(years[0]) if len(years) == 1 else f"{years[0]} - {years[-1]}"
        partners = tuple(p.strip() for p in cells["co_quan_phoi_hop"].split(PARTNER_SEPARATOR)
                         if p.strip())  # fmt: skip
        at = tuple((column, tuple(grid.at(number, index[column]).items()))
                   for column in ("co_quan_chu_tri", "co_quan_phoi_hop"))  # fmt: skip
        tasks.append(Task(cells["nhiem_vu"], cells["co_quan_chu_tri"], partners, shown,
                          years[-1], cells["san_pham"], owner[0], owner[1], at))  # fmt: skip
    return tasks


def read_aims(section: Section, grid: Grid, owner: tuple[str, str]) -> list[Aim]:
    """The specific targets of a CSV file or sheet; a target with no year (or one outside
    2021–2030) is an error at its cell."""
    found = _header(section, grid, TARGET_COLUMNS, "chi_tieu", "Bảng chỉ tiêu")
    if found is None:
        return []
    index, rows = found
    first, last = PERIOD
    aims = []
    for number, row in rows:
        cells = _cells(section, grid, number, row, index)
        if cells is None:
            continue
        if not cells["chi_tieu"]:
            section.error("Dòng có năm nhưng chưa ghi chỉ tiêu.",
                          hint="Ghi nội dung chỉ tiêu ở cột “Chỉ tiêu”, hoặc xóa cả dòng.",
                          **grid.at(number, index["chi_tieu"]))  # fmt: skip
            continue
        year = cells["nam"]
        if not year.isdigit() or not first <= int(year) <= last:
            problem = "chưa ghi năm" if not year else f"năm “{year}” không hợp lệ"
            section.error(f"Chỉ tiêu “{_short(cells['chi_tieu'])}”: {problem}.",
                          hint=f"Ghi năm phải đạt chỉ tiêu ở cột “Năm”: 2025 hoặc 2030 (từ "
                          f"{first} đến {last}).", **grid.at(number, index["nam"]))  # fmt: skip
            continue
        aims.append(Aim(int(year), cells["chi_tieu"], owner[0], owner[1]))
    return aims


def _codes(cells: list[str]) -> list[str]:
    """Header cells as column codes: "Cơ quan chủ trì" → ``co_quan_chu_tri``."""
    return [fold(cell).replace(" ", "_") for cell in cells]


def _short(value: str, width: int = 60) -> str:
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"
