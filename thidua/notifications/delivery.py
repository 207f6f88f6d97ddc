"""The e-mail of a person's notifications: queued with the notification, sent by a job, never twice.

A notification whose e-mail is due has `mail_status` "pending". The delivery job takes each one by
moving it to "sending" in its own committed statement (a second run, or a retry, finds nothing to
take), sends it, and records "sent" or "failed". A run killed between taking and recording leaves
"sending": that e-mail is not sent again (it may have left), and the person's page still shows it.

The job starts after the request that queued e-mail (events.init_app), one at a time (its exclusive
key); the timed reminders' hourly run delivers whatever is still pending after a failure to start.

Each e-mail ends with a link to stop them: a signed token naming the account, valid until used.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from thidua.auth.models import User
from thidua.extensions import db
from thidua.jobs.models import Job
from thidua.jobs.services import Progress, dispatch, start_job
from thidua.notifications.mail import MailError, Mailer, clean_addresses, mail_enabled
from thidua.notifications.models import MailStatus, Notification
from thidua.timeutil import utcnow

log = logging.getLogger(__name__)

DELIVER_MAIL = "deliver_notification_mail"
DELIVERY_KEY = "deliver_notification_mail"
BATCH = 200
_SALT = "thidua.notifications.stop-mail"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def stop_token(user: User) -> str:
    return _serializer().dumps(user.id)


def user_of_stop_token(token: str) -> User | None:
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def start_delivery() -> Job | None:
    """Start the delivery job unless one is already waiting or running (then it sends these too)."""
    if not mail_enabled():
        return None
    try:
        job = start_job(DELIVER_MAIL, title="Gửi thư thông báo cho cán bộ các đơn vị", exclusive=DELIVERY_KEY)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    dispatch(job)
    return job


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.mail_status == MailStatus.PENDING.value)) or 0


def _take(notification_id: int) -> bool:
    taken = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.mail_status == MailStatus.PENDING.value)
        .values(mail_status=MailStatus.SENDING.value)
    ).rowcount
    db.session.commit()
    return taken == 1


def _email(notification: Notification, user: User) -> tuple[str, str]:
    public_url = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    stop_path = current_app.url_map.bind("localhost").build("notifications.stop_mail", {"token": stop_token(user)})
    body = render_template(
        "notifications/event_email.txt", notification=notification, user=user,
        url=f"{public_url}{notification.link}", stop_url=f"{public_url}{stop_path}",
        organisation=current_app.config.get("ORGANISATION_NAME", ""),
    )
    return f"[Thi đua CCHC] {notification.title}", body


def deliver_pending(progress: Progress | None = None) -> dict[str, int]:
    """Send every pending e-mail (those queued while this runs too); counts by outcome."""
    counts = {"sent": 0, "failed": 0, "stopped": 0}
    with Mailer() as mailer:
        while True:
            rows = db.session.execute(
                sa.select(Notification.id).where(Notification.mail_status == MailStatus.PENDING.value)
                .order_by(Notification.id).limit(BATCH)
            ).scalars().all()
            if not rows:
                break
            if progress is not None:
                progress.start(len(rows), f"Gửi {len(rows)} thư thông báo.")
            for notification_id in rows:
                if not _take(notification_id):
                    continue  # another run took it
                notification = db.session.get(Notification, notification_id)
                user = db.session.get(User, notification.user_id)
                to = clean_addresses([user.email]) if user is not None else []
                if user is None or not user.email_notifications or not to or not user.is_active:
                    # Stopped (or address removed) after it was queued: the page keeps the notification.
                    notification.mail_status = None
                    notification.mail_error = "Người nhận đã dừng nhận thư hoặc không còn địa chỉ thư."
                    counts["stopped"] += 1
                else:
                    subject, body = _email(notification, user)
                    try:
                        mailer.send(to, subject, body)
                    except MailError as error:
                        notification.mail_status = MailStatus.FAILED.value
                        notification.mail_error = str(error)[:2000]
                        counts["failed"] += 1
                        log.warning("notification %s: %s", notification_id, error)
                    else:
                        notification.mail_status = MailStatus.SENT.value
                        notification.mailed_at = utcnow()
                        counts["sent"] += 1
                db.session.commit()
                if progress is not None:
                    progress.advance()
    return counts


def deliver_mail(job: Job, progress: Progress) -> dict:
    counts = deliver_pending(progress)
    job.message = (f"Đã gửi {counts['sent']} thư thông báo" + (f", {counts['failed']} thư lỗi" if counts["failed"] else "")
                   + (f", {counts['stopped']} người đã dừng nhận thư" if counts["stopped"] else "") + ".")
    return counts
