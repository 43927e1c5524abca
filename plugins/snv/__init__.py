"""Sở Nội vụ: cải cách tổ chức bộ máy hành chính nhà nước (organisational apparatus, civil service).

Reads the department's yearly figures (``so-lieu.csv``), checks them against the indicator
catalogue and the field's own rules, and renders the field's parts of the report.
"""

from __future__ import annotations

from pathlib import Path

from cchc_pipeline import Department, hookimpl, vi
from cchc_pipeline.catalogue import load_catalogue
from cchc_pipeline.department import collect_yearly, period_years, validate_yearly

__version__ = "0.1.0"

HERE = Path(__file__).parent
DEPARTMENT = Department(
    code="SNV", name="Sở Nội vụ", field="Cải cách tổ chức bộ máy hành chính nhà nước"
)
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
    # Disciplined civil servants are among the civil servants.
    for year in period_years(section.config):
        servants = data.get("cong_chuc", year)
        disciplined = data.get("cong_chuc_ky_luat", year)
        if servants is not None and disciplined is not None and disciplined > servants:
            loc = data.location("cong_chuc_ky_luat", year)
            section.error(
                f"Năm {year}: số công chức bị xử lý kỷ luật ({vi.number(disciplined)}) lớn hơn "
                f"tổng số công chức ({vi.number(servants)}).",
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
