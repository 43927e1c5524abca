"""One test per hook spec (a guard in test_hookspecs.py keeps it that way).

Each test adds a small plugin to a sample project, runs the real command, and checks what
the hook changed in the output, the messages or the exit code.
"""

from __future__ import annotations

import json
import textwrap

PROBE = """
from cchc_pipeline import Department, Finding, Location, OutputFormat, Severity, hookimpl
import json, pathlib, shutil

SEEN = {}

@hookimpl
def cchc_configure(config):
    SEEN["place"] = config.document["place"]

@hookimpl
def cchc_department():
    return Department(code="THU", name="Đơn vị thử nghiệm", field="Lĩnh vực thử nghiệm")

@hookimpl
def cchc_template_filters():
    return {"shout": lambda text: text.upper() + " (NHẤN MẠNH)"}

@hookimpl
def cchc_template_globals():
    return {"probe_motto": "Kỷ cương, trách nhiệm"}

@hookimpl
def cchc_output_formats():
    def convert(job):
        shutil.copyfile(job.source, job.target)
    return [OutputFormat("txt", ".txt", "Văn bản thuần", convert)]

@hookimpl
def cchc_build_started(report):
    path = report.config.project_dir / "started.json"
    path.write_text(json.dumps(list(report.sections)), encoding="utf-8")

@hookimpl
def cchc_build_finished(report, outputs, success):
    path = report.config.project_dir / "finished.json"
    data = {"success": success, "outputs": sorted(outputs)}
    path.write_text(json.dumps(data), encoding="utf-8")

@hookimpl
def cchc_collect(section):
    text = (section.submission / "du-lieu.txt").read_text(encoding="utf-8")
    return {"value": int(text), "file": section.submission / "du-lieu.txt"}

@hookimpl
def cchc_validate(section, data):
    if data["value"] < 0:
        where = Location(file="du-lieu.txt", line=1)
        return [Finding(Severity.ERROR, "Giá trị âm.", location=where)]
    return []

@hookimpl
def cchc_render(section, data, report):
    return {
        "results": section.render("ket-qua.md.j2", value=data["value"], place=SEEN["place"]),
        "tasks": "Nhiệm vụ của đơn vị thử nghiệm.",
    }
"""

TEMPLATE = (
    "Giá trị thử {{ value | number }} tại {{ place }}; {{ 'chú ý' | shout }} {{ probe_motto }}\n"
)


def probe_project(project, value: str = "12345"):
    project.add_plugin("probe", PROBE)
    project.add_submission("probe", {"du-lieu.txt": value})
    override = project.root / "templates" / "probe"
    override.mkdir(parents=True)
    (override / "ket-qua.md.j2").write_text(TEMPLATE, encoding="utf-8")
    return project


def built_markdown(project, *args) -> str:
    result = project.run("build", "-f", "md", *args)
    assert result.exit_code == 0, result.output
    return project.output("md").read_text(encoding="utf-8")


def test_hook_cchc_configure(project):
    assert "tại Lạng Sơn" in built_markdown(probe_project(project))


def test_hook_cchc_department(project):
    probe_project(project)
    listing = project.run("plugins")
    assert "Đơn vị thử nghiệm" in listing.stdout
    markdown = built_markdown(project)
    assert "### 7. Lĩnh vực thử nghiệm" in markdown  # after the six departments


def test_hook_cchc_output_formats(project):
    probe_project(project)
    result = project.run("build", "-f", "txt")
    assert result.exit_code == 0, result.output
    assert "Giá trị thử 12.345" in project.output("txt").read_text(encoding="utf-8")


def test_hook_cchc_template_filters(project):
    assert "CHÚ Ý (NHẤN MẠNH)" in built_markdown(probe_project(project))


def test_hook_cchc_template_globals(project):
    assert "Kỷ cương, trách nhiệm" in built_markdown(probe_project(project))


def test_hook_cchc_build_started(project):
    built_markdown(probe_project(project))
    sections = json.loads((project.root / "started.json").read_text(encoding="utf-8"))
    assert sections[:6] == ["stp", "vp", "snv", "stc", "stttt", "skhcn"]
    # not in [plugins] order: before the standing agency's general parts
    assert sections[-2:] == ["probe", "tonghop"]


def test_hook_cchc_build_finished(project):
    built_markdown(probe_project(project))
    finished = json.loads((project.root / "finished.json").read_text(encoding="utf-8"))
    assert finished == {"success": True, "outputs": ["data.json", "md"]}  # and the data export
    project.run("build", "-f", "md", "--keep-going")
    (project.root / "submissions" / "probe" / "du-lieu.txt").write_text("x", encoding="utf-8")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 3
    finished = json.loads((project.root / "finished.json").read_text(encoding="utf-8"))
    assert finished == {"success": False, "outputs": []}


def test_hook_cchc_collect(project):
    probe_project(project, value="777")
    assert "Giá trị thử 777" in built_markdown(project)


def test_hook_cchc_validate(project):
    probe_project(project, value="-5")
    result = project.run("validate", "--format", "json")
    assert result.exit_code == 1
    findings = [f for f in json.loads(result.stdout) if f["plugin"] == "probe"]
    assert findings == [
        {
            "severity": "error",
            "message": "Giá trị âm.",
            "plugin": "probe",
            "location": {
                "file": "du-lieu.txt",
                "sheet": None,
                "cell": None,
                "line": 1,
                "heading": None,
                "paragraph": None,
            },
            "hint": None,
        }
    ]
    build = project.run("build", "-f", "md")
    assert build.exit_code == 1
    assert "du-lieu.txt:1: lỗi: Giá trị âm." in build.stderr


def test_hook_cchc_render(project):
    markdown = built_markdown(probe_project(project))
    assert "Nhiệm vụ của đơn vị thử nghiệm." in markdown.split("# Phần II")[1]


CATALOGUE_PROBE = """
from cchc_pipeline import Department, hookimpl
from cchc_pipeline.catalogue import Catalogue, Indicator

@hookimpl
def cchc_department():
    return Department(code="THU", name="Đơn vị thử nghiệm", field="Lĩnh vực thử nghiệm")

@hookimpl
def cchc_catalogue():
    label = "Tỷ lệ thử nghiệm của {cap}"
    return Catalogue((Indicator("ty_le_thu", label, "%", kind="percent", from_year=2019),))

@hookimpl
def cchc_collect(section):
    return None
"""


def test_hook_cchc_catalogue(project):
    import openpyxl

    project.add_plugin("thu", CATALOGUE_PROBE)
    target = project.root / "mau"
    result = project.run("form", "thu", "-c", str(project.config_path), "-o", str(target))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target / "so-lieu.xlsx")["Số liệu"]
    (row,) = [r for r in sheet.iter_rows(values_only=True) if r[0] == "ty_le_thu"]
    assert row[1:4] == ("Tỷ lệ thử nghiệm của tỉnh", "%", None)
    (rule,) = sheet.data_validations.dataValidation
    assert (rule.type, rule.formula1, rule.formula2) == ("decimal", "0", "100")
    assert str(rule.sqref) == "L4 M4"  # 2019 and 2020 only
    assert (target / "bao-cao.docx").is_file()


def test_render_to_unknown_slot_is_an_error(project):
    project.add_plugin(
        "odd",
        textwrap.dedent(
            """
            from cchc_pipeline import hookimpl

            @hookimpl
            def cchc_render(section, data, report):
                return {"resluts": "x"}
            """
        ),
    )
    result = project.run("build", "-f", "md")
    assert result.exit_code == 3
    assert "“resluts”" in result.stderr and "Có phải ý bạn là “results”" in result.stderr
