"""The department's plugin: the sample is clean, and its rules find errors where they are."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = 'cong_chuc_ky_luat,"Công chức cấp tỉnh, cấp huyện bị xử lý kỷ luật",người,14,'


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("snv") == []


def test_field_rule_is_located(project):
    """The field's consistency rule: more disciplined civil servants than civil servants."""
    project.edit_submission("snv", "so-lieu.csv", ROW, ROW.replace(",14,", ",9999,", 1))
    (finding,) = project.findings("snv")
    assert finding["severity"] == "error"
    assert "Năm 2011" in finding["message"]
    assert finding["location"] == {
        "file": "submissions/snv/so-lieu.csv",
        "sheet": None,
        "cell": None,
        "line": 15,
        "heading": None,
    }


def test_missing_year_is_located(project):
    project.edit_submission("snv", "so-lieu.csv", ROW, ROW.replace(",14,", ",,", 1))
    (finding,) = project.findings("snv")
    assert "thiếu số liệu năm 2011" in finding["message"]
    assert finding["location"]["line"] == 15
