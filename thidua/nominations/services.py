"""Nomination upward: a lower level's best initiatives proposed to, and taken up by, the campaign above.

The lower campaign's secretariat names the upper campaign it feeds (`set_feeds`), then proposes its
awarded initiatives (or shortlisted ones, when the upper campaign takes those: `nominations_from`);
the upper secretariat accepts or declines each proposal. Accepting copies the registration, its
report, indicators, authors, areas and evidence files into a new initiative of the upper campaign,
for the same school, in the state the upper committee's assignment picks up (reported): from then on
it is the upper campaign's own, scored by the upper committee only. The lower initiative is left as
it was; its scores and decision stay visible through `provenance`.

Every operation raises NominationError (a ValueError) with a message for the page, changes nothing
when it refuses, writes its audit row, flushes and leaves the commit to the caller.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from thidua import audit
from thidua.awards.models import AwardDecision, AwardEntry, AwardList, decided_initiatives
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.nominations.models import Nomination, NominationState
from thidua.registration.models import Initiative, InitiativeAuthor
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport
from thidua.review.models import CommendationLevel, Standing
from thidua.storage import get_storage
from thidua.text import fold
from thidua.timeutil import utcnow
from thidua.units.models import Unit, subtree_ids
from thidua.workflow import State

FROM_AWARDED = "awarded"
FROM_SHORTLISTED = "shortlisted"
NOMINATIONS_FROM_LABELS = {
    FROM_AWARDED: "Sáng kiến đã được khen thưởng ở cấp dưới",
    FROM_SHORTLISTED: "Sáng kiến được cấp dưới đề xuất khen thưởng hoặc đã khen thưởng",
}
# The state an accepted initiative enters: the one the upper committee's assignment picks up, as for
# the upper level's own reported registrations (thidua.review.assigning.ASSIGNABLE).
ENTERS_AS = State.REPORTED
# Columns of the registration that are the lower level's bookkeeping, not its content.
_NOT_COPIED = {"id", "campaign_id", "status", "version", "shortlisted_level_id", "search_text", "created_by_id",
               "created_at", "updated_at", "registered_at"}
_REPORT_NOT_COPIED = {"id", "initiative_id", "version", "created_at", "updated_at", "updated_by_id", "submitted_at"}


NOMINATED = "initiative.nominated"  # the audit action of an initiative taken up from below (see history_origin)


class NominationError(ValueError):
    """A refused nomination step, with the reason for the page, in Vietnamese."""


# --- which campaign a lower campaign feeds -------------------------------------------------------

def organisers_above(organiser_id: int) -> list[int]:
    """The organisers strictly above `organiser_id` in the unit tree, nearest first."""
    found: list[int] = []
    parent_id = db.session.scalar(sa.select(Unit.parent_id).where(Unit.id == organiser_id))
    seen = {organiser_id}
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        row = db.session.execute(sa.select(Unit.parent_id, Unit.is_organiser).where(Unit.id == parent_id)).first()
        if row is None:
            break
        if row.is_organiser:
            found.append(parent_id)
        parent_id = row.parent_id
    return found


def upper_choices(lower: Campaign) -> list[Campaign]:
    """The campaigns the lower campaign may feed: those of the organisers above its own, newest first."""
    above = organisers_above(lower.organiser_id)
    if not above:
        return []
    return list(db.session.scalars(
        sa.select(Campaign).where(Campaign.organiser_id.in_(above))
        .order_by(Campaign.year.desc(), in_vietnamese_order(Campaign.name), Campaign.id)))


def is_above(upper: Campaign, lower: Campaign) -> bool:
    """The upper campaign's organiser is strictly above the lower campaign's in the unit tree."""
    if upper.organiser_id == lower.organiser_id:
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(
        subtree_ids(upper.organiser_id, name="nomination_above").subquery().c.id == lower.organiser_id))))


def set_feeds(lower: Campaign, upper: Campaign | None, *, actor) -> None:
    """Name (or clear, with None) the upper campaign `lower` feeds. Refused for a campaign not above it,
    and, once proposals are out, for a change of it (the upper level is already reading them)."""
    if upper is not None and upper.id == lower.id:
        raise NominationError("Phong trào không thể trình lên chính nó.")
    if upper is not None and not is_above(upper, lower):
        raise NominationError("Chỉ được trình lên phong trào của cấp trên của đơn vị tổ chức phong trào này.")
    previous = lower.feeds_campaign_id
    if previous == (upper.id if upper else None):
        return
    if previous is not None and _proposed_count(lower, previous):
        raise NominationError("Phong trào đã trình sáng kiến lên cấp trên; không thể đổi phong trào cấp trên nữa.")
    lower.feeds_campaign_id = upper.id if upper else None
    db.session.flush()
    audit.record("nomination.feeds_set", actor=actor, object_type="campaign", object_id=lower.id,
                 campaign_id=lower.id, details={"from": previous, "to": upper.id if upper else None,
                                                "name": upper.name if upper else None})


def _proposed_count(lower: Campaign, upper_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Nomination.id)).join(Initiative, Initiative.id == Nomination.source_id)
        .where(Nomination.campaign_id == upper_id, Initiative.campaign_id == lower.id)) or 0


def upper_of(lower: Campaign) -> Campaign | None:
    return db.session.get(Campaign, lower.feeds_campaign_id) if lower.feeds_campaign_id else None


# --- proposing -------------------------------------------------------------------------------------

def qualifying(upper: Campaign):
    """The condition on Initiative: it is of a kind `upper` takes (awarded; or also shortlisted)."""
    awarded = sa.or_(Initiative.status == State.AWARDED.value,
                     sa.and_(Initiative.status == State.PUBLISHED.value, Initiative.id.in_(decided_initiatives())))
    if upper.nominations_from == FROM_SHORTLISTED:
        return sa.or_(awarded, Initiative.status.in_([State.SHORTLISTED.value, State.PUBLISHED.value]))
    return awarded


def candidates(lower: Campaign) -> list[Initiative]:
    """The lower campaign's initiatives that may be proposed to the campaign it feeds, not yet proposed
    (none while it feeds no campaign)."""
    upper = upper_of(lower)
    if upper is None:
        return []
    proposed = sa.select(Nomination.source_id).where(Nomination.campaign_id == upper.id)
    return list(db.session.scalars(
        sa.select(Initiative).options(sa.orm.joinedload(Initiative.unit))
        .where(Initiative.campaign_id == lower.id, qualifying(upper), Initiative.id.not_in(proposed))
        .order_by(Initiative.id)))


def load_initiatives(ids) -> list[Initiative]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Initiative).where(Initiative.id.in_(ids)).order_by(Initiative.id)))


def propose(lower: Campaign, initiatives, *, actor) -> list[Nomination]:
    """Propose each initiative to the campaign `lower` feeds; all or none (the first refusal says why)."""
    upper = upper_of(lower)
    if upper is None:
        raise NominationError("Phong trào chưa chọn phong trào cấp trên để trình lên.")
    initiatives = list(initiatives)
    if not initiatives:
        raise NominationError("Chọn ít nhất một sáng kiến để trình lên cấp trên.")
    ids = [i.id for i in initiatives]
    qualifying_ids = set(db.session.scalars(sa.select(Initiative.id).where(Initiative.id.in_(ids), qualifying(upper))))
    already = set(db.session.scalars(sa.select(Nomination.source_id).where(
        Nomination.campaign_id == upper.id, Nomination.source_id.in_(ids))))
    for initiative in initiatives:
        if initiative.campaign_id != lower.id:
            raise NominationError(f"Sáng kiến #{initiative.id} không thuộc phong trào này.")
        if initiative.id in already:
            raise NominationError(f"Sáng kiến “{initiative.title}” đã được trình lên cấp trên.")
        if initiative.id not in qualifying_ids:
            raise NominationError(
                f"Sáng kiến “{initiative.title}” chưa đủ điều kiện trình lên: {upper.name} chỉ tiếp nhận "
                f"{NOMINATIONS_FROM_LABELS.get(upper.nominations_from, NOMINATIONS_FROM_LABELS[FROM_AWARDED]).lower()}.")
    if len(set(ids)) != len(ids):
        raise NominationError("Một sáng kiến được chọn hai lần.")
    moment = utcnow()
    made = [Nomination(campaign_id=upper.id, source_id=i.id, state=NominationState.PROPOSED.value,
                       proposed_by_id=actor.id, proposed_at=moment) for i in initiatives]
    db.session.add_all(made)
    db.session.flush()
    for nomination, initiative in zip(made, initiatives):
        audit.record("nomination.proposed", actor=actor, object_type="nomination", object_id=nomination.id,
                     campaign_id=lower.id, unit_id=initiative.unit_id, to_state=NominationState.PROPOSED.value,
                     details={"initiative_id": initiative.id, "upper_campaign_id": upper.id}, at=moment)
    return made


def proposed_from(lower: Campaign) -> list[tuple[Nomination, Initiative]]:
    """What the lower campaign has proposed (to any campaign), with its initiative: one query."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Nomination, Initiative).join(Initiative, Initiative.id == Nomination.source_id)
        .where(Initiative.campaign_id == lower.id).order_by(Nomination.proposed_at.desc(), Nomination.id.desc()))]


# --- deciding ------------------------------------------------------------------------------------

def _check_open(nomination: Nomination) -> None:
    if nomination.state != NominationState.PROPOSED.value:
        raise NominationError(f"Đề xuất này đã được xem xét ({nomination.state_label.lower()}).")


def decline(nomination: Nomination, reason: str | None, *, actor) -> Nomination:
    _check_open(nomination)
    reason = (reason or "").strip()
    if not reason:
        raise NominationError("Cần ghi rõ lý do không tiếp nhận để cấp dưới biết.")
    source = db.session.get(Initiative, nomination.source_id)
    nomination.state = NominationState.DECLINED.value
    nomination.reason = reason
    nomination.decided_by_id = actor.id
    nomination.decided_at = utcnow()
    db.session.flush()
    audit.record("nomination.declined", actor=actor, object_type="nomination", object_id=nomination.id,
                 campaign_id=nomination.campaign_id, unit_id=source.unit_id if source else None,
                 from_state=NominationState.PROPOSED.value, to_state=NominationState.DECLINED.value, reason=reason,
                 details={"initiative_id": nomination.source_id})
    return nomination


def accept(nomination: Nomination, *, actor) -> Initiative:
    """Take the proposal up: a copy of the initiative in the upper campaign, ready for its committee.

    Side effects: the school joins the upper campaign's participants if it was not one (its figures are
    kept by thidua.progress on flush); each evidence file's bytes are stored again under a new
    key, so removing either copy never removes the other (on a refusal after the copy, the new files are
    removed again).
    """
    _check_open(nomination)
    upper = db.session.get(Campaign, nomination.campaign_id)
    source = db.session.scalar(sa.select(Initiative).options(selectinload(Initiative.authors))
                               .where(Initiative.id == nomination.source_id))
    if source is None:
        raise NominationError("Sáng kiến của cấp dưới không còn.")
    if not db.session.scalar(sa.select(sa.exists().where(Initiative.id == source.id, qualifying(upper)))):
        raise NominationError("Sáng kiến không còn đủ điều kiện (cấp dưới đã thay đổi kết quả khen thưởng); "
                              "hãy không tiếp nhận và ghi rõ lý do.")
    lower = db.session.get(Campaign, source.campaign_id)
    if lower is None or lower.feeds_campaign_id != upper.id:
        raise NominationError("Phong trào cấp dưới không còn trình lên phong trào này.")
    moment = utcnow()
    copy = Initiative(campaign_id=upper.id, status=ENTERS_AS.value, created_by_id=actor.id, created_at=moment,
                      updated_at=moment, registered_at=moment, authors=[])
    for column in Initiative.__table__.columns:
        if column.key not in _NOT_COPIED:
            setattr(copy, column.key, getattr(source, column.key))
    copy.areas = source.areas
    copy.authors = [InitiativeAuthor(position=a.position, full_name=a.full_name, job_title=a.job_title,
                                     contribution=a.contribution) for a in source.authors]
    if not db.session.scalar(sa.select(sa.exists().where(CampaignUnit.campaign_id == upper.id,
                                                         CampaignUnit.unit_id == source.unit_id))):
        db.session.add(CampaignUnit(campaign_id=upper.id, unit_id=source.unit_id))
    db.session.add(copy)
    db.session.flush()
    report = db.session.scalar(sa.select(ResultReport).options(selectinload(ResultReport.indicators))
                               .where(ResultReport.initiative_id == source.id))
    if report is not None:
        new_report = ResultReport(initiative_id=copy.id, created_at=moment, updated_at=moment,
                                  updated_by_id=actor.id, submitted_at=moment, indicators=[])
        for column in ResultReport.__table__.columns:
            if column.key not in _REPORT_NOT_COPIED:
                setattr(new_report, column.key, getattr(report, column.key))
        new_report.indicators = [
            ReportIndicator(position=i.position, name=i.name, unit_of_measure=i.unit_of_measure, before=i.before,
                            after=i.after, source=i.source) for i in report.indicators]
        db.session.add(new_report)
    stored_keys = _copy_files(source, copy, actor=actor, moment=moment)
    try:
        nomination.state = NominationState.ACCEPTED.value
        nomination.initiative_id = copy.id
        nomination.decided_by_id = actor.id
        nomination.decided_at = moment
        db.session.flush()
    except Exception:
        storage = get_storage()
        for key in stored_keys:
            storage.delete(key)
        raise
    # The initiative's page reads where it came from in this row (its history), at no query of its own.
    audit.record(NOMINATED, actor=actor, object_type="initiative", object_id=copy.id,
                 campaign_id=upper.id, unit_id=copy.unit_id, to_state=ENTERS_AS.value, at=moment,
                 details={"nomination_id": nomination.id, "source_id": source.id,
                          "organiser": lower.organiser.name})
    audit.record("nomination.accepted", actor=actor, object_type="nomination", object_id=nomination.id,
                 campaign_id=upper.id, unit_id=source.unit_id, from_state=NominationState.PROPOSED.value,
                 to_state=NominationState.ACCEPTED.value, at=moment,
                 details={"initiative_id": source.id, "copy_id": copy.id, "files": len(stored_keys)})
    return copy


def _copy_files(source: Initiative, copy: Initiative, *, actor, moment) -> list[str]:
    storage = get_storage()
    keys: list[str] = []
    files = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.initiative_id == source.id)
                               .order_by(EvidenceFile.id)).all()
    try:
        for item in files:
            with storage.open(item.storage_key) as stream:
                stored = storage.save(stream, max_size=max(item.size, 1) * 2 + 1024)
            keys.append(stored.key)
            db.session.add(EvidenceFile(
                initiative_id=copy.id, original_name=item.original_name, storage_key=stored.key,
                content_type=item.content_type, size=stored.size, sha256=stored.sha256,
                description=item.description, uploaded_by_id=item.uploaded_by_id, uploaded_at=item.uploaded_at))
    except FileNotFoundError:
        for key in keys:
            storage.delete(key)
        raise NominationError("Một tệp minh chứng của sáng kiến cấp dưới không còn trong kho lưu trữ; "
                              "cấp dưới cần tải lại tệp trước khi tiếp nhận.") from None
    return keys


# --- provenance ------------------------------------------------------------------------------------

@dataclass
class Provenance:
    """Where a proposal (or the initiative it became) comes from, as the upper level reads it."""

    nomination: Nomination
    source: Initiative
    lower_campaign: Campaign
    organiser: Unit
    mean: Decimal | None = None  # the lower committee's mean total
    total: Decimal | None = None  # the sum of the lower committee's submitted totals
    reviews: int = 0
    level_name: str | None = None
    decision: AwardDecision | None = None
    files: list[EvidenceFile] = field(default_factory=list)


def provenances(nominations: list[Nomination]) -> dict[int, Provenance]:
    """The provenance of each nomination, by nomination id: a fixed number of queries for any number."""
    if not nominations:
        return {}
    source_ids = [n.source_id for n in nominations]
    sources = {i.id: i for i in db.session.scalars(
        sa.select(Initiative).options(sa.orm.joinedload(Initiative.unit), sa.orm.joinedload(Initiative.campaign),
                                      selectinload(Initiative.area_links))
        .where(Initiative.id.in_(source_ids)))}
    standings = {s.initiative_id: s for s in db.session.scalars(
        sa.select(Standing).where(Standing.initiative_id.in_(source_ids)))}
    totals = _review_totals(source_ids)
    awards = {row.initiative_id: row for row in db.session.execute(
        sa.select(AwardEntry.initiative_id, CommendationLevel.name, AwardDecision)
        .join(AwardList, AwardList.id == AwardEntry.award_list_id)
        .outerjoin(CommendationLevel, CommendationLevel.id == AwardEntry.level_id)
        .outerjoin(AwardDecision, sa.and_(AwardDecision.award_list_id == AwardEntry.award_list_id,
                                          AwardDecision.level_id == AwardEntry.level_id))
        .where(AwardEntry.initiative_id.in_(source_ids)))}
    files: dict[int, list[EvidenceFile]] = defaultdict(list)
    for item in db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.initiative_id.in_(source_ids))
                                   .order_by(EvidenceFile.id)):
        files[item.initiative_id].append(item)
    result = {}
    for nomination in nominations:
        source = sources.get(nomination.source_id)
        if source is None:
            continue
        standing = standings.get(source.id)
        award = awards.get(source.id)
        result[nomination.id] = Provenance(
            nomination=nomination, source=source, lower_campaign=source.campaign, organiser=source.campaign.organiser,
            mean=standing.mean if standing else None, reviews=standing.reviews if standing else 0,
            total=totals.get(source.id), level_name=award.name if award else None,
            decision=award.AwardDecision if award else None, files=files.get(source.id, []))
    return result


def _review_totals(initiative_ids: list[int]) -> dict[int, Decimal]:
    from thidua.review.models import Assignment, Review, ReviewStatus

    return dict(db.session.execute(
        sa.select(Assignment.initiative_id, sa.func.sum(Review.total))
        .join(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.initiative_id.in_(initiative_ids), Assignment.conflict_at.is_(None),
               Review.status == ReviewStatus.SUBMITTED)
        .group_by(Assignment.initiative_id)).all())


def provenance(initiative: Initiative) -> Provenance | None:
    """For an initiative of an upper campaign taken up from below: its nomination and where it came from."""
    nomination = db.session.scalar(sa.select(Nomination).where(Nomination.initiative_id == initiative.id))
    if nomination is None:
        return None
    return provenances([nomination]).get(nomination.id)


@dataclass(frozen=True)
class Origin:
    nomination_id: int
    source_id: int
    organiser_name: str


def history_origin(history) -> Origin | None:
    """Where an upper initiative came from, read in its history (thidua.registration.services.history_for)."""
    for line in history:
        details = line.details or {}
        if line.action == NOMINATED and {"nomination_id", "source_id", "organiser"} <= set(details):
            return Origin(details["nomination_id"], details["source_id"], details["organiser"])
    return None


def origins(initiative_ids) -> dict[int, Origin]:
    """For the upper initiatives among `initiative_ids` that were taken up from below: where each came
    from (its nomination, the lower initiative, the lower organiser's name), by initiative id. One query."""
    ids = list(initiative_ids)
    if not ids:
        return {}
    lower = sa.orm.aliased(Initiative)
    rows = db.session.execute(
        sa.select(Nomination.initiative_id, Nomination.id, Nomination.source_id, Unit.name)
        .join(lower, lower.id == Nomination.source_id)
        .join(Campaign, Campaign.id == lower.campaign_id)
        .join(Unit, Unit.id == Campaign.organiser_id)
        .where(Nomination.initiative_id.in_(ids)))
    return {initiative_id: Origin(nomination_id, source_id, name) for initiative_id, nomination_id, source_id, name in rows}


@dataclass
class IncomingGroup:
    organiser: Unit
    items: list[Provenance]


def incoming(upper: Campaign) -> list[IncomingGroup]:
    """The proposals made to `upper`, grouped by the lower organiser (by name), open ones first."""
    nominations = list(db.session.scalars(sa.select(Nomination).where(Nomination.campaign_id == upper.id)
                                          .order_by(Nomination.proposed_at, Nomination.id)))
    found = provenances(nominations)
    order = {NominationState.PROPOSED.value: 0, NominationState.ACCEPTED.value: 1, NominationState.DECLINED.value: 2}
    groups: dict[int, IncomingGroup] = {}
    for nomination in sorted(nominations, key=lambda n: order.get(n.state, 3)):
        item = found.get(nomination.id)
        if item is None:
            continue
        groups.setdefault(item.organiser.id, IncomingGroup(item.organiser, [])).items.append(item)
    return sorted(groups.values(), key=lambda g: fold(g.organiser.name))
