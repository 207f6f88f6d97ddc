from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from thidua import scope
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.jobs import bp
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.health import system_health
from sqlalchemy.exc import IntegrityError

from thidua.jobs.services import dispatch, retry_job, sweep_stale_jobs


def _job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id) or abort(404)
    if job.status in (JobStatus.RUNNING, JobStatus.QUEUED) and sweep_stale_jobs(job_id=job_id):
        db.session.commit()  # lost (its process died, or none took it): show it failed, with the retry button
    return job


@bp.get("/cong-viec/<int:job_id>")
def detail(job_id: int):
    job = _job_or_404(job_id)
    return render_template("jobs/detail.html", job=job, form=ButtonForm())


@bp.get("/cong-viec/<int:job_id>/tien-do")
def progress(job_id: int):
    job = _job_or_404(job_id)
    return jsonify(
        status=job.status, status_label=job.status_enum.label, percent=job.percent, done=job.done,
        total=job.total, message=job.message, finished=job.finished, error=job.error if job.finished else None,
    )


@bp.post("/cong-viec/<int:job_id>/chay-lai")
def retry(job_id: int):
    job = _job_or_404(job_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if job.status != JobStatus.FAILED:
        flash("Chỉ chạy lại được công việc đã gặp lỗi.", "error")
    else:
        retry_job(job)
        try:
            db.session.commit()
        except IntegrityError:  # an exclusive job whose key another queued or running job holds
            db.session.rollback()
            flash("Một công việc cùng loại đang chờ hoặc đang chạy; chờ công việc đó xong rồi hãy chạy lại.", "error")
        else:
            dispatch(job)
            flash("Đã đưa công việc vào hàng đợi để chạy lại.", "success")
    return redirect(url_for("jobs.detail", job_id=job.id))




@bp.get("/he-thong")
def health():
    """The operator's page: the installation's queue and workers, for the top organiser's secretariat only."""
    if not scope.acts_for_the_top(current_user):
        abort(403)
    return render_template("jobs/health.html", health=system_health())
