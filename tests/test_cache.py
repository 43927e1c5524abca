"""The build cache: an unchanged input is not converted again, and any change is rebuilt."""

from __future__ import annotations

COUNTING_FORMAT = """
from pathlib import Path
import shutil
from cchc_pipeline import OutputFormat, hookimpl

@hookimpl
def cchc_output_formats():
    def convert(job):
        log = job.source.parent.parent.parent / "conversions.log"
        with open(log, "a", encoding="utf-8") as handle:
            handle.write("x\\n")
        shutil.copyfile(job.source, job.target)
    return [OutputFormat("dem", ".dem", "Đếm số lần chuyển đổi", convert)]
"""


def conversions(project) -> int:
    log = project.root / "conversions.log"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def build(project, *args) -> str:
    result = project.run("build", "-f", "md", "-f", "dem", *args)
    assert result.exit_code == 0, result.output
    return project.output("dem").read_text(encoding="utf-8")


def test_unchanged_outputs_are_not_converted_again_and_changes_always_are(project):
    project.add_plugin("dem", COUNTING_FORMAT)
    first = build(project)
    assert conversions(project) == 1
    assert build(project) == first
    assert conversions(project) == 1  # nothing changed: served from the cache

    project.set_value("stp", "pbgdpl_buoi", 2020, "1.999")  # one value of one department
    changed = build(project)
    assert conversions(project) == 2 and "| 1.999 |" in changed and changed != first

    override = project.root / "templates"  # a template of the project replaces the field's
    override.mkdir()
    (override / "nhiem-vu.md.j2").write_text("Nhiệm vụ ghi đè.\n", encoding="utf-8")
    assert "Nhiệm vụ ghi đè." not in changed
    assert "Nhiệm vụ ghi đè." in build(project)
    assert conversions(project) == 3

    # the same template file edited: its compiled code (kept in memory and on disk) is stale
    (override / "nhiem-vu.md.j2").write_text("Nhiệm vụ sửa lại.\n", encoding="utf-8")
    assert "Nhiệm vụ sửa lại." in build(project)
    assert list((project.root / ".cchc-cache" / "templates").glob("*.cache"))

    before = conversions(project)
    build(project, "--no-cache")
    assert conversions(project) == before + 1


def test_narrative_and_chart_changes_reach_the_outputs(project):
    assert project.run("build", "-f", "md").exit_code == 0
    chart = project.root / "build" / "media" / "stp" / "bieu-do-2.png"
    old_chart = chart.read_bytes()
    narrative = project.root / "submissions" / "stp" / "bao-cao.md"
    narrative.write_text(
        narrative.read_text(encoding="utf-8").replace(
            "# Hạn chế", "Câu mới thêm vào phần kết quả.\n\n# Hạn chế"
        ),
        encoding="utf-8",
    )
    project.set_value("stp", "pbgdpl_buoi", 2015, "2.500")
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "Câu mới thêm vào phần kết quả." in markdown
    assert chart.read_bytes() != old_chart


def test_clean_removes_the_cache(project):
    assert project.run("build", "-f", "md").exit_code == 0
    assert (project.root / ".cchc-cache").is_dir()
    result = project.run("clean", "-c", str(project.config_path))
    assert result.exit_code == 0 and "Đã xóa bộ nhớ đệm" in result.stdout
    assert not (project.root / ".cchc-cache").exists()
    assert (project.root / "submissions" / "stp" / "so-lieu.csv").is_file()


def test_a_correction_in_one_department_leaves_the_others_thematic_reports_alone(project):
    project.edit_config('formats = ["md"', 'thematic = ["md"]\nformats = ["md"')
    assert project.run("build", "-f", "md").exit_code == 0
    read = lambda name: project.output("md", name).read_text(encoding="utf-8")  # noqa: E731
    before = {name: read(name) for name in ("chuyen-de-stp", "chuyen-de-vp")}
    report = project.output("md").read_text(encoding="utf-8")

    project.set_value("stp", "pbgdpl_buoi", 2020, "1.999")
    assert project.run("build", "-f", "md").exit_code == 0
    assert read("chuyen-de-vp") == before["chuyen-de-vp"]  # revision and all
    assert read("chuyen-de-stp") != before["chuyen-de-stp"]
    revision = lambda text: text.split("revision:", 1)[1].split("\n", 1)[0]  # noqa: E731
    assert revision(read("chuyen-de-stp")) != revision(before["chuyen-de-stp"])
    assert revision(project.output("md").read_text(encoding="utf-8")) != revision(report)


def test_chart_workers_start_early_only_when_the_inputs_changed(tmp_path):
    from cchc_pipeline.charts import ChartDrawer

    drawer = ChartDrawer(cache=tmp_path)
    assert drawer.cold("abc")  # an empty cache
    (tmp_path / "0123.png").write_bytes(b"png")
    assert drawer.cold("abc")  # no build noted yet
    drawer.note("abc")
    assert not drawer.cold("abc")
    assert drawer.cold("abd")
    assert ChartDrawer(cache=None).cold("abc")
