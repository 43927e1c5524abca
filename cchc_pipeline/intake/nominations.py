"""Commendation nominations (đề nghị khen thưởng): read, checked, merged across departments.

They come from ``khen-thuong.csv`` or from the "Khen thưởng" sheet of the Excel form; the
header is matched ignoring case and accents ("Chức vụ, đơn vị" is ``chuc_vu_don_vi``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..render.vi import fold
from ..report import Section
from . import invisible
from .names import on_disk
from .yearly import Grid, text

FILE = "khen-thuong.csv"
COLUMNS = ("loai", "ten", "chuc_vu_don_vi", "thanh_tich", "hinh_thuc")
KINDS = {"tap the": "Tập thể", "ca nhan": "Cá nhân"}


@dataclass(frozen=True)
class Nomination:
    """A collective or an individual proposed for commendation, with who proposed it."""

    kind: str  # "Tập thể" | "Cá nhân"
    name: str
    position: str
    achievement: str
    form: str
    proposer: str = ""  # the department's name

    @property
    def collective(self) -> bool:
        return self.kind == "Tập thể"


def read_nominations(section: Section) -> list[Nomination]:
    """Read ``khen-thuong.csv`` (optional); each bad row is a located finding."""
    assert section.submission is not None
    path = on_disk(section.submission, FILE)
    if not path.is_file():
        return []
    section.use(path)
    return read_nomination_grid(section, Grid.csv(path))


def read_nomination_grid(section: Section, grid: Grid | None) -> list[Nomination]:
    """Read the nominations of a CSV file or of the form's sheet (``None``: there is none)."""
    if grid is None:
        return []
    found = grid.header(lambda cells: "loai" in _codes(cells))
    if found is None:
        if not grid.blank:
            section.error(
                "Dòng tiêu đề thiếu cột: " + ", ".join(COLUMNS) + ".",
                hint="Giữ nguyên dòng tiêu đề của mẫu: " + ",".join(COLUMNS) + ".",
                **grid.at(None if grid.sheet else 1),
            )
        return []
    number, header, rows = found
    header = _codes(header)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        section.error(
            "Dòng tiêu đề thiếu cột: " + ", ".join(missing) + ".",
            hint="Giữ nguyên dòng tiêu đề của mẫu: " + ",".join(COLUMNS) + ".",
            **grid.at(number, 0),
        )
        return []
    proposer = section.department.name if section.department else section.name
    columns = {c: header.index(c) for c in COLUMNS}
    nominations = []
    for number, row in rows:
        cells = {c: text(row[i]) if i < len(row) else "" for c, i in columns.items()}
        if not any(cells.values()):
            continue
        hidden = next((c for c, value in cells.items() if invisible.problem(value)), None)
        if hidden is not None:
            section.error(
                f"Cột “{hidden}”: {invisible.problem(cells[hidden])} Dòng này không được đọc.",
                hint=invisible.RETYPE_HINT,
                **grid.at(number, columns[hidden]),
            )
            continue
        kind = KINDS.get(fold(cells["loai"]))
        if kind is None:
            section.error(
                f"Loại “{cells['loai']}” không hợp lệ.",
                hint="Ghi “Tập thể” hoặc “Cá nhân”.",
                **grid.at(number, columns["loai"]),
            )
            continue
        empty = [c for c in ("ten", "thanh_tich", "hinh_thuc") if not cells[c]]
        if empty:
            section.error(
                "Thiếu nội dung ở cột: " + ", ".join(empty) + ".",
                hint="Điền tên, thành tích và hình thức khen thưởng đề nghị.",
                **grid.at(number, columns[empty[0]]),
            )
            continue
        nominations.append(
            Nomination(
                kind,
                cells["ten"],
                cells["chuc_vu_don_vi"],
                cells["thanh_tich"],
                cells["hinh_thuc"],
                proposer,
            )
        )
    return nominations


def _codes(cells: list[str]) -> list[str]:
    """Header cells as column codes: "Chức vụ, đơn vị" → ``chuc_vu_don_vi``."""
    return [fold(cell).replace(" ", "_") for cell in cells]


def check_duplicates(section: Section, nominations: list[Nomination]) -> None:
    """Warn when the same collective or person is proposed twice across the merged list."""
    seen: dict[tuple[str, str], Nomination] = {}
    for item in nominations:
        key = (fold(item.name), fold(item.position))
        if key in seen:
            first = seen[key]
            section.warning(
                f"“{item.name}” ({item.position}) được đề nghị khen thưởng hai lần: "
                f"bởi {first.proposer} và {item.proposer}.",
                hint="Thống nhất giữa các đơn vị để giữ một đề nghị.",
            )
        else:
            seen[key] = item
