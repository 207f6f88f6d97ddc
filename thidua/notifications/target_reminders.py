"""Reminders for the rounds of targets: 7, 3 and 1 days before a unit's round deadline.

A unit is reminded for a round when its deadline in that round (the round's, or the extension in
force for it when later; dates in the campaign's time zone) is exactly 7, 3 or 1 days away and it
still has values to send: a mandatory target of the round that applies to it, not automatic,
without a value sent to or accepted by the office (a draft or a returned value still counts).

The reminders go through `services.deliver`, so they follow the phases' rules: the ReminderLog row
first (phase "targets:<round id>", milestone "d3:2024-12-16"), whose unique key makes a second
reminder for the same round and milestone impossible, then the in-app notification, then the e-mail.
`ReminderLog.phase` is a String(20): "targets:" and a round id of up to 12 digits fit, and an
integer primary key has at most 10 (PostgreSQL) — no schema change.

Statements: one for the candidate campaigns, then per campaign at most four (targets with their
rounds, extensions, participants, values), whatever the number of units; the addresses of the units
to remind are read once per campaign as well (recipients_for, 500 units a statement).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template

from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.notifications.services import REMINDER_DAYS, ReminderText, days_phrase, deliver, recipients_for
from thidua.targets.models import AppliesTo, RoundExtension, Target, TargetRound, TargetValue, ValueState
from thidua.targets.services import extensions_in_force, targets_of
from thidua.timeutil import format_date, local_today, utcnow
from thidua.units.models import Unit

PHASE_PREFIX = "targets:"
DONE_STATES = frozenset({ValueState.SENT.value, ValueState.ACCEPTED.value})
NAMES_SHOWN = 5


def phase_key(round_id: int) -> str:
    """What ReminderLog.phase holds for a round of targets."""
    return f"{PHASE_PREFIX}{round_id}"


@dataclass(frozen=True)
class TargetUnit:
    """A participating unit as the reminders read it (the fields recipients_for and the e-mail use)."""

    unit_id: int
    name: str
    short_name: str
    email: str
    unit_type: str
    block: str

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class DueTargetReminder:
    campaign: Campaign
    round: TargetRound
    unit: TargetUnit
    deadline: date
    days_left: int
    missing: tuple[str, ...]  # the names of the mandatory targets still to send

    @property
    def phase(self) -> str:
        return phase_key(self.round.id)

    @property
    def milestone(self) -> str:
        return f"d{self.days_left}:{self.deadline.isoformat()}"


def _candidate_campaigns(now: datetime) -> list[Campaign]:
    """Campaigns with a round (or an extension of one) whose deadline may be 1 to 7 days away somewhere."""
    low, high = now.date(), now.date() + timedelta(days=max(REMINDER_DAYS) + 1)
    near = sa.select(TargetRound.id).where(TargetRound.campaign_id == Campaign.id,
                                           TargetRound.deadline.between(low, high)).exists()
    extended = (sa.select(RoundExtension.id).join(TargetRound, TargetRound.id == RoundExtension.round_id)
                .where(TargetRound.campaign_id == Campaign.id, RoundExtension.until.between(low, high)).exists())
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.launch_date <= high, sa.or_(near, extended)).order_by(Campaign.id)))


def _participants(campaign_id: int) -> list[TargetUnit]:
    rows = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.short_name, Unit.email, Unit.unit_type, Unit.block)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign_id)
        .order_by(in_vietnamese_order(Unit.block), Unit.unit_type, in_vietnamese_order(Unit.name))).all()
    return [TargetUnit(*row) for row in rows]


def campaign_due(campaign: Campaign, now: datetime) -> list[DueTargetReminder]:
    """The target reminders due today in one campaign (at most four statements)."""
    today = local_today(campaign.timezone, now=now)
    # Mandatory targets units report themselves; automatic ones are filled by the product.
    targets = [t for t in targets_of(campaign.id, AppliesTo.UNITS) if t.mandatory and not t.automatic]
    if not targets:
        return []
    by_round: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        by_round[target.round_id].append(target)
    rounds = {t.round_id: t.round for t in targets}
    extensions = extensions_in_force(campaign.id)

    def deadline_of(round_: TargetRound, unit_id: int) -> date:
        extension = extensions.get((round_.id, unit_id))
        return max(round_.deadline, extension.until) if extension else round_.deadline

    # Nothing to read further when no round's deadline, extended or not, is at a milestone today.
    days = {(r.deadline - today).days for r in rounds.values()}
    days |= {(max(rounds[rid].deadline, e.until) - today).days for (rid, _), e in extensions.items() if rid in rounds}
    if not days & set(REMINDER_DAYS):
        return []
    units = _participants(campaign.id)
    done = {(target_id, unit_id) for target_id, unit_id, state in db.session.execute(
        sa.select(TargetValue.target_id, TargetValue.unit_id, TargetValue.state)
        .where(TargetValue.campaign_id == campaign.id)) if state in DONE_STATES}
    due = []
    for round_id, round_targets in by_round.items():
        round_ = rounds[round_id]
        for unit in units:
            deadline = deadline_of(round_, unit.unit_id)
            left = (deadline - today).days
            if left not in REMINDER_DAYS:
                continue
            missing = tuple(t.name for t in round_targets if t.applies_to_unit(unit.unit_type, unit.block)
                            and (t.id, unit.unit_id) not in done)
            if missing:
                due.append(DueTargetReminder(campaign, round_, unit, deadline, left, missing))
    return due


def due_target_reminders(now: datetime | None = None) -> list[DueTargetReminder]:
    """Every target reminder due today, campaign by campaign, round by round."""
    now = now or utcnow()
    due = []
    for campaign in _candidate_campaigns(now):
        due.extend(campaign_due(campaign, now))
    return due


def _sheet_path(campaign_id: int, round_id: int) -> str:
    # url_for("targets.unit_sheet", ...) without a request: a worker has none (nor SERVER_NAME).
    path = current_app.url_map.bind("localhost").build("targets.unit_sheet", {"campaign_id": campaign_id})
    return f"{path}#dot-{round_id}"


def reminder_text(reminder: DueTargetReminder) -> ReminderText:
    campaign, round_ = reminder.campaign, reminder.round
    deadline = format_date(reminder.deadline)
    when = days_phrase(reminder.days_left)
    task = f"gửi báo cáo chỉ tiêu “{round_.name}”"
    names = "; ".join(f"“{n}”" for n in reminder.missing[:NAMES_SHOWN])
    more = len(reminder.missing) - NAMES_SHOWN
    if more > 0:
        names += f" và {more} chỉ tiêu khác"
    situation = (f"{when.capitalize()} đến hạn {task} trong {campaign.in_sentence}. Đơn vị còn "
                 f"{len(reminder.missing)} chỉ tiêu bắt buộc chưa gửi Văn phòng: {names}.")
    title = f"Nhắc việc: {task} — hạn {deadline}, {when}"
    body = f"{situation} Hạn của đơn vị: hết ngày {deadline} ({when}); thủ trưởng đơn vị gửi báo cáo trên hệ thống."
    link = _sheet_path(campaign.id, round_.id)
    public_url = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    email = render_template(
        "notifications/reminder_email.txt", campaign=campaign, task=task, unit=reminder.unit, situation=situation,
        deadline=deadline, when=when, url=f"{public_url}{link}",
        organisation=current_app.config.get("ORGANISATION_NAME", ""),
    )
    subject = f"[Thi đua CCHC] Nhắc việc: {task} — hạn {deadline} ({when})"
    return ReminderText(title=title[:255], body=body, subject=subject[:900], email=email, link=link[:255])


def group_due(due: list[DueTargetReminder]) -> list[tuple[int, str, str, list[DueTargetReminder]]]:
    """(campaign id, phase key, milestone, reminders) for each batch delivered together."""
    groups: dict[tuple[int, str, str], list[DueTargetReminder]] = defaultdict(list)
    for reminder in due:
        groups[(reminder.campaign.id, reminder.phase, reminder.milestone)].append(reminder)
    return [(campaign_id, phase, milestone, items) for (campaign_id, phase, milestone), items in groups.items()]


def remind_due(due: list[DueTargetReminder], *, job=None, progress=None) -> list[dict[str, int]]:
    """Deliver the due target reminders: one batch per (campaign, round, milestone); their counts."""
    job_id = job.id if job is not None else None
    # Addresses once per campaign, texts all rendered before the first commit (a rollback expires objects).
    by_campaign: dict[int, list[DueTargetReminder]] = defaultdict(list)
    for reminder in due:
        by_campaign[reminder.campaign.id].append(reminder)
    addresses: dict[int, list[str]] = {}
    for items in by_campaign.values():
        addresses.update(recipients_for({r.unit.unit_id: r.unit for r in items}.values()))
    batches = [(campaign_id, phase, milestone,
                [(r.unit.unit_id, r.unit.display_name, reminder_text(r)) for r in items])
               for campaign_id, phase, milestone, items in group_due(due)]
    return [deliver(campaign_id, phase, milestone, plans, addresses, job_id=job_id, progress=progress)
            for campaign_id, phase, milestone, plans in batches]
