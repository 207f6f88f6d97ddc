"""Each participating unit's progress, kept on its campaign_unit row as its initiatives change.

The board, the reminders and the reports read these columns instead of counting a campaign's
initiatives on every request, so a page of the board costs the same for 300 units as for 30,000.

One mechanism keeps them true: after every flush that adds, changes or deletes an initiative,
sends a results report, adds a participant or changes a campaign's minimum, the rows of the units concerned are
recomputed from their initiatives by one UPDATE (`refresh`). Writes that bypass the ORM (bulk
inserts of participants, the benchmark's generator) call `refresh` themselves. On PostgreSQL the
rows are locked first, in a fixed order, so that two transactions changing one unit's
initiatives recompute one after the other, the second seeing the first's committed work.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from thidua import workflow
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.registration.models import Initiative
from thidua.results.models import ResultReport

REGISTERED = [s.value for s in workflow.COUNTS_AS_REGISTERED]
REPORTED = [s.value for s in workflow.COUNTS_AS_REPORTED]
# An initiative change that can move a unit's figures.
_TRACKED = ("status", "updated_at", "registered_at", "campaign_id", "unit_id")
_CHUNK = 500  # units per UPDATE when many are refreshed at once


@cache
def _statements(postgresql: bool, every: bool) -> tuple[sa.Select, sa.Update]:
    """The lock-and-read of the campaign's minimum and the UPDATE, built once per process (a write runs them
    on every flush that touches an initiative); the campaign, the units and the minimum are parameters."""
    cu, i, rr = CampaignUnit.__table__, Initiative.__table__, ResultReport.__table__
    # Every figure is a subquery correlated on (campaign_id, unit_id), the initiative index.
    own = (i.c.campaign_id == cu.c.campaign_id, i.c.unit_id == cu.c.unit_id)
    registered, reported = i.c.status.in_(REGISTERED), i.c.status.in_(REPORTED)

    def count(*conditions):
        return sa.select(sa.func.count()).select_from(i).where(*own, *conditions).scalar_subquery()

    moment = sa.func.coalesce(i.c.registered_at, i.c.updated_at)
    # The minimum-th registration, in the order they were sent (imports without a moment count from their last change).
    reached = (sa.select(moment).where(*own, registered).order_by(moment, i.c.id)
               .offset(sa.bindparam("b_offset")).limit(1).scalar_subquery())
    # Every registered initiative reported: the moment of the last report (or of the last change without one).
    last_report = (sa.select(sa.func.max(sa.func.coalesce(rr.c.submitted_at, i.c.updated_at)))
                   .select_from(i.outerjoin(rr, rr.c.initiative_id == i.c.id))
                   .where(*own, reported).scalar_subquery())
    pending = sa.exists().where(*own, registered, sa.not_(reported))
    values = {
        "registered_count": count(registered),
        "reported_count": count(reported),
        "draft_count": count(i.c.status == workflow.State.DRAFT.value),
        "last_activity_at": sa.select(sa.func.max(i.c.updated_at)).where(*own).scalar_subquery(),
        "registration_done_at": reached,
        "report_done_at": sa.case((sa.and_(sa.exists().where(*own, registered), sa.not_(pending)), last_report)),
    }
    where = [cu.c.campaign_id == sa.bindparam("b_campaign_id")]
    if not every:
        where.append(cu.c.unit_id.in_(sa.bindparam("b_unit_ids", expanding=True)))
    # The campaign's minimum, read with the rows, which PostgreSQL locks (SQLite serialises writers already).
    rows = (sa.select(Campaign.min_initiatives_per_unit).select_from(cu)
            .join(Campaign, Campaign.id == cu.c.campaign_id).where(*where).order_by(cu.c.unit_id))
    if postgresql:
        rows = rows.with_for_update(of=cu)
    return rows, sa.update(cu).where(*where).values(values)


def refresh(connection: sa.Connection, campaign_id: int, unit_ids: Iterable[int] | None = None) -> None:
    """Recompute the progress of these participants of the campaign (all of them when unit_ids is None)."""
    rows, update = _statements(connection.dialect.name == "postgresql", unit_ids is None)
    if unit_ids is None:
        batches = [{}]
    else:
        ordered = sorted(set(unit_ids))
        batches = [{"b_unit_ids": ordered[start:start + _CHUNK]} for start in range(0, len(ordered), _CHUNK)]
    for batch in batches:
        parameters = {"b_campaign_id": campaign_id, **batch}
        minimum = connection.execute(rows, parameters).scalar()
        if minimum is None:  # no such participant (or the campaign is gone)
            continue
        connection.execute(update, {**parameters, "b_offset": max(1, minimum) - 1})


def _history_values(obj, name: str) -> list:
    """The attribute's current value and, when it changed in this flush, its earlier one."""
    history = sa.inspect(obj).attrs[name].history
    values = list(history.added) + list(history.unchanged) + list(history.deleted)
    return [v for v in values if v is not None]


def _changed(obj) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in _TRACKED)


def _report_sent(report: ResultReport) -> bool:
    return sa.inspect(report).attrs.submitted_at.history.has_changes()


def touched(session: Session) -> dict[int, set[int] | None]:
    """{campaign_id: unit ids whose figures this flush may have moved (None: every participant)}."""
    units: dict[int, set[int]] = defaultdict(set)
    everyone: set[int] = set()
    for obj in session.new:
        if isinstance(obj, (Initiative, CampaignUnit)):
            units[obj.campaign_id].add(obj.unit_id)
    for obj in session.deleted:
        if isinstance(obj, Initiative):
            for campaign_id in _history_values(obj, "campaign_id"):
                units[campaign_id].update(_history_values(obj, "unit_id"))
    reports = {obj.initiative_id for obj in (*session.new, *session.dirty)
               if isinstance(obj, ResultReport) and (obj in session.new or _report_sent(obj))}
    if reports:  # a report's submission moment is the unit's day of completion
        for campaign_id, unit_id in session.connection().execute(
                sa.select(Initiative.campaign_id, Initiative.unit_id).where(Initiative.id.in_(reports))):
            units[campaign_id].add(unit_id)
    for obj in session.dirty:
        if isinstance(obj, Initiative) and _changed(obj):
            for campaign_id in _history_values(obj, "campaign_id"):
                units[campaign_id].update(_history_values(obj, "unit_id"))
        elif isinstance(obj, Campaign) and sa.inspect(obj).attrs.min_initiatives_per_unit.history.has_changes():
            everyone.add(obj.id)
    changes: dict[int, set[int] | None] = {campaign_id: ids for campaign_id, ids in units.items() if ids}
    changes.update(dict.fromkeys(everyone))
    return changes


def after_flush(session: Session, flush_context) -> None:
    changes = touched(session)
    if not changes:
        return
    connection = session.connection()
    for campaign_id in sorted(changes):
        refresh(connection, campaign_id, changes[campaign_id])
