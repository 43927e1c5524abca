"""The coordinator's pages: the board, the build, its outputs, the accounts, the audit log."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from . import accounts, audit
from .access import coordinator_only
from .app import db_session, portal
from .board import reminder, rows
from .builds import comparisons, outputs
from .checking import check_all
from .forms import ActionForm, BuildForm
from .models import User

blueprint = Blueprint("coordinator", __name__, url_prefix="/tong-hop")


@blueprint.before_request
@login_required
def _only_coordinator():  # type: ignore[no-untyped-def]
    coordinator_only()


def _checks():  # type: ignore[no-untyped-def]
    """Every section checked now; while a build holds the pipeline, the last board."""
    state = portal()
    if state["builder"].running and state["board"] is not None:
        return state["board"]
    state["board"] = check_all(state["config_path"])
    return state["board"]


@blueprint.route("/")
def board():  # type: ignore[no-untyped-def]
    board_rows = rows(db_session(), _checks(), portal()["settings"], dt.date.today())
    builder = portal()["builder"]
    files = outputs(portal()["config_path"])
    return render_template(
        "board.html", rows=board_rows, reminder=reminder(board_rows), form=BuildForm(),
        job=builder.current, files=files, comparisons=comparisons(files),
    )  # fmt: skip


@blueprint.route("/dung", methods=["POST"])
def build():  # type: ignore[no-untyped-def]
    form = BuildForm()
    if not form.validate_on_submit():
        abort(400)
    formats = ["docx"] if form.only_docx.data else None
    job = portal()["builder"].start(current_user.name, formats, bool(form.keep_going.data))
    if job is None:
        flash("Đang có một lần dựng; chờ lần đó xong.", "error")
    else:
        chosen = "theo cấu hình" if formats is None else "docx"
        audit.record(db_session(), current_user.name, "build", detail=f"định dạng: {chosen}")
    return redirect(url_for(".build_status")), 303


@blueprint.route("/dung")
def build_status():  # type: ignore[no-untyped-def]
    files = outputs(portal()["config_path"])
    return render_template("build.html", job=portal()["builder"].current, files=files,
                           comparisons=comparisons(files))  # fmt: skip


@blueprint.route("/ket-qua/<name>")
def output_file(name: str):  # type: ignore[no-untyped-def]
    files = outputs(portal()["config_path"])
    if name not in files:  # only a name of the listing: never a path from the request
        abort(404)
    audit.record(db_session(), current_user.name, "download", detail=name)
    return send_file(files[name], as_attachment=True, download_name=name)


@blueprint.route("/nhat-ky")
def log():  # type: ignore[no-untyped-def]
    return render_template("audit.html", events=audit.latest(db_session()),
                           actions=audit.ACTIONS)  # fmt: skip


@blueprint.route("/tai-khoan")
def users():  # type: ignore[no-untyped-def]
    found = list(db_session().scalars(select(User).order_by(User.name)))
    return render_template("users.html", users=found, form=ActionForm())


@blueprint.route("/tai-khoan/<int:user_id>/mo-khoa", methods=["POST"])
def unlock(user_id: int):  # type: ignore[no-untyped-def]
    if not ActionForm().validate_on_submit():
        abort(400)
    db = db_session()
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    accounts.unlock(db, user)
    audit.record(db, current_user.name, "unlock", user.section, user.name)
    flash(f"Đã mở khóa tài khoản {user.name}.", "ok")
    return redirect(url_for(".users")), 303
