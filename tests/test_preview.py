"""``cchc preview``: the page is served locally, rebuilt on a change, and shows problems."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from cchc_pipeline.workflow import preview as preview_module
from cchc_pipeline.workflow.preview import Preview


def get(server, path: str) -> str:
    host, port = server.server_address[:2]
    with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=10) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_preview_serves_rebuilds_on_change_and_shows_findings(project):
    preview = Preview(project.config_path)
    assert preview.changed()
    preview.build()
    server = preview.serve(0)
    try:
        page = get(server, "/")
        assert "Cải cách thể chế" in page and 'fetch("/__version")' in page
        assert json.loads(get(server, "/__version")) == {"version": 1}
        assert "cchc-xem-truoc" not in page  # the sample has no problem to show
        assert not preview.changed()

        narrative = project.root / "submissions" / "stp" / "bao-cao.md"
        narrative.write_text(
            narrative.read_text(encoding="utf-8").replace(
                "# Hạn chế", "Đính chính qua điện thoại lúc 23 giờ.\n\n# Hạn chế"
            ),
            encoding="utf-8",
        )
        assert preview.changed()
        preview.build()
        assert "Đính chính qua điện thoại lúc 23 giờ." in get(server, "/")
        assert json.loads(get(server, "/__version")) == {"version": 2}

        project.set_value("stp", "pbgdpl_buoi", 2012, "-3")
        assert preview.changed()
        preview.build()
        page = get(server, "/")
        assert "cchc-xem-truoc" in page and "nhỏ hơn giá trị tối thiểu" in page
        assert not (project.root / "build").exists()  # the real outputs are left alone
    finally:
        server.shutdown()
        preview.close()


def _worker(preview: Preview) -> int:
    """The process id of the preview's chart worker."""
    assert preview.charts._pool is not None  # started, with matplotlib imported, before a change
    return preview.charts._pool.submit(os.getpid).result(timeout=60)


def test_preview_keeps_its_chart_worker_between_builds(project):
    preview = Preview(project.config_path)
    try:
        preview.build()
        worker = _worker(preview)
        charts = project.root / ".cchc-cache" / "charts"
        drawn = set(charts.glob("*.png"))
        project.set_value("stp", "pbgdpl_buoi", 2020, "1.299")
        preview.build()
        assert ">1.299</td>" in preview.served_page().decode("utf-8")
        assert set(charts.glob("*.png")) - drawn  # the changed chart was drawn…
        assert _worker(preview) == worker  # …by the same worker, still alive for the next
    finally:
        preview.close()
    assert preview.charts._pool is None


def test_preview_starts_another_chart_worker_when_its_worker_died(project):
    preview = Preview(project.config_path)
    try:
        preview.build()
        os.kill(_worker(preview), signal.SIGKILL)  # killed while idle (the OOM killer, a user)
        deadline = time.monotonic() + 30
        while not preview.charts._pool._broken and time.monotonic() < deadline:
            time.sleep(0.02)
        project.set_value("stp", "pbgdpl_buoi", 2020, "1.298")
        preview.build()
        page = preview.served_page().decode("utf-8")
        assert ">1.298</td>" in page and "cchc-xem-truoc" not in page
    finally:
        preview.close()


def test_preview_notices_a_change_at_once_and_the_package_folders_in_bounded_time(
    project, tmp_path, monkeypatch
):
    package = tmp_path / "package-plugins"
    (package / "demo").mkdir(parents=True)
    (package / "demo" / "plugin.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(preview_module.resources, "plugins_dir", lambda: package)
    monkeypatch.setattr(preview_module, "PACKAGE_INTERVAL", 0.3)
    preview = Preview(project.config_path)
    assert preview.changed()
    assert not preview.changed()
    # a file edited in place, same size: its modification time is enough
    data = project.root / "submissions" / "stp" / "so-lieu.csv"
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert preview.changed() and not preview.changed()
    # a file added, then removed, in a sub-folder: its folder changed
    extra = project.root / "submissions" / "stp" / "anh" / "so-do.png"
    extra.parent.mkdir()
    extra.write_bytes(b"png")
    assert preview.changed() and not preview.changed()
    extra.unlink()
    assert preview.changed() and not preview.changed()
    # the project's templates folder appearing (it did not exist)
    (project.root / "templates").mkdir(exist_ok=True)
    (project.root / "templates" / "report.md.j2").write_text("x", encoding="utf-8")
    assert preview.changed()
    # the package's own folders are walked only every PACKAGE_INTERVAL seconds
    (package / "demo" / "plugin.py").write_text("x = 22\n", encoding="utf-8")
    started = time.monotonic()
    while not preview.changed():
        assert time.monotonic() - started < 5
        time.sleep(0.02)
    assert not preview.changed()


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_sigterm_stops_the_preview_and_its_chart_worker(project):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "cchc_pipeline", "preview", "-c", str(project.config_path),
               "--port", str(port)]  # fmt: skip
    server = subprocess.Popen(command, cwd=project.root, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as reply:
                    assert reply.status == 200
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        server.terminate()
        assert server.wait(timeout=30) == 0
        assert "Đã dừng xem trước." in server.stderr.read().decode("utf-8")
        with pytest.raises(ProcessLookupError):  # no chart worker left in its group
            os.killpg(server.pid, 0)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.stderr.close()


def test_the_page_links_its_pictures_and_the_server_gives_those_only(project):
    import re
    from html.parser import HTMLParser

    preview = Preview(project.config_path)
    preview.build()
    server = preview.serve(0)
    host, port = server.server_address[:2]

    class Images(HTMLParser):
        def __init__(self):
            super().__init__()
            self.sources: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.sources.append(dict(attrs)["src"])

    try:
        page = get(server, "/")
        parser = Images()
        parser.feed(page)
        charts = [s for s in parser.sources if re.fullmatch(r"media/\w+/bieu-do-\d+\.png", s)]
        assert len(charts) >= 12 and "data:image" not in page  # linked, not embedded
        assert "<style>" in page and "report.css" not in page  # the styles in the page
        for source in charts:
            with urllib.request.urlopen(f"http://{host}:{port}/{source}", timeout=10) as r:
                assert r.headers["Content-Type"] == "image/png"
                assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
                assert r.read().startswith(b"\x89PNG\r\n\x1a\n")
        # a picture's type is told by its content: a PNG named .jpg is a PNG
        disguised = preview.output_dir / "media" / "stp" / "anh.jpg"
        disguised.write_bytes((preview.output_dir / charts[0]).read_bytes())
        with urllib.request.urlopen(f"http://{host}:{port}/media/stp/anh.jpg", timeout=10) as r:
            assert r.headers["Content-Type"] == "image/png"
        (preview.output_dir / "media" / "stp" / "trang.png").write_text("<p>không</p>", "utf-8")
        (preview.output_dir / "bi-mat.txt").write_text("không cho xem", encoding="utf-8")
        for path in (
            "/media/../bi-mat.txt",
            "/media/%2e%2e/bi-mat.txt",
            "/bi-mat.txt",
            "/media/stp/../../bi-mat.txt",
            "/media/stp/khong-co.png",
            "/media/",
            "/media/stp/trang.png",  # not a picture, whatever its name
        ):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=10)
            assert refused.value.code == 404, path
    finally:
        server.shutdown()
        preview.close()
