"""The committee's ranking of the initiatives, and the proposed shortlist.

Only submitted reviews of active assignments count. Per initiative (kept on its Standing row
by `standing.py`): the mean of the reviewers' totals and of each criterion (Decimal, rounded
half up to 2 places), the lowest and highest total and their spread; an initiative is flagged
for discussion when the spread is above the campaign's threshold.

The ranking (TIE_BREAK says it on the page): higher mean total; then higher mean on the
first criterion of the rubric; then higher lowest total; then earlier registration; then
the smaller id. The means compared are the rounded ones shown on the page, so that anyone
can check the order from the table. The order is the database's (`ORDER`, an index on
PostgreSQL), so a page of the ranking reads that page's rows; the position of each row is a
window over the campaign's standings, which the filters do not renumber.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from thidua import audit, workflow
from thidua.campaigns.models import Campaign
from thidua.extensions import db, in_vietnamese_order
from thidua.paging import QueryPage
from thidua.registration.models import AREA_LABELS, Initiative, InitiativeLabels, in_area
from thidua.review.models import CommendationLevel, Criterion, Standing
from thidua.review.standing import RANKED_STATES, TWO_PLACES, mean  # noqa: F401  (part of this module's API)
from thidua.units.models import UNIT_TYPE_LABELS, Unit
from thidua.workflow import State

TIE_BREAK = ("Xếp theo điểm trung bình (làm tròn 2 chữ số) từ cao xuống thấp; bằng điểm thì xét lần lượt: "
             "điểm trung bình tiêu chí đầu tiên ({first}) cao hơn, điểm thấp nhất cao hơn, "
             "đăng ký sớm hơn, số hiệu sáng kiến nhỏ hơn.")
# States whose initiatives take part in the shortlist proposal.
PROPOSABLE = (State.SCORED.value, State.SHORTLISTED.value)
LEVEL_ACTION = "review.level_chosen"
# The ranking's order; unscored initiatives come last.
ORDER = (Standing.mean.desc().nulls_last(), Standing.first_mean.desc().nulls_last(), Standing.low.desc().nulls_last(),
         Standing.registered_at.asc().nulls_last(), Standing.initiative_id.asc())


@dataclass(frozen=True, slots=True)
class InitiativeLine(InitiativeLabels):
    """What a ranking knows of an initiative (read as plain columns; see apply_proposal for the object)."""

    COLUMNS = ("id", "campaign_id", "unit_id", "status", "kind", "title", "area", "registered_at")

    id: int
    campaign_id: int
    unit_id: int
    status: str
    kind: str
    title: str
    area: str
    registered_at: datetime | None


@dataclass(frozen=True, slots=True)
class UnitLine:
    COLUMNS = ("id", "name", "short_name", "block", "unit_type")

    id: int
    name: str
    short_name: str
    block: str
    unit_type: str

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass
class RankedInitiative:
    initiative: InitiativeLine
    unit: UnitLine
    reviews: int = 0
    assigned: int = 0
    criterion_means: dict[int, Decimal | None] = field(default_factory=dict)
    mean: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    flagged: bool = False
    rank: int | None = None
    proposed: CommendationLevel | None = None
    chosen_level: str | None = None  # the level named when it was shortlisted

    @property
    def spread(self) -> Decimal | None:
        return self.high - self.low if self.low is not None and self.high is not None else None

    @property
    def complete(self) -> bool:
        return self.assigned > 0 and self.reviews >= self.assigned


@dataclass
class RankingFilters:
    block: str = ""
    area: str = ""
    unit_type: str = ""
    flagged: bool = False

    @classmethod
    def from_args(cls, args) -> RankingFilters:
        return cls(block=(args.get("block") or "").strip(), area=(args.get("area") or "").strip(),
                   unit_type=(args.get("unit_type") or "").strip(), flagged=args.get("flagged") == "1")

    def conditions(self, threshold: int) -> list:
        conditions = []
        if self.block:
            conditions.append(Unit.block == self.block)
        if self.area:
            conditions.append(in_area(self.area))
        if self.unit_type:
            conditions.append(Unit.unit_type == self.unit_type)
        if self.flagged:
            conditions.append(flagged_condition(threshold))
        return conditions

    def as_args(self) -> dict:
        args = {"block": self.block, "area": self.area, "unit_type": self.unit_type,
                "flagged": "1" if self.flagged else ""}
        return {k: v for k, v in args.items() if v}


def flagged_condition(threshold: int):
    """More than one review, and the totals further apart than the campaign's threshold."""
    return sa.and_(Standing.reviews > 1, Standing.high - Standing.low > threshold)


@dataclass
class Ranking:
    campaign: Campaign
    criteria: list[Criterion]
    levels: list[CommendationLevel]
    rows: list[RankedInitiative]  # the whole ranking (build_ranking) or one page of it (ranking_page)
    total: int = 0  # initiatives in the ranking
    flagged: int = 0  # of which flagged for discussion
    page: QueryPage | None = None
    blocks: list[str] = field(default_factory=list)  # the filters' choices, from the whole ranking
    areas: list[str] = field(default_factory=list)
    unit_types: list[str] = field(default_factory=list)

    @property
    def tie_break(self) -> str:
        return TIE_BREAK.format(first=self.criteria[0].name if self.criteria else "—")


def _rubric(campaign: Campaign) -> tuple[list[Criterion], list[CommendationLevel]]:
    criteria = list(db.session.scalars(sa.select(Criterion).where(Criterion.campaign_id == campaign.id)
                                       .order_by(Criterion.position, Criterion.id)))
    levels = list(db.session.scalars(sa.select(CommendationLevel).where(CommendationLevel.campaign_id == campaign.id)
                                     .order_by(CommendationLevel.position, CommendationLevel.id)))
    return criteria, levels


_STANDING_COLUMNS = (Standing.reviews, Standing.assigned, Standing.criterion_means, Standing.mean, Standing.low,
                     Standing.high)


def _rows(campaign: Campaign, filters: RankingFilters | None, *, limit: int | None = None, offset: int = 0):
    """The ranking's rows (plain columns) in order, each with its position in the whole ranking.

    Unfiltered, the page is cut inside the window (the index gives the order: only the page's rows are
    read); filtered, every position is computed and the filters applied to the joined rows."""
    position = sa.func.row_number().over(order_by=ORDER).label("position")
    ranked = sa.select(Standing.initiative_id, position).where(Standing.campaign_id == campaign.id)
    conditions = filters.conditions(campaign.disagreement_threshold) if filters else []
    if limit is not None and not conditions:
        ranked = ranked.order_by(*ORDER).limit(limit).offset(offset)
    ranked = ranked.subquery()
    statement = (
        sa.select(ranked.c.position, *_STANDING_COLUMNS,
                  *[getattr(Initiative, name) for name in InitiativeLine.COLUMNS],
                  *[getattr(Unit, name) for name in UnitLine.COLUMNS])
        .select_from(ranked)
        .join(Standing, Standing.initiative_id == ranked.c.initiative_id)
        .join(Initiative, Initiative.id == ranked.c.initiative_id)
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(*conditions)
        .order_by(ranked.c.position)
    )
    if limit is not None and conditions:
        statement = statement.limit(limit).offset(offset)
    return db.session.execute(statement)


def _ranked(row, criteria: list[Criterion], threshold: Decimal) -> RankedInitiative:
    width = len(InitiativeLine.COLUMNS)
    position, reviews, assigned, means, average, low, high = row[:7]
    means = means or {}
    item = RankedInitiative(
        InitiativeLine(*row[7:7 + width]), UnitLine(*row[7 + width:]), reviews=reviews, assigned=assigned,
        criterion_means={c.id: Decimal(means[str(c.id)]) if str(c.id) in means else None for c in criteria},
        mean=average, low=low, high=high, rank=position if average is not None else None,
    )
    item.flagged = reviews > 1 and item.spread is not None and item.spread > threshold
    return item


def _annotate(rows: list[RankedInitiative], proposal: dict[int, CommendationLevel], campaign_id: int) -> None:
    """The proposed level, and the level named when each was shortlisted (the initiative's column): one query."""
    by_id = {row.initiative.id: row for row in rows}
    for row in rows:
        row.proposed = proposal.get(row.initiative.id)
    if not by_id:
        return
    for initiative_id, name in db.session.execute(
        sa.select(Initiative.id, CommendationLevel.name)
        .join(CommendationLevel, CommendationLevel.id == Initiative.shortlisted_level_id)
        .where(Initiative.campaign_id == campaign_id,
               *([Initiative.id.in_(by_id)] if len(by_id) <= 1000 else []))
    ):
        if initiative_id in by_id:
            by_id[initiative_id].chosen_level = name


def propose(campaign: Campaign, levels: list[CommendationLevel]) -> dict[int, CommendationLevel]:
    """For each level in order, walk the ranking and give it the not-yet-placed initiatives whose mean reaches
    its threshold, until its maximum count is reached. Only scored (or already shortlisted) initiatives
    whose reviews are all in take part. Reads only the head of the ranking the levels can reach."""
    if not levels:
        return {}
    statement = (sa.select(Standing.initiative_id, Standing.mean)
                 .where(Standing.campaign_id == campaign.id, Standing.status.in_(PROPOSABLE),
                        Standing.assigned > 0, Standing.reviews >= Standing.assigned, Standing.mean.is_not(None))
                 .order_by(*ORDER))
    if all(level.min_score is not None for level in levels):
        statement = statement.where(Standing.mean >= min(Decimal(level.min_score) for level in levels))
    if all(level.max_count is not None for level in levels):
        statement = statement.limit(sum(level.max_count for level in levels))
    candidates = db.session.execute(statement).all()
    proposal: dict[int, CommendationLevel] = {}
    for level in levels:
        count = 0
        for initiative_id, average in candidates:
            if level.max_count is not None and count >= level.max_count:
                break
            if initiative_id in proposal:
                continue
            if level.min_score is not None and average < Decimal(level.min_score):
                continue
            proposal[initiative_id] = level
            count += 1
    return proposal


def build_ranking(campaign: Campaign, filters: RankingFilters | None = None) -> Ranking:
    """The whole ranking (for the exports, the award list and the reports): a fixed number of queries."""
    criteria, levels = _rubric(campaign)
    threshold = Decimal(campaign.disagreement_threshold)
    rows = [_ranked(row, criteria, threshold) for row in _rows(campaign, filters)]
    _annotate(rows, propose(campaign, levels), campaign.id)
    return Ranking(campaign, criteria, levels, rows, total=len(rows), flagged=sum(1 for r in rows if r.flagged))


def ranking_page(campaign: Campaign, filters: RankingFilters, page: int | None, per_page: int) -> Ranking:
    """One page of the ranking, with its counts and the filters' choices: a fixed number of queries."""
    criteria, levels = _rubric(campaign)
    threshold = campaign.disagreement_threshold
    total, flagged = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(flagged_condition(threshold)))
        .where(Standing.campaign_id == campaign.id)
    ).one()
    conditions = filters.conditions(threshold)
    matching = total if not conditions else db.session.scalar(
        sa.select(sa.func.count()).select_from(Standing)
        .join(Initiative, Initiative.id == Standing.initiative_id).join(Unit, Unit.id == Initiative.unit_id)
        .where(Standing.campaign_id == campaign.id, *conditions))
    pager = QueryPage.of(matching, page, per_page)
    rows = [_ranked(row, criteria, Decimal(threshold))
            for row in _rows(campaign, filters, limit=per_page, offset=pager.offset)]
    pager.items = rows
    _annotate(rows, propose(campaign, levels), campaign.id)
    # The filters offer every block of the directory, every area and every unit type.
    blocks = list(db.session.scalars(sa.select(Unit.block).where(Unit.block != "").group_by(Unit.block)
        .order_by(in_vietnamese_order(Unit.block))))
    return Ranking(campaign, criteria, levels, rows, total=total, flagged=flagged, page=pager, blocks=blocks,
                   areas=list(AREA_LABELS), unit_types=list(UNIT_TYPE_LABELS))


# --- Shortlist actions (all through the state module, all audited) -----------------------------

def shortlist(initiative: Initiative, *, actor, level: CommendationLevel | None, note: str = "") -> None:
    workflow.transition(initiative, State.SHORTLISTED, actor=actor, reason=note or None)
    initiative.shortlisted_level_id = level.id if level else None
    audit.record(LEVEL_ACTION, actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id, reason=note or None,
                 details={"level": level.name if level else None, "level_id": level.id if level else None})


def apply_proposal(campaign: Campaign, *, actor) -> int:
    """Shortlist every scored initiative the proposal places, with its level, in ranking order."""
    _, levels = _rubric(campaign)
    proposal = propose(campaign, levels)
    objects = list(db.session.scalars(
        sa.select(Initiative).join(Standing, Standing.initiative_id == Initiative.id)
        .where(Initiative.id.in_(proposal), Initiative.status == State.SCORED.value).order_by(*ORDER)
    )) if proposal else []
    for initiative in objects:
        shortlist(initiative, actor=actor, level=proposal[initiative.id],
                  note="Theo đề xuất tự động (ngưỡng điểm, số lượng)")
    return len(objects)
