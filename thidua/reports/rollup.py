"""The levels below a campaign's organiser, in figures: what the leaders and the report above read.

For a campaign of organiser O in year Y, each organiser directly below O in the unit tree (the
first `Unit.is_organiser` met on every path down from O: a ward under the Sở, not the ward's own
lower organisers) with its campaigns of year Y: how many units took part, registered and reported,
how many initiatives they registered, how many models its committee's decisions recognised, and how
many it proposed to this campaign. Computed from the lower campaigns' own records (the
`campaign_unit` counters kept by `thidua.progress`), in four statements whatever the
number of lower organisers and units.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm

from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.registration.models import Initiative
from thidua.reports.figures import awarded_condition, rate
from thidua.units.models import Unit


@dataclass
class LevelFigures:
    organiser_id: int | None
    name: str
    campaigns: list[str] = field(default_factory=list)  # its campaigns of the year, by name
    campaign_ids: list[int] = field(default_factory=list)
    participants: int = 0
    registered_units: int = 0
    reported_units: int = 0
    initiatives: int = 0
    awarded: int = 0
    proposed: int = 0  # proposed to the upper campaign

    @property
    def registration_rate(self) -> float:
        return rate(self.registered_units, self.participants)

    @property
    def reporting_rate(self) -> float:
        return rate(self.reported_units, self.participants)

    def add(self, other: LevelFigures) -> None:
        for name in ("participants", "registered_units", "reported_units", "initiatives", "awarded", "proposed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def lower_organisers(top_id: int) -> sa.Select:
    """The active organisers directly below `top_id`: a walk down the tree that stops at each organiser."""
    start = sa.orm.aliased(Unit, name="lower_start")
    walk = (sa.select(start.id, start.is_organiser).where(start.parent_id == top_id)
            .cte("lower_walk", recursive=True))
    child = sa.orm.aliased(Unit, name="lower_child")
    walk = walk.union_all(sa.select(child.id, child.is_organiser)
                          .where(child.parent_id == walk.c.id, walk.c.is_organiser.is_(False)))
    return (sa.select(Unit).where(Unit.id.in_(sa.select(walk.c.id).where(walk.c.is_organiser.is_(True))),
                                  Unit.is_active.is_(True))
            .order_by(in_vietnamese_order(Unit.name)))


def lower_levels(campaign: Campaign) -> list[LevelFigures]:
    """One row per organiser directly below the campaign's, in Vietnamese order of their names."""
    from thidua.nominations.models import Nomination

    organisers = db.session.scalars(lower_organisers(campaign.organiser_id)).all()
    if not organisers:
        return []
    levels = {u.id: LevelFigures(u.id, u.name) for u in organisers}
    campaigns = db.session.execute(
        sa.select(Campaign.id, Campaign.organiser_id, Campaign.name)
        .where(Campaign.organiser_id.in_(levels), Campaign.year == campaign.year).order_by(Campaign.id)).all()
    for row in campaigns:
        levels[row.organiser_id].campaigns.append(row.name)
        levels[row.organiser_id].campaign_ids.append(row.id)
    if not campaigns:
        return list(levels.values())
    ids = [row.id for row in campaigns]

    # A unit counts once per organiser, whichever of its campaigns of the year it took part in.
    unit = CampaignUnit.unit_id
    registered = sa.and_(CampaignUnit.registered_count > 0,
                         CampaignUnit.registered_count >= Campaign.min_initiatives_per_unit)
    reported = sa.and_(CampaignUnit.registered_count > 0, CampaignUnit.reported_count >= CampaignUnit.registered_count)
    for row in db.session.execute(
        sa.select(Campaign.organiser_id, sa.func.count(sa.distinct(unit)).label("participants"),
                  sa.func.count(sa.distinct(sa.case((registered, unit)))).label("registered_units"),
                  sa.func.count(sa.distinct(sa.case((reported, unit)))).label("reported_units"),
                  sa.func.coalesce(sa.func.sum(CampaignUnit.registered_count), 0).label("initiatives"))
        .select_from(CampaignUnit).join(Campaign, Campaign.id == CampaignUnit.campaign_id)
        .where(CampaignUnit.campaign_id.in_(ids)).group_by(Campaign.organiser_id)
    ):
        level = levels[row.organiser_id]
        level.participants, level.registered_units = row.participants, row.registered_units
        level.reported_units, level.initiatives = row.reported_units, int(row.initiatives)

    # Awarded by the lower level's decisions; proposed to this campaign: one statement for both.
    proposed = Initiative.id.in_(sa.select(Nomination.source_id).where(Nomination.campaign_id == campaign.id))
    for organiser_id, awarded, sent in db.session.execute(
        sa.select(Campaign.organiser_id, sa.func.count(Initiative.id).filter(awarded_condition()),
                  sa.func.count(Initiative.id).filter(proposed))
        .select_from(Initiative).join(Campaign, Campaign.id == Initiative.campaign_id)
        .where(Initiative.campaign_id.in_(ids)).group_by(Campaign.organiser_id)
    ):
        levels[organiser_id].awarded, levels[organiser_id].proposed = awarded, sent
    return list(levels.values())


def levels_total(levels: list[LevelFigures]) -> LevelFigures:
    total = LevelFigures(None, "Tổng cộng")
    for level in levels:
        total.add(level)
    return total
