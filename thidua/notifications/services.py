"""Reminders ("đôn đốc") to the units still missing a phase's submission, and the unit's notifications.

A reminder to one unit is, in this order, each step committed on its own:

1. a `ReminderLog` row for (campaign, unit, phase, milestone), status "pending". The unique
   key on those four columns is what makes a second reminder for the same milestone
   impossible, even when two runs race: the loser's insert fails and it skips the unit;
2. the `Notification` on the unit's dashboard, in the same commit as status "sending";
3. the e-mail to the unit's address and its accounts' addresses (when MAIL_SERVER is set),
   after which the row is marked sent, failed or in-app only.

A process killed in the middle (SIGKILL, a restart) leaves its row "pending" or "sending".
When the job runs again (its retry, or a later run of a job that is no longer running):
- "pending": nothing reached the unit yet, so this run takes the row over and reminds it;
- "sending": the e-mail may or may not have left (SMTP cannot tell us), so the row becomes
  "unknown" and is not sent again. Exactly once is impossible with SMTP; of at most once and
  at least once, the campaign's rule (never remind twice) picks at most once, and the
  reminder page lists the "unknown" units for the office to check and resend by hand.

Milestones: "d7:2024-08-25" (7 days before that unit's deadline, extension included),
"d3:…", "d1:…" for the automatic ones; "manual:2024-08-20" for the office's, one a unit and day
(the office's runs of a phase also never overlap: Job.exclusive_key).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError

from thidua.auth.models import User
from thidua.auth.roles import UNIT_ROLES
from thidua.campaigns.compliance import UnitProgress, unit_progress, units_to_remind
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.notifications.mail import Mailer, MailError, clean_addresses
from thidua.notifications.models import Notification, ReminderLog, ReminderStatus
from thidua.phases import Extension, Phase, make_window
from thidua.timeutil import format_date, local_today, utcnow

REMINDER_DAYS = (7, 3, 1)
NOTIFICATION_KIND = "reminder"
NOTIFICATIONS_SHOWN = 8

# What the unit still has to do, in the words of the reminders.
PHASE_TASKS = {
    Phase.REGISTRATION: "đăng ký mô hình, giải pháp, sáng kiến",
    Phase.REPORT: "báo cáo kết quả thực hiện mô hình, giải pháp, sáng kiến",
}

MAIL_DISABLED_NOTE = (
    "Chưa cấu hình máy chủ thư (MAIL_SERVER): không gửi thư điện tử, chỉ tạo thông báo trên hệ thống."
)


UNKNOWN_NOTE = ("Tiến trình gửi đã dừng đột ngột khi đang gửi thư cho đơn vị này: không rõ thư đã đi hay chưa. "
                "Hệ thống không tự gửi lại để tránh nhắc hai lần; vui lòng kiểm tra với đơn vị và gửi lại thủ công "
                "nếu cần. Thông báo trên hệ thống đã được tạo.")


def empty_counts() -> dict[str, int]:
    return {"sent": 0, "skipped_already_reminded": 0, "failed": 0, "notified": 0, "no_email": 0, "unknown": 0}


# --- deadlines and words ----------------------------------------------------------------------

def effective_deadline(campaign: Campaign, phase: Phase, item: UnitProgress) -> date:
    """The unit's deadline for the phase: the campaign's, or its extension when later."""
    deadline = campaign.deadline(phase)
    extension = item.registration_extension if phase is Phase.REGISTRATION else item.report_extension
    return max(deadline, extension) if extension else deadline


def days_phrase(days_left: int) -> str:
    if days_left > 0:
        return f"còn {days_left} ngày"
    if days_left == 0:
        return "hôm nay là ngày cuối"
    return f"đã quá hạn {-days_left} ngày"


def milestone_label(milestone: str) -> str:
    kind, _, rest = milestone.partition(":")
    if kind == "manual":
        try:
            return f"Bộ phận Thường trực gửi ngày {format_date(date.fromisoformat(rest))}"
        except ValueError:
            return f"Bộ phận Thường trực gửi (công việc #{rest})"  # runs recorded before one a day
    if kind.startswith("d") and kind[1:].isdigit():
        try:
            deadline = date.fromisoformat(rest)
        except ValueError:
            return milestone
        return f"Tự động, {kind[1:]} ngày trước hạn {format_date(deadline)}"
    return milestone


def _dashboard_path(campaign_id: int) -> str:
    # Built from the URL map, not url_for: a worker has no request (and no SERVER_NAME).
    path = current_app.url_map.bind("localhost").build("registration.dashboard")
    return f"{path}#phong-trao-{campaign_id}"


@dataclass(frozen=True)
class ReminderText:
    title: str
    body: str
    subject: str
    email: str
    link: str


def reminder_text(campaign: Campaign, phase: Phase, item: UnitProgress, deadline: date, days_left: int) -> ReminderText:
    task = PHASE_TASKS[phase]
    when = days_phrase(days_left)
    title = f"Nhắc việc: {task} — hạn {format_date(deadline)}, {when}"
    if phase is Phase.REGISTRATION:
        situation = (
            f"Đơn vị chưa đăng ký đủ mô hình, giải pháp, sáng kiến trong {campaign.in_sentence} "
            f"(cần ít nhất {campaign.min_initiatives_per_unit}; đã đăng ký {item.registered})."
        )
    else:
        situation = (
            f"Đơn vị chưa nộp đủ báo cáo kết quả thực hiện trong {campaign.in_sentence} "
            f"(đã báo cáo {item.reported}/{item.registered} đề xuất đã đăng ký)."
        )
    body = f"{situation} Hạn của đơn vị: hết ngày {format_date(deadline)} ({when})."
    link = _dashboard_path(campaign.id)
    public_url = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    email = render_template(
        "notifications/reminder_email.txt", campaign=campaign, phase=phase, task=task, unit=item,
        situation=situation, deadline=format_date(deadline), when=when, url=f"{public_url}{link}",
        organisation=current_app.config.get("ORGANISATION_NAME", ""),
    )
    subject = f"[Thi đua CCHC] Nhắc việc: {task} — hạn {format_date(deadline)} ({when})"
    return ReminderText(title=title[:255], body=body, subject=subject, email=email, link=link[:255])


# --- who receives them ------------------------------------------------------------------------

def recipients_for(units: Iterable[UnitProgress]) -> dict[int, list[str]]:
    """Each unit's e-mail addresses: the unit's own, then its heads' and editors' (active accounts)."""
    units = list(units)
    result: dict[int, list[str]] = {u.unit_id: [u.email] for u in units}
    if not units:
        return {}
    ids = list(result)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        rows = db.session.execute(
            sa.select(User.unit_id, User.email)
            .where(User.unit_id.in_(chunk), User.role.in_([r.value for r in UNIT_ROLES]),
                   User.is_active_account.is_(True), User.email != "",
                   User.email_notifications.is_(True))  # a person who stopped e-mail gets none, reminders included
            .order_by(User.unit_id, User.role, User.id)
        )
        for unit_id, email in rows:
            result[unit_id].append(email)
    return {unit_id: clean_addresses(addresses) for unit_id, addresses in result.items()}


@dataclass
class Recipient:
    unit: UnitProgress
    deadline: date
    days_left: int
    emails: list[str]
    last_reminded_at: datetime | None


def reminder_recipients(campaign: Campaign, phase: Phase, *, now: datetime | None = None) -> list[Recipient]:
    """The units a reminder for this phase would go to now, with their addresses."""
    units = units_to_remind(campaign, phase)
    today = local_today(campaign.timezone, now=now)
    emails = recipients_for(units)
    last = dict(db.session.execute(
        sa.select(ReminderLog.unit_id, sa.func.max(ReminderLog.created_at))
        .where(ReminderLog.campaign_id == campaign.id, ReminderLog.phase == phase.value)
        .group_by(ReminderLog.unit_id)
    ).all())
    result = []
    for item in units:
        deadline = effective_deadline(campaign, phase, item)
        result.append(Recipient(item, deadline, (deadline - today).days, emails.get(item.unit_id, []),
                                last.get(item.unit_id)))
    return result


# --- sending ----------------------------------------------------------------------------------

def remind_units(campaign: Campaign, phase: Phase, milestone: str, *, job=None, progress=None,
                 units: list[UnitProgress] | None = None, now: datetime | None = None) -> dict[str, int]:
    """Remind each unit still missing the phase (or the `units` given) once for `milestone`.

    Commits unit by unit. Returns counts: sent (e-mails), notified (in-app notifications),
    failed (e-mails that could not be sent), skipped_already_reminded, no_email.
    """
    if units is None:
        units = units_to_remind(campaign, phase)
    today = local_today(campaign.timezone, now=now)
    addresses = recipients_for(units)
    # Render every text before the first commit: a rollback expires the campaign object.
    plans = []
    for item in units:
        deadline = effective_deadline(campaign, phase, item)
        plans.append((item.unit_id, item.display_name,
                      reminder_text(campaign, phase, item, deadline, (deadline - today).days)))
    return deliver(campaign.id, phase.value, milestone, plans, addresses,
                   job_id=(job.id if job is not None else None), progress=progress)


def deliver(campaign_id: int, phase_key: str, milestone: str, plans: list[tuple[int, str, ReminderText]],
            addresses: dict[int, list[str]], *, job_id: int | None = None, progress=None) -> dict[str, int]:
    """Send each planned reminder (unit id, unit's name, its text) once for (phase_key, milestone).

    `phase_key` is what ReminderLog.phase holds: a Phase's value, or "targets:<round id>" for a
    round of targets (thidua.notifications.target_reminders). Commits unit by unit; see remind_units.
    """
    counts = empty_counts()
    with Mailer() as mailer:
        for unit_id, display_name, text in plans:
            to = addresses.get(unit_id, [])
            entry = ReminderLog(campaign_id=campaign_id, unit_id=unit_id, phase=phase_key, milestone=milestone,
                                status=ReminderStatus.PENDING, recipients=", ".join(to), job_id=job_id)
            db.session.add(entry)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                entry = _take_over(campaign_id, unit_id, phase_key, milestone, job_id)
                if entry is None:
                    counts["skipped_already_reminded"] += 1
                    _advance(progress, f"{display_name}: đã được nhắc ở mốc này, bỏ qua.")
                    continue
                if entry.status == ReminderStatus.UNKNOWN:
                    counts["unknown"] += 1
                    _advance(progress, f"{display_name}: lần gửi trước bị gián đoạn khi đang gửi thư; "
                                       "không gửi lại, cần kiểm tra.")
                    continue
            db.session.add(Notification(unit_id=unit_id, campaign_id=campaign_id, kind=NOTIFICATION_KIND,
                                        title=text.title, body=text.body, link=text.link))
            entry.status = ReminderStatus.SENDING
            db.session.commit()
            counts["notified"] += 1
            if not mailer.enabled:
                entry.status = ReminderStatus.IN_APP
                outcome = "đã tạo thông báo (không gửi thư)"
            elif not to:
                entry.status = ReminderStatus.IN_APP
                entry.error = "Đơn vị và các tài khoản của đơn vị chưa có địa chỉ thư điện tử."
                counts["no_email"] += 1
                outcome = "đã tạo thông báo; chưa có địa chỉ thư"
            else:
                try:
                    mailer.send(to, text.subject, text.email)
                except MailError as error:
                    entry.status = ReminderStatus.FAILED
                    entry.error = str(error)[:2000]
                    counts["failed"] += 1
                    outcome = "gửi thư lỗi"
                else:
                    entry.status = ReminderStatus.SENT
                    entry.sent_at = utcnow()
                    counts["sent"] += 1
                    outcome = f"đã gửi thư tới {len(to)} địa chỉ"
            db.session.commit()
            _advance(progress, f"{display_name}: {outcome}.")
    return counts


def _take_over(campaign_id: int, unit_id: int, phase_key: str, milestone: str, job_id: int | None):
    """The row another run left for this unit and milestone, if that run died part-way; else None.

    A run is dead when it is this very job (a retry runs after its earlier attempt ended) or
    a job that is no longer running. Its "pending" row is claimed (nothing was sent yet); its
    "sending" row becomes "unknown" (the e-mail may have left). Committed here.
    """
    from thidua.jobs.models import Job, JobStatus

    entry = db.session.scalar(
        sa.select(ReminderLog).where(ReminderLog.campaign_id == campaign_id, ReminderLog.unit_id == unit_id,
                                     ReminderLog.phase == phase_key, ReminderLog.milestone == milestone)
    )
    if entry is None or entry.status not in (ReminderStatus.PENDING, ReminderStatus.SENDING) or entry.job_id is None:
        return None
    if entry.job_id != job_id:
        owner = db.session.get(Job, entry.job_id)
        if owner is not None and owner.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
            return None  # a live run is reminding this unit right now
    previous_status, previous_job = entry.status, entry.job_id
    # Claim it only if nobody changed it meanwhile (two resumed runs at once: one wins).
    new_status = ReminderStatus.PENDING if previous_status == ReminderStatus.PENDING else ReminderStatus.UNKNOWN
    values = {"job_id": job_id, "status": new_status}
    if new_status == ReminderStatus.UNKNOWN:
        values["error"] = UNKNOWN_NOTE
    claimed = db.session.execute(
        sa.update(ReminderLog)
        .where(ReminderLog.id == entry.id, ReminderLog.status == previous_status,
               ReminderLog.job_id == previous_job)
        .values(**values)
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    db.session.refresh(entry)
    return entry


def _advance(progress, message: str) -> None:
    if progress is not None:
        progress.advance(message=message)


def summarise(counts: dict[str, int], *, mail_enabled: bool, units: int) -> dict:
    """A job result: the sentences the job page shows, and the counts under "details"."""
    parts = [f"{units} đơn vị cần nhắc", f"{counts['notified']} thông báo trên hệ thống"]
    if mail_enabled:
        parts.append(f"{counts['sent']} thư điện tử đã gửi")
        if counts["failed"]:
            parts.append(f"{counts['failed']} thư gửi lỗi")
        if counts["no_email"]:
            parts.append(f"{counts['no_email']} đơn vị chưa có địa chỉ thư")
    if counts.get("unknown"):
        parts.append(f"{counts['unknown']} đơn vị không rõ đã nhận thư hay chưa (lần gửi trước bị gián đoạn; "
                     "cần kiểm tra, gửi lại thủ công nếu cần)")
    if counts["skipped_already_reminded"]:
        parts.append(f"{counts['skipped_already_reminded']} đơn vị đã được nhắc ở mốc này (bỏ qua)")
    result = {"summary": "; ".join(parts) + "."}
    if not mail_enabled:
        result["mail"] = MAIL_DISABLED_NOTE
    result["details"] = {**counts, "units": units, "mail_enabled": mail_enabled}
    return result


def add_counts(total: dict[str, int], counts: dict[str, int]) -> dict[str, int]:
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value
    return total


# --- automatic reminders ----------------------------------------------------------------------

@dataclass(frozen=True)
class DueReminder:
    campaign: Campaign
    phase: Phase
    unit: UnitProgress
    deadline: date
    days_left: int

    @property
    def milestone(self) -> str:
        return f"d{self.days_left}:{self.deadline.isoformat()}"


def _candidate_campaigns(now: datetime) -> list[Campaign]:
    """Campaigns that may have a phase open now (a day either side, for every time zone)."""
    low, high = now.date() - timedelta(days=1), now.date() + timedelta(days=1)
    extended = sa.select(Extension.id).where(Extension.campaign_id == Campaign.id, Extension.until >= low).exists()
    return list(db.session.scalars(
        sa.select(Campaign)
        .where(Campaign.launch_date <= high, sa.or_(Campaign.report_deadline >= low, extended))
        .order_by(Campaign.id)
    ))


def due_reminders(now: datetime | None = None) -> list[DueReminder]:
    """The units whose deadline (extension included) is exactly 7, 3 or 1 days away today
    (local date of the campaign, Asia/Ho_Chi_Minh by default), in a phase open for them, still missing it."""
    now = now or utcnow()
    due = []
    for campaign in _candidate_campaigns(now):
        today = local_today(campaign.timezone, now=now)
        progress = None
        for phase in Phase:
            if now < make_window(campaign, phase, None).opens_at:
                continue  # Đợt 2 opens once Đợt 1 is over
            if progress is None:
                progress = unit_progress(campaign)
            for item in progress:
                if not item.needs_reminder(phase, campaign.min_initiatives_per_unit):
                    continue
                deadline = effective_deadline(campaign, phase, item)
                left = (deadline - today).days
                if left in REMINDER_DAYS:
                    due.append(DueReminder(campaign, phase, item, deadline, left))
    return due


def group_due(due: list[DueReminder]) -> list[tuple[Campaign, Phase, str, list[UnitProgress]]]:
    groups: dict[tuple[int, Phase, str], list[DueReminder]] = defaultdict(list)
    for reminder in due:
        groups[(reminder.campaign.id, reminder.phase, reminder.milestone)].append(reminder)
    return [(items[0].campaign, phase, milestone, [r.unit for r in items])
            for (_, phase, milestone), items in groups.items()]


# --- the unit's notifications -----------------------------------------------------------------

@cache
def _seen_by(user_id, unit_id):
    """What a person sees: their own notifications, and their unit's (reminders, targets checked)."""
    own = Notification.user_id == user_id
    if unit_id is None:
        return own
    return sa.or_(own, sa.and_(Notification.user_id.is_(None), Notification.unit_id == unit_id))


@cache
def _latest_query() -> sa.Select:
    # Built once per process: the unit's dashboard runs it on every visit (see registration.views).
    unread = sa.func.sum(sa.case((Notification.read_at.is_(None), 1), else_=0)).over()
    return (
        sa.select(Notification, unread)
        .where(_seen_by(sa.bindparam("user_id"), sa.bindparam("unit_id")))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(sa.bindparam("limit"))
    )


def latest_for(user, limit: int = NOTIFICATIONS_SHOWN) -> tuple[list[Notification], int]:
    """The person's latest notifications (theirs and their unit's) and how many of all are unread, in one query."""
    rows = db.session.execute(_latest_query(), {"user_id": user.id, "unit_id": user.unit_id, "limit": limit}).all()
    return [row[0] for row in rows], (int(rows[0][1] or 0) if rows else 0)


def inbox_query(user) -> sa.Select:
    """Every notification the person sees, newest first (for paging)."""
    return (sa.select(Notification).where(_seen_by(user.id, user.unit_id))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_all_read(user) -> int:
    """Mark read what the person sees: their own notifications and their unit's."""
    result = db.session.execute(
        sa.update(Notification)
        .where(_seen_by(user.id, user.unit_id), Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def reminder_history(campaign_id: int, limit: int = 300) -> tuple[list, int]:
    """The reminders sent for a campaign, newest first (at most `limit`), and how many there are."""
    from thidua.units.models import Unit

    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(ReminderLog).where(ReminderLog.campaign_id == campaign_id)
    ) or 0
    rows = db.session.execute(
        sa.select(ReminderLog, Unit.name, Unit.short_name)
        .join(Unit, Unit.id == ReminderLog.unit_id)
        .where(ReminderLog.campaign_id == campaign_id)
        .order_by(ReminderLog.created_at.desc(), ReminderLog.id.desc())
        .limit(limit)
    ).all()
    return rows, total
