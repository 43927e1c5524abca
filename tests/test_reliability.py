"""Reliability: hostile and unlucky inputs (issue 16) are refused with a located Vietnamese
message and the documented exit code, never a traceback, and the previous outputs stay.

Cache: a crafted entry runs nothing, a damaged one is rebuilt, a machine's failure is not
cached, an unwritable cache only costs time. Lock: one build at a time per project."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cchc_pipeline import cache as cache_module
from cchc_pipeline.cache import CACHE_DIR, Cache
from cchc_pipeline.publish.outputs import STAGING_PREFIX


def snapshot(folder: Path) -> dict[str, str]:
    """Every published file with its SHA-256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(STAGING_PREFIX) for part in p.parts)
    }


def clean_failure(result, code: int) -> str:
    """The run exited with ``code`` and said why in Vietnamese, without a traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert "Lỗi không mong đợi" not in result.output
    return result.output


class Planted:
    """Unpickling this creates a marker file: proof that the cache ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def built(project):
    """The sample built as Markdown once (the cache filled), and that build's outputs."""
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    return project, snapshot(project.root / "build")


# -- 4: the cache is data, not code ----------------------------------------------------------


def test_a_crafted_stage_pickle_runs_nothing(built, tmp_path):
    project, before = built
    marker = tmp_path / "da-chay-ma"
    planted = pickle.dumps(Planted(marker))
    stages = list((project.root / CACHE_DIR / "stages").glob("*/state.pickle"))
    assert stages
    for state in stages:
        state.write_bytes(planted)
    (project.root / CACHE_DIR / "stages" / ("0" * 64)).mkdir()
    (project.root / CACHE_DIR / "stages" / ("0" * 64) / "state.pickle").write_bytes(planted)
    for command in (["build", "-f", "md"], ["validate"], ["status"]):
        clean_failure(project.run(*command), 0)
        assert not marker.exists(), command
    assert snapshot(project.root / "build") == before


def test_a_crafted_compiled_template_runs_nothing(built, tmp_path, monkeypatch):
    import jinja2.bccache

    from cchc_pipeline.render.templating import COMPILED

    project, before = built
    marker = tmp_path / "da-chay-ma"
    monkeypatch.setattr(COMPILED, "_memory", {})  # as a new process: compiled code from disk
    clean_failure(project.run("build", "-f", "md"), 0)
    monkeypatch.setattr(COMPILED, "_memory", {})
    compiled = list((project.root / CACHE_DIR / "templates").glob("*.cache"))
    assert compiled
    for path in compiled:  # Jinja's own layout: magic, a pickled checksum, marshalled code
        path.write_bytes(jinja2.bccache.bc_magic + pickle.dumps(Planted(marker)))
    clean_failure(project.run("build", "-f", "md"), 0)
    assert not marker.exists()
    assert snapshot(project.root / "build") == before


def test_a_signed_entry_of_the_wrong_type_is_a_miss(built):
    project, before = built
    stages = project.root / CACHE_DIR / "stages"
    odd = stages.parent / "odd.pickle"
    odd.write_bytes(pickle.dumps(["không phải trạng thái"]))
    for entry in [p for p in stages.iterdir() if p.is_dir()]:
        key = entry.name
        for child in entry.rglob("*"):
            if child.is_file():
                child.unlink()
        for child in sorted(entry.rglob("*"), reverse=True):
            child.rmdir()
        entry.rmdir()
        Cache(stages.parent, "stages").put(key, {"state.pickle": odd})  # signed, by this user
    for command in (["build", "-f", "md"], ["validate"], ["status"]):
        clean_failure(project.run(*command), 0)
    assert snapshot(project.root / "build") == before


def test_the_signing_key_is_private_and_outside_the_project(project):
    assert project.run("validate").exit_code == 0
    key = cache_module.user_key_folder() / cache_module.KEY_FILE
    assert key.is_file() and not key.resolve().is_relative_to(project.root.resolve())
    if os.name == "posix":
        assert key.stat().st_mode & 0o077 == 0


# -- 8: entries verified on read; the machine's failures are not cached ----------------------


def test_a_truncated_cached_output_is_rebuilt_not_published(built):
    project, before = built
    outputs = list((project.root / CACHE_DIR / "outputs").glob("*/out"))
    assert outputs
    for out in outputs:
        data = out.read_bytes()
        out.write_bytes(data[: len(data) // 2])
    project.output("md").unlink()  # the publish must bring it back whole
    clean_failure(project.run("build", "-f", "md"), 0)
    assert snapshot(project.root / "build") == before
    assert project.run("verify").exit_code == 0


def test_a_truncated_cached_chart_is_drawn_again(built):
    project, before = built
    charts = list((project.root / CACHE_DIR / "charts").glob("*.png"))
    assert charts
    for chart in charts:
        chart.write_bytes(chart.read_bytes()[:100])
    clean_failure(project.run("build", "-f", "md"), 0)
    assert snapshot(project.root / "build") == before


@pytest.mark.skipif(os.name != "posix", reason="signals are POSIX")
def test_pandoc_killed_is_not_cached_as_the_departments_error(project, monkeypatch):
    from cchc_pipeline.publish.formats import pandoc

    suicide = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    real = pandoc.pandoc_command
    monkeypatch.setattr(pandoc, "pandoc_command", lambda: [sys.executable, "-c", suicide])
    output = clean_failure(project.run("validate"), 3)
    assert f"pandoc bị dừng bởi tín hiệu {int(signal.SIGKILL)}" in output
    assert "lỗi của máy" in output and "tệp Markdown hỏng" not in output
    monkeypatch.setattr(pandoc, "pandoc_command", real)
    output = clean_failure(project.run("validate"), 0)
    assert "hỏng" not in output


# -- 9: an unwritable or full cache degrades to building without it --------------------------


def test_an_unwritable_cache_warns_once_and_builds(project):
    (project.root / CACHE_DIR).write_text("không phải thư mục", encoding="utf-8")
    for command in (["validate"], ["status"]):
        output = clean_failure(project.run(*command), 0)
        assert output.count("không dùng được bộ nhớ đệm") == 1, output
    output = clean_failure(project.run("build", "-f", "md"), 0)
    assert output.count("không dùng được bộ nhớ đệm") == 1, output
    assert project.output("md").is_file()


def test_a_full_disk_under_the_cache_warns_once_and_builds(project, monkeypatch):
    real = cache_module.tempfile.mkdtemp

    def full(suffix=None, prefix=None, dir=None):
        if dir is not None and CACHE_DIR in Path(dir).parts:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(suffix, prefix, dir)

    monkeypatch.setattr(cache_module.tempfile, "mkdtemp", full)
    output = clean_failure(project.run("build", "-f", "md"), 0)
    assert output.count("không dùng được bộ nhớ đệm") == 1, output
    assert "ổ đĩa đã đầy (ENOSPC)" in output and "UnboundLocalError" not in output
    assert project.output("md").is_file()


# -- 7: one build at a time per project ------------------------------------------------------


def test_a_second_build_is_refused_clearly_while_one_holds_the_lock(built):
    from cchc_pipeline.lock import ProjectLock

    project, before = built
    project.edit_config("date = 2020-11-20", "date = 2020-11-21")  # a build would change them
    with ProjectLock(project.root, wait=0):
        output = clean_failure(project.run("build", "-f", "md", "--wait", "0"), 2)
        assert "đang bận" in output and f"tiến trình {os.getpid()}" in output
        assert "--wait" in output  # the hint
        clean_failure(project.run("clean", "--wait", "0"), 2)
    assert snapshot(project.root / "build") == before
    clean_failure(project.run("build", "-f", "md", "--wait", "0"), 0)


def test_a_lock_left_by_a_killed_build_is_taken_over(project):
    from cchc_pipeline.lock import LOCK_NAME

    dead = {"pid": 4_000_000, "host": "may-khac", "since": "01/01/2021 08:00:00"}
    (project.root / LOCK_NAME).write_text("\n" + json.dumps(dead), encoding="utf-8")
    output = clean_failure(project.run("build", "-f", "md", "--wait", "0"), 0)
    assert "tiến trình 4000000" in output and "đã tiếp quản khóa" in output
    assert project.run("verify").exit_code == 0


def test_two_builds_started_together_one_waits_for_the_other(project, tmp_path):
    from cchc_pipeline.lock import ProjectLock

    command = [sys.executable, "-m", "cchc_pipeline", "build", "-c", str(project.config_path)]
    logs = [tmp_path / "mot.log", tmp_path / "hai.log"]
    with ProjectLock(project.root, wait=0):  # both start while the project is busy
        runs = [
            subprocess.Popen(
                [*command, "-f", "md"], stdout=subprocess.DEVNULL, stderr=log.open("w")
            )
            for log in logs
        ]
        for _ in range(3000):  # until both say they wait (a bound, not a timing)
            if all("Đang chờ" in log.read_text(encoding="utf-8") for log in logs):
                break
            if any(run.poll() is not None for run in runs):
                break
            time.sleep(0.05)
    codes = [run.wait(timeout=600) for run in runs]
    texts = [log.read_text(encoding="utf-8") for log in logs]
    assert codes == [0, 0], texts
    assert all("Đang chờ" in text and "Traceback" not in text for text in texts), texts
    assert project.run("verify").exit_code == 0  # whole outputs, as the manifest says
    assert not list((project.root / "build").glob(STAGING_PREFIX + "*"))


# -- 10, 12, 13: the output folder, the date and the output name -----------------------------


def line_of(project, text: str) -> int:
    lines = project.config_text().splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(text))


def config_refused(project, built_before: dict[str, str] | None = None, *args: str) -> str:
    """The build is refused as a configuration error (exit 2), the outputs left as they were."""
    output = clean_failure(project.run("build", "-f", "md", *args), 2)
    assert "Tệp cấu hình có lỗi" in output or "Thư mục kết quả" in output, output
    if built_before is not None:
        assert snapshot(project.root / "build") == built_before
    return output


@pytest.mark.parametrize("folder", [".cchc-cache", ".cchc-cache/ket-qua", "templates", "."])
def test_an_output_folder_in_the_cache_or_templates_is_refused(built, folder):
    project, before = built
    project.edit_config('dir = "build"', f'dir = "{folder}"')
    output = config_refused(project, before)
    assert f"config.toml:{line_of(project, 'dir =')}" in output
    assert "Chọn thư mục riêng" in output
    project.edit_config(f'dir = "{folder}"', 'dir = "build"')
    output = clean_failure(project.run("build", "-f", "md", "-o", str(project.root / folder)), 2)
    assert "Thư mục kết quả" in output and "Chọn thư mục riêng" in output


@pytest.mark.parametrize("day", ["1979-12-31", "2108-01-01", "2009-05-01", "0001-01-01"])
def test_a_date_no_writer_accepts_is_a_config_error(built, day):
    project, before = built
    project.edit_config("date = 2020-11-20", f"date = {day}")
    output = config_refused(project, before)
    assert f"config.toml:{line_of(project, 'date =')}" in output and "kiểm tra năm" in output


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "để trống"),
        ("a" * 300, "quá dài (300 ký tự; tối đa 80)"),
        ("bao\\u0000cao", "ký tự điều khiển"),
        ("bao\\u202ecao", "ký tự điều khiển"),
        ("CON", "tên dành riêng của Windows"),
        ("aux.bao-cao", "tên dành riêng của Windows"),
        ("LPT1", "tên dành riêng của Windows"),
        ("bao-cao.", "kết thúc bằng dấu cách hoặc dấu chấm"),
        ("bao-cao ", "kết thúc bằng dấu cách hoặc dấu chấm"),
        ("bao?cao", "chỉ được là một tên tệp"),
    ],
)
def test_an_output_name_unsafe_anywhere_is_a_config_error(built, name, said):
    project, before = built
    project.edit_config('name = "bao-cao-tong-ket-cchc-2011-2020"', f'name = "{name}"')
    output = config_refused(project, before)
    written = f'name = "{name}"'
    where = f"config.toml:{line_of(project, written)}"
    assert where in output and said in output, output


# -- 16: verify reads a manifest it can trust the shape of, inside its folders only ----------


def manifest_of(project) -> Path:
    (path,) = (project.root / "build").glob("*.manifest.json")
    return path


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda m: m.pop("outputs"), "thiếu khóa “outputs”"),
        (lambda m: m["inputs"].append({"path": 1}), "thiếu path hoặc sha256"),
        (lambda m: m["submissions"].update(stp="../../.."), "nằm ngoài thư mục"),
        (lambda m: m.update(config="/etc/passwd"), "nằm ngoài thư mục"),
        (lambda m: m["outputs"].append({"file": "../../x", "sha256": "0"}), "nằm ngoài thư mục"),
    ],
)
def test_verify_refuses_a_tampered_manifest_clearly(built, edit, said):
    project, _ = built
    path = manifest_of(project)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    edit(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    output = clean_failure(project.run("verify"), 1)
    assert said in output and "dựng lại báo cáo" in output, output


# -- 15: the preview server ------------------------------------------------------------------


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_a_port_out_of_range_is_a_usage_error(project, port):
    output = clean_failure(
        project.run("preview", "-c", str(project.config_path), "--port", port), 2
    )
    assert "cổng phải là số nguyên từ 1 đến 65535" in output


def test_the_preview_refuses_other_hosts_and_ignores_resets(project):
    import http.client
    import socket
    import struct

    from cchc_pipeline.workflow.preview import Preview

    preview = Preview(project.config_path)
    preview.page = b"<html><body>ban nhap</body></html>"
    server = preview.serve(0)
    port = server.server_address[1]
    try:
        for host, status in [(f"127.0.0.1:{port}", 200), (f"localhost:{port}", 200),
                             (f"attacker.example:{port}", 421), ("127.0.0.1:1", 421)]:  # fmt: skip
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/", headers={"Host": host})
            assert connection.getresponse().status == status, host
            connection.close()
        for _ in range(20):  # a client that resets mid-request: nothing breaks
            rude = socket.create_connection(("127.0.0.1", port))
            rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            rude.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            rude.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/__version")
        assert connection.getresponse().status == 200
    finally:
        server.shutdown()
