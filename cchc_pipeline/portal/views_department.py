"""A department's page: its forms, its upload, its findings, preview and history."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..config import load_config
from ..intake import limits as intake_limits
from . import audit, blobs, history
from .access import may_read, may_send
from .app import db_session, portal
from .checking import check_section, checked_now, figures_diff, findings_json, preview_html
from .forms import UploadForm
from .settings import current_config
from .uploads import Accepted, Refused, check_upload

blueprint = Blueprint("department", __name__, url_prefix="/don-vi")
FORM_FILES = {"so-lieu": "so-lieu.xlsx", "bao-cao": "bao-cao.docx"}
MAX_FILES = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _folder(section: str) -> Path:
    config = current_config(portal()["config_path"])
    configured = config.submissions.get(section)
    return configured if configured is not None else config.project_dir / "submissions" / section


def _department(section: str):  # type: ignore[no-untyped-def]
    from ..workflow.findings_report import DepartmentFindings

    check = check_section(portal()["config_path"], section)
    title = portal()["titles"].get(section, section)
    entry = DepartmentFindings(section, title, "", checked_now(), tuple(check.findings))
    return check, entry


@blueprint.route("/<section>")
@login_required
def page(section: str):  # type: ignore[no-untyped-def]
    may_read(section)
    check, entry = _department(section)
    versions = history.versions(db_session(), section)
    can_send = not current_user.is_coordinator
    return render_template(
        "department.html", section=section, check=check, rows=entry.rows(),
        versions=versions, form=UploadForm(), can_send=can_send,
        building=portal()["builder"].running,
    )  # fmt: skip


@blueprint.route("/<section>/mau/<which>")
@login_required
def form_file(section: str, which: str):  # type: ignore[no-untyped-def]
    may_read(section)
    if which not in FORM_FILES:
        abort(404)
    from ..workflow.forms import write_forms

    config_path = portal()["config_path"]
    folder = portal()["settings"].folder / "forms" / section
    target = folder / FORM_FILES[which]
    stale = not target.exists() or target.stat().st_mtime < config_path.stat().st_mtime
    if stale:
        folder.mkdir(parents=True, exist_ok=True)
        config = load_config(config_path, submissions_needed=False)
        write_forms(config, section, folder, force=True)
    if not target.exists():
        abort(404)  # the coordinator's section has no Excel form
    audit.record(db_session(), current_user.name, "download", section, f"mẫu {target.name}")
    return send_file(target, as_attachment=True, download_name=f"{section}-{target.name}")


@blueprint.route("/<section>/tai-len", methods=["POST"])
@login_required
def upload(section: str):  # type: ignore[no-untyped-def]
    may_send(section)
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    if portal()["builder"].running:
        flash("Cơ quan tổng hợp đang dựng dự thảo; gửi lại sau ít phút.", "error")
        return redirect(url_for(".page", section=section)), 303
    files = [f for f in request.files.getlist(form.files.name) if f and f.filename]
    if not files:
        flash("Chưa chọn tệp nào.", "error")
        return redirect(url_for(".page", section=section)), 303
    if len(files) > MAX_FILES:
        flash(f"Mỗi lần gửi tối đa {MAX_FILES} tệp.", "error")
        return redirect(url_for(".page", section=section)), 303
    settings = portal()["settings"]
    limits = intake_limits.of(current_config(portal()["config_path"]))
    db = db_session()
    accepted: list[Accepted] = []
    for item in files:
        data = item.stream.read(settings.upload_bytes + 1)
        outcome = check_upload(item.filename or "", data, limits, settings.upload_bytes)
        if isinstance(outcome, Refused):
            audit.record(db, current_user.name, "upload_refused", section, outcome.message)
            flash(f"{outcome.message} {outcome.hint}", "error")
        else:
            accepted.append(outcome)
    if accepted:
        config_path = portal()["config_path"]
        with history.section_lock(section):
            base = history.baseline(db, settings.blobs, section, _folder(section))
            if base is not None:  # the folder as it was, checked before it changes
                _keep_check(base, check_section(config_path, section))
            version = history.add_version(db, settings.blobs, section, _folder(section),
                                          current_user.name, accepted)  # fmt: skip
            _keep_check(version, check_section(config_path, section))
        names = ", ".join(f"{a.sent_as} → {a.name}" for a in accepted)
        audit.record(
            db, current_user.name, "upload", section, f"phiên bản {version.number}: {names}"
        )
        flash(f"Đã nhận phiên bản {version.number}: {names}.", "ok")
    return redirect(url_for(".page", section=section) + "#ket-qua"), 303


def _keep_check(version, check) -> None:  # type: ignore[no-untyped-def]
    version.errors, version.warnings = check.errors, check.warnings
    version.findings = findings_json(check.findings)
    version.figures = json.dumps({"values": check.figures, "labels": check.labels},
                                 ensure_ascii=False)  # fmt: skip
    db_session().commit()


@blueprint.route("/<section>/ket-qua-kiem-tra.xlsx")
@login_required
def findings_file(section: str):  # type: ignore[no-untyped-def]
    may_read(section)
    from ..workflow.findings_report import file_name, write_xlsx

    _check, entry = _department(section)
    with tempfile.TemporaryDirectory(prefix="cchc-findings-") as scratch:
        path = Path(scratch) / "ket-qua.xlsx"
        write_xlsx(entry, path)
        data = path.read_bytes()
    audit.record(db_session(), current_user.name, "download", section, file_name(section, "xlsx"))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=file_name(section, "xlsx"))  # fmt: skip


@blueprint.route("/<section>/xem-truoc")
@login_required
def preview(section: str):  # type: ignore[no-untyped-def]
    may_read(section)
    body = preview_html(portal()["config_path"], section)
    return render_template("preview.html", section=section, body=body)


@blueprint.route("/<section>/phien-ban/<int:number>/<int:file_id>")
@login_required
def version_file(section: str, number: int, file_id: int):  # type: ignore[no-untyped-def]
    may_read(section)
    version = history.get(db_session(), section, number)
    if version is None:
        abort(404)
    found = next((f for f in version.files if f.id == file_id), None)
    if found is None:
        abort(404)
    data = blobs.load(portal()["settings"].blobs, found.sha256)
    audit.record(db_session(), current_user.name, "download", section,
                 f"phiên bản {number}: {found.name}")  # fmt: skip
    return send_file(io.BytesIO(data), as_attachment=True,
                     download_name=f"v{number}-{Path(found.name).name}")  # fmt: skip


@blueprint.route("/<section>/so-sanh")
@login_required
def compare(section: str):  # type: ignore[no-untyped-def]
    may_read(section)
    db = db_session()
    numbers = [request.args.get("tu", type=int), request.args.get("den", type=int)]
    found = [history.get(db, section, n) if n else None for n in numbers]
    if None in found:
        abort(404)
    old, new = (json.loads(v.figures or "{}") for v in found)  # type: ignore[union-attr]
    labels = {**old.get("labels", {}), **new.get("labels", {})}
    changes = figures_diff(old.get("values", {}), new.get("values", {}), labels)
    return render_template("compare.html", section=section, old=found[0], new=found[1],
                           changes=changes)  # fmt: skip
