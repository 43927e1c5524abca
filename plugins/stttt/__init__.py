"""Sở Thông tin và Truyền thông: ứng dụng CNTT, chính quyền điện tử (e-government).

The department owns this folder: ``catalogue.toml`` (indicators, consistency rules, targets,
charts), ``templates/`` (its prose around the figures; anything not here falls back to the
core's ``templates/field``) and ``tests/``. Field-specific rules that a catalogue cannot
express go in ``cchc_validate`` after ``validate_field``.
"""

from __future__ import annotations

from pathlib import Path

from cchc_pipeline import Department, hookimpl
from cchc_pipeline.catalogue import load_catalogue
from cchc_pipeline.department import collect_field, render_field, validate_field

__version__ = "0.2.0"

DEPARTMENT = Department(
    code="STTTT",
    name="Sở Thông tin và Truyền thông",
    field="Ứng dụng công nghệ thông tin, xây dựng chính quyền điện tử",
)
CATALOGUE = load_catalogue(Path(__file__).parent / "catalogue.toml")


@hookimpl
def cchc_department():
    return DEPARTMENT


@hookimpl
def cchc_catalogue():
    return CATALOGUE


@hookimpl
def cchc_collect(section):
    return collect_field(section, CATALOGUE)


@hookimpl
def cchc_validate(section, data):
    validate_field(section, CATALOGUE, data)


@hookimpl
def cchc_render(section, data, report):
    return render_field(section, CATALOGUE, data)
