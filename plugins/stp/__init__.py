"""Sở Tư pháp: cải cách thể chế (institutional reform).

Reads the department's yearly figures (``so-lieu.csv``), checks them against the indicator
catalogue and the field's own rules, and renders the field's parts of the report.
"""

from __future__ import annotations

from pathlib import Path

from cchc_pipeline import Department, hookimpl
from cchc_pipeline.catalogue import load_catalogue
from cchc_pipeline.department import collect_yearly, period_years, validate_yearly

__version__ = "0.1.0"

HERE = Path(__file__).parent
DEPARTMENT = Department(code="STP", name="Sở Tư pháp", field="Cải cách thể chế")
CATALOGUE = load_catalogue(HERE / "catalogue.toml")


@hookimpl
def cchc_department():
    return DEPARTMENT


@hookimpl
def cchc_collect(section):
    return collect_yearly(section)


@hookimpl
def cchc_validate(section, data):
    validate_yearly(section, CATALOGUE, data)
    for year in period_years(section.config):
        issued = data.get("vbqppl_ban_hanh", year)
        checked = data.get("vbqppl_kiem_tra", year)
        if issued is not None and checked is not None and checked > issued:
            loc = data.location("vbqppl_kiem_tra", year)
            section.error(
                f"Năm {year}: số VBQPPL được kiểm tra ({checked}) lớn hơn số ban hành ({issued}).",
                hint="Kiểm tra lại hai chỉ tiêu này.",
                file=loc.file,
                line=loc.line,
            )


@hookimpl
def cchc_render(section, data, report):
    years = period_years(section.config)
    context = {"data": data, "catalogue": CATALOGUE, "years": years}
    return {
        "results": section.render("ket-qua.md.j2", **context),
        "tasks": section.render("nhiem-vu.md.j2", **context),
        "statistics": section.render("so-lieu.md.j2", **context),
        "slides": section.render("trinh-chieu.md.j2", **context),
    }
