"""Pages of the Google Forms import: upload, check (dry run, mapping, units), import."""
import re

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from thidua.campaigns.models import Campaign
from thidua import scope
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.imports import bp, matching, services
from thidua.imports.forms import UploadForm
from thidua.imports.models import BatchStatus, ImportBatch
from thidua.imports.parsing import FIELDS, KIND_CHOICES, REQUIRED_FIELDS, ImportFileError
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import dispatch


def _batch_or_404(campaign: Campaign, batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.campaign_id != campaign.id:
        abort(404)
    return batch


MAX_NAMES = 20_000  # no file holds more distinct unit names than it has rows
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def _count(value: str) -> int | None:
    """The form's "names" field: a small non-negative integer, or None for anything else."""
    value = (value or "").strip() or "0"
    if not _ASCII_DIGITS.fullmatch(value) or int(value) > MAX_NAMES:
        return None
    return int(value)


def _unit_id(value: str) -> int | None:
    """A unit chosen in a select: its id (0 = skip those rows); None for "not chosen" and for junk."""
    value = (value or "").strip()
    if not _ASCII_DIGITS.fullmatch(value) or int(value) > 2**31 - 1:
        return None
    return int(value)


def _render_index(campaign: Campaign, form: UploadForm, status: int = 200):
    batches = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.campaign_id == campaign.id).order_by(ImportBatch.id.desc())
    ).all()
    return render_template("imports/index.html", campaign=campaign, batches=batches, form=form,
                           kinds=KIND_CHOICES), status


@bp.get("/phong-trao/<int:campaign_id>/nhap-google-forms")
def index(campaign_id: int):
    return _render_index(db.get_or_404(Campaign, campaign_id), UploadForm())


@bp.post("/phong-trao/<int:campaign_id>/nhap-google-forms")
def upload(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
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
        failed=(job if job is not None and job.status == JobStatus.FAILED and batch.status != BatchStatus.IMPORTED
                else None),
        kinds=KIND_CHOICES, fields=services.field_choices(batch.kind), field_labels=FIELDS[batch.kind],
        outcome_labels=services.OUTCOME_LABELS,
        required=[FIELDS[batch.kind][name] for name in REQUIRED_FIELDS[batch.kind]], earlier=services.earlier_import_of_same_file(batch),
        how_labels=matching.HOW_LABELS, editable_hows=(matching.CLOSEST, matching.CHOSEN, matching.SKIPPED,
                                                       matching.AMBIGUOUS, matching.UNRESOLVED),
    ), status


@bp.get("/phong-trao/<int:campaign_id>/nhap-google-forms/<int:batch_id>")
def review(campaign_id: int, batch_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    return _render_review(campaign, _batch_or_404(campaign, batch_id))


@bp.post("/phong-trao/<int:campaign_id>/nhap-google-forms/<int:batch_id>")
def choose(campaign_id: int, batch_id: int):
    """Save the column mapping, the date order and the units chosen for unclear names."""
    campaign = db.get_or_404(Campaign, campaign_id)
    batch = _batch_or_404(campaign, batch_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if batch.status == BatchStatus.IMPORTED:
        return _render_review(campaign, batch, error="Tệp này đã được nhập; không thay đổi được cách ghép cột.",
                              status=409)
    allowed = set(FIELDS[batch.kind])
    mapping = []
    for index in range(len(batch.mapping or [])):
        value = request.form.get(f"column-{index}", "")
        mapping.append(value if value in allowed else "")
    names = _count(request.form.get("names", ""))
    if names is None:
        return _render_review(campaign, batch, status=400,
                              error="Dữ liệu gửi lên không hợp lệ (số tên đơn vị); hãy tải lại trang và chọn lại.")
    choices = dict(batch.unit_choices or {})
    for index in range(names):
        key = request.form.get(f"name-{index}", "")[:500]
        value = _unit_id(request.form.get(f"unit-{index}", ""))
        if not key:
            continue
        if value == 0 or (value is not None and scope.within(value, campaign.organiser_id)):  # skip, or its own unit
            choices[key] = value
        else:
            choices.pop(key, None)
    services.set_choices(batch, mapping=mapping, day_first=request.form.get("day_order") != "mdy",
                         unit_choices=choices)
    db.session.commit()
    flash("Đã cập nhật cách ghép cột và đơn vị; kết quả kiểm tra bên dưới đã tính lại.", "success")
    return redirect(url_for("imports.review", campaign_id=campaign.id, batch_id=batch.id))


@bp.post("/phong-trao/<int:campaign_id>/nhap-google-forms/<int:batch_id>/nhap")
def apply(campaign_id: int, batch_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    batch = _batch_or_404(campaign, batch_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if batch.status == BatchStatus.IMPORTED:
        return _render_review(campaign, batch, error="Tệp này đã được nhập; nhập lại không thay đổi gì.", status=409)
    plan = services.plan_batch(batch)
    if plan.blocked:  # the button is shown disabled; a request that gets here anyway is refused the same way
        return _render_review(campaign, batch, error=plan.blocking_message, status=400)
    job = services.request_import(batch, actor=current_user)
    db.session.commit()
    dispatch(job)
    if job.status == JobStatus.FAILED:  # run here (no job server) and refused: nothing was written
        return _render_review(campaign, batch, error=job.error, status=400)
    if job.status == JobStatus.DONE:
        flash(job.result["message"], "success")
    # else the review page shows the job's progress while it runs and follows it to the end; a flash
    # saying "Đang nhập" would outlive the job when it ends before the page is drawn
    return redirect(url_for("imports.review", campaign_id=campaign.id, batch_id=batch.id))
