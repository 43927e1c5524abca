"""The department's plugin: the sample is clean, and its rules find errors where they are."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = 'ho_so_tre_han,Hồ sơ TTHC giải quyết quá hạn,hồ sơ,"7.649"'


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("vp") == []


def test_field_rule_is_located(project):
    """The field's consistency rule: dossiers on time + late not adding up to dossiers resolved."""
    project.edit_submission("vp", "so-lieu.csv", ROW, ROW.replace('"7.649"', '"999.999"', 1))
    (finding,) = project.findings("vp")
    assert finding["severity"] == "error"
    assert "Năm 2011" in finding["message"]
    assert "không bằng “Hồ sơ TTHC đã giải quyết”" in finding["message"]
    assert finding["location"] == {
        "file": "submissions/vp/so-lieu.csv",
        "sheet": None,
        "cell": None,
        "line": 12,
        "heading": None,
    }


def test_missing_year_is_located(project):
    project.edit_submission("vp", "so-lieu.csv", ROW, ROW.replace('"7.649"', '""', 1))
    (finding,) = project.findings("vp")
    assert "thiếu số liệu năm 2011" in finding["message"]
    assert finding["location"]["line"] == 14
