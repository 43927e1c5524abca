"""Accounts: made by ``cchc users``, logged in with throttling and lock-out.

A department's account is bound to one section; the coordinator sees every section. A
failed login makes the next one wait (a doubling delay after the second failure) and the
account locks after ``[portal] lockout`` failures in a row, until the coordinator unlocks
it or ``cchc users reset`` gives a new one-time password."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConfigError
from .models import COORDINATOR, DEPARTMENT, User, now
from .passwords import hash_password, one_time_password, verify_password

FREE_FAILURES = 2  # failures before the next attempt has to wait
MAX_DELAY = 300  # seconds
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def name_problem(name: str) -> str | None:
    if not 2 <= len(name) <= 64 or not set(name) <= _NAME_CHARS:
        return (
            f"Tên đăng nhập “{name}” không hợp lệ: dùng 2-64 ký tự a-z, 0-9, dấu - _ . "
            "(không dấu, không cách)."
        )
    return None


def add_user(db: Session, name: str, section: str | None, sections: list[str]) -> str:
    """Make an account; return its one-time password. ``section`` None: the coordinator."""
    problem = name_problem(name)
    if problem:
        raise ConfigError(problem, "Ví dụ: cchc users add stp --department stp.")
    if section is not None and section not in sections:
        from ..config import did_you_mean

        raise ConfigError(
            f"Không có phần “{section}” trong báo cáo.{did_you_mean(section, sections)}",
            "Các phần có: " + ", ".join(sections) + ".",
        )
    if db.scalar(select(User).where(User.name == name)) is not None:
        raise ConfigError(
            f"Đã có tài khoản “{name}”.", f"Cấp lại mật khẩu bằng: cchc users reset {name}."
        )
    password = one_time_password()
    db.add(
        User(
            name=name,
            role=DEPARTMENT if section else COORDINATOR,
            section=section,
            password_hash=hash_password(password),
            must_change=True,
            failures=0,
            locked=False,
            session_token=secrets.token_hex(16),
        )
    )
    db.commit()
    return password


def find(db: Session, name: str) -> User | None:
    return db.scalar(select(User).where(User.name == name))


def reset_password(db: Session, name: str) -> str:
    """A new one-time password; unlocks the account and ends its sessions."""
    user = find(db, name)
    if user is None:
        raise ConfigError(f"Không có tài khoản “{name}”.", "Xem danh sách bằng “cchc users list”.")
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change = True
    user.failures, user.locked = 0, False
    user.session_token = secrets.token_hex(16)
    db.commit()
    return password


def set_password(db: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.must_change = False
    user.session_token = secrets.token_hex(16)
    db.commit()


def unlock(db: Session, user: User) -> None:
    user.failures, user.locked = 0, False
    db.commit()


def delay(user: User) -> int:
    """Seconds the next attempt must wait after the last failure."""
    if user.failures <= FREE_FAILURES:
        return 0
    return min(MAX_DELAY, 2 ** (user.failures - FREE_FAILURES))


@dataclass(frozen=True)
class Attempt:
    """The outcome of a login: the user, or why not (Vietnamese)."""

    user: User | None
    problem: str | None = None
    wait: int = 0
    locked_now: bool = False


WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def attempt(db: Session, name: str, password: str, lockout: int,
            clock: dt.datetime | None = None) -> Attempt:  # fmt: skip
    """Check a login; count the failure, throttle, lock after ``lockout`` failures."""
    moment = clock or now()
    user = find(db, name)
    if user is None:
        verify_password(_DUMMY, password)  # the same time as for a real account
        return Attempt(None, WRONG)
    if user.locked:
        return Attempt(None, "Tài khoản đang bị khóa vì đăng nhập sai nhiều lần; đề nghị cơ quan "
                             "tổng hợp mở khóa hoặc cấp lại mật khẩu.")  # fmt: skip
    wait = delay(user)
    if wait and user.last_failure is not None:
        left = wait - int((moment - user.last_failure).total_seconds())
        if left > 0:
            return Attempt(None, f"Đăng nhập sai nhiều lần; thử lại sau {left} giây.", wait=left)
    if verify_password(user.password_hash, password):
        user.failures = 0
        db.commit()
        return Attempt(user)
    user.failures += 1
    user.last_failure = moment
    locked_now = user.failures >= lockout
    user.locked = locked_now
    db.commit()
    if locked_now:
        return Attempt(None, "Đăng nhập sai quá nhiều lần; tài khoản đã bị khóa. Đề nghị cơ quan "
                             "tổng hợp mở khóa.", locked_now=True)  # fmt: skip
    return Attempt(None, WRONG)


_DUMMY = hash_password("không-phải-mật-khẩu")
