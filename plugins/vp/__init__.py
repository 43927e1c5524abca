"""Văn phòng UBND tỉnh: cải cách thủ tục hành chính (administrative procedures, one-stop shop).

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
DEPARTMENT = Department(code="VP", name="Văn phòng UBND tỉnh", field="Cải cách thủ tục hành chính")
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
    # Dossiers resolved on time are a part of the dossiers resolved.
    for year in period_years(section.config):
        resolved = data.get("ho_so_giai_quyet", year)
        on_time = data.get("ho_so_dung_han", year)
        if resolved is not None and on_time is not None and on_time > resolved:
            loc = data.location("ho_so_dung_han", year)
            section.error(
                f"Năm {year}: số hồ sơ giải quyết đúng hạn ({vi.number(on_time)}) lớn hơn "
                f"số hồ sơ đã giải quyết ({vi.number(resolved)}).",
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
