"""Sở Nội vụ as the standing agency for CCHC: the report's general parts.

Not a reform field of its own: it writes the leadership and direction (Phần I.I), the overall
assessment (Phần I.III) with the programme's targets summarised across every field and the
departments' limitations, causes and lessons, the general 2021–2030 direction (Phần II.I),
the recommendations (Phần III, with the departments' own), and Phụ lục III (PAR Index and
satisfaction index by year, the change in rank computed). Its ``chuong-trinh.md`` gives the
2021–2030 programme's own parts: the overall goal, funding and organisation.
"""

from __future__ import annotations

from pathlib import Path

from cchc_pipeline import Department, hookimpl
from cchc_pipeline.department import FieldData
from cchc_pipeline.intake.narrative import (
    COORDINATOR_PARTS,
    PROGRAMME_NAMES,
    PROGRAMME_PARTS,
    read_narrative,
)
from cchc_pipeline.intake.nominations import check_duplicates, read_nominations

from .index import check_index, read_index

__version__ = "0.2.0"

DEPARTMENT = Department(code="SNV", name="Sở Nội vụ (cơ quan thường trực CCHC)", field="Tổng hợp")


@hookimpl
def cchc_department():
    return DEPARTMENT


@hookimpl
def cchc_collect(section):
    section.nominations = read_nominations(section)
    return {
        "narrative": read_narrative(section, COORDINATOR_PARTS),
        "index": read_index(section),
        "programme": _programme(section),
    }


def _programme(section):
    """The coordinator's parts of the 2021–2030 programme (``chuong-trinh.md``), when sent:
    its overall goal, funding and organisation; the goal may be left to the config."""
    if not any((Path(section.submission) / name).is_file() for name in PROGRAMME_NAMES):
        return None
    return read_narrative(
        section, PROGRAMME_PARTS, required=("kinh_phi", "to_chuc"), names=PROGRAMME_NAMES
    )


@hookimpl
def cchc_validate(section, data, report):
    check_index(section, data["index"])
    check_duplicates(section, report.nominations)


@hookimpl
def cchc_render(section, data, report):
    fields = [
        (s.department.field if s.department else s.name, s.data)
        for s in report.sections.values()
        if isinstance(s.data, FieldData)
    ]
    targets = report.targets
    context = {
        "narrative": data["narrative"],
        "index": data["index"],
        "fields": fields,
        "targets": targets,
        "met": [t for t in targets if t.met],
        "missed": [t for t in targets if t.met is False],
        "unmeasured": [t for t in targets if t.met is None],
        "nominations": report.nominations,
    }
    return {
        "leadership": section.render("chi-dao.md.j2", **context),
        "assessment": section.render("danh-gia.md.j2", **context),
        "direction": section.render("phuong-huong.md.j2", **context),
        "recommendations": section.render("kien-nghi.md.j2", **context),
        "index": section.render("chi-so.md.j2", **context),
        "slides": section.render("trinh-chieu.md.j2", **context),
    }
