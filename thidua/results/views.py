import io

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from thidua.auth.roles import Role
from thidua.errors import WorkflowError
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.notifications.events import ready_for_head
from thidua.paging import bounded_int
from thidua.registration.views import get_initiative_or_404
from thidua.results import bp, permissions, services
from thidua.results.anonymise import StripError, strip_metadata
from thidua.results.forms import EvidenceForm, ReportForm
from thidua.results.models import EvidenceFile
from thidua.results.uploads import RefusedFile, evidence_kind, neutral_download_name
from thidua.storage import get_storage
from thidua.workflow import State


@bp.app_template_global()
def results_section(initiative):
    """What the initiative page shows of Đợt 2, for the current user (None when nothing to show)."""
    if State(initiative.status) in (State.DRAFT, State.WITHDRAWN) or not permissions.can_view(current_user, initiative):
        return None
    report = services.get_report(initiative.id, with_indicators=True)
    files = services.evidence_of(initiative.id)
    editable = False
    if permissions.can_edit(current_user, initiative):
        try:
            services.check_report_editable(initiative)
            editable = True
        except WorkflowError:
            editable = False
    missing = services.missing_for_report(initiative, report, files) if editable else []
    return {
        "report": report, "files": files, "editable": editable, "missing": missing,
        "can_download": permissions.can_download(current_user, initiative),
        "evidence_form": EvidenceForm() if editable else None, "button_form": ButtonForm(),
    }


def _report_form(report) -> ReportForm:
    form = ReportForm(obj=report)
    if request.method == "GET":
        form.version.data = str(report.version) if report is not None else ""
        if report is not None:
            while len(form.indicators.entries) < len(report.indicators) + 1:
                form.indicators.append_entry()
            for entry, row in zip(form.indicators.entries, report.indicators):
                entry.form.name.data = row.name
                entry.form.unit_of_measure.data = row.unit_of_measure
                entry.form.before.data = row.before
                entry.form.after.data = row.after
                entry.form.source.data = row.source
    return form


@bp.route("/sang-kien/<int:initiative_id>/bao-cao", methods=["GET", "POST"])
def edit(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id)
    if not permissions.can_edit(current_user, initiative):
        abort(403)
    campaign = initiative.campaign
    try:
        services.check_report_editable(initiative)
    except WorkflowError as error:
        flash(str(error), "error")
        return redirect(url_for("registration.detail", initiative_id=initiative.id))
    report = services.get_report(initiative.id, with_indicators=True)
    form = _report_form(report)
    status = 200
    if form.validate_on_submit():
        values = {field: getattr(form, field).data for field in services.REPORT_FIELDS}
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            services.save_report(initiative, actor=current_user, values=values, indicators=form.indicator_rows(),
                                 expected_version=expected)
            ready_for_head(initiative, current_user)
            db.session.commit()
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 409 if isinstance(error, services.StaleReport) else 400
        else:
            flash("Đã lưu báo cáo kết quả.", "success")
            return redirect(url_for("registration.detail", initiative_id=initiative.id) + "#ket-qua")
    elif form.errors:
        status = 400
    return render_template("results/form.html", form=form, initiative=initiative, campaign=campaign), status


@bp.post("/sang-kien/<int:initiative_id>/minh-chung")
def upload(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id)
    if not permissions.can_edit(current_user, initiative):
        abort(403)
    form = EvidenceForm()
    target = url_for("registration.detail", initiative_id=initiative.id) + "#minh-chung"
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(target)
    replaces = None
    replace_id = request.form.get("replace", type=bounded_int)
    if replace_id:
        replaces = db.session.get(EvidenceFile, replace_id)
        if replaces is None or replaces.initiative_id != initiative.id:
            abort(404)
    upload_file = form.file.data
    try:
        evidence = services.add_evidence(initiative, upload_file.stream, upload_file.filename, actor=current_user,
                                         description=form.description.data or "", replaces=replaces)
        ready_for_head(initiative, current_user)
        db.session.commit()
    except (RefusedFile, WorkflowError) as error:
        db.session.rollback()
        flash(f"Không tải lên được “{(upload_file.filename or '')[:80]}”: {error}", "error")
    else:
        flash(f"Đã tải lên {evidence.original_name}.", "success")
    return redirect(target)


@bp.post("/sang-kien/<int:initiative_id>/minh-chung/<int:file_id>/xoa")
def remove(initiative_id: int, file_id: int):
    initiative = get_initiative_or_404(initiative_id)
    if not permissions.can_edit(current_user, initiative):
        abort(403)
    evidence = db.session.get(EvidenceFile, file_id)
    if evidence is None or evidence.initiative_id != initiative.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = evidence.original_name
    try:
        services.remove_evidence(initiative, evidence, actor=current_user)
        db.session.commit()
    except WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(f"Đã xóa {name}.", "success")
    return redirect(url_for("registration.detail", initiative_id=initiative.id) + "#minh-chung")


@bp.get("/minh-chung/<int:file_id>")
def download(file_id: int):
    evidence = db.session.get(EvidenceFile, file_id) or abort(404)
    initiative = get_initiative_or_404(evidence.initiative_id)
    if not permissions.can_download(current_user, initiative):
        abort(403)
    try:
        handle = get_storage().open(evidence.storage_key)
    except FileNotFoundError:
        current_app.logger.error("evidence %s: stored file %s is missing", evidence.id, evidence.storage_key)
        abort(404)
    download_name, etag = evidence.original_name, evidence.sha256
    if current_user.role == Role.REVIEWER and initiative.campaign.blind_review:
        # Blind review: the unit's own file name may name the unit, and so may the file's own metadata
        # (author, last saved by, EXIF): a neutral name, and a copy without them (the original stays).
        position = db.session.scalar(
            sa.select(sa.func.count(EvidenceFile.id))
            .where(EvidenceFile.initiative_id == initiative.id, EvidenceFile.id <= evidence.id)
        )
        download_name = neutral_download_name(position, evidence)
        kind = evidence_kind(evidence)
        try:
            with handle:
                stripped = strip_metadata(handle.read(), kind.name if kind else "")
        except StripError as error:
            current_app.logger.warning("evidence %s: not served to a blind reviewer: %s", evidence.id, error)
            flash("Không mở được tệp minh chứng này ở chế độ chấm kín (tệp bị hỏng); vui lòng báo Văn phòng.",
                  "error")
            return redirect(request.referrer or url_for("review.assignments"))
        handle, etag = io.BytesIO(stripped), None
    response = send_file(handle, mimetype=evidence.content_type, as_attachment=True,
                         download_name=download_name, max_age=0, etag=etag or False)
    # Served files never run in the browser: no sniffing, no scripts, no framing.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
