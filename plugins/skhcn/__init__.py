"""Sở Khoa học và Công nghệ: quality management to TCVN ISO 9001 in state administration.

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
    code="SKHCN",
    name="Sở Khoa học và Công nghệ",
    field="Áp dụng hệ thống quản lý chất lượng theo tiêu chuẩn TCVN ISO 9001",
)
CATALOGUE = load_catalogue(HERE / "catalogue.toml")
APPLYING = ("iso_ap_dung_cap_tinh", "iso_ap_dung_cap_huyen", "iso_ap_dung_cap_xa")


@hookimpl
def cchc_department():
    return DEPARTMENT


@hookimpl
def cchc_collect(section):
    return collect_yearly(section)


@hookimpl
def cchc_validate(section, data):
    validate_yearly(section, CATALOGUE, data)
    # Only an agency that applies the standard can announce conformity with it.
    for year in period_years(section.config):
        levels = [data.get(indicator, year) for indicator in APPLYING]
        announcing = data.get("iso_cong_bo", year)
        if announcing is None or None in levels:
            continue
        applying = sum(levels)
        if announcing > applying:
            loc = data.location("iso_cong_bo", year)
            section.error(
                f"Năm {year}: số cơ quan công bố hệ thống quản lý chất lượng phù hợp TCVN ISO "
                f"9001 ({vi.number(announcing)}) lớn hơn tổng số cơ quan áp dụng ở ba cấp "
                f"({vi.number(applying)}).",
                hint="Kiểm tra lại chỉ tiêu công bố và các chỉ tiêu áp dụng theo cấp.",
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
