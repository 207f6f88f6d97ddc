"""The reminder jobs: the one the office starts and the timed one (7, 3 and 1 days before a deadline).

Both run through thidua.jobs (RQ worker when REDIS_URL is set, in-process otherwise).
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from thidua.campaigns.compliance import units_to_remind
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import Progress, execute, job_campaign, start_job, sweep_stale_jobs
from thidua.notifications import delivery, services, target_reminders
from thidua.notifications.mail import mail_enabled
from thidua.phases import Phase
from thidua.timeutil import local_today, utcnow

SEND_REMINDERS = "send_reminders"
SEND_DUE_REMINDERS = "send_due_reminders"
DUE_TITLE = "Nhắc việc tự động (7, 3 và 1 ngày trước hạn)"


def manual_title(campaign: Campaign, phase: Phase) -> str:
    return f"Nhắc việc {phase.noun}: {campaign.name}"[:255]


def manual_key(campaign: Campaign, phase: Phase) -> str:
    """The office's reminder runs of a campaign's phase run one at a time (Job.exclusive_key)."""
    return f"{SEND_REMINDERS}:{campaign.id}:{phase.value}"


def manual_milestone(campaign: Campaign, phase: Phase, moment) -> str:
    """One manual reminder per unit, phase and day (in the campaign's time zone), however many runs the
    office starts that day: runs started together share it, so the reminder log's key keeps the rule."""
    return f"manual:{local_today(campaign.timezone, now=moment):%Y-%m-%d}"


def send_reminders(job: Job, progress: Progress) -> dict:
    """Remind every unit still missing the phase; params: campaign_id (else the job's campaign), phase."""
    campaign = job_campaign(job)
    try:
        phase = Phase(job.params.get("phase"))
    except ValueError:
        raise ValueError(f"Đợt không hợp lệ: {job.params.get('phase')!r}.") from None
    units = units_to_remind(campaign, phase)
    progress.start(len(units), f"Nhắc {len(units)} đơn vị chưa {phase.noun}.")
    milestone = manual_milestone(campaign, phase, job.created_at)
    counts = services.remind_units(campaign, phase, milestone, job=job, progress=progress, units=units)
    job.message = f"Đã nhắc xong {len(units)} đơn vị chưa {phase.noun}."
    return services.summarise(counts, mail_enabled=mail_enabled(), units=len(units))


def send_due_reminders(job: Job, progress: Progress) -> dict:
    """Remind the units whose deadline is 7, 3 or 1 days away: the phases of every campaign with an open
    phase, and the rounds of targets (thidua.notifications.target_reminders); one job does both."""
    now = utcnow()
    due = services.due_reminders(now)
    due_targets = target_reminders.due_target_reminders(now)
    count = len(due) + len(due_targets)
    progress.start(count, f"{count} lượt nhắc đến hạn." if count else "Không có đơn vị nào đến mốc nhắc hôm nay.")
    total = services.empty_counts()
    for campaign, phase, milestone, units in services.group_due(due):
        counts = services.remind_units(campaign, phase, milestone, job=job, progress=progress, units=units)
        services.add_counts(total, counts)
    for counts in target_reminders.remind_due(due_targets, job=job, progress=progress):
        services.add_counts(total, counts)
    if count:
        job.message = f"Đã xử lý xong {count} lượt nhắc đến hạn."
    if mail_enabled():
        delivery.deliver_pending()  # notification e-mail a request queued but could not start sending
    return services.summarise(total, mail_enabled=mail_enabled(), units=count)


def recent_manual_job(campaign_id: int, phase: Phase, *, minutes: int | None = 15) -> Job | None:
    """A reminder job for this campaign and phase still waiting or running (a second click, a reload)."""
    recent = [Job.created_at >= utcnow() - timedelta(minutes=minutes)] if minutes is not None else []
    jobs = db.session.scalars(
        sa.select(Job)
        .where(Job.kind == SEND_REMINDERS, Job.campaign_id == campaign_id,
               Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]), *recent)
        .order_by(Job.id.desc())
    ).all()
    return next((j for j in jobs if (j.params or {}).get("phase") == phase.value), None)


def start_due_reminders(*, run_here: bool = True) -> Job:
    """Record a "send_due_reminders" job and run it in this process (cron, CLI)."""
    sweep_stale_jobs()  # a run killed earlier today: its rows can be taken over (see remind_units)
    job = start_job(SEND_DUE_REMINDERS, title=DUE_TITLE)
    db.session.commit()
    if run_here:
        execute(job.id, reraise=False)
        db.session.refresh(job)
    return job


def run_due_reminders_from_cron() -> int:
    """What RQ's cron scheduler enqueues every hour (see thidua/jobs/cron.py); runs in a worker.

    The reminders themselves are a Job row like any other, so each run shows on its job page.
    """
    from thidua.jobs.runner import get_app

    app = get_app()
    with app.app_context():
        try:
            sweep_stale_jobs()
            job = start_job(SEND_DUE_REMINDERS, title=DUE_TITLE)
            db.session.commit()
            job_id = job.id
            execute(job_id)  # raises on failure: RQ records it in its failed registry too
            return job_id
        finally:
            db.session.remove()
