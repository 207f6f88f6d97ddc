"""The job that reminds committee members by e-mail of what they have left to score."""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import current_app

from thidua.auth.models import User
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.jobs.models import Job
from thidua.jobs.services import Progress, job_campaign
from thidua.notifications.mail import Mailer, MailError, clean_addresses, mail_enabled
from thidua.review.progress import unfinished

SEND_REVIEW_REMINDERS = "send_review_reminders"


def reminder_title(campaign: Campaign) -> str:
    return f"Nhắc thành viên Hội đồng chấm điểm: {campaign.name}"[:255]


def send_review_reminders(job: Job, progress_: Progress) -> dict:
    """E-mail every committee member with unfinished reviews the list of what is left to score."""
    campaign = job_campaign(job)
    pending = unfinished(campaign.id)
    progress_.start(len(pending), f"{len(pending)} thành viên Hội đồng chưa chấm xong.")
    if not pending:
        job.message = "Mọi thành viên Hội đồng đã chấm xong; không cần nhắc."
        return {"reviewers": 0, "sent": 0, "no_address": 0, "failed": 0, "mail_enabled": mail_enabled()}
    if not mail_enabled():
        job.message = ("Chưa cấu hình máy chủ thư (MAIL_SERVER): không gửi được thư nhắc cho "
                       f"{len(pending)} thành viên.")
        return {"reviewers": len(pending), "sent": 0, "no_address": 0, "failed": 0, "mail_enabled": False}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(pending))))}
    counts = Counter()
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    with Mailer() as mailer:
        for reviewer_id, items in pending.items():
            user = users[reviewer_id]
            addresses = clean_addresses([user.email])
            if not addresses:
                counts["no_address"] += 1
            else:
                lines = "\n".join(f"  - #{initiative_id} {title}" for initiative_id, title in items)
                body = (f"Kính gửi {user.full_name},\n\nThành viên Hội đồng {campaign.in_sentence} còn "
                        f"{len(items)} sáng kiến chưa gửi phiếu chấm:\n{lines}\n\n"
                        f"Xin vui lòng đăng nhập hệ thống{(' ' + base) if base else ''} để hoàn thành việc chấm điểm."
                        "\n\nBộ phận Thường trực CCHC")
                try:
                    mailer.send(addresses, f"Nhắc chấm điểm sáng kiến: {campaign.name}"[:200], body)
                    counts["sent"] += 1
                except MailError:
                    counts["failed"] += 1
            progress_.advance()
    job.message = (f"Đã gửi thư nhắc {counts['sent']}/{len(pending)} thành viên"
                   + (f"; {counts['no_address']} thành viên chưa có địa chỉ thư" if counts["no_address"] else "")
                   + (f"; {counts['failed']} thư gửi lỗi" if counts["failed"] else "") + ".")
    return {"reviewers": len(pending), "sent": counts["sent"], "no_address": counts["no_address"],
            "failed": counts["failed"], "mail_enabled": True}
