"""Sở Tài chính: cải cách tài chính công (public finance reform).

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
DEPARTMENT = Department(code="STC", name="Sở Tài chính", field="Cải cách tài chính công")
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
    # Units that cover their recurrent spending themselves are among the units given autonomy.
    for year in period_years(section.config):
        units = data.get("dvsncl_tu_chu", year)
        self_financed = data.get("dvsncl_tu_bao_dam_chi_tx", year)
        if units is not None and self_financed is not None and self_financed > units:
            loc = data.location("dvsncl_tu_bao_dam_chi_tx", year)
            section.error(
                f"Năm {year}: số đơn vị sự nghiệp công lập tự bảo đảm chi thường xuyên "
                f"({vi.number(self_financed)}) lớn hơn số đơn vị được giao quyền tự chủ "
                f"({vi.number(units)}).",
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
