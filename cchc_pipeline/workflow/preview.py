"""``cchc preview``: rebuild the web version on every change and show it on localhost.

The coordinator keeps a browser open while a department reads out a correction on the phone:
the config, the submissions, the plugins and the templates are watched (by polling their
modification times: no extra dependency, works on every file system), each change rebuilds
the HTML incrementally (the build cache makes an unchanged section free), and the page
reloads itself. Problems in the submissions do not stop the preview: the report is built
with ``--keep-going`` and the findings are shown in a banner above it. The page is served to
this machine only (127.0.0.1), and the preview writes to the cache folder, never over the
real outputs.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .. import resources
from ..cache import CACHE_DIR
from ..config import load_config
from ..console import SILENT, Console
from ..errors import CchcError
from ..lock import ProjectLock

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


def _files(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    found = {}
    for folder in folders:
        if folder.is_file():
            stat = folder.stat()
            found[str(folder)] = (stat.st_mtime_ns, stat.st_size)
            continue
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


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


class Preview:
    """One report project under watch: its latest HTML, findings and build number."""

    def __init__(self, config_path: Path, console: Console = SILENT) -> None:
        self.config_path = Path(config_path).absolute()
        self.console = console
        self.version = 0
        self.page = b""
        self.banner = ""
        self._signature: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    @property
    def output_dir(self) -> Path:
        return self.config_path.parent / CACHE_DIR / "preview"

    def watched(self) -> list[Path]:
        """The config, its folder's submissions and templates, and every plugin folder."""
        project = self.config_path.parent
        folders = [self.config_path, project / "submissions", project / "templates"]
        folders += [resources.plugins_dir(), resources.templates_dir()]
        try:
            config = load_config(self.config_path)
            folders += list(config.submissions.values())
            folders += list(config.plugin_folders)
        except CchcError:
            pass  # a broken config is shown by build(); keep watching what we can
        return folders

    def changed(self) -> bool:
        """Whether any watched file changed since the last call (the first call says yes)."""
        signature = _files(self.watched())
        if signature == self._signature:
            return False
        self._signature = signature
        return True

    def build(self) -> None:
        """Rebuild the HTML; whatever happens, the page shows the latest state."""
        from ..pipeline import Pipeline

        started = time.perf_counter()
        try:
            config = load_config(self.config_path)
            lock = ProjectLock(config.project_dir, notify=self.console.warn, purpose="xem trước")
            with lock, Pipeline(config, console=self.console, keep_going=True) as pipeline:
                result = pipeline.build(["html"], self.output_dir)
            page = result.outputs["html"].read_bytes()
            problems = [f for f in result.report.findings if f.severity.value != "info"]
            problems_text = [f"[{f.plugin}] {f}" for f in problems] + result.failures
            banner = self._banner(problems_text)
        except CchcError as exc:
            page = self.page or b"<html><body></body></html>"
            banner = self._banner([str(exc)], title="Không dựng được báo cáo")
        with self._lock:
            self.page, self.banner = page, banner
            self.version += 1
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

    def serve(self, port: int = 8000) -> ThreadingHTTPServer:
        """Serve the page on 127.0.0.1 in a background thread; ``port=0`` picks a free one."""
        preview = self

        class Handler(BaseHTTPRequestHandler):
            timeout = CONNECTION_TIMEOUT  # an idle connection is closed, not kept forever

            def do_GET(self) -> None:
                if not _host_allowed(self.headers.get("Host"), self.server.server_address[1]):
                    self.send_error(421, "Misdirected Request")  # DNS rebinding: not for us
                    return
                if self.path == "/__version":
                    body = json.dumps({"version": preview.version}).encode()
                    kind = "application/json"
                elif self.path in ("/", "/index.html"):
                    body, kind = preview.served_page(), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # quiet: the console shows builds
                return

        server = _BoundedServer(("127.0.0.1", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def run(self, port: int, interval: float = 0.5) -> None:
        """Build, serve, and rebuild on every change until interrupted (Ctrl-C)."""
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
