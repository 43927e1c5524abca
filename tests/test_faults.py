"""Faults: a killed, interrupted or failing build, or a folder that cannot be written, leaves
the previous outputs byte for byte and no partial file under a real name; every failing hook
is named with its plugin and stage."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cchc_pipeline.publish import outputs
from cchc_pipeline.publish.outputs import STAGING_PREFIX
from cchc_pipeline.testing import ReportProject

# A format whose converter is an external program that writes half a file, then hangs until
# it is killed (as pandoc does on a big document); Ctrl-C reaches it like the real pandoc.
SLOW_FORMAT = """
import subprocess, sys
from cchc_pipeline import OutputFormat, hookimpl

CHILD = (
    "import signal, sys, time; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "open(sys.argv[1], 'w').write('nửa chừng'); time.sleep(600)"
)

@hookimpl
def cchc_output_formats():
    def convert(job):
        subprocess.run([sys.executable, "-c", CHILD, str(job.target)], check=True)
    return [OutputFormat("cham", ".cham", "Định dạng chậm (thử nghiệm)", convert)]
"""


def snapshot(folder: Path) -> dict[str, str]:
    """Every published file (staging folders left out) with its SHA-256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(STAGING_PREFIX) for part in p.parts)
    }


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> ReportProject:
    """The sample built as md and docx once for the module (the cache filled)."""
    project = ReportProject.sample(tmp_path_factory.mktemp("built") / "bao-cao")
    result = project.run("build", "-f", "md", "-f", "docx")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def previous(built_once, tmp_path):
    """A project with a previous build (md, docx): a copy of the built sample, outputs and
    cache; and a change that would alter it."""
    project = ReportProject(tmp_path / "bao-cao")
    shutil.copytree(built_once.root, project.root, symlinks=True)
    before = snapshot(project.root / "build")
    assert any(name.endswith(".manifest.json") for name in before)
    project.edit_config("date = 2020-11-20", "date = 2020-11-21")
    return project, before


def start_slow_build(project) -> subprocess.Popen:
    project.add_plugin("cham", SLOW_FORMAT)
    command = [sys.executable, "-m", "cchc_pipeline", "build", "-q", "-c", str(project.config_path)]
    command += ["-f", "md", "-f", "docx", "-f", "cham"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    build = project.root / "build"
    deadline = time.monotonic() + 120  # a bound on waiting, not an assertion about speed
    while not list(build.glob(f"{STAGING_PREFIX}*/*.cham")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"the build never reached the conversion: {out!r} {err!r}")
        time.sleep(0.05)
    return process


def assert_untouched(project, before: dict[str, str]) -> None:
    build = project.root / "build"
    assert snapshot(build) == before
    assert not list(build.glob("*.cham"))


def test_killed_build_leaves_previous_outputs(previous):
    project, before = previous
    process = start_slow_build(project)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert_untouched(project, before)
    # the next build clears the dead build's staging folder and publishes normally
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    assert not list((project.root / "build").glob(f"{STAGING_PREFIX}*"))


def test_ctrl_c_exits_130_and_leaves_previous_outputs(previous):
    project, before = previous
    process = start_slow_build(project)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    stderr = err.decode("utf-8")
    assert process.returncode == 130, stderr
    assert "Đã dừng theo yêu cầu" in stderr
    assert "Traceback" not in stderr
    assert_untouched(project, before)
    assert not list((project.root / "build").glob(f"{STAGING_PREFIX}*"))


def test_output_path_through_a_file_exits_3(project):
    blocker = project.root / "khong-phai-thu-muc"
    blocker.write_text("một tệp", encoding="utf-8")
    result = project.run("build", "-f", "md", "-o", str(blocker / "ket-qua"))
    assert result.exit_code == 3
    assert "Không ghi được vào thư mục kết quả" in result.stderr
    assert "Traceback" not in result.output
    assert blocker.read_text(encoding="utf-8") == "một tệp"


def test_output_path_that_is_a_file_is_refused_before_any_work(project):
    blocker = project.root / "khong-phai-thu-muc"
    blocker.write_text("một tệp", encoding="utf-8")
    result = project.run("build", "-f", "md", "-o", str(blocker))
    assert result.exit_code == 2  # like the same mistake in config.toml
    assert "là một tệp đã có, không phải thư mục" in result.stderr
    assert "Traceback" not in result.output
    assert blocker.read_text(encoding="utf-8") == "một tệp"


def test_full_disk_while_publishing_puts_the_previous_outputs_back(previous, monkeypatch):
    project, before = previous
    real = outputs._swap
    calls = []

    def swap_until_full(new, final, keep, done):
        calls.append(final.name)
        if len(calls) == 2:  # the first file is already replaced when the disk fills up
            raise OSError(errno.ENOSPC, "No space left on device")
        real(new, final, keep, done)

    monkeypatch.setattr(outputs, "_swap", swap_until_full)
    result = project.run("build", "-f", "md", "-f", "docx")
    assert result.exit_code == 3
    assert "ổ đĩa đã đầy (ENOSPC)" in result.stderr and "No space" not in result.stderr
    assert "Traceback" not in result.output
    assert_untouched(project, before)


def test_full_disk_while_converting(previous):
    project, before = previous
    project.add_plugin(
        "day",
        "import errno\nfrom cchc_pipeline import OutputFormat, hookimpl\n\n"
        "@hookimpl\ndef cchc_output_formats():\n"
        "    def convert(job):\n"
        "        job.target.write_bytes(b'mot phan')\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    return [OutputFormat('day', '.day', 'Ổ đầy', convert)]\n",
    )
    result = project.run("build", "-f", "md", "-f", "day")
    assert result.exit_code == 3
    assert "day: ổ đĩa đã đầy (ENOSPC)" in result.stderr
    assert_untouched(project, before)
    assert not list((project.root / "build").glob("*.day"))


def test_pandoc_failing_leaves_previous_outputs(previous):
    project, before = previous
    filters = project.root / "templates" / "filters"
    filters.mkdir(parents=True)
    # broken for Word only: validation's PDF check of the narratives still passes, so the
    # failure comes while converting, after the other formats were staged
    (filters / "layout.lua").write_text(
        "function Pandoc(doc) if FORMAT == 'docx' then error('bộ lọc hỏng') end end\n"
    )
    result = project.run("build", "-f", "md", "-f", "docx")
    assert result.exit_code == 3
    assert "Không tạo được: docx: pandoc (docx) thất bại" in result.stderr
    assert "Kết quả của lần dựng trước vẫn giữ nguyên" in result.stderr
    assert "Traceback" not in result.output
    assert_untouched(project, before)


def test_typst_failing_leaves_previous_outputs(previous, monkeypatch, tmp_path):
    """typst runs in a worker process: a typst that fails there (a stand-in module ahead of
    the real one on the worker's path) is a tool failure, exit 3, whoever's text it was."""
    project, before = previous
    fake = tmp_path / "gia-typst"
    fake.mkdir()
    (fake / "typst.py").write_text(
        "def compile_with_warnings(*args, **kwargs):\n"
        "    raise RuntimeError('error: failed to load font')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")]))
    from cchc_pipeline.publish.formats.pdf import WORKERS

    WORKERS.stop()  # a worker an earlier test's check left idle started with the real typst
    result = project.run("build", "-f", "md", "-f", "pdf")
    assert result.exit_code == 3
    assert "typst thất bại: error: failed to load font" in result.stderr
    assert "Traceback" not in result.output
    assert_untouched(project, before)
    assert not list((project.root / "build").glob("*.pdf"))


HOOKS = [
    ("cchc_configure(config)", "đọc cấu hình"),
    ("cchc_department()", "khai báo đơn vị"),
    ("cchc_template_filters()", "khai báo bộ lọc mẫu"),
    ("cchc_template_globals()", "khai báo biến mẫu"),
    ("cchc_output_formats()", "khai báo định dạng kết quả"),
    ("cchc_build_started(report)", "bắt đầu dựng"),
    ("cchc_build_finished(report, outputs, success)", "kết thúc dựng"),
    ("cchc_validate(section, data)", "kiểm tra dữ liệu"),
    ("cchc_render(section, data, report)", "kết xuất nội dung"),
]  # cchc_collect: tests/test_build.py::test_keep_going_marks_the_failed_section


@pytest.mark.parametrize(("hook", "stage"), HOOKS, ids=[h.split("(")[0] for h, _ in HOOKS])
def test_a_failing_hook_is_named_with_plugin_and_stage(project, hook, stage):
    project.add_plugin(
        "hong",
        f"from cchc_pipeline import hookimpl\n\n@hookimpl\ndef {hook}:\n"
        "    raise ValueError('ô B7 hỏng')\n",
    )
    project.add_submission("hong", {"x.txt": "x"})
    result = project.run("build", "-f", "md")
    assert result.exit_code == 3, result.output
    assert f"Plugin “hong” gặp lỗi ở bước {stage}" in result.stderr
    assert "ValueError: ô B7 hỏng" in result.stderr
    assert "Traceback" not in result.output and "không mong đợi" not in result.output
