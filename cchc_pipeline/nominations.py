"""Commendation nominations (đề nghị khen thưởng): read, checked, merged across departments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .report import Section
from .textfiles import read_rows
from .vi import fold

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
    path = Path(section.submission) / FILE
    if not path.is_file():
        return []
    rows = read_rows(path)
    if not rows:
        return []
    header = [fold(cell).replace(" ", "_") for cell in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        section.error(
            "Dòng tiêu đề thiếu cột: " + ", ".join(missing) + ".",
            file=path,
            line=1,
            hint="Giữ nguyên dòng tiêu đề của mẫu: " + ",".join(COLUMNS) + ".",
        )
        return []
    proposer = section.department.name if section.department else section.name
    found = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {
            c: (row[header.index(c)].strip() if header.index(c) < len(row) else "") for c in COLUMNS
        }
        kind = KINDS.get(fold(cells["loai"]))
        if kind is None:
            section.error(
                f"Loại “{cells['loai']}” không hợp lệ.",
                file=path,
                line=line,
                hint="Ghi “Tập thể” hoặc “Cá nhân”.",
            )
            continue
        empty = [c for c in ("ten", "thanh_tich", "hinh_thuc") if not cells[c]]
        if empty:
            section.error(
                "Thiếu nội dung ở cột: " + ", ".join(empty) + ".",
                file=path,
                line=line,
                hint="Điền tên, thành tích và hình thức khen thưởng đề nghị.",
            )
            continue
        found.append(
            Nomination(
                kind,
                cells["ten"],
                cells["chuc_vu_don_vi"],
                cells["thanh_tich"],
                cells["hinh_thuc"],
                proposer,
            )
        )
    return found


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
