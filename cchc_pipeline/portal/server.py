"""``cchc serve``: the portal served by waitress (a production WSGI server that also runs on
Windows), on 127.0.0.1 unless ``--host`` says otherwise."""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOCAL = ("127.0.0.1", "localhost", "::1")
_M_ARENA_MAX = -8


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


class _Trimmed:
    """The application, giving freed memory back to the system when the last request in
    flight ends: glibc keeps what a burst of uploads used, and an idle server should not."""

    def __init__(self, app: Any, libc: Any) -> None:
        self.app, self.libc = app, libc
        self.busy = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            self.busy += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.busy -= 1
                idle = self.busy == 0
            if idle:
                self.libc.malloc_trim(0)


def wsgi_app(app: Any) -> Any:
    """``app`` as served: on Linux with two malloc arenas (not one per thread) and trimmed."""
    libc = _libc()
    if libc is None:
        return app
    libc.mallopt(_M_ARENA_MAX, 2)
    return _Trimmed(app, libc)


def serve(config_path: Path, host: str, port: int, threads: int = 8,
          say: Callable[[str], None] = print) -> None:  # fmt: skip
    """Run until interrupted."""
    from waitress import serve as waitress_serve

    from .app import create_app

    app = create_app(config_path)
    shown = f"[{host}]" if ":" in host else host
    say(f"Cổng nộp bài chạy tại http://{shown}:{port}/ (dừng: Ctrl-C).")
    if host in LOCAL:
        say("Chỉ máy này truy cập được (127.0.0.1); để mở cho mạng nội bộ, chạy sau một "
            "proxy HTTPS hoặc dùng --host (xem README).")  # fmt: skip
    else:
        say(f"Cảnh báo: đang nhận kết nối từ mạng ở địa chỉ {host}; nên đặt sau proxy HTTPS "
            "và bật secure_cookies trong mục [portal].")  # fmt: skip
    waitress_serve(wsgi_app(app), host=host, port=port, threads=threads, ident="cchc",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"])  # fmt: skip
