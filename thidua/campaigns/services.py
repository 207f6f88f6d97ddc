"""Campaign operations: dates and phases, participants, extensions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa

from thidua import audit, freeze
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.phases import Extension, Phase
from thidua.timeutil import end_of_day_utc, format_date, local_today, start_of_day_utc, to_local, utcnow
from thidua.units.models import Unit, in_subtree


def campaign_stage(campaign: Campaign, *, now: datetime | None = None) -> str:
    """Where the campaign stands today, in words for the interface."""
    today = local_today(campaign.timezone, now=now)
    if today < campaign.launch_date:
        return "Chưa bắt đầu"
    if today <= campaign.registration_deadline:
        return Phase.REGISTRATION.label
    if today <= campaign.report_deadline:
        return Phase.REPORT.label
    if campaign.city_report_deadline and today <= campaign.city_report_deadline:
        return "Chấm điểm và tổng hợp"
    return "Đã kết thúc"


def current_phase(campaign: Campaign, *, now: datetime | None = None) -> Phase | None:
    today = local_today(campaign.timezone, now=now)
    if campaign.launch_date <= today <= campaign.registration_deadline:
        return Phase.REGISTRATION
    if campaign.registration_deadline < today <= campaign.report_deadline:
        return Phase.REPORT
    return None


@cache
def _participant_query() -> sa.Select:
    return sa.select(sa.literal(True)).where(
        CampaignUnit.campaign_id == sa.bindparam("campaign_id"), CampaignUnit.unit_id == sa.bindparam("unit_id")
    )


def is_participant(campaign_id: int, unit_id: int) -> bool:
    return db.session.scalar(_participant_query(), {"campaign_id": campaign_id, "unit_id": unit_id}) is not None


def participant_selection(campaign: Campaign) -> set[tuple[str, str]]:
    """The (block, unit type) pairs fully or partly chosen for a campaign."""
    rows = db.session.execute(
        sa.select(Unit.block, Unit.unit_type)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id)
        .distinct()
    )
    return {(block, unit_type) for block, unit_type in rows}


def set_participants(campaign: Campaign, groups: set[tuple[str, str]], *, actor) -> int:
    """Make the campaign's participants exactly the active units of the chosen (block, type) groups.

    Units outside those groups are removed unless they already have initiatives in the campaign
    (their records must not vanish from the board): their kept progress has a last activity. Returns the
    number of participants.
    """
    wanted = set()
    if groups:
        condition = sa.or_(*[sa.and_(Unit.block == b, Unit.unit_type == t) for b, t in groups])
        wanted = set(db.session.scalars(
            sa.select(Unit.id).where(Unit.is_active.is_(True), Unit.id != campaign.organiser_id, condition,
                                     in_subtree(campaign.organiser_id))  # the organiser's own units only
        ))
    current, with_records = set(), set()
    for unit_id, last_activity_at in db.session.execute(
            sa.select(CampaignUnit.unit_id, CampaignUnit.last_activity_at).where(CampaignUnit.campaign_id == campaign.id)):
        current.add(unit_id)
        if last_activity_at is not None:
            with_records.add(unit_id)
    to_add = wanted - current
    to_remove = current - wanted - with_records
    # Added through the session, so that their progress is computed on flush like any other change (thidua.progress).
    db.session.add_all([CampaignUnit(campaign_id=campaign.id, unit_id=unit_id) for unit_id in sorted(to_add)])
    if to_remove:
        db.session.execute(
            sa.delete(CampaignUnit).where(CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id.in_(to_remove))
        )
    total = len((current | to_add) - to_remove)
    audit.record(
        "campaign.participants",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        campaign_id=campaign.id,
        details={
            "groups": sorted([list(g) for g in groups]),
            "added": len(to_add),
            "removed": len(to_remove),
            "kept_with_records": len((current - wanted) & with_records),
            "total": total,
        },
    )
    return total


def units_closed_by(campaign: Campaign, phase: Phase, new_deadline: date | None, *,
                    now: datetime | None = None) -> int:
    """How many participating units still missing `phase` a deadline moved to `new_deadline` would shut
    out today: the phase is open now (for them), the new deadline is already past, and no extension of
    theirs runs past today."""
    from thidua.campaigns.compliance import missing_units

    today = local_today(campaign.timezone, now=now)
    if new_deadline is None or new_deadline >= today or campaign.deadline(phase) < today:
        return 0
    closed = 0
    for unit in missing_units(campaign, phase):
        extended = unit.registration_extension if phase is Phase.REGISTRATION else unit.report_extension
        if extended is None or extended < today:
            closed += 1
    return closed


def extension_refusal(campaign: Campaign) -> str | None:
    """Why no extension may be granted any more (the award list rests on what units sent), or None."""
    frozen = freeze.frozen_by(campaign.id)
    if frozen is None:
        return None
    return (f"Danh sách đề nghị khen thưởng của phong trào đã ở trạng thái “{frozen.status_label}” nên không gia "
            "hạn cho đơn vị được nữa; muốn gia hạn, Văn phòng mở lại danh sách trước (khi chưa có quyết định).")


def grant_extension(campaign: Campaign, unit: Unit, phase: Phase, until: date, reason: str, *, actor) -> Extension:
    extension = Extension(
        campaign_id=campaign.id,
        unit_id=unit.id,
        phase=phase.value,
        until=until,
        reason=reason.strip(),
        granted_by_id=actor.id,
        granted_at=utcnow(),
    )
    db.session.add(extension)
    db.session.flush()
    audit.record(
        "extension.granted",
        actor=actor,
        object_type="extension",
        object_id=extension.id,
        campaign_id=campaign.id,
        unit_id=unit.id,
        reason=extension.reason,
        details={"phase": phase.value, "until": until.isoformat(), "deadline": campaign.deadline(phase).isoformat()},
    )
    return extension


CAMPAIGN_FIELDS = (
    "name", "year", "period", "plan_reference", "description", "launch_date",
    "registration_deadline", "report_deadline", "review_deadline", "city_report_deadline", "min_initiatives_per_unit",
)


def create_campaign(*, actor, organiser: Unit, **values) -> Campaign:
    campaign = Campaign(organiser_id=organiser.id, **{k: values[k] for k in CAMPAIGN_FIELDS if k in values})
    db.session.add(campaign)
    db.session.flush()
    audit.record("campaign.created", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"name": campaign.name, "year": campaign.year})
    return campaign


def update_campaign(campaign: Campaign, *, actor, **values) -> Campaign:
    changes = {}
    for key in CAMPAIGN_FIELDS:
        if key in values and getattr(campaign, key) != values[key]:
            old = getattr(campaign, key)
            changes[key] = [_jsonable(old), _jsonable(values[key])]
            setattr(campaign, key, values[key])
    if changes:
        audit.record("campaign.updated", actor=actor, object_type="campaign", object_id=campaign.id,
                     campaign_id=campaign.id, details=changes)
    return campaign


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value
