"""The coordinator's board: each section's last submission, findings and deadline, and the
list of who has not sent or is not ready, written to be pasted into an email."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import history
from .checking import SectionCheck
from .settings import PortalSettings


@dataclass(frozen=True)
class Row:
    """One section on the board."""

    name: str
    title: str
    last_sent: dt.datetime | None
    last_author: str | None
    version: int | None
    errors: int
    warnings: int
    ready: bool
    deadline: dt.date | None
    late: bool
    has_files: bool = True

    @property
    def state(self) -> str:
        return "Sẵn sàng" if self.ready else "Chưa sẵn sàng"


def _local_day(moment: dt.datetime) -> dt.date:
    """The office's day of a time stored in UTC."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone().date()


def rows(db: Session, checks: list[SectionCheck], settings: PortalSettings,
         today: dt.date) -> list[Row]:  # fmt: skip
    found = []
    for check in checks:
        last = history.latest(db, check.name)
        sent = last if last is not None and last.author != history.BASELINE_AUTHOR else None
        deadline = settings.deadline_of(check.name)
        # late: still not ready after the deadline, or the last version sent after it
        late = deadline is not None and (
            (not check.ready and today > deadline)
            or (sent is not None and _local_day(sent.created_at) > deadline)
        )
        found.append(
            Row(check.name, check.title, sent.created_at if sent else None,
                sent.author if sent else None, last.number if last else None,
                check.errors, check.warnings, check.ready, deadline, late, check.has_files)
        )  # fmt: skip
    return found


def reminder(board: list[Row]) -> str:
    """The text of an email to those not ready: who, and why."""
    waiting = [r for r in board if not r.ready]
    if not waiting:
        return "Tất cả các đơn vị đã gửi bài nộp đạt yêu cầu."
    lines = ["Kính gửi các đơn vị,", "",
             "Đến nay các đơn vị sau chưa gửi hoặc bài nộp còn lỗi cần sửa:"]  # fmt: skip
    for row in waiting:
        why = f"còn {row.errors} lỗi cần sửa" if row.has_files else "chưa gửi bài nộp"
        due = (
            f" (hạn {row.deadline:%d/%m/%Y}{', đã quá hạn' if row.late else ''})"
            if row.deadline
            else ""
        )
        lines.append(f"- {row.title}: {why}{due}.")
    lines += ["", "Đề nghị các đơn vị đăng nhập cổng nộp bài để xem chi tiết và gửi lại."]
    return "\n".join(lines)
