from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, HiddenField

from thidua import audit
from thidua.campaigns.compliance import units_to_remind
from thidua.campaigns.models import Campaign
from thidua.campaigns.services import current_phase
from thidua.extensions import db
from thidua.forms import ButtonForm, Form
from thidua.jobs.services import dispatch, start_job
from thidua.notifications import bp, services
from thidua.notifications.delivery import user_of_stop_token
from thidua.notifications.jobs import SEND_REMINDERS, manual_key, manual_title, recent_manual_job
from thidua.notifications.mail import mail_enabled
from thidua.notifications.models import REMINDER_STATUS_LABELS
from thidua.paging import page_number
from thidua.phases import Phase


class SendRemindersForm(Form):
    phase = HiddenField()


def _phase(campaign: Campaign, value: str | None) -> Phase:
    """The phase asked for, else the campaign's current one, else Đợt 1."""
    try:
        return Phase(value)
    except ValueError:
        return current_phase(campaign) or Phase.REGISTRATION


@bp.get("/phong-trao/<int:campaign_id>/nhac-viec")
def reminders(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    phase = _phase(campaign, request.args.get("phase"))
    recipients = services.reminder_recipients(campaign, phase)
    history, history_total = services.reminder_history(campaign.id)
    form = SendRemindersForm(phase=phase.value)
    return render_template(
        "notifications/reminders.html", campaign=campaign, phase=phase, phases=list(Phase),
        current=current_phase(campaign), recipients=recipients, form=form, history=history,
        history_total=history_total, mail_enabled=mail_enabled(), status_labels=REMINDER_STATUS_LABELS,
        milestone_label=services.milestone_label, days_phrase=services.days_phrase,
        without_email=sum(1 for r in recipients if not r.emails),
    )


@bp.post("/phong-trao/<int:campaign_id>/nhac-viec")
def send_reminders(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = SendRemindersForm()
    if not form.validate_on_submit():
        abort(400)
    phase = _phase(campaign, form.phase.data)
    back = url_for("notifications.reminders", campaign_id=campaign.id, phase=phase.value)
    running = recent_manual_job(campaign.id, phase)
    if running is not None:
        flash("Việc nhắc các đơn vị của đợt này đang chạy; không gửi thêm lần nữa.", "info")
        return redirect(url_for("jobs.detail", job_id=running.id))
    if not units_to_remind(campaign, phase):
        flash(f"Mọi đơn vị tham gia đã {phase.noun}; không có đơn vị nào cần nhắc.", "info")
        return redirect(back)
    try:
        job = start_job(SEND_REMINDERS, actor=current_user, title=manual_title(campaign, phase),
                        campaign_id=campaign.id, exclusive=manual_key(campaign, phase), phase=phase.value)
        # start_job keeps campaign_id as the job's column; the params say it too (the column is emptied
        # if the campaign is deleted, the params keep what was asked).
        job.params = {**job.params, "campaign_id": campaign.id}
        db.session.commit()
    except IntegrityError:  # another click started the run a moment ago: one run per campaign and phase
        db.session.rollback()
        running = recent_manual_job(campaign.id, phase, minutes=None)
        flash("Việc nhắc các đơn vị của đợt này đang chạy; không gửi thêm lần nữa.", "info")
        return redirect(url_for("jobs.detail", job_id=running.id) if running is not None else back)
    dispatch(job)
    return redirect(url_for("jobs.detail", job_id=job.id))


def _mark_read() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(f"Đã đánh dấu {count} thông báo là đã đọc.", "success")


@bp.post("/don-vi/thong-bao/da-doc")
def mark_all_read():
    """From the unit's dashboard: what the person sees (theirs and their unit's) is read."""
    if current_user.unit_id is None:
        abort(403)
    _mark_read()
    return redirect(url_for("registration.dashboard"))


class MailPreferenceForm(Form):
    email_notifications = BooleanField("Gửi các thông báo này đến thư điện tử của tôi")


@bp.get("/thong-bao")
def inbox():
    """The person's own notifications (and their unit's), newest first, and their choice of e-mail."""
    page = db.paginate(services.inbox_query(current_user), page=page_number(),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    form = MailPreferenceForm(email_notifications=current_user.email_notifications)
    return render_template("notifications/inbox.html", page=page, form=form, button=ButtonForm(),
                           mail_enabled=mail_enabled())


@bp.post("/thong-bao/da-doc")
def mark_read():
    _mark_read()
    return redirect(url_for("notifications.inbox"))


@bp.post("/thong-bao/thu-dien-tu")
def mail_preference():
    form = MailPreferenceForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    user.email_notifications = bool(form.email_notifications.data)
    audit.record("account.mail_preference", actor=user, object_type="user", object_id=user.id,
                 details={"email_notifications": user.email_notifications})
    db.session.commit()
    flash("Đã lưu: các thông báo sẽ được gửi cả qua thư điện tử." if user.email_notifications else
          "Đã lưu: từ nay các thông báo chỉ hiện trên trang này, không gửi thư điện tử.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/thong-bao/dung-nhan-thu/<token>", methods=["GET", "POST"])
def stop_mail(token: str):
    """The link at the foot of every notification e-mail: stop them without signing in."""
    user = user_of_stop_token(token)
    if user is None:
        return render_template("notifications/stop_mail.html", user=None, button=ButtonForm()), 404
    stopped = False
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        if user.email_notifications:
            user.email_notifications = False
            audit.record("account.mail_preference", actor=None, object_type="user", object_id=user.id,
                         details={"email_notifications": False, "from": "email_link"})
            db.session.commit()
        stopped = True
    return render_template("notifications/stop_mail.html", user=user, stopped=stopped or not user.email_notifications,
                           button=ButtonForm())
