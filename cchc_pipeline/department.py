"""Helpers for department plugins: the common steps of reading and checking a submission.

A department plugin stays a short, explicit module of hook functions (see ``plugins/stp``);
what every department does the same way lives here, so that a fix reaches all of them.
"""

from __future__ import annotations

from pathlib import Path

from .catalogue import Catalogue
from .config import ReportConfig
from .report import Section
from .yearly import YearlyTable, check_table, read_csv

DATA_FILE = "so-lieu.csv"


def period_years(config: ReportConfig) -> range:
    """The years of the review period, e.g. 2011…2020."""
    first, last = config.document["period"]
    return range(first, last + 1)


def collect_yearly(section: Section, name: str = DATA_FILE) -> YearlyTable:
    """Read the yearly figures from the submission folder (a finding when the file is missing)."""
    assert section.submission is not None
    path = Path(section.submission) / name
    if not path.is_file():
        section.error(
            f"Không tìm thấy tệp số liệu {name}.",
            file=path,
            hint="Đặt tệp số liệu theo mẫu biểu vào thư mục bài nộp.",
        )
        return YearlyTable(source=section.relative(path))
    return read_csv(section, path)


def validate_yearly(section: Section, catalogue: Catalogue, table: YearlyTable) -> None:
    """The catalogue's rules on the table (findings are added to the section)."""
    check_table(section, catalogue, table, period_years(section.config))
