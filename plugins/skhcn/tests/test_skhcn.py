"""Sở KH&CN's plugin: a clean sample, and its rules locate their errors."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = "iso_cong_bo,Cơ quan công bố hệ thống quản lý chất lượng phù hợp TCVN ISO 9001,cơ quan,26,"


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("skhcn") == []


def test_field_rule_is_located(project):
    """The field's consistency rule: more agencies announcing ISO than applying it."""
    project.edit_submission("skhcn", "so-lieu.csv", ROW, ROW.replace(",26,", ",2600,", 1))
    (finding,) = project.findings("skhcn")
    assert finding["severity"] == "error"
    assert "Năm 2011" in finding["message"]
    assert finding["location"] == {
        "file": "submissions/skhcn/so-lieu.csv",
        "sheet": None,
        "cell": None,
        "line": 10,
        "heading": None,
    }


def test_missing_year_is_located(project):
    project.edit_submission("skhcn", "so-lieu.csv", ROW, ROW.replace(",26,", ",,", 1))
    (finding,) = project.findings("skhcn")
    assert "thiếu số liệu năm 2011" in finding["message"]
    assert finding["location"]["line"] == 10
