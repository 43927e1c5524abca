"""The department's plugin: the sample is clean, and its rules find errors where they are."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = (
    "dvsncl_tu_bao_dam_mot_phan,"
    "Đơn vị sự nghiệp công lập tự bảo đảm một phần chi thường xuyên,đơn vị,186,"
)


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("stc") == []


def test_field_rule_is_located(project):
    """The field's consistency rule: units by autonomy level not summing to units with autonomy."""
    project.edit_submission("stc", "so-lieu.csv", ROW, ROW.replace(",186,", ",900,", 1))
    (finding,) = project.findings("stc")
    assert finding["severity"] == "error"
    assert "Năm 2011" in finding["message"]
    assert finding["location"] == {
        "file": "submissions/stc/so-lieu.csv",
        "sheet": None,
        "cell": None,
        "line": 5,
        "heading": None,
    }


def test_missing_year_is_located(project):
    project.edit_submission("stc", "so-lieu.csv", ROW, ROW.replace(",186,", ",,", 1))
    (finding,) = project.findings("stc")
    assert "thiếu số liệu năm 2011" in finding["message"]
    assert finding["location"]["line"] == 7
