"""Who has done what in a campaign: the numbers behind the board and the reminders.

Every participant's counts (registered, reported, drafts, last activity) are kept on its
campaign_unit row by `progress.py`; everything else (rates per block, the list of who is
missing a phase) is computed from those rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from thidua import workflow
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.phases import Extension, Phase
from thidua.units.models import Unit

REGISTERED = [s.value for s in workflow.COUNTS_AS_REGISTERED]
REPORTED = [s.value for s in workflow.COUNTS_AS_REPORTED]


@dataclass
class UnitProgress:
    unit_id: int
    code: str
    name: str
    short_name: str
    block: str
    unit_type: str
    email: str
    search_text: str
    registered: int
    reported: int
    drafts: int
    last_activity: datetime | None
    registration_extension: date | None = None
    report_extension: date | None = None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def has_registered(self, minimum: int = 1) -> bool:
        return self.registered >= minimum

    @property
    def has_reported(self) -> bool:
        """Every registered initiative has its results report (and there is at least one)."""
        return self.registered > 0 and self.reported >= self.registered

    def is_missing(self, phase: Phase, minimum: int = 1) -> bool:
        return not self.has_registered(minimum) if phase is Phase.REGISTRATION else not self.has_reported

    def needs_reminder(self, phase: Phase, minimum: int = 1) -> bool:
        """Missing the phase and able to act on a reminder: a unit that registered nothing has no report to send."""
        return self.is_missing(phase, minimum) and (phase is Phase.REGISTRATION or self.registered > 0)


# The columns a UnitProgress is made of, in its fields' order (the board reads them too).
PROGRESS_COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.short_name, Unit.block, Unit.unit_type, Unit.email,
                    Unit.search_text, CampaignUnit.registered_count, CampaignUnit.reported_count,
                    CampaignUnit.draft_count, CampaignUnit.last_activity_at)


def unit_progress(campaign: Campaign) -> list[UnitProgress]:
    """Every participating unit with its counts, in two queries whatever the number of units."""
    rows = db.session.execute(
        sa.select(*PROGRESS_COLUMNS)
        .select_from(CampaignUnit)
        .join(Unit, Unit.id == CampaignUnit.unit_id)
        .where(CampaignUnit.campaign_id == campaign.id)
        .order_by(in_vietnamese_order(Unit.block), Unit.unit_type, in_vietnamese_order(Unit.name))
    ).all()
    progress = [UnitProgress(*row) for row in rows]
    add_extensions(campaign, progress, every=True)
    return progress


def add_extensions(campaign: Campaign, progress: list[UnitProgress], *, every: bool = False) -> None:
    """The latest extension per unit and phase (one statement; `every`: the list holds all participants)."""
    by_unit = {p.unit_id: p for p in progress}
    if not by_unit:
        return
    statement = (sa.select(Extension.unit_id, Extension.phase, Extension.until)
                 .where(Extension.campaign_id == campaign.id).order_by(Extension.granted_at, Extension.id))
    if not every:
        statement = statement.where(Extension.unit_id.in_(by_unit))
    for extension in db.session.execute(statement):
        item = by_unit.get(extension.unit_id)
        if item is None:
            continue
        if extension.phase == Phase.REGISTRATION.value:
            item.registration_extension = extension.until
        else:
            item.report_extension = extension.until


def missing_units(campaign: Campaign, phase: Phase) -> list[UnitProgress]:
    """The participating units that have not done what the phase asks of them."""
    return [p for p in unit_progress(campaign) if p.is_missing(phase, campaign.min_initiatives_per_unit)]


def units_to_remind(campaign: Campaign, phase: Phase) -> list[UnitProgress]:
    """The missing units a reminder for the phase is for."""
    return [p for p in unit_progress(campaign) if p.needs_reminder(phase, campaign.min_initiatives_per_unit)]
