"""Agencies named in the task table, held to the list of agencies the programme knows.

A lead or partner agency typed differently from every known one ("Sở Tư Pháp tỉnh", "Sở
TTTT") would make the programme count it as another agency; it is a warning at its cell with
the nearest known name. The known agencies are the departments of the loaded plugins and the
config's ``[chuong_trinh] agencies``; names are compared ignoring case, accents and
punctuation, and a department's note in brackets ("Sở Nội vụ (cơ quan thường trực CCHC)")
is not part of its name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from ..render.vi import fold
from ..report import Report, Section

_NOTE = re.compile(r"\s*\([^)]*\)\s*$")


def agency_name(name: str) -> str:
    """An agency's name without a trailing note in brackets."""
    return _NOTE.sub("", name).strip()


def known_agencies(report: Report) -> list[str]:
    """The departments of the report's plugins, then the config's list, each once."""
    names = [agency_name(s.department.name) for s in report.sections.values() if s.department]
    names += list(report.config.chuong_trinh.get("agencies") or ())
    return list(dict.fromkeys(names))


def check_agencies(section: Section, known: Iterable[str]) -> None:
    """Warn at its cell about each lead or partner agency of the section's tasks that is not
    a known agency, with a did-you-mean."""
    plan = getattr(section.data, "plan", None)
    if plan is None:
        return
    known = list(known)
    folded = {fold(name): name for name in known}
    for task in plan.tasks:
        for column, names in (("co_quan_chu_tri", (task.lead,)),
                              ("co_quan_phoi_hop", task.partners)):  # fmt: skip
            for name in names:
                if fold(agency_name(name)) in folded:
                    continue
                close = difflib.get_close_matches(fold(name), list(folded), n=1, cutoff=0.6)
                guess = f"Có phải là “{folded[close[0]]}”? " if close else ""
                section.warning(
                    f"Cơ quan “{name}” không có trong danh sách cơ quan của Chương trình.",
                    hint=f"{guess}Ghi đúng tên một cơ quan đã biết, hoặc nhờ cơ quan tổng hợp "
                    "thêm tên vào [chuong_trinh] agencies trong config.toml.",
                    **task.where(column),
                )
