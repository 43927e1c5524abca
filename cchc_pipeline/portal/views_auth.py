"""Logging in and out, and choosing one's own password at the first login."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import accounts, audit
from .access import password_first
from .app import db_session, portal
from .forms import ActionForm, LoginForm, PasswordForm
from .passwords import password_problem, verify_password

blueprint = Blueprint("auth", __name__)
blueprint.before_app_request(password_first)


def home_of(user) -> str:  # type: ignore[no-untyped-def]
    if user.is_coordinator:
        return url_for("coordinator.board")
    return url_for("department.page", section=user.section)


@blueprint.route("/")
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_of(current_user))


@blueprint.route("/dang-nhap", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = db_session()
        name = form.name.data.strip().lower()
        clock = current_app.config.get("PORTAL_CLOCK")
        result = accounts.attempt(db, name, form.password.data, portal()["settings"].lockout,
                                  clock() if clock else None)  # fmt: skip
        if result.user is not None:
            login_user(result.user)
            audit.record(db, result.user.name, "login", result.user.section)
            return redirect(home_of(result.user))
        audit.record(db, name[:64], "locked" if result.locked_now else "login_failed",
                     detail=result.problem or "")  # fmt: skip
        flash(result.problem or accounts.WRONG, "error")
        status = 429 if result.wait else 401
    return render_template("login.html", form=form), status


@blueprint.route("/dang-xuat", methods=["POST"])
@login_required
def logout():  # type: ignore[no-untyped-def]
    if ActionForm().validate_on_submit():
        audit.record(db_session(), current_user.name, "logout", current_user.section)
        logout_user()
    return redirect(url_for("auth.login"))


@blueprint.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = PasswordForm()
    if form.validate_on_submit():
        problem = None
        if not verify_password(current_user.password_hash, form.current.data):
            problem = "Mật khẩu hiện tại không đúng."
        elif form.new.data == form.current.data:
            problem = "Mật khẩu mới phải khác mật khẩu được cấp."
        else:
            problem = password_problem(form.new.data, current_user.name)
        if problem is None:
            db = db_session()
            user = current_user._get_current_object()
            accounts.set_password(db, user, form.new.data)
            audit.record(db, user.name, "password", user.section)
            login_user(user)  # the session token changed with the password
            flash("Đã đổi mật khẩu.", "ok")
            return redirect(home_of(user))
        flash(problem, "error")
    return render_template("password.html", form=form)
