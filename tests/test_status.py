"""``cchc status``: per department, its files, their time and whether it is ready."""

from __future__ import annotations


def test_status_of_the_sample_is_ready(project):
    result = project.run("status")
    assert result.exit_code == 0, result.output
    assert "Sở Tư pháp (stp): SẴN SÀNG — 0 lỗi, 0 cảnh báo" in result.stdout
    assert "submissions/stp/so-lieu.csv  (sửa lúc " in result.stdout
    assert "Tất cả đơn vị đã sẵn sàng." in result.stdout


def test_status_names_the_department_that_is_not_ready(project):
    project.set_value("vp", "ho_so_tiep_nhan", 2015, "")
    result = project.run("status")
    assert result.exit_code == 1
    assert "Văn phòng UBND tỉnh (vp): CHƯA SẴN SÀNG — 1 lỗi" in result.stdout
    assert "Sở Tư pháp (stp): SẴN SÀNG" in result.stdout
    assert "Còn 1 đơn vị chưa sẵn sàng." in result.stdout


def test_office_lock_files_are_not_submissions(project):
    """Excel leaves ``~$so-lieu.xlsx`` beside an open workbook: not listed, not an input."""
    before = project.run("build", "-f", "md")
    assert before.exit_code == 0, before.output
    markdown = project.output("md").read_bytes()
    (project.root / "submissions" / "stp" / "~$so-lieu.xlsx").write_bytes(b"\x00lock")
    result = project.run("status")
    assert result.exit_code == 0, result.output
    assert "~$" not in result.stdout
    assert project.run("build", "-f", "md").exit_code == 0
    assert project.output("md").read_bytes() == markdown  # the draft's revision is the same
