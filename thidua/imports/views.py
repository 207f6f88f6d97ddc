"""Pages of the Google Forms import: upload, check (dry run, mapping, units), import."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.imports import bp, matching, services
from thidua.imports.forms import UploadForm
from thidua.imports.models import ImportBatch
from thidua.imports.parsing import FIELDS, KIND_CHOICES, ImportFileError
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import dispatch


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _batch_or_404(campaign: Campaign, batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.campaign_id != campaign.id:
        abort(404)
    return batch


def _render_index(campaign: Campaign, form: UploadForm, status: int = 200):
    batches = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.campaign_id == campaign.id).order_by(ImportBatch.id.desc())
    ).all()
    return render_template("imports/index.html", campaign=campaign, batches=batches, form=form,
                           kinds=KIND_CHOICES), status


@bp.get("/phong-trao/<int:campaign_id>/nhap-google-forms")
def index(campaign_id: int):
    return _render_index(_campaign_or_404(campaign_id), UploadForm())


@bp.post("/phong-trao/<int:campaign_id>/nhap-google-forms")
def upload(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            name, data = services.read_upload(form.file.data.stream, form.file.data.filename)
            batch = services.create_batch(campaign, name, data, kind=form.kind.data, actor=current_user)
        except ImportFileError as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for("imports.review", campaign_id=campaign.id, batch_id=batch.id))
    return _render_index(campaign, form, 400)


def _render_review(campaign: Campaign, batch: ImportBatch, *, error: str | None = None, status: int = 200):
    plan = services.plan_batch(batch)
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    return render_template(
        "imports/review.html", campaign=campaign, batch=batch, plan=plan, form=ButtonForm(), error=error,
        running=job if job is not None and not job.finished else None,
        failed=job if job is not None and job.status == JobStatus.FAILED and batch.status != "imported" else None,
        kinds=KIND_CHOICES, fields=services.field_choices(batch.kind), field_labels=FIELDS[batch.kind],
        outcome_labels=services.OUTCOME_LABELS, earlier=services.earlier_import_of_same_file(batch),
        how_labels=matching.HOW_LABELS, editable_hows=(matching.CLOSEST, matching.CHOSEN, matching.SKIPPED,
                                                       matching.AMBIGUOUS, matching.UNRESOLVED),
    ), status


@bp.get("/phong-trao/<int:campaign_id>/nhap-google-forms/<int:batch_id>")
def review(campaign_id: int, batch_id: int):
    campaign = _campaign_or_404(campaign_id)
    return _render_review(campaign, _batch_or_404(campaign, batch_id))


@bp.post("/phong-trao/<int:campaign_id>/nhap-google-forms/<int:batch_id>")
def choose(campaign_id: int, batch_id: int):
    """Save the column mapping, the date order and the units chosen for unclear names."""
    campaign = _campaign_or_404(campaign_id)
    batch = _batch_or_404(campaign, batch_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if batch.status == "imported":
        return _render_review(campaign, batch, error="Tệp này đã được nhập; không thay đổi được cách ghép cột.",
                              status=409)
    allowed = set(FIELDS[batch.kind])
    mapping = []
    for index in range(len(batch.mapping or [])):
        value = request.form.get(f"column-{index}", "")
        mapping.append(value if value in allowed else "")
    choices = dict(batch.unit_choices or {})
    for index in range(int(request.form.get("names", "0") or 0)):
        key = request.form.get(f"name-{index}", "")
        value = request.form.get(f"unit-{index}", "")
        if not key:
            continue
        if value.isdigit():
            choices[key] = int(value)
        else:
            choices.pop(key, None)
    services.set_choices(batch, mapping=mapping, day_first=request.form.get("day_order") != "mdy",
                         unit_choices=choices)
    db.session.commit()
    flash("Đã cập nhật cách ghép cột và đơn vị; kết quả kiểm tra bên dưới đã tính lại.", "success")
    return redirect(url_for("imports.review", campaign_id=campaign.id, batch_id=batch.id))


@bp.post("/phong-trao/<int:campaign_id>/nhap-google-forms/<int:batch_id>/nhap")
def apply(campaign_id: int, batch_id: int):
    campaign = _campaign_or_404(campaign_id)
    batch = _batch_or_404(campaign, batch_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    job = services.request_import(batch, actor=current_user)
    db.session.commit()
    dispatch(job)
    if job.status == JobStatus.FAILED:  # run here (no job server) and refused: nothing was written
        return _render_review(campaign, batch, error=job.error, status=400)
    if job.status == JobStatus.DONE:
        flash(job.result["message"], "success")
    else:
        flash(f"Đang nhập {batch.filename}; trang sẽ tự cập nhật khi xong.", "success")
    return redirect(url_for("imports.review", campaign_id=campaign.id, batch_id=batch.id))
