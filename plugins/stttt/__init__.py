"""Sở Thông tin và Truyền thông: IT in state administration and e-government.

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
    code="STTTT",
    name="Sở Thông tin và Truyền thông",
    field="Ứng dụng công nghệ thông tin, xây dựng chính quyền điện tử",
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
    # Level-4 online services are a part of the level-3 and level-4 services.
    for year in period_years(section.config):
        levels_3_4 = data.get("dvc_muc_3_4", year)
        level_4 = data.get("dvc_muc_4", year)
        if levels_3_4 is not None and level_4 is not None and level_4 > levels_3_4:
            loc = data.location("dvc_muc_4", year)
            section.error(
                f"Năm {year}: số dịch vụ công trực tuyến mức độ 4 ({vi.number(level_4)}) lớn hơn "
                f"tổng số dịch vụ mức độ 3, 4 ({vi.number(levels_3_4)}).",
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
