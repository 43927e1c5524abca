"""The audit log: who logged in, sent, built or downloaded what, and when. Append-only:
nothing in the portal changes or deletes a line, and the database refuses to (triggers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEvent

ACTIONS = {
    "login": "đăng nhập",
    "login_failed": "đăng nhập sai",
    "locked": "khóa tài khoản",
    "unlock": "mở khóa tài khoản",
    "logout": "đăng xuất",
    "password": "đổi mật khẩu",
    "upload": "gửi bài",
    "upload_refused": "tệp bị từ chối",
    "download": "tải về",
    "build": "dựng dự thảo",
    "build_done": "dựng xong",
    "build_failed": "dựng không thành",
    "refused": "bị từ chối truy cập",
    "account": "tài khoản",
}


def record(db: Session, actor: str, action: str, section: str | None = None,
           detail: str = "") -> None:  # fmt: skip
    """Add one line and commit it at once, whatever the caller does next."""
    db.add(AuditEvent(actor=actor, action=action, section=section, detail=detail[:2000]))
    db.commit()


def latest(db: Session, limit: int = 500) -> list[AuditEvent]:
    """The newest lines first."""
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
