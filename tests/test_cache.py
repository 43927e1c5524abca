"""The build cache: an unchanged input is not converted again, and any change is rebuilt."""

from __future__ import annotations

from cchc_pipeline.render.templating import compiled_folder

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
    assert not (project.root / ".cchc-cache" / "templates").exists()  # kept for the user
    assert list(compiled_folder().glob("*.cache"))

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
    from cchc_pipeline.render.charts import ChartDrawer

    drawer = ChartDrawer(cache=tmp_path)
    assert drawer.cold("abc")  # an empty cache
    (tmp_path / "0123.png").write_bytes(b"png")
    assert drawer.cold("abc")  # no build noted yet
    drawer.note("abc")
    assert not drawer.cold("abc")
    assert drawer.cold("abd")
    assert ChartDrawer(cache=None).cold("abc")


COUNTING_SECTION = """
from pathlib import Path
from cchc_pipeline import Department, hookimpl

def _count(section, stage):
    with open(section.config.project_dir / "stages.log", "a", encoding="utf-8") as handle:
        handle.write(stage + "\\n")

@hookimpl
def cchc_department():
    return Department(code="DEM", name="Đơn vị đếm", field="Lĩnh vực đếm")

@hookimpl
def cchc_collect(section):
    _count(section, "collect")
    return (Path(section.submission) / "so.txt").read_text(encoding="utf-8").strip()

@hookimpl
def cchc_validate(section, data):
    _count(section, "validate")

@hookimpl
def cchc_render(section, data, report):
    _count(section, "render")
    return {"results": "Số đếm được: " + data + "."}
"""


def stages(project) -> dict[str, int]:
    log = project.root / "stages.log"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return {stage: lines.count(stage) for stage in ("collect", "validate", "render")}


def test_unchanged_sections_are_not_collected_validated_or_rendered_again(project):
    project.add_plugin("dem", COUNTING_SECTION)
    project.add_submission("dem", {"so.txt": "41"})
    first = build_md(project)
    assert stages(project) == {"collect": 1, "validate": 1, "render": 1}

    assert build_md(project) == first  # nothing changed: every stage from the cache
    assert stages(project) == {"collect": 1, "validate": 1, "render": 1}

    project.set_value("stp", "pbgdpl_buoi", 2020, "1.999")  # another department changed:
    assert "| 1.999 |" in build_md(project)  # it is collected again, this one is not; every
    assert stages(project) == {"collect": 1, "validate": 2, "render": 2}  # section re-renders

    (project.root / "submissions" / "dem" / "so.txt").write_text("42", encoding="utf-8")
    assert "Số đếm được: 42." in build_md(project)
    assert stages(project) == {"collect": 2, "validate": 3, "render": 3}

    cached = build_md(project)
    assert build_md(project, "--no-cache") == cached  # the cache changes nothing in the output
    assert stages(project) == {"collect": 3, "validate": 4, "render": 4}


def build_md(project, *args) -> str:
    result = project.run("build", "-f", "md", *args)
    assert result.exit_code == 0, result.output
    return project.output("md").read_text(encoding="utf-8")
