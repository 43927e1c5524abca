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


def test_a_sample_with_plugin_folders_is_copied_with_them(tmp_path, monkeypatch):
    """A checkout where ``cchc new-plugin`` added a folder plugin: ``cchc init`` (and
    ``ReportProject.sample``) copy that folder too, so the new project builds as the sample."""
    from cchc_pipeline import resources
    from cchc_pipeline.testing import ReportProject

    sample = ReportProject.sample(tmp_path / "mau")
    made = sample.run("new-plugin", "moi", "--minimal", "-c", str(sample.config_path))
    assert made.exit_code == 0, made.output
    monkeypatch.setattr(resources, "sample_dir", lambda: sample.root)
    copy = ReportProject.sample(tmp_path / "moi")
    assert (copy.root / "plugins" / "moi" / "catalogue.toml").is_file()
    assert copy.run("build", "-f", "md").exit_code == 0
    assert "### 7. Lĩnh vực MOI" in copy.output("md").read_text(encoding="utf-8")
