"""``cchc serve``: the portal served by waitress (a production WSGI server that also runs on
Windows), on 127.0.0.1 unless ``--host`` says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

LOCAL = ("127.0.0.1", "localhost", "::1")


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
    waitress_serve(app, host=host, port=port, threads=threads, ident="cchc",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"])  # fmt: skip
