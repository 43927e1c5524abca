"""Who may see what, checked on the server for every route: a department its own section
only (reading and sending), the coordinator every section (reading) and the board. A refusal
is a 403 written to the audit log, and nothing is changed."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user

from . import audit
from .app import db_session, portal

OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static"}


def _refuse(section: str | None) -> None:
    audit.record(db_session(), current_user.name, "refused", section,
                 f"{request.method} {request.path}")  # fmt: skip
    abort(403)


def known_section(name: str) -> None:
    if name not in portal()["titles"]:
        abort(404)


def may_read(name: str) -> None:
    """The section's own account, or the coordinator."""
    known_section(name)
    if not (current_user.is_coordinator or current_user.section == name):
        _refuse(name)


def may_send(name: str) -> None:
    """The section's own account only."""
    known_section(name)
    if current_user.is_coordinator or current_user.section != name:
        _refuse(name)


def coordinator_only() -> None:
    if not current_user.is_coordinator:
        _refuse(None)


def password_first():  # type: ignore[no-untyped-def]
    """Before any page, an account with a one-time password chooses its own."""
    if (
        current_user.is_authenticated
        and current_user.must_change
        and request.endpoint not in OPEN_ENDPOINTS
    ):
        return redirect(url_for("auth.change_password"))
    return None
