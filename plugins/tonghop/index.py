"""The province's PAR Index and satisfaction index (SIPAS) by year, from ``chi-so.csv``.

One row per year: ``nam,par_index,xep_hang,sipas``; a blank cell means "not measured that
year" (the PAR Index is published from 2012, SIPAS from 2017). The change in rank is computed,
never typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cchc_pipeline.intake.textfiles import read_rows
from cchc_pipeline.intake.yearly import parse_number

FILE = "chi-so.csv"
COLUMNS = ("nam", "par_index", "xep_hang", "sipas")


@dataclass(frozen=True)
class IndexYear:
    """One year of the indices, with the line it came from."""

    year: int
    par_index: float | None
    rank: int | None
    sipas: float | None
    line: int
    change: int | None = None  # places gained since the previous ranked year (negative: lost)

    @property
    def change_text(self) -> str:
        if self.change is None:
            return "-"
        if self.change == 0:
            return "Giữ nguyên"
        return f"Tăng {self.change} bậc" if self.change > 0 else f"Giảm {-self.change} bậc"


def read_index(section) -> list[IndexYear]:
    """Read ``chi-so.csv``; unreadable cells become located findings."""
    path = Path(section.submission) / FILE
    section.use(path)  # so that cchc status and validate can name the files nobody reads
    if not path.is_file():
        section.error(
            f"Không tìm thấy tệp chỉ số {FILE}.",
            file=path,
            hint="Điền chỉ số CCHC (PAR Index) và chỉ số hài lòng (SIPAS) theo năm vào mẫu.",
        )
        return []
    rows = read_rows(path)
    header = [c.strip() for c in rows[0]] if rows else []
    if any(c not in header for c in COLUMNS):
        section.error(
            "Dòng tiêu đề phải là: " + ",".join(COLUMNS) + ".",
            file=path,
            line=1,
            hint="Giữ nguyên dòng tiêu đề của mẫu.",
        )
        return []
    years: list[IndexYear] = []
    previous_rank: int | None = None
    for line, row in enumerate(rows[1:], start=2):
        cells = {
            c: (row[header.index(c)].strip() if header.index(c) < len(row) else "") for c in COLUMNS
        }
        if not any(cells.values()):
            continue
        try:
            values = {c: parse_number(v) if v else None for c, v in cells.items()}
        except ValueError:
            section.error(
                "Dòng có ô không phải là số: " + ", ".join(f"{k}={v}" for k, v in cells.items()),
                file=path,
                line=line,
                hint="Chỉ ghi số; để trống năm không đo.",
            )
            continue
        if values["nam"] is None:
            section.error("Thiếu năm.", file=path, line=line, hint="Ghi năm ở cột nam.")
            continue
        rank = values["xep_hang"]
        change = None if rank is None or previous_rank is None else int(previous_rank - rank)
        years.append(
            IndexYear(
                year=int(values["nam"]),
                par_index=values["par_index"],
                rank=None if rank is None else int(rank),
                sipas=values["sipas"],
                line=line,
                change=change,
            )
        )
        previous_rank = rank if rank is not None else previous_rank
    return years


def check_index(section, years: list[IndexYear]) -> None:
    """Bounds: scores and SIPAS within 0–100, ranks within 1 and the number of units ranked."""
    path = Path(section.submission) / FILE
    ranked_among = section.config.document["ranked_among"]
    first, last = section.config.document["period"]
    seen: set[int] = set()
    for item in years:
        where = {"file": path, "line": item.line}
        if not first <= item.year <= last or item.year in seen:
            section.error(
                f"Năm {item.year} nằm ngoài giai đoạn {first} - {last} hoặc bị lặp.",
                hint="Mỗi năm của giai đoạn ghi một dòng.",
                **where,
            )
        seen.add(item.year)
        for name, value in (("Chỉ số CCHC", item.par_index), ("Chỉ số hài lòng", item.sipas)):
            if value is not None and not 0 <= value <= 100:
                section.error(
                    f"Năm {item.year}: {name} {value} phải từ 0 đến 100.",
                    hint=f"Ghi {name} theo thang điểm 100 như kết quả được công bố (ví dụ "
                    "85,48); để trống năm không đo.",
                    **where,
                )
        if item.rank is not None and not 1 <= item.rank <= ranked_among:
            section.error(
                f"Năm {item.year}: xếp hạng {item.rank} phải từ 1 đến {ranked_among}.",
                hint=f"Ghi thứ hạng từ 1 đến {ranked_among} như kết quả được công bố; để trống "
                "năm chưa công bố.",
                **where,
            )
