"""The department's plugin: the sample is clean, and its rules find errors where they are."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = 'ho_so_dung_han,Hồ sơ TTHC giải quyết đúng hạn,hồ sơ,"151.714"'


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("vp") == []


def test_field_rule_is_located(project):
    """The field's consistency rule: dossiers resolved on time exceeding dossiers resolved."""
    project.edit_submission("vp", "so-lieu.csv", ROW, ROW.replace('"151.714"', '"999.999"', 1))
    (finding,) = project.findings("vp")
    assert finding["severity"] == "error"
    assert "lớn hơn số hồ sơ đã giải quyết" in finding["message"]
    assert finding["location"] == {
        "file": "submissions/vp/so-lieu.csv",
        "sheet": None,
        "cell": None,
        "line": 5,
        "heading": None,
    }


def test_missing_year_is_located(project):
    project.edit_submission("vp", "so-lieu.csv", ROW, ROW.replace('"151.714"', '""', 1))
    (finding,) = project.findings("vp")
    assert "thiếu số liệu năm 2011" in finding["message"]
    assert finding["location"]["line"] == 5
