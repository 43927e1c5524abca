"""Passwords: argon2id hashes, one-time passwords to hand over, the rule for a new one."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommendation scaled to OWASP's minimum (19 MiB, 2 passes): twenty
# logins at once stay well inside an office server's memory.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing to misread
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """Twelve characters read out or written down without confusion (no 0/O, 1/l/I)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def password_problem(password: str, name: str) -> str | None:
    """Why a chosen password is refused (Vietnamese), or None."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
    if name.casefold() in password.casefold():
        return "Mật khẩu không được chứa tên đăng nhập."
    if len(set(password)) < 4:
        return "Mật khẩu quá đơn giản; dùng nhiều ký tự khác nhau."
    return None
