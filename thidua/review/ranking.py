"""Aggregating the committee's scores, ranking the initiatives, and proposing the shortlist.

Only submitted reviews of active assignments count. Per initiative: the mean of the
reviewers' totals and of each criterion (Decimal, rounded half up to 2 places), the
lowest and highest total and their spread; an initiative is flagged for discussion when
the spread is above the campaign's threshold.

The ranking (TIE_BREAK says it on the page): higher mean total; then higher mean on the
first criterion of the rubric; then higher lowest total; then earlier registration; then
the smaller id. The means compared are the rounded ones shown on the page, so that anyone
can check the order from the table.

The whole ranking is built from a fixed number of queries whatever the number of
initiatives (criteria, levels, initiatives with their units, totals, criterion scores,
levels chosen by hand).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from thidua import audit, workflow
from thidua.audit import AuditLog
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.registration.models import Initiative, InitiativeLabels
from thidua.review.models import Assignment, CommendationLevel, Criterion, CriterionScore, Review
from thidua.review.services import REVIEW_SUBMITTED
from thidua.units.models import Unit
from thidua.workflow import State

TWO_PLACES = Decimal("0.01")
TIE_BREAK = ("Xếp theo điểm trung bình (làm tròn 2 chữ số) từ cao xuống thấp; bằng điểm thì xét lần lượt: "
             "điểm trung bình tiêu chí đầu tiên ({first}) cao hơn, điểm thấp nhất cao hơn, "
             "đăng ký sớm hơn, số hiệu sáng kiến nhỏ hơn.")
# States shown in the ranking: those that have been (or are being) scored.
RANKED_STATES = (State.UNDER_REVIEW.value, State.SCORED.value, State.SHORTLISTED.value, State.NOT_AWARDED.value,
                 State.AWARDED.value, State.PUBLISHED.value)
# States whose initiatives take part in the shortlist proposal.
PROPOSABLE = (State.SCORED.value, State.SHORTLISTED.value)
LEVEL_ACTION = "review.level_chosen"


def mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


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
    totals: list[Decimal] = field(default_factory=list)
    criterion_means: dict[int, Decimal | None] = field(default_factory=dict)
    mean: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    rank: int | None = None
    proposed: CommendationLevel | None = None
    chosen_level: str | None = None  # the level named when it was shortlisted
    assigned: int = 0

    @property
    def reviews(self) -> int:
        return len(self.totals)

    @property
    def complete(self) -> bool:
        return self.assigned > 0 and self.reviews >= self.assigned


@dataclass
class Ranking:
    campaign: Campaign
    criteria: list[Criterion]
    levels: list[CommendationLevel]
    rows: list[RankedInitiative]

    @property
    def tie_break(self) -> str:
        return TIE_BREAK.format(first=self.criteria[0].name if self.criteria else "—")

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flagged)


def build_ranking(campaign: Campaign) -> Ranking:
    criteria = list(db.session.scalars(sa.select(Criterion).where(Criterion.campaign_id == campaign.id)
                                       .order_by(Criterion.position, Criterion.id)))
    levels = list(db.session.scalars(sa.select(CommendationLevel).where(CommendationLevel.campaign_id == campaign.id)
                                     .order_by(CommendationLevel.position, CommendationLevel.id)))
    # Plain rows of the columns a ranking shows or sorts by, not ORM objects: thousands of them are read.
    items = db.session.execute(
        sa.select(*[getattr(Initiative, name) for name in InitiativeLine.COLUMNS],
                  *[getattr(Unit, name) for name in UnitLine.COLUMNS])
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(RANKED_STATES))
    ).all()
    width = len(InitiativeLine.COLUMNS)
    items = [(InitiativeLine(*item[:width]), UnitLine(*item[width:])) for item in items]
    rows = {initiative.id: RankedInitiative(initiative, unit) for initiative, unit in items}
    # Active assignments with their review's state and total: one query.
    for initiative_id, status, total, computed in db.session.execute(
        sa.select(Assignment.initiative_id, Review.status, Review.total,
                  sa.select(sa.func.sum(CriterionScore.score)).where(CriterionScore.review_id == Review.id)
                  .scalar_subquery())
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.campaign_id == campaign.id, Assignment.conflict_at.is_(None))
    ):
        row = rows.get(initiative_id)
        if row is None:
            continue
        row.assigned += 1
        if status == REVIEW_SUBMITTED:
            value = total if total is not None else computed
            row.totals.append(Decimal(value if value is not None else 0))
    # Per-criterion scores of submitted reviews: one query.
    scores: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for initiative_id, criterion_id, score in db.session.execute(
        sa.select(Assignment.initiative_id, CriterionScore.criterion_id, CriterionScore.score)
        .join(Review, Review.assignment_id == Assignment.id)
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .where(Assignment.campaign_id == campaign.id, Assignment.conflict_at.is_(None),
               Review.status == REVIEW_SUBMITTED, CriterionScore.score.is_not(None))
    ):
        scores[initiative_id][criterion_id].append(Decimal(score))
    # The level named when each was shortlisted (latest wins): one query.
    for object_id, details in db.session.execute(
        sa.select(AuditLog.object_id, AuditLog.details)
        .where(AuditLog.campaign_id == campaign.id, AuditLog.action == LEVEL_ACTION)
        .order_by(AuditLog.id)
    ):
        if object_id in rows:
            rows[object_id].chosen_level = (details or {}).get("level")

    threshold = Decimal(campaign.disagreement_threshold)
    for row in rows.values():
        row.mean = mean(row.totals)
        row.criterion_means = {c.id: mean(scores[row.initiative.id][c.id]) for c in criteria}
        if row.totals:
            row.low, row.high = min(row.totals), max(row.totals)
            row.spread = row.high - row.low
            row.flagged = len(row.totals) > 1 and row.spread > threshold
    first = criteria[0].id if criteria else None
    ranked = sorted(rows.values(), key=lambda r: sort_key(r, first))
    position = 0
    for row in ranked:
        if row.mean is not None:
            position += 1
            row.rank = position
    propose(ranked, levels)
    return Ranking(campaign, criteria, levels, ranked)


def sort_key(row: RankedInitiative, first_criterion_id: int | None):
    """Mean desc, first criterion's mean desc, lowest total desc, registered earlier, id; unscored last."""
    none_last = Decimal("-1")
    first_mean = row.criterion_means.get(first_criterion_id) if first_criterion_id is not None else None
    registered = row.initiative.registered_at or datetime.max
    return (row.mean is None, -(row.mean if row.mean is not None else none_last),
            -(first_mean if first_mean is not None else none_last), -(row.low if row.low is not None else none_last),
            registered, row.initiative.id)


def propose(ranked: list[RankedInitiative], levels: list[CommendationLevel]) -> None:
    """For each level in order, walk the ranking and give it the not-yet-placed initiatives whose mean reaches
    its threshold, until its maximum count is reached. Only scored (or already shortlisted) initiatives
    whose reviews are all in take part."""
    for row in ranked:
        row.proposed = None
    placed: set[int] = set()
    for level in levels:
        count = 0
        for row in ranked:
            if level.max_count is not None and count >= level.max_count:
                break
            if row.initiative.id in placed or row.mean is None or row.initiative.status not in PROPOSABLE:
                continue
            if not row.complete:
                continue
            if level.min_score is not None and row.mean < Decimal(level.min_score):
                continue
            row.proposed = level
            placed.add(row.initiative.id)
            count += 1


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

    def apply(self, rows: list[RankedInitiative]) -> list[RankedInitiative]:
        return [r for r in rows
                if (not self.block or r.unit.block == self.block)
                and (not self.area or r.initiative.area == self.area)
                and (not self.unit_type or r.unit.unit_type == self.unit_type)
                and (not self.flagged or r.flagged)]

    def as_args(self) -> dict:
        args = {"block": self.block, "area": self.area, "unit_type": self.unit_type,
                "flagged": "1" if self.flagged else ""}
        return {k: v for k, v in args.items() if v}


# --- Shortlist actions (all through the state module, all audited) -----------------------------

def shortlist(initiative: Initiative, *, actor, level: CommendationLevel | None, note: str = "") -> None:
    workflow.transition(initiative, State.SHORTLISTED, actor=actor, reason=note or None)
    audit.record(LEVEL_ACTION, actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id, reason=note or None,
                 details={"level": level.name if level else None, "level_id": level.id if level else None})


def apply_proposal(ranking: Ranking, *, actor) -> int:
    """Shortlist every scored initiative the proposal places, with its level."""
    placed = [row for row in ranking.rows if row.proposed is not None and row.initiative.status == State.SCORED.value]
    ids = [row.initiative.id for row in placed]
    objects = {i.id: i for i in db.session.scalars(sa.select(Initiative).where(Initiative.id.in_(ids)))} if ids else {}
    for row in placed:
        shortlist(objects[row.initiative.id], actor=actor, level=row.proposed,
                  note="Theo đề xuất tự động (ngưỡng điểm, số lượng)")
    return len(placed)
