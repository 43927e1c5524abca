"""``cchc new-plugin``: both kinds pass their own tests and appear in the next build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_pipeline.intake.tomlread import tomllib
from cchc_pipeline.testing import ReportProject
from cchc_pipeline.workflow.configedit import EditRefused, set_keys

from .conftest import sample_with_cache

DEPARTMENT = "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn"
FIELD = "Cải cách hành chính tại Khu kinh tế cửa khẩu"
PACKAGE_FIELD = "Cải cách hành chính trong công tác dân tộc"
ORDER = ["stp", "vp", "snv", "stc", "stttt", "skhcn", "tonghop"]


def _pytest(folder: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start the generated tests in another interpreter (they run while this file goes on)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        cwd=folder.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _site_env(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, markdown_sample: ReportProject):
    """A project with a new folder plugin, and a new package installed into a site folder;
    the generated tests of both are started at once."""
    root = tmp_path_factory.mktemp("moi")
    project = sample_with_cache(markdown_sample, root / "bao-cao")
    created = project.run(
        "new-plugin", "bqlkkt", "--department", DEPARTMENT, "--field", FIELD,
        "-c", str(project.config_path),
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    package = root / "goi"
    made = project.run(
        "new-plugin", "ban_dan_toc", "--package", "-o", str(package),
        "--department", "Ban Dân tộc tỉnh", "--field", PACKAGE_FIELD,
        "-c", str(project.config_path),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    source = package / "cchc-plugin-ban-dan-toc"
    site = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(site), str(source)],
        check=True,
    )  # fmt: skip
    runs = {
        "folder": _pytest(project.root / "plugins" / "bqlkkt" / "tests"),
        "package": _pytest(source / "cchc_plugin_ban_dan_toc" / "tests", _site_env(site)),
    }
    yield {
        "project": project,
        "created": created,
        "made": made,
        "source": source,
        "site": site,
        "runs": runs,
    }
    for run in runs.values():
        run.kill()
        run.communicate()


def test_folder_plugin_is_added_to_the_project(generated):
    project, created = generated["project"], generated["created"]
    assert "Đã tạo plugin “bqlkkt”" in created.stdout
    assert "Đã chép bài nộp mẫu (số liệu minh họa)" in created.stdout
    config = tomllib.loads(project.config_text())
    assert config["plugins"]["folders"] == ["plugins"]
    assert config["plugins"]["order"] == [*ORDER[:-1], "bqlkkt", "tonghop"]
    assert config["submissions"]["bqlkkt"] == "submissions/bqlkkt"
    assert project.config_text().startswith("# Cấu hình báo cáo tổng kết CCHC")  # comments kept
    assert "final = false                # true: bản chính thức" in project.config_text()
    plugin = project.root / "plugins" / "bqlkkt"
    for name in ("__init__.py", "catalogue.toml", "templates/ket-qua.md.j2", "tests"):
        assert (plugin / name).exists(), name
    sample = project.root / "submissions" / "bqlkkt"
    assert sorted(p.name for p in sample.iterdir()) == [
        "README.md", "bao-cao.md", "chi-tieu.csv", "nhiem-vu.csv", "so-lieu.csv", "van-ban.toml",
    ]  # fmt: skip
    assert "Số liệu minh họa" in (sample / "README.md").read_text(encoding="utf-8")


def test_folder_plugin_section_is_in_the_next_build(generated):
    project = generated["project"]
    assert project.findings("bqlkkt") == []
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    markdown = project.output("md").read_text(encoding="utf-8")
    assert f"### 7. {FIELD}\n" in markdown
    assert f"{DEPARTMENT} đã giải quyết 15.426 hồ sơ thủ tục hành chính" in markdown
    assert "tăng từ 94,1% năm 2011 lên 99,5% năm 2020" in markdown
    assert "| Hồ sơ TTHC tiếp nhận (kể cả kỳ trước chuyển sang) | hồ sơ | 1.240 |" in markdown
    form = project.run(
        "form", "bqlkkt", "-o", str(project.root / "bieu-mau"), "-c", str(project.config_path)
    )
    assert form.exit_code == 0, form.output  # the catalogue hook gives the department's form
    assert (project.root / "bieu-mau" / "so-lieu.xlsx").is_file()


def test_folder_plugin_tests_pass(generated):
    output, _ = generated["runs"]["folder"].communicate(timeout=600)
    assert generated["runs"]["folder"].returncode == 0, output
    assert "11 passed" in output


def test_generated_code_is_ruff_clean(generated):
    project, source = generated["project"], generated["source"]
    for folder in (project.root / "plugins", source):
        for command in (["check"], ["format", "--check"]):
            ruff = [sys.executable, "-m", "ruff", *command, "--no-cache", "--isolated", "."]
            done = subprocess.run(ruff, cwd=folder, capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr


def test_package_plugin_is_not_wired_and_says_how(generated):
    made, project = generated["made"], generated["project"]
    assert "ban_dan_toc" not in project.config_text()
    assert "pip install -e" in made.stdout and "submissions/ban_dan_toc" in made.stdout
    pyproject = tomllib.loads((generated["source"] / "pyproject.toml").read_text(encoding="utf-8"))
    entry_points = pyproject["project"]["entry-points"]["cchc_pipeline"]
    assert entry_points == {"ban_dan_toc": "cchc_plugin_ban_dan_toc"}


def test_installed_package_section_is_in_the_build(generated, tmp_path):
    project = ReportProject.sample(tmp_path / "bao-cao")
    sample = generated["source"] / "cchc_plugin_ban_dan_toc" / "mau-bai-nop"
    shutil.copytree(sample, project.root / "submissions" / "ban_dan_toc")
    env = _site_env(generated["site"])

    def cchc(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cchc_pipeline", *args, "-c", str(project.config_path)]
        return subprocess.run(command, capture_output=True, text=True, env=env)

    listing = cchc("plugins")
    row = next(line for line in listing.stdout.splitlines() if line.startswith("ban_dan_toc"))
    assert "Ban Dân tộc tỉnh" in row and "0.1.0" in row and "gói cài đặt" in row
    build = cchc("build", "-f", "md")
    assert build.returncode == 0, build.stderr
    markdown = project.output("md").read_text(encoding="utf-8")
    assert f"### 7. {PACKAGE_FIELD}\n" in markdown


def test_package_plugin_tests_pass(generated):
    output, _ = generated["runs"]["package"].communicate(timeout=600)
    assert generated["runs"]["package"].returncode == 0, output
    assert "11 passed" in output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("BQL", "Tên plugin “BQL” không hợp lệ."),
        ("bql-kkt", "Tên plugin “bql-kkt” không hợp lệ."),
        ("7bql", "Tên plugin “7bql” không hợp lệ."),
        ("ban_dân_tộc", "Tên plugin “ban_dân_tộc” không hợp lệ."),
        ("class", "Tên plugin “class” trùng một từ khóa của Python."),
        ("stp", "Đã có plugin tên “stp”"),
        ("docx", "Đã có plugin tên “docx”"),
    ],
)
def test_a_bad_or_taken_name_is_refused(project, name, message):
    before = project.config_text()
    result = project.run("new-plugin", name, "-c", str(project.config_path))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert "viết thường, không dấu" in result.stderr or "cchc plugins" in result.stderr
    assert not (project.root / "plugins").exists()
    assert project.config_text() == before


def test_an_existing_folder_is_not_overwritten(project):
    existing = project.root / "plugins" / "bqlkkt"
    existing.mkdir(parents=True)
    (existing / "ghi-chu.txt").write_text("của đơn vị", encoding="utf-8")
    before = project.config_text()
    result = project.run("new-plugin", "bqlkkt", "-c", str(project.config_path))
    assert result.exit_code == 2
    assert "đã có; không ghi đè" in result.stderr
    assert [p.name for p in existing.iterdir()] == ["ghi-chu.txt"]
    assert project.config_text() == before


def test_a_plugin_outside_the_project_gets_instructions(project, tmp_path):
    before = project.config_text()
    elsewhere = tmp_path / "noi-khac"
    result = project.run(
        "new-plugin", "bqlkkt", "-o", str(elsewhere), "-c", str(project.config_path)
    )
    assert result.exit_code == 0, result.output
    assert (elsewhere / "bqlkkt" / "__init__.py").is_file()
    assert project.config_text() == before
    assert "nằm ngoài dự án báo cáo" in result.stdout
    assert "Chép thư mục này vào thư mục plugins/ của dự án" in result.stdout
    assert '[plugins] folders: thêm "plugins"' in result.stdout
    assert '[submissions] bqlkkt = "submissions/bqlkkt"' in result.stdout
    assert "Tên đơn vị “Đơn vị BQLKKT” và lĩnh vực “Lĩnh vực BQLKKT” là tên tạm" in result.stdout


def test_without_a_config_the_plugin_is_written_and_explained(tmp_path):
    result = ReportProject(tmp_path).run(
        "new-plugin", "bqlkkt", "-o", str(tmp_path / "plugins"), "-c", str(tmp_path / "x.toml")
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plugins" / "bqlkkt" / "catalogue.toml").is_file()
    assert "Không có tệp cấu hình" in result.stdout


CONFIG = """\
# ghi chú đầu tệp\r
[plugins]\r
order = [\r
  "stp",  # thể chế\r
  "tonghop",\r
]\r
disabled = []   # không tắt plugin nào\r
\r
[submissions]\r
stp = "submissions/stp"\r
"""


def test_config_edits_keep_comments_and_line_endings():
    text = set_keys(
        CONFIG,
        {
            ("plugins", "order"): ["stp", "moi", "tonghop"],
            ("plugins", "disabled"): ["vp"],
            ("plugins", "folders"): ["plugins"],
            ("submissions", "moi"): "submissions/moi",
            ("output", "dir"): "ket-qua",
        },
    )
    assert tomllib.loads(text) == {
        "plugins": {"order": ["stp", "moi", "tonghop"], "disabled": ["vp"], "folders": ["plugins"]},
        "submissions": {"stp": "submissions/stp", "moi": "submissions/moi"},
        "output": {"dir": "ket-qua"},
    }
    assert text.startswith("# ghi chú đầu tệp\r\n[plugins]\r\n")
    assert 'disabled = ["vp"]  # không tắt plugin nào\r\n' in text
    assert 'stp = "submissions/stp"\r\nmoi = "submissions/moi"\r\n' in text
    assert text.endswith('\r\n[output]\r\ndir = "ket-qua"\r\n')


@pytest.mark.parametrize(
    "text",
    ['plugins = { order = ["stp"] }\n', 'plugins.order = ["stp"]\n[plugins]\n'],
    ids=["inline table", "broken file"],
)
def test_config_edits_refuse_what_they_cannot_do_safely(text):
    with pytest.raises(EditRefused):
        set_keys(text, {("plugins", "order"): ["stp", "moi"]})


def test_a_submission_already_there_is_kept(project):
    existing = project.add_submission("bqlkkt", {"so-lieu.csv": "ma_chi_tieu,2011\n"})
    result = project.run("new-plugin", "bqlkkt", "-c", str(project.config_path))
    assert result.exit_code == 0, result.output
    assert "đã có từ trước: giữ nguyên, không chép mẫu" in result.stdout
    assert [p.name for p in existing.iterdir()] == ["so-lieu.csv"]
    assert 'bqlkkt = "submissions/bqlkkt"' in project.config_text()


def test_minimal_plugin_is_one_indicator_with_nothing_to_take_apart(cached_project):
    """``--minimal``: a one-indicator field on the core's templates; it builds and its own
    generated tests pass."""
    project = cached_project
    made = project.run("new-plugin", "nho", "--minimal", "-c", str(project.config_path), "-q")
    assert made.exit_code == 0, made.output
    assert "Đã tạo plugin “nho”" in made.stdout  # the result, shown even with -q
    folder = project.root / "plugins" / "nho"
    assert not (folder / "templates").exists()
    catalogue = (folder / "catalogue.toml").read_text(encoding="utf-8")
    assert catalogue.count("\nid = ") == 1 and "\n[[rule]]" not in catalogue
    assert project.run("build", "-f", "md").exit_code == 0
    markdown = project.output("md").read_text(encoding="utf-8")
    assert "### 7. Lĩnh vực NHO" in markdown
    run = _pytest(folder / "tests")
    out, _ = run.communicate(timeout=600)
    assert run.returncode == 0, out
