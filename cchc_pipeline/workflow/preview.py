"""``cchc preview``: rebuild the web version on every change and show it on localhost.

The coordinator keeps a browser open while a department reads out a correction on the phone:
the config, the submissions, the plugins and the templates are watched (by polling their
modification times: no extra dependency, works on every file system), each change rebuilds
the HTML incrementally (the build cache makes an unchanged section free), and the page
reloads itself. Problems in the submissions do not stop the preview: the report is built
with ``--keep-going`` and the findings are shown in a banner above it. The page is served to
this machine only (127.0.0.1), and the preview writes to the cache folder, never over the
real outputs.

How soon a saved change is in the page (``bench/preview_bench.py`` measures it) is mostly
one rebuild: the project's files are looked at every 0.05 s, one ``stat`` per known file and
folder (they are walked again only when one moved; the package's own plugins and templates,
which rarely change, every 2 s), and one chart worker, started after the first build, is
kept for the whole session (:class:`~cchc_pipeline.render.charts.KeptDrawer`), so that a
changed chart does not wait for matplotlib's import (about 0.8 s) on every build. The page
is the report's HTML with its pictures linked, not embedded (``/media/…``, served from the
preview's folder, pictures only): embedding a dozen charts was a third of pandoc's time, and
a linked page converts while the changed chart is drawn. SIGTERM and SIGHUP stop the preview
as Ctrl-C does, the worker with it.
"""

from __future__ import annotations

import html
import json
import os
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .. import resources
from ..cache import CACHE_DIR
from ..config import load_config
from ..console import SILENT, Console
from ..errors import CchcError
from ..lock import ProjectLock
from ..publish.formats.html import linked_page
from ..publish.outputs import MEDIA
from ..render.charts import KeptDrawer

PAGE = "xem-truoc"  # the preview's own page format: the HTML with its pictures linked
PICTURE_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WebP": "image/webp",
    "SVG": "image/svg+xml",
}  # by content (intake's kinds)
PICTURE_POLICY = "default-src 'none'; style-src 'unsafe-inline'"  # an SVG opened runs nothing

RELOAD_SCRIPT = """<script>
(function () {
  var seen = %d;
  setInterval(function () {
    fetch("/__version").then(function (r) { return r.json(); }).then(function (v) {
      if (v.version !== seen) { location.reload(); }
    }).catch(function () {});
  }, 1000);
})();
</script>"""


def _stat(path: Path | str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:  # gone, or a broken link: not a file to watch
        return None
    return stat.st_mtime_ns, stat.st_size


def _scan(folders: Iterable[Path]) -> tuple[dict[str, tuple[int, int]], dict[str, object]]:
    """Every file under ``folders`` (a folder may also be a file) with its modification time
    and size; and what a quick look compares: each folder's and sub-folder's own state (a
    file added, removed or renamed changes its folder's) and each given path's (one that
    does not exist yet may appear)."""
    files: dict[str, tuple[int, int]] = {}
    looks: dict[str, object] = {}
    for folder in folders:
        looks[str(folder)] = _stat(folder)
        if folder.is_file():
            if (state := _stat(folder)) is not None:
                files[str(folder)] = state
            continue
        if not folder.is_dir():
            continue
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            looks[root] = _stat(root)
            for name in names:
                path = os.path.join(root, name)
                if os.path.isfile(path) and (state := _stat(path)) is not None:
                    files[path] = state
    return files, looks


def _files(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    return _scan(folders)[0]


WATCH_INTERVAL = 0.05  # seconds between two looks at the project's files (a few hundred stats)
PACKAGE_INTERVAL = 2.0  # the package's own plugins and templates (they rarely change): seconds
CONNECTION_TIMEOUT = 10.0  # seconds an idle connection is kept
MAX_WORKERS = 16  # connections served at once; more wait in the listen queue


def _host_allowed(host: str | None, port: int) -> bool:
    """Whether a request's Host header names this server (127.0.0.1 or localhost): a page
    of another site that rebinds its name to 127.0.0.1 sends its own name and is refused."""
    if not host:
        return False
    name, _, given = host.strip().lower().rpartition(":")
    if not name or given.startswith("["):  # no port written
        name, given = host.strip().lower(), str(port)
    return name in ("127.0.0.1", "localhost") and given == str(port)


class _BoundedServer(ThreadingHTTPServer):
    """A threading server with a bounded number of workers that ignores clients going away
    (a reload mid-page resets the connection: nothing to report)."""

    daemon_threads = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._slots = threading.BoundedSemaphore(MAX_WORKERS)

    def process_request(self, request: object, client_address: object) -> None:
        self._slots.acquire()  # the accept loop waits here; the kernel queues the rest
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: object, client_address: object) -> None:
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that reset, went away or idled: quietly closed
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_termination() -> Callable[[], None]:
    """SIGTERM and SIGHUP stop the preview as Ctrl-C does, so that its chart worker stops
    with it (unless they are ignored, as under ``nohup``); returns what puts the previous
    handlers back (nothing outside the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:  # not nohup's
            saved[number] = signal.signal(number, _interrupt)

    def restore() -> None:
        for number, handler in saved.items():
            signal.signal(number, handler)

    return restore


class Preview:
    """One report project under watch: its latest HTML, findings and build number."""

    def __init__(self, config_path: Path, console: Console = SILENT) -> None:
        self.config_path = Path(config_path).absolute()
        self.console = console
        self.version = 0
        self.page = b""
        self.banner = ""
        self._project: dict[str, tuple[int, int]] | None = None  # files and their states
        self._looks: dict[str, object] = {}  # what a quick look compares (see _scan)
        self._package: dict[str, tuple[int, int]] | None = None
        self._package_folders: list[Path] = []
        self._package_due = 0.0  # when the package's folders are walked next (monotonic)
        self._lock = threading.Lock()
        self.charts = KeptDrawer()  # one chart worker for every build of this preview

    @property
    def output_dir(self) -> Path:
        return self.config_path.parent / CACHE_DIR / "preview"

    def watched(self) -> list[Path]:
        """The config, its folder's submissions and templates, and every plugin folder."""
        project, package = self._split()
        return project + package

    def _split(self) -> tuple[list[Path], list[Path]]:
        """The project's watched paths (the config, its folder's submissions and templates,
        the submission and plugin folders it names), and the package's own plugins and
        templates when they are not among them."""
        project = self.config_path.parent
        folders = [self.config_path, project / "submissions", project / "templates"]
        try:
            config = load_config(self.config_path)
            folders += list(config.submissions.values())
            folders += list(config.plugin_folders)
        except CchcError:
            pass  # a broken config is shown by build(); keep watching what we can
        package = [resources.plugins_dir(), resources.templates_dir()]
        return folders, [p for p in package if p not in folders]

    def _moved(self) -> bool:
        """Whether a quick look (one ``stat`` per known file and folder) sees any change."""
        if self._project is None:
            return True
        for path, state in self._looks.items():
            if _stat(path) != state:
                return True
        return any(_stat(path) != state for path, state in self._project.items())

    def changed(self) -> bool:
        """Whether any watched file changed since the last call (the first call says yes).

        The project's files are looked at on every call, by a ``stat`` of each known file
        and folder (they are walked again when one moved); the package's own folders are
        walked at most every :data:`PACKAGE_INTERVAL` seconds.
        """
        changed = False
        if self._moved():
            project, self._package_folders = self._split()
            files, self._looks = _scan(project)
            changed = files != self._project
            self._project = files
        now = time.monotonic()
        if now >= self._package_due:
            self._package_due = now + PACKAGE_INTERVAL
            files = _files(self._package_folders)
            changed = changed or files != self._package
            self._package = files
        return changed

    def build(self) -> None:
        """Rebuild the HTML; whatever happens, the page shows the latest state."""
        from ..pipeline import Pipeline

        started = time.perf_counter()
        try:
            config = load_config(self.config_path)
            lock = ProjectLock(config.project_dir, notify=self.console.warn, purpose="xem trước")
            with (
                lock,
                Pipeline(config, console=self.console, keep_going=True, charts=self.charts) as p,
            ):
                result = p.build(["md", PAGE], self.output_dir, {PAGE: linked_page(PAGE)})
            page = result.outputs[PAGE].read_bytes()
            problems = [f for f in result.report.findings if f.severity.value != "info"]
            problems_text = [f"[{f.plugin}] {f}" for f in problems] + result.failures
            banner = self._banner(problems_text)
        except (CchcError, BrokenProcessPool) as exc:
            if isinstance(exc, BrokenProcessPool):  # the chart worker died: start another
                self.charts.shutdown()
                exc = CchcError("Tiến trình vẽ biểu đồ dừng đột ngột; lưu lại tệp để dựng lại.")
            page = self.page or b"<html><body></body></html>"
            banner = self._banner([str(exc)], title="Không dựng được báo cáo")
        with self._lock:
            self.page, self.banner = page, banner
            self.version += 1
        self.charts.start()  # the next change's chart finds matplotlib imported
        elapsed = time.perf_counter() - started
        self.console.warn(f"Xem trước: đã dựng lại lần {self.version} ({elapsed:.1f} giây).")

    @staticmethod
    def _banner(lines: list[str], title: str = "Bài nộp còn vấn đề cần sửa") -> str:
        if not lines:
            return ""
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[:200])
        return (
            '<div id="cchc-xem-truoc" style="border:2px solid #b00;padding:.5rem 1rem;'
            f'margin:1rem;font-family:sans-serif"><strong>{html.escape(title)}</strong>'
            f"<ul>{items}</ul></div>"
        )

    def served_page(self) -> bytes:
        """The HTML with the findings banner and the reload script (only as served)."""
        with self._lock:
            page, banner, version = self.page, self.banner, self.version
        extra = (banner + RELOAD_SCRIPT % version).encode("utf-8")
        marker = b"<body>"
        if marker in page:
            return page.replace(marker, marker + extra, 1)
        return extra + page

    def picture(self, path: str) -> tuple[bytes, str] | None:
        """A picture of the page (``/media/…``: the build's charts and the narratives'
        pictures), or None for any other path: only a known kind of picture, only from the
        preview's own media folder, never through ``..`` or a link out of it; its type
        told by its content, as the intake tells it."""
        from ..intake.pictures import kind_of

        name = urllib.parse.unquote(path.split("?", 1)[0])
        if not name.startswith(f"/{MEDIA}/") or "\\" in name:
            return None
        folder = (self.output_dir / MEDIA).resolve()
        try:
            found = (folder / name.removeprefix(f"/{MEDIA}/")).resolve()
            found.relative_to(folder)
            data = found.read_bytes()
        except (OSError, ValueError):
            return None
        kind = PICTURE_TYPES.get(kind_of(data) or "")
        return (data, kind) if kind is not None else None

    def serve(self, port: int = 8000) -> ThreadingHTTPServer:
        """Serve the page on 127.0.0.1 in a background thread; ``port=0`` picks a free one."""
        preview = self

        class Handler(BaseHTTPRequestHandler):
            timeout = CONNECTION_TIMEOUT  # an idle connection is closed, not kept forever

            def do_GET(self) -> None:
                if not _host_allowed(self.headers.get("Host"), self.server.server_address[1]):
                    self.send_error(421, "Misdirected Request")  # DNS rebinding: not for us
                    return
                picture = None
                if self.path == "/__version":
                    body = json.dumps({"version": preview.version}).encode()
                    kind = "application/json"
                elif self.path in ("/", "/index.html"):
                    body, kind = preview.served_page(), "text/html; charset=utf-8"
                elif (picture := preview.picture(self.path)) is not None:
                    body, kind = picture
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("X-Content-Type-Options", "nosniff")
                if picture is not None:
                    self.send_header("Content-Security-Policy", PICTURE_POLICY)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # quiet: the console shows builds
                return

        server = _BoundedServer(("127.0.0.1", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def close(self) -> None:
        """Stop the chart worker."""
        self.charts.shutdown()

    def run(self, port: int, interval: float = WATCH_INTERVAL) -> None:
        """Build, serve, and rebuild on every change until interrupted (Ctrl-C, SIGTERM)."""
        restore = _stop_on_termination()
        try:
            self.changed()
            self.build()
            server = self.serve(port)
            host, bound = server.server_address[:2]
            self.console.warn(f"Xem trước tại http://{host}:{bound}/ (Ctrl-C để dừng).")
            try:
                while True:
                    time.sleep(interval)
                    if self.changed():
                        self.build()
            finally:
                server.shutdown()
        finally:
            self.close()
            restore()
