"""The coordinator's parts: indices by year with the rank change computed, and its checks."""

from __future__ import annotations

import pytest

from cchc_pipeline.testing import ReportProject


@pytest.fixture
def project(tmp_path):
    return ReportProject.sample(tmp_path / "bao-cao")


def test_sample_is_clean(project):
    assert project.findings("tonghop") == []


def test_rank_change_is_computed(project):
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    appendix = markdown.split("CHỈ SỐ CẢI CÁCH HÀNH CHÍNH VÀ CHỈ SỐ HÀI LÒNG")[1]
    # 2013 ranks 38th after 41st in 2012; 2015 falls from 33rd to 40th
    assert "| 2013 | 75,12 | 38/63 | Tăng 3 bậc |" in appendix
    assert "| 2015 | 76,85 | 40/63 | Giảm 7 bậc |" in appendix
    assert "| 2012 | 74,36 | 41/63 | - |" in appendix
    project.edit_submission("tonghop", "chi-so.csv", '2013,"75,12",38,', '2013,"75,12",45,')
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "| 2013 | 75,12 | 45/63 | Giảm 4 bậc |" in markdown
    assert "| 2014 | 77,48 | 33/63 | Tăng 12 bậc |" in markdown


@pytest.mark.parametrize(
    ("old", "new", "fragment", "line"),
    [
        ('2014,"77,48",33,', '2014,"77,48",64,', "xếp hạng 64 phải từ 1 đến 63", 5),
        ('2018,"79,13",35,"82,16"', '2018,"79,13",35,"182,16"', "Chỉ số hài lòng 182.16", 9),
        ('2016,"78,02",36,', '2016,"78,02",ba mươi,', "không phải là số", 7),
        ('2016,"78,02",36,', '2026,"78,02",36,', "nằm ngoài giai đoạn", 7),
    ],
)
def test_index_errors_are_located(project, old, new, fragment, line):
    project.edit_submission("tonghop", "chi-so.csv", old, new)
    (finding,) = project.findings("tonghop")
    assert fragment in finding["message"]
    assert finding["location"]["file"] == "submissions/tonghop/chi-so.csv"
    assert finding["location"]["line"] == line


def test_duplicate_nomination_across_departments_is_a_warning(project):
    row = "Tập thể,Phòng Cải cách hành chính,Sở Nội vụ,Trùng đề nghị,Bằng khen\n"
    path = project.root / "submissions" / "snv" / "khen-thuong.csv"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + row, encoding="utf-8")
    (finding,) = project.findings("tonghop")
    assert finding["severity"] == "warning"
    assert "được đề nghị khen thưởng hai lần" in finding["message"]
