"""The department's plugin: the sample is clean, and its rules find errors where they are."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject

ROW = "vbqppl_kiem_tra,Văn bản QPPL được kiểm tra sau ban hành,văn bản,62,"


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("stp") == []


def test_more_documents_checked_than_issued_is_located(project):
    project.edit_submission("stp", "so-lieu.csv", ROW, ROW.replace(",62,", ",63,"))
    (finding,) = project.findings("stp")
    assert finding["severity"] == "error"
    assert finding["message"].startswith("Năm 2011:") and "lớn hơn" in finding["message"]
    assert finding["location"]["file"] == "submissions/stp/so-lieu.csv"
    assert finding["location"]["line"] == 7


def test_text_in_a_number_cell_is_located(project):
    project.edit_submission("stp", "so-lieu.csv", ROW, ROW.replace(",62,", ",sáu hai,"))
    (finding,) = project.findings("stp")
    assert "“sáu hai” không phải là số" in finding["message"]
    assert finding["location"]["line"] == 7
