"""Each ranked initiative's standing, kept on its initiative_standing row as the committee works.

Per initiative, from the submitted reviews of its active assignments: how many are assigned and
submitted, the mean total and the mean of every criterion (Decimal, rounded half up to 2 places,
as the page shows them), the lowest and highest total. The ranking page reads a page of these rows
in the ranking's order; nothing averages a campaign's scores on a request.

One mechanism keeps them true: after every flush that adds or ends an assignment, submits or
reopens a review (or changes a submitted review's scores), changes the rubric or moves an
initiative into, within or out of the ranked states, the rows of the initiatives concerned are recomputed from their reviews (`refresh`) and
written again; a row exists while its initiative is in a ranked state. On PostgreSQL the
initiatives are locked first, in id order, so that two reviewers submitting for one initiative at
once recompute one after the other.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from thidua.registration.models import Initiative
from thidua.review.models import Assignment, Criterion, CriterionScore, Review, ReviewStatus, Standing
from thidua.workflow import State

TWO_PLACES = Decimal("0.01")
# States shown in the ranking: those that have been (or are being) scored.
RANKED_STATES = (State.UNDER_REVIEW.value, State.SCORED.value, State.SHORTLISTED.value, State.NOT_AWARDED.value,
                 State.AWARDED.value, State.PUBLISHED.value)
_CHUNK = 500  # initiatives per statement when many are refreshed at once


def mean(values) -> Decimal | None:
    values = [Decimal(v) for v in values]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def refresh(connection: sa.Connection, initiative_ids: Iterable[int] | None = None, *,
            campaign_id: int | None = None) -> None:
    """Recompute the standing of these initiatives, or of every initiative of the campaign."""
    if campaign_id is not None:
        _refresh(connection, Initiative.campaign_id == campaign_id, Standing.campaign_id == campaign_id,
                 Assignment.campaign_id == campaign_id, [campaign_id])
        return
    ordered = sorted(set(initiative_ids or ()))
    for start in range(0, len(ordered), _CHUNK):
        batch = ordered[start:start + _CHUNK]
        _refresh(connection, Initiative.id.in_(batch), Standing.initiative_id.in_(batch),
                 Assignment.initiative_id.in_(batch), None)


def _refresh(connection, initiatives_where, standing_where, assignments_where, campaign_ids) -> None:
    i = Initiative.__table__
    lock = sa.select(i.c.id, i.c.campaign_id, i.c.status, i.c.registered_at).where(initiatives_where)
    if connection.dialect.name == "postgresql":  # SQLite serialises writers already
        lock = lock.order_by(i.c.id).with_for_update()
    items = {row.id: row for row in connection.execute(lock) if row.status in RANKED_STATES}
    if campaign_ids is None:
        campaign_ids = sorted({row.campaign_id for row in items.values()})
    first_criterion: dict[int, int] = {}
    if campaign_ids:
        for criterion_id, owner in connection.execute(
            sa.select(Criterion.id, Criterion.campaign_id).where(Criterion.campaign_id.in_(campaign_ids))
            .order_by(Criterion.campaign_id, Criterion.position, Criterion.id)
        ):
            first_criterion.setdefault(owner, criterion_id)

    assigned: dict[int, int] = defaultdict(int)
    totals: dict[int, list[Decimal]] = defaultdict(list)
    scores: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    if items:
        computed = (sa.select(sa.func.sum(CriterionScore.score)).where(CriterionScore.review_id == Review.id)
                    .scalar_subquery())
        for initiative_id, status, total, summed in connection.execute(
            sa.select(Assignment.initiative_id, Review.status, Review.total, computed)
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(assignments_where, Assignment.conflict_at.is_(None))
        ):
            assigned[initiative_id] += 1
            if status == ReviewStatus.SUBMITTED:
                value = total if total is not None else summed
                totals[initiative_id].append(Decimal(value if value is not None else 0))
        for initiative_id, criterion_id, score in connection.execute(
            sa.select(Assignment.initiative_id, CriterionScore.criterion_id, CriterionScore.score)
            .join(Review, Review.assignment_id == Assignment.id)
            .join(CriterionScore, CriterionScore.review_id == Review.id)
            .where(assignments_where, Assignment.conflict_at.is_(None), Review.status == ReviewStatus.SUBMITTED,
                   CriterionScore.score.is_not(None))
        ):
            scores[initiative_id][criterion_id].append(Decimal(score))

    rows = []
    for initiative_id, item in items.items():
        mine = totals.get(initiative_id, [])
        means = {str(criterion_id): str(mean(values)) for criterion_id, values in scores[initiative_id].items()}
        first = first_criterion.get(item.campaign_id)
        rows.append({
            "initiative_id": initiative_id, "campaign_id": item.campaign_id, "status": item.status,
            "registered_at": item.registered_at, "assigned": assigned.get(initiative_id, 0), "reviews": len(mine),
            "mean": mean(mine), "low": min(mine) if mine else None, "high": max(mine) if mine else None,
            "first_mean": Decimal(means[str(first)]) if first is not None and str(first) in means else None,
            "criterion_means": means,
        })
    connection.execute(sa.delete(Standing.__table__).where(standing_where))
    if rows:
        connection.execute(sa.insert(Standing.__table__), rows)


# --------------------------------------------------------------------------- what a flush touched


def _was_or_is(obj, name: str, values) -> bool:
    history = sa.inspect(obj).attrs[name].history
    return any(v in values for v in (*history.added, *history.unchanged, *history.deleted))


def _history_values(obj, name: str) -> list:
    history = sa.inspect(obj).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _changed(obj, *names: str) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def touched(session: Session) -> tuple[set[int], set[int]]:
    """(initiative ids, campaign ids) whose standing this flush may have moved."""
    initiatives: set[int] = set()
    campaigns: set[int] = set()
    assignments: set[int] = set()
    scored_reviews: set[int] = set()  # reviews whose scores changed: they count if submitted
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Initiative):
            if (obj in session.new or obj in session.deleted or _changed(obj, "status", "registered_at")) \
                    and _was_or_is(obj, "status", RANKED_STATES):
                initiatives.add(obj.id)
        elif isinstance(obj, Assignment):
            if obj in session.new or obj in session.deleted or _changed(obj, "conflict_at", "initiative_id"):
                initiatives.add(obj.initiative_id)
        elif isinstance(obj, Review):
            # Drafts do not count: only a review that is, or was, submitted moves the standing.
            if _was_or_is(obj, "status", (ReviewStatus.SUBMITTED,)) and (
                    obj in session.new or obj in session.deleted or _changed(obj, "status", "total")):
                assignments.add(obj.assignment_id)
        elif isinstance(obj, CriterionScore):
            scored_reviews.update(_history_values(obj, "review_id"))
        elif isinstance(obj, Criterion):
            if obj in session.new or obj in session.deleted or _changed(obj, "position"):
                campaigns.add(obj.campaign_id)
    if assignments or scored_reviews:
        initiatives.update(session.connection().scalars(
            sa.select(Assignment.initiative_id).join(Review, Review.assignment_id == Assignment.id, isouter=True)
            .where(sa.or_(Assignment.id.in_(assignments),
                          sa.and_(Review.id.in_(scored_reviews), Review.status == ReviewStatus.SUBMITTED)))))
    return initiatives, campaigns


def after_flush(session: Session, flush_context) -> None:
    initiatives, campaigns = touched(session)
    if not initiatives and not campaigns:
        return
    connection = session.connection()
    for campaign_id in sorted(campaigns):
        refresh(connection, campaign_id=campaign_id)
    if initiatives:
        refresh(connection, initiatives)
