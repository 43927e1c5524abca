"""Plugin discovery: shipped departments, entry-point packages, plugin folders, bad plugins."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

DEPARTMENTS = {
    "stp": "Sở Tư pháp",
    "vp": "Văn phòng UBND tỉnh",
    "snv": "Sở Nội vụ",
    "stc": "Sở Tài chính",
    "stttt": "Sở Thông tin và Truyền thông",
    "skhcn": "Sở Khoa học và Công nghệ",
}

SECTION_PLUGIN = """
from cchc_pipeline import Department, hookimpl

__version__ = "{version}"

@hookimpl
def cchc_department():
    return Department(code="{code}", name="{name}", field="{field}")

@hookimpl
def cchc_render(section, data, report):
    return {{"results": "{text}"}}
"""


def test_plugins_lists_the_six_departments(project):
    result = project.run("plugins")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for name, department in DEPARTMENTS.items():
        row = next(line for line in lines if line.startswith(name + " "))
        assert department in row and "đi kèm" in row
    assert "cchc_collect" in result.stdout and "cchc_render" in result.stdout


def test_plugins_works_without_a_config(tmp_path):
    from cchc_pipeline.testing import ReportProject

    result = ReportProject(tmp_path).run("plugins", "-c", str(tmp_path / "none.toml"))
    assert result.exit_code == 0
    assert "Sở Tư pháp" in result.stdout


def test_folder_plugin_adds_a_section(project):
    source = SECTION_PLUGIN.format(
        version="2.0",
        code="BQL",
        name="Ban Quản lý Khu kinh tế",
        field="Phần thư mục",
        text="Nội dung từ plugin thư mục.",
    )
    project.add_plugin("bql", source, folder="them")
    listing = project.run("plugins")
    assert "Ban Quản lý Khu kinh tế" in listing.stdout and "thư mục" in listing.stdout
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "### 7. Phần thư mục\n\nNội dung từ plugin thư mục." in markdown


def test_a_plugin_not_in_the_order_takes_the_place_it_declares(project):
    """No config edit: ``Department(after=…)`` places the field; [plugins] order still wins."""
    source = SECTION_PLUGIN.format(
        version="1.0", code="BQL", name="Ban Quản lý", field="Phần sau VP", text="Sau VP."
    ).replace('field="Phần sau VP")', 'field="Phần sau VP", after="vp")')
    project.add_plugin("bql", source, folder="them")
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "### 2. Cải cách thủ tục hành chính" in markdown
    assert "### 3. Phần sau VP\n\nSau VP." in markdown
    assert "### 4. Cải cách tổ chức bộ máy" in markdown
    project.set_list("order", ["bql", "stp"])
    assert project.run("build", "-f", "md").exit_code == 0
    assert "### 1. Phần sau VP" in project.output("md").read_text(encoding="utf-8")


def test_order_from_config_decides_section_numbers(project):
    project.set_list("order", ["skhcn", "stp"])
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "### 1. Áp dụng hệ thống quản lý chất lượng" in markdown
    assert "### 2. Cải cách thể chế" in markdown


def test_disabled_plugin_is_left_out(project):
    project.set_list("disabled", ["stc"])
    project.edit_config('stc = "submissions/stc"\n', "")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert ". Cải cách tài chính công\n" not in markdown
    assert ". Ứng dụng công nghệ thông tin" in markdown  # the others are renumbered
    assert "stc " not in project.run("plugins").stdout


def test_misspelt_hook_fails_naming_the_plugin(project):
    project.add_plugin(
        "loi",
        textwrap.dedent(
            """
            from cchc_pipeline import hookimpl

            @hookimpl
            def cchc_colect(section):
                return None
            """
        ),
    )
    result = project.run("build", "-f", "md")
    assert result.exit_code == 3
    assert "Plugin “loi”" in result.stderr and "“cchc_colect”" in result.stderr
    assert "Có phải ý bạn là “cchc_collect”" in result.stderr
    assert "Traceback" not in result.output


def test_plugin_that_fails_to_import_is_named(project):
    project.add_plugin("hong", "import khong_co_module_nay\n")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 3
    assert "Không nạp được plugin “hong”" in result.stderr


def test_two_plugins_with_one_name(project):
    project.add_plugin(
        "stp", SECTION_PLUGIN.format(version="1", code="X", name="X", field="X", text="x")
    )
    result = project.run("build", "-f", "md")
    assert result.exit_code == 3
    assert "Hai plugin cùng tên “stp”" in result.stderr


def test_entry_point_package_adds_a_section(project, tmp_path):
    package = tmp_path / "cchc-plugin-bqlkkt"
    module = package / "cchc_plugin_bqlkkt"
    module.mkdir(parents=True)
    (package / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "cchc-plugin-bqlkkt"
            version = "1.2.3"

            [project.entry-points.cchc_pipeline]
            bqlkkt = "cchc_plugin_bqlkkt"
            """
        ),
        encoding="utf-8",
    )
    (module / "__init__.py").write_text(
        SECTION_PLUGIN.format(
            version="1.2.3",
            code="BQLKKT",
            name="Ban Quản lý Khu kinh tế cửa khẩu",
            field="Phần gói cài đặt",
            text="Nội dung từ gói cài đặt.",
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(site),
            str(package),
        ],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}

    def cchc(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cchc_pipeline", *args, "-c", str(project.config_path)],
            capture_output=True,
            text=True,
            env=env,
        )

    listing = cchc("plugins")
    row = next(line for line in listing.stdout.splitlines() if line.startswith("bqlkkt"))
    assert "Ban Quản lý Khu kinh tế cửa khẩu" in row and "1.2.3" in row and "gói cài đặt" in row
    build = cchc("build", "-f", "md")
    assert build.returncode == 0, build.stderr
    markdown = Path(project.output("md")).read_text(encoding="utf-8")
    assert "### 7. Phần gói cài đặt\n\nNội dung từ gói cài đặt." in markdown

    no_autoload = cchc("plugins")
    assert "bqlkkt" in no_autoload.stdout
    env["CCHC_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    assert "bqlkkt" not in cchc("plugins").stdout
