"""``cchc init``: a new project that builds as is, and never over an existing one."""

from __future__ import annotations

from cchc_pipeline.testing import ReportProject


def test_init_then_build_writes_every_format(tmp_path):
    runner = ReportProject(tmp_path)
    target = tmp_path / "bao-cao-moi"
    result = runner.run("init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "config.toml").is_file()
    assert sorted(p.name for p in (target / "submissions").iterdir()) == sorted(
        ["stp", "vp", "snv", "stc", "stttt", "skhcn", "tonghop"]
    )
    project = ReportProject(target)
    built = project.run("build")
    assert built.exit_code == 0, built.output
    for extension in ("md", "docx", "pdf", "html", "pptx"):
        assert project.output(extension).stat().st_size > 0


def test_init_refuses_a_folder_with_content(tmp_path):
    (tmp_path / "keep.txt").write_text("quan trọng", encoding="utf-8")
    result = ReportProject(tmp_path).run("init", str(tmp_path))
    assert result.exit_code == 2
    assert "đã có nội dung" in result.stderr
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "quan trọng"
    assert not (tmp_path / "config.toml").exists()
