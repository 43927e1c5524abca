"""Sở TT&TT's plugin: a clean sample, and its rules locate their errors."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = "dvc_muc_4,Dịch vụ công trực tuyến mức độ 4,dịch vụ,0,"


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("stttt") == []


def test_field_rule_is_located(project):
    """The field's consistency rule: more level-4 services than level 3-4 services."""
    project.edit_submission("stttt", "so-lieu.csv", ROW, ROW.replace(",0,", ",50,", 1))
    (finding,) = project.findings("stttt")
    assert finding["severity"] == "error"
    assert "Năm 2011" in finding["message"]
    assert finding["location"] == {
        "file": "submissions/stttt/so-lieu.csv",
        "sheet": None,
        "cell": None,
        "line": 14,
        "heading": None,
    }


def test_missing_year_is_located(project):
    project.edit_submission("stttt", "so-lieu.csv", ROW, ROW.replace(",0,", ",,", 1))
    (finding,) = project.findings("stttt")
    assert "thiếu số liệu năm 2011" in finding["message"]
    assert finding["location"]["line"] == 14
