"""Reliability: hostile and unlucky inputs (issue 16) are refused with a located Vietnamese
message and the documented exit code, never a traceback, and the previous outputs stay.

Cache: a crafted entry runs nothing, a damaged one is rebuilt, a machine's failure is not
cached, an unwritable cache only costs time. Lock: one build at a time per project."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from cchc_pipeline import cache as cache_module
from cchc_pipeline.cache import CACHE_DIR, Cache
from cchc_pipeline.publish.outputs import STAGING_PREFIX
from cchc_pipeline.testing import ReportProject


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


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> ReportProject:
    """The sample built as Markdown once for the module (the cache filled)."""
    project = ReportProject.sample(tmp_path_factory.mktemp("built") / "bao-cao")
    result = project.run("build", "-f", "md")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def built(built_once, tmp_path):
    """A copy of the built sample (outputs and cache), and that build's outputs."""
    project = ReportProject(tmp_path / "bao-cao")
    shutil.copytree(built_once.root, project.root, symlinks=True)
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

    from cchc_pipeline.render.templating import COMPILED, compiled_folder

    project, before = built
    marker = tmp_path / "da-chay-ma"
    monkeypatch.setattr(COMPILED, "_memory", {})  # as a new process: compiled code from disk
    clean_failure(project.run("build", "-f", "md"), 0)
    monkeypatch.setattr(COMPILED, "_memory", {})
    compiled = list(compiled_folder().glob("*.cache"))  # kept for the user, as __pycache__
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
    monkeypatch.setattr(pandoc, "pandoc_command", lambda *_: [sys.executable, "-c", suicide])
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


# -- 14: file names compared in NFC ----------------------------------------------------------

FOLDER_NAME = "sở tư pháp"  # as the coordinator types it in config.toml
PICTURE_NAME = "ảnh-hội-nghị.png"
PIXEL = base64.b64decode(  # a 1×1 transparent PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(("on_disk", "in_config"), [(nfd, str), (str, nfd)], ids=["nfd", "nfc"])
def test_a_submission_folder_is_found_under_a_name_that_looks_the_same(built, on_disk, in_config):
    project, _ = built
    folder = project.root / "submissions" / on_disk(FOLDER_NAME)
    (project.root / "submissions" / "stp").rename(folder)
    assert folder.is_dir() and (on_disk is str or not (folder.parent / FOLDER_NAME).exists())
    project.edit_config('stp = "submissions/stp"', f'stp = "submissions/{in_config(FOLDER_NAME)}"')
    output = clean_failure(project.run("validate"), 0)
    assert "không tìm thấy" not in output.lower()
    clean_failure(project.run("build", "-f", "md"), 0)
    assert "Sở Tư pháp" in project.output("md").read_text(encoding="utf-8")
    manifest = json.loads(manifest_of(project).read_text(encoding="utf-8"))
    assert manifest["submissions"]["stp"] == f"submissions/{FOLDER_NAME}"  # NFC, as typed
    assert any(i["path"] == f"submissions/{FOLDER_NAME}/so-lieu.csv" for i in manifest["inputs"])
    clean_failure(project.run("verify"), 0)


@pytest.mark.parametrize(("on_disk", "in_text"), [(nfd, str), (str, nfd)], ids=["nfd", "nfc"])
def test_a_picture_is_found_under_a_name_that_looks_the_same(built, on_disk, in_text):
    project, _ = built
    submission = project.root / "submissions" / "stp"
    (submission / "hinh").mkdir()
    (submission / "hinh" / on_disk(PICTURE_NAME)).write_bytes(PIXEL)
    reference = in_text(f"![Ảnh hội nghị tổng kết](hinh/{PICTURE_NAME})")
    project.edit_submission("stp", "bao-cao.md", "\n\n# ", f"\n\n{reference}\n\n# ")
    assert [f for f in project.findings("stp") if "hình ảnh" in f["message"]] == []
    clean_failure(project.run("build", "-f", "md"), 0)
    markdown = project.output("md").read_text(encoding="utf-8")
    (copied,) = [p for p in (project.root / "build" / "media").rglob("*.png")
                 if unicodedata.normalize("NFC", p.name) == PICTURE_NAME]  # fmt: skip
    assert copied.read_bytes() == PIXEL
    assert copied.relative_to(project.root / "build").as_posix() in markdown


def test_a_picture_no_name_matches_is_still_not_found(built):
    project, _ = built
    project.edit_submission("stp", "bao-cao.md", "\n\n# ", "\n\n![Ảnh](hinh/ảnh-khác.png)\n\n# ")
    (finding,) = [f for f in project.findings("stp") if "hình ảnh" in f["message"]]
    assert "Không tìm thấy hình ảnh “hinh/ảnh-khác.png”" in finding["message"]
    assert finding["location"]["file"] == "submissions/stp/bao-cao.md" and finding["hint"]


def test_the_exact_name_wins_over_its_other_form(tmp_path):
    from cchc_pipeline.intake.names import on_disk

    (tmp_path / FOLDER_NAME).mkdir()
    (tmp_path / nfd(FOLDER_NAME)).mkdir()
    assert on_disk(tmp_path, nfd(FOLDER_NAME)).name == nfd(FOLDER_NAME)
    assert on_disk(tmp_path, FOLDER_NAME).name == FOLDER_NAME
    assert on_disk(tmp_path, "khong-co/x.png") == tmp_path / "khong-co" / "x.png"


# -- 16: van-ban.toml typed; control and bidi characters in text fields ----------------------

VAN_BAN = "submissions/stp/van-ban.toml"


def only_errors(project, plugin: str = "stp") -> list[dict]:
    return [f for f in project.findings(plugin) if f["severity"] == "error"]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('recipients = ["UBND tỉnh (b/c)", "Sở Nội vụ (tổng hợp)"]',
         'recipients = ["UBND tỉnh (b/c)", {a = 1}]', "phần tử thứ 2 (một bảng)"),
        ("signer_authority = []", "signer_authority = [1]", "phần tử thứ 1 (một số)"),
        ("signer_authority = []", 'signer_authority = "KT. GIÁM ĐỐC"', "phải là một danh sách"),
        ('signer_name = "Hoàng Văn Minh họa"', "signer_name = 5", "không phải một số"),
        ("date = 2020-09-15", "date = 2020-09-15T08:00:00", "không kèm giờ"),
        ("date = 2020-09-15", "date = 1900-09-15", "ngoài khoảng"),
        ('signer_name = "Hoàng Văn Minh họa"', 'signer_name = "Hoàng \\u202eVăn"', "U+202E"),
        ('recipients = ["UBND tỉnh (b/c)"', 'recipients = ["UBND\\u2066 tỉnh (b/c)"', "U+2066"),
        ('symbol = "BC-STP"', 'symbol = "BC\\u0000STP"', "U+0000"),
        ('symbol = "BC-STP"', 'simbol = "BC-STP"', "không có trong thông tin văn bản"),
    ],
)  # fmt: skip
def test_a_van_ban_value_of_the_wrong_kind_is_an_error_at_its_line(built, old, new, said):
    project, before = built
    project.edit_submission("stp", "van-ban.toml", old, new)
    key = new.split(" =")[0]
    (finding,) = only_errors(project)
    assert said in finding["message"] and f"“{key}”" in finding["message"], finding
    line = line_in(project.root / VAN_BAN, new.split("\\")[0])
    assert finding["location"]["file"] == VAN_BAN and finding["location"]["line"] == line
    assert finding["hint"]
    output = clean_failure(project.run("build", "-f", "md"), 1)
    assert f"{VAN_BAN}:{line}" in output and "{'a': 1}" not in output
    assert snapshot(project.root / "build") == before


def line_in(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('summary = "', 'summary = "\\u202e'),
        ('place = "Lạng Sơn"', 'place = "Lạng\\u200fSơn"'),
        ('position = "', 'position = "\\u0007'),
        ('archive = "', 'archive = "\\u2068'),
    ],
)
def test_a_config_text_with_hidden_characters_is_a_config_error(built, old, new):
    project, before = built
    project.edit_config(old, new)
    output = config_refused(project, before)
    code = "U+" + new.split("\\u")[1][:4].upper()
    key = new.split(" =")[0]
    line = line_of(project, new.split("\\")[0])
    assert f"config.toml:{line}: “{key}”" in output and f"({code})" in output, output
    assert "gõ lại" in output
    clean_failure(project.run("validate"), 2)


def test_a_nomination_with_a_bidi_override_is_refused_at_its_cell(built):
    project, before = built
    project.edit_submission("stp", "khen-thuong.csv", "Phòng Tư pháp huyện Hữu Lũng",
                            "Phòng Tư pháp huyện \u202eHữu Lũng")  # fmt: skip
    (finding,) = only_errors(project)
    assert "Cột “ten”" in finding["message"] and "(U+202E)" in finding["message"]
    assert finding["location"]["line"] == 3 and "gõ lại" in finding["hint"]
    assert finding["location"]["file"] == "submissions/stp/khen-thuong.csv"
    clean_failure(project.run("build", "-f", "md"), 1)
    assert snapshot(project.root / "build") == before


@pytest.mark.parametrize(
    ("column", "text", "said"),
    [(1, "Văn bản QPPL do HĐND tỉnh\u202e ban hành", "Tên chỉ tiêu"),
     (0, "vbqppl_hdnd\u0007", "Mã chỉ tiêu")],
)  # fmt: skip
def test_an_indicator_label_or_code_with_hidden_characters_is_refused(built, column, text, said):
    project, before = built
    path = project.root / "submissions/stp/so-lieu.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[column] = text
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (finding,) = only_errors(project)  # the code is read without it: no other finding
    assert finding["message"].startswith(said) and "ký tự vô hình" in finding["message"]
    assert finding["location"]["line"] == 2 and finding["hint"]
    clean_failure(project.run("build", "-f", "md"), 1)
    assert snapshot(project.root / "build") == before


def test_a_label_with_hidden_characters_in_a_departments_own_table(built):
    project, _ = built
    path = project.root / "submissions/stp/so-lieu.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("ma_chi_tieu,", "ma,")  # no code column: read by label
    lines[1] = lines[1].replace("do HĐND tỉnh", "do HĐND\u2067 tỉnh")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = only_errors(project)
    hidden = [f for f in errors if "U+2067" in f["message"]]
    assert hidden and hidden[0]["message"].startswith("Tên dòng")
    assert hidden[0]["location"]["line"] == 2 and hidden[0]["hint"]


# -- 16: duplicate rows capped; validate --report not into an input --------------------------


def test_duplicate_rows_are_capped_like_unknown_codes(built):
    from cchc_pipeline.intake.yearly import DUPLICATES_SHOWN

    project, _ = built
    path = project.root / "submissions/stp/so-lieu.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    copies = 20_000
    path.write_text("\n".join([*lines, *[lines[1]] * copies]) + "\n", encoding="utf-8")
    result = project.run("validate", "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = [f for f in json.loads(result.stdout) if f["plugin"] == "stp"]
    repeated = [f for f in found if "lặp lại" in f["message"]]
    assert len(repeated) == DUPLICATES_SHOWN + 1, len(repeated)
    assert f"Còn {copies - DUPLICATES_SHOWN} dòng khác" in repeated[-1]["message"]
    assert repeated[-1]["location"]["line"] == len(lines) + DUPLICATES_SHOWN + 1
    assert len(result.stdout) < 100_000


@pytest.mark.parametrize("inside", ["submissions/stp", "submissions/stp/ket-qua", "plugins",
                                    ".cchc-cache"])  # fmt: skip
def test_validate_report_into_an_input_folder_is_refused(built, inside):
    project, _ = built
    project.add_plugin("them", "")
    before = sorted(p for p in project.root.rglob("*") if CACHE_DIR not in p.parts)
    target = project.root / inside
    output = clean_failure(project.run("validate", "--report", str(target)), 2)
    assert f"--report {target}: thư mục kết quả kiểm tra nằm trong" in output
    assert "Chọn thư mục riêng" in output
    assert sorted(p for p in project.root.rglob("*") if CACHE_DIR not in p.parts) == before
    output = clean_failure(project.run("validate", "--report", str(project.root / "kq")), 0)
    assert (project.root / "kq" / "ket-qua-kiem-tra-stp.xlsx").is_file()
