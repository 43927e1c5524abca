"""The portal's Flask application: settings, database, sessions, security headers.

Every route checks on the server what the account may see (:mod:`.access`); cookies are
HttpOnly and SameSite=Lax (Secure with ``[portal] secure_cookies`` behind HTTPS); every form
carries a CSRF token; the Content-Security-Policy allows no inline script, and the pages
need no script at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..config import load_config
from . import audit
from .builds import Builder, BuildJob
from .database import make_engine, migrate, sessions
from .models import User
from .settings import secret_key, settings_of

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MAX_REQUEST_MB = 256  # all files of one upload together


def create_app(config_path: Path, *, testing: bool = False,
               overrides: dict[str, Any] | None = None) -> Flask:  # fmt: skip
    """The application over the project of ``config_path``."""
    config_path = Path(config_path).absolute()
    config = load_config(config_path)
    settings = settings_of(config)
    engine = make_engine(settings.database)
    migrate(engine)
    Session = sessions(engine)

    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=MAX_REQUEST_MB * 2**20,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        TESTING=testing,
    )
    app.config.update(overrides or {})
    app.extensions["cchc"] = {
        "config_path": config_path,
        "settings": settings,
        "engine": engine,
        "sessions": Session,
        "board": None,  # the last board, shown while a build holds the pipeline
    }

    def build_ended(job: BuildJob) -> None:
        with Session() as db:
            action = "build_done" if job.success else "build_failed"
            audit.record(db, job.actor, action, detail=job.message)

    app.extensions["cchc"]["builder"] = Builder(config_path, build_ended)

    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Đề nghị đăng nhập để tiếp tục."
    login.session_protection = "strong"

    @login.user_loader
    def load_user(value: str) -> User | None:
        ident, _, token = value.partition(":")
        if not ident.isdigit():
            return None
        user = db_session().get(User, int(ident))
        if user is None or user.session_token != token or user.locked:
            return None
        return user

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def page(status: int, title: str, text: str):  # type: ignore[no-untyped-def]
        return render_template("error.html", title=title, text=text), status

    app.register_error_handler(
        CSRFError,
        lambda _e: page(
            400,
            "Phiên làm việc đã hết hạn",
            "Biểu mẫu đã cũ hoặc không hợp lệ; tải lại trang rồi làm lại.",
        ),
    )
    app.register_error_handler(
        403,
        lambda _e: page(
            403, "Không có quyền", "Tài khoản này không được xem hay sửa nội dung này."
        ),
    )
    app.register_error_handler(
        404, lambda _e: page(404, "Không tìm thấy", "Trang hoặc tệp này không có.")
    )
    app.register_error_handler(
        413,
        lambda _e: page(
            413, "Tệp quá lớn", f"Mỗi lần gửi tối đa {MAX_REQUEST_MB} MB; gửi từng tệp một."
        ),
    )

    from .views_auth import blueprint as auth
    from .views_coordinator import blueprint as coordinator
    from .views_department import blueprint as department

    app.register_blueprint(auth)
    app.register_blueprint(department)
    app.register_blueprint(coordinator)
    app.jinja_env.globals["title_of"] = lambda name: portal()["titles"].get(name, name)
    app.jinja_env.filters["local"] = local_time
    app.extensions["cchc"]["titles"] = _titles(config)
    return app


def local_time(moment: dt.datetime, form: str = "%H:%M %d/%m/%Y") -> str:
    """A time stored in UTC, shown in the server's time zone (the office's)."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone().strftime(form)


def _titles(config: Any) -> dict[str, str]:
    from .checking import sections_of

    return sections_of(config)


def portal() -> dict[str, Any]:
    from flask import current_app

    return current_app.extensions["cchc"]


def db_session():  # type: ignore[no-untyped-def]
    """The request's database session (closed at the end of the request)."""
    if "db" not in g:
        g.db = portal()["sessions"]()
    return g.db
