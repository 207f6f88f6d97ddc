"""The award proposal list: compiled from the shortlist, ordered and annotated by the secretariat,
submitted to a leader, approved (or returned with comments), then closed by the commendation decisions,
one per form of commendation, each by its own authority (its initiatives move to "awarded").

Every change is refused with an AwardError (a message in Vietnamese) rather than half made; the
caller commits on success and rolls back on an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from thidua import audit, workflow
from thidua.auth.roles import Role
from thidua.awards.models import FROZEN_STATUSES, AwardDecision, AwardEntry, AwardList, AwardListStatus
from thidua.errors import WorkflowError
from thidua.extensions import db
from thidua.notifications import events
from thidua.numbers import format_fixed
from thidua.registration.models import Initiative, InitiativeLabels
from thidua.results.models import ResultReport
from thidua.review.models import CommendationLevel
from thidua.review.ranking import build_ranking
from thidua.targets.models import OutstandingPerson, PersonState
from thidua.timeutil import utcnow
from thidua.units.models import Unit
from thidua.workflow import State

RECIPIENT_ORDER = ("tap_the", "ca_nhan")
GROUP_TITLES = {"tap_the": "I. Tập thể", "ca_nhan": "II. Cá nhân"}


class AwardError(Exception):
    """A refused change to the award list, with a message for the user in Vietnamese."""


@dataclass(frozen=True)
class AwardOf:
    """The commendation an initiative received: its form and the decision that records it."""

    level_name: str
    citation: str


def awards_of(initiative_ids) -> dict[int, AwardOf]:
    """The decided commendation of each of these initiatives (awarded, and published after), in one query."""
    ids = list(initiative_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(AwardEntry.initiative_id, AwardDecision)
        .join(AwardDecision, sa.and_(AwardDecision.award_list_id == AwardEntry.award_list_id,
                                     AwardDecision.level_id == AwardEntry.level_id))
        .where(AwardEntry.initiative_id.in_(ids))
    ).all()
    return {initiative_id: AwardOf(decision.level_name, decision.citation) for initiative_id, decision in rows}


def _campaign_of(award_list: AwardList):
    from thidua.campaigns.models import Campaign

    return db.session.get(Campaign, award_list.campaign_id)


def _require(actor, role: Role, message: str) -> None:
    if actor is None or not getattr(actor, "is_active", False) or actor.role != role:
        raise AwardError(message)


def _require_secretariat(actor) -> None:
    _require(actor, Role.SECRETARIAT, "Chỉ Văn phòng (thường trực Hội đồng) được lập và chỉnh sửa danh sách.")


def _require_draft(award_list: AwardList) -> None:
    if award_list.status != AwardListStatus.DRAFT:
        raise AwardError(f"Danh sách đang ở trạng thái “{award_list.status_label}”, không thể chỉnh sửa.")


def load_award_list(campaign_id: int) -> AwardList | None:
    """The campaign's list with its entries, their initiatives (unit, authors) and levels: a fixed number of queries."""
    return db.session.scalar(
        sa.select(AwardList).where(AwardList.campaign_id == campaign_id)
        .options(joinedload(AwardList.approved_by), joinedload(AwardList.returned_by),
                 selectinload(AwardList.decisions),
                 selectinload(AwardList.entries).joinedload(AwardEntry.initiative).joinedload(Initiative.unit),
                 selectinload(AwardList.entries).joinedload(AwardEntry.unit),
                 selectinload(AwardList.entries).joinedload(AwardEntry.person).joinedload(OutstandingPerson.unit),
                 selectinload(AwardList.entries).joinedload(AwardEntry.level))
    )


def award_list_heading(campaign_id: int) -> AwardList | None:
    """The campaign's list and who approved it, without its entries (the exports read them with load_award_lines)."""
    return db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == campaign_id)
                             .options(joinedload(AwardList.approved_by), selectinload(AwardList.decisions)))


@dataclass(frozen=True, slots=True)
class AwardLine(InitiativeLabels):
    """A line of the list as the exports print it, read as plain columns (an AwardEntry is the object)."""

    id: int
    position: int
    recipient_type: str
    recipient_name: str
    recipient_title: str
    score: Decimal | None
    note: str
    level_name: str | None
    initiative_id: int | None
    title: str
    area: str
    unit_name: str
    achievements: str | None  # the results report's (or the line's reason), the "summary of results" column


# What stands in the initiative's columns on a line proposed on another basis.
BASIS_TITLES = {"targets": "Hoàn thành chỉ tiêu thi đua CCHC", "person": "Cá nhân xuất sắc trong phong trào"}


def load_award_lines(award_list_id: int) -> list[AwardLine]:
    """The list's lines with their initiative, unit, level and results report: one statement, no objects.

    For the bench's 2,600 lines (scale M, PostgreSQL) 27 ms, where loading the entries as objects with
    their initiatives, units and levels, then the reports' achievements, took 240 ms.
    """
    basis_title = sa.case(*((AwardEntry.basis == basis, title) for basis, title in BASIS_TITLES.items()),
                          else_="")
    rows = db.session.execute(
        sa.select(AwardEntry.id, AwardEntry.position, AwardEntry.recipient_type, AwardEntry.recipient_name,
                  AwardEntry.recipient_title, AwardEntry.score, AwardEntry.note, CommendationLevel.name,
                  Initiative.id, sa.func.coalesce(Initiative.title, basis_title), sa.func.coalesce(Initiative.area, ""),
                  Unit.name, sa.func.coalesce(ResultReport.achievements, sa.func.nullif(AwardEntry.reason, "")))
        .outerjoin(Initiative, Initiative.id == AwardEntry.initiative_id)
        .outerjoin(OutstandingPerson, OutstandingPerson.id == AwardEntry.person_id)
        .join(Unit, Unit.id == sa.func.coalesce(Initiative.unit_id, AwardEntry.unit_id, OutstandingPerson.unit_id))
        .outerjoin(CommendationLevel, CommendationLevel.id == AwardEntry.level_id)
        .outerjoin(ResultReport, ResultReport.initiative_id == AwardEntry.initiative_id)
        .where(AwardEntry.award_list_id == award_list_id)
    )
    return [AwardLine(*row) for row in rows]


def chosen_levels(campaign_id: int) -> dict[int, dict]:
    """The level named when each initiative was shortlisted (the initiative's column)."""
    return {initiative_id: {"level_id": level_id} for initiative_id, level_id in db.session.execute(
        sa.select(Initiative.id, Initiative.shortlisted_level_id)
        .where(Initiative.campaign_id == campaign_id, Initiative.shortlisted_level_id.is_not(None)))}


def recipient_of(initiative: Initiative) -> tuple[str, str, str]:
    """(recipient_type, name, title): the collective's name, or the authors' names with the first one's title."""
    if initiative.author_type == "ca_nhan":
        names = ", ".join(a.full_name for a in initiative.authors if a.full_name)
        title = initiative.authors[0].job_title if initiative.authors else ""
        return "ca_nhan", names, title or ""
    return "tap_the", initiative.collective_name or "", ""


def level_for(mean: Decimal | None, chosen: dict | None, levels: list[CommendationLevel]) -> CommendationLevel | None:
    by_id = {lv.id: lv for lv in levels}
    if chosen:
        if chosen.get("level_id") in by_id:
            return by_id[chosen["level_id"]]
        for lv in levels:
            if chosen.get("level") and lv.name == chosen["level"]:
                return lv
    if mean is None:
        return None
    for lv in levels:
        if lv.min_score is None or mean >= Decimal(lv.min_score):
            return lv
    return None


def compile_award_list(campaign, *, actor) -> AwardList:
    """Create or refresh the list (only while it is a draft) from its three sources: the shortlisted
    initiatives, the collectives the campaign's rule proposes on its targets, the outstanding persons
    the office took in.

    Lines already on the list keep their position, note and level; lines whose source no longer stands
    are dropped (a collective the office added by hand stays); new ones are added at the end, in the
    ranking's order, then the rule's, then the persons'."""
    from thidua.targets import judging

    _require_secretariat(actor)
    award_list = load_award_list(campaign.id)
    if award_list is None:
        award_list = AwardList(campaign_id=campaign.id, status=AwardListStatus.DRAFT, entries=[], excluded_units={})
        db.session.add(award_list)
    _require_draft(award_list)
    ranking = build_ranking(campaign)
    rows = [r for r in ranking.rows if r.initiative.status == State.SHORTLISTED.value]
    ids = [r.initiative.id for r in rows]
    authors = {i.id: i for i in db.session.scalars(
        sa.select(Initiative).where(Initiative.id.in_(ids)).options(selectinload(Initiative.authors)))} if ids else {}
    chosen = chosen_levels(campaign.id)
    existing = {e.initiative_id: e for e in award_list.entries if e.basis == "initiative"}
    dropped = [e for e in award_list.entries if e.basis == "initiative" and e.initiative_id not in set(ids)]
    for entry in dropped:
        award_list.entries.remove(entry)
    kept = sorted((e for e in award_list.entries), key=lambda e: (e.position, e.id or 0))
    added = 0
    for row in rows:
        initiative = authors[row.initiative.id]
        recipient_type, name, title = recipient_of(initiative)
        entry = existing.get(initiative.id)
        if entry is None:
            entry = AwardEntry(initiative_id=initiative.id, note="")
            entry.level_id = (lv.id if (lv := level_for(row.mean, chosen.get(initiative.id), ranking.levels))
                              else None)
            award_list.entries.append(entry)
            kept.append(entry)
            added += 1
        elif entry.level_id is None:
            lv = level_for(row.mean, chosen.get(initiative.id), ranking.levels)
            entry.level_id = lv.id if lv else None
        entry.recipient_type, entry.recipient_name, entry.recipient_title = recipient_type, name, title
        entry.score = row.mean
    scores: dict[int, Decimal] = {}
    for row in ranking.rows:
        if row.mean is not None and row.mean > scores.get(row.initiative.unit_id, Decimal(-1)):
            scores[row.initiative.unit_id] = row.mean
    collectives = {c.standing.unit_id: c for c in judging.judge(campaign, scores=scores)}
    default = own_default_level(ranking.levels)
    added += _compile_collectives(award_list, campaign, collectives, kept, dropped, default)
    added += _compile_persons(award_list, campaign, kept, dropped, default)
    for position, entry in enumerate(kept, start=1):
        entry.position = position
    award_list.updated_at = utcnow()
    db.session.flush()
    audit.record("awards.compiled", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=campaign.id,
                 details={"entries": len(kept), "added": added, "dropped": len(dropped)})
    return award_list


def own_default_level(levels: list[CommendationLevel]) -> CommendationLevel | None:
    """The form a collective judged on the targets or an outstanding person starts with: the last of the
    forms the organiser decides itself (the campaign's order puts the highest first); the office changes
    it on the line."""
    own = [lv for lv in levels if not lv.proposed_upward]
    return own[-1] if own else None


def _compile_collectives(award_list: AwardList, campaign, collectives: dict, kept: list, dropped: list,
                         level: CommendationLevel | None = None) -> int:
    """The collectives the rule proposes, less those the office took off; hand-added ones stay."""
    rule_on = campaign.collective_rule == "targets"
    excluded = {int(k) for k in (award_list.excluded_units or {})}
    wanted = [c for c in collectives.values() if rule_on and c.eligible and c.standing.unit_id not in excluded]
    wanted.sort(key=lambda c: list(collectives).index(c.standing.unit_id))
    on_list = {e.unit_id: e for e in award_list.entries if e.basis == "targets"}
    wanted_ids = {c.standing.unit_id for c in wanted}
    for entry in list(on_list.values()):
        if entry.unit_id not in wanted_ids and not entry.manual:
            award_list.entries.remove(entry)
            kept.remove(entry)
            dropped.append(entry)
        elif entry.unit_id in collectives:
            entry.reason = collectives[entry.unit_id].reason
    added = 0
    for collective in wanted:
        if collective.standing.unit_id in on_list:
            continue
        entry = AwardEntry(basis="targets", unit_id=collective.standing.unit_id, recipient_type="tap_the",
                           recipient_name=collective.standing.name, recipient_title="", note="",
                           reason=collective.reason, score=collective.best_score,
                           level_id=level.id if level else None)
        award_list.entries.append(entry)
        kept.append(entry)
        added += 1
    return added


def _compile_persons(award_list: AwardList, campaign, kept: list, dropped: list,
                     level: CommendationLevel | None = None) -> int:
    """The outstanding persons the office took in (state "accepted")."""
    from thidua.targets.persons import individual_targets, reason_for_list

    accepted = list(db.session.scalars(sa.select(OutstandingPerson).where(
        OutstandingPerson.campaign_id == campaign.id, OutstandingPerson.state == PersonState.ACCEPTED)
        .order_by(OutstandingPerson.decided_at, OutstandingPerson.id)))
    on_list = {e.person_id: e for e in award_list.entries if e.basis == "person"}
    accepted_ids = {p.id for p in accepted}
    for entry in list(on_list.values()):
        if entry.person_id not in accepted_ids:
            award_list.entries.remove(entry)
            kept.remove(entry)
            dropped.append(entry)
    targets = individual_targets(campaign.id) if accepted else []
    added = 0
    for person in accepted:
        entry = on_list.get(person.id)
        if entry is None:
            entry = AwardEntry(basis="person", person_id=person.id, unit_id=None, recipient_type="ca_nhan", note="",
                               level_id=level.id if level else None)
            award_list.entries.append(entry)
            kept.append(entry)
            added += 1
        entry.recipient_name, entry.recipient_title = person.full_name, person.job_title
        entry.reason = reason_for_list(person, targets)
    return added


def add_collective(award_list: AwardList, campaign, unit: Unit | None, note: str, *, actor) -> AwardEntry:
    """The office adds a collective beyond the rule's proposal, saying why (audited)."""
    from thidua.campaigns.models import CampaignUnit
    from thidua.targets import judging

    _require_secretariat(actor)
    _require_draft(award_list)
    note = (note or "").strip()
    if unit is None or db.session.get(CampaignUnit, (campaign.id, unit.id)) is None:
        raise AwardError("Chọn một đơn vị tham gia phong trào.")
    if not note:
        raise AwardError("Cần ghi lý do đưa tập thể vào danh sách ngoài cách xét của phong trào.")
    if any(e.basis == "targets" and e.unit_id == unit.id for e in award_list.entries):
        raise AwardError(f"{unit.name} đã có trong danh sách.")
    standing = next((c for c in judging.judge(campaign) if c.standing.unit_id == unit.id), None)
    reason = standing.reason if standing else "Đơn vị chưa có chỉ tiêu thi đua."
    excluded = dict(award_list.excluded_units or {})
    excluded.pop(str(unit.id), None)
    award_list.excluded_units = excluded
    entry = AwardEntry(basis="targets", unit_id=unit.id, manual=True, recipient_type="tap_the",
                       recipient_name=unit.name, recipient_title="", note=f"Văn phòng bổ sung: {note}", reason=reason,
                       position=len(award_list.entries) + 1)
    award_list.entries.append(entry)
    award_list.updated_at = utcnow()
    db.session.flush()
    audit.record("awards.collective_added", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=campaign.id, unit_id=unit.id, reason=note, details={"unit": unit.name})
    return entry


def remove_collective(award_list: AwardList, entry: AwardEntry, note: str, *, actor) -> None:
    """The office takes a collective judged on the targets off the list, saying why; it stays off when
    the list is updated again (audited)."""
    _require_secretariat(actor)
    _require_draft(award_list)
    note = (note or "").strip()
    if entry.basis != "targets":
        raise AwardError("Chỉ bỏ được tập thể xét theo chỉ tiêu; sáng kiến và cá nhân theo đề xuất của chúng.")
    if not note:
        raise AwardError("Cần ghi lý do không đề nghị tập thể này.")
    excluded = dict(award_list.excluded_units or {})
    excluded[str(entry.unit_id)] = note
    award_list.excluded_units = excluded
    award_list.entries.remove(entry)
    award_list.updated_at = utcnow()
    audit.record("awards.collective_removed", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=award_list.campaign_id, unit_id=entry.unit_id, reason=note,
                 details={"unit": entry.recipient_name})


Entry = TypeVar("Entry", AwardEntry, AwardLine)


def grouped(entries: list[Entry]) -> list[tuple[str, str, list[Entry]]]:
    """[(recipient_type, "I. Tập thể", entries in order), ...] — empty groups left out; entries or lines."""
    groups = []
    for kind in RECIPIENT_ORDER:
        items = sorted((e for e in entries if e.recipient_type == kind), key=lambda e: (e.position, e.id))
        if items:
            groups.append((kind, GROUP_TITLES[kind], items))
    return groups


def _list_of(entry: AwardEntry) -> AwardList:
    award_list = db.session.get(AwardList, entry.award_list_id)
    if award_list is None:
        raise AwardError("Không tìm thấy danh sách đề nghị khen thưởng.")
    return award_list


def move_entry(entry: AwardEntry, direction: str, *, actor) -> bool:
    """Swap the entry with its neighbour in its group (I. Tập thể or II. Cá nhân); False at either end."""
    _require_secretariat(actor)
    award_list = _list_of(entry)
    _require_draft(award_list)
    if direction not in ("up", "down"):
        raise AwardError("Hướng di chuyển không hợp lệ.")
    same = sorted((e for e in award_list.entries if e.recipient_type == entry.recipient_type),
                  key=lambda e: (e.position, e.id))
    index = same.index(entry)
    other_index = index - 1 if direction == "up" else index + 1
    if other_index < 0 or other_index >= len(same):
        return False
    other = same[other_index]
    entry.position, other.position = other.position, entry.position
    award_list.updated_at = utcnow()
    return True


def annotate_entry(entry: AwardEntry, note: str, level_id: int | None, *, actor) -> None:
    _require_secretariat(actor)
    award_list = _list_of(entry)
    _require_draft(award_list)
    level = None
    if level_id is not None:
        level = db.session.get(CommendationLevel, level_id)
        if level is None or level.campaign_id != award_list.campaign_id:
            raise AwardError("Hình thức khen thưởng không thuộc phong trào này.")
    entry.note = (note or "").strip()
    entry.level_id = level.id if level else None
    award_list.updated_at = utcnow()
    audit.record("awards.entry_updated", actor=actor, object_type="award_entry", object_id=entry.id,
                 campaign_id=award_list.campaign_id,
                 details={"initiative_id": entry.initiative_id, "note": entry.note,
                          "level": level.name if level else None})


def _check_ready(award_list: AwardList, who: str) -> None:
    if not award_list.entries:
        raise AwardError("Danh sách chưa có ai được đề nghị khen thưởng; không thể "
                         + ("trình" if who == "submit" else "duyệt") + " danh sách trống.")
    stale = [e.initiative_id for e in award_list.entries
             if e.basis == "initiative" and e.initiative.status != State.SHORTLISTED.value]
    if stale:
        raise AwardError("Có sáng kiến không còn trong danh sách đề xuất (#"
                         + ", #".join(map(str, stale)) + "); Văn phòng cần cập nhật lại danh sách.")
    missing = [_line_name(e) for e in award_list.entries if e.level_id is None]
    if missing:
        raise AwardError("Còn dòng chưa có hình thức khen thưởng: " + "; ".join(missing) + ".")


def _line_name(entry: AwardEntry) -> str:
    if entry.basis == "initiative":
        return f"sáng kiến #{entry.initiative_id}"
    return entry.recipient_name or f"dòng #{entry.id}"


def submit_award_list(award_list: AwardList, *, actor) -> None:
    """The secretariat submits the draft for approval; from now on the levels and the rubric are frozen."""
    _require_secretariat(actor)
    if award_list.status != AwardListStatus.DRAFT:
        raise AwardError(f"Danh sách đang ở trạng thái “{award_list.status_label}”, không thể trình duyệt.")
    _check_ready(award_list, "submit")
    award_list.status = AwardListStatus.SUBMITTED
    award_list.submitted_by_id = actor.id
    award_list.submitted_at = utcnow()
    award_list.updated_at = award_list.submitted_at
    entry = audit.record("awards.submitted", actor=actor, object_type="award_list", object_id=award_list.id,
                         campaign_id=award_list.campaign_id,
                         from_state=AwardListStatus.DRAFT, to_state=AwardListStatus.SUBMITTED,
                         details={"entries": len(award_list.entries)})
    events.award_list_moved(award_list, _campaign_of(award_list), entry, actor=actor)


def _require_leader(actor) -> None:
    _require(actor, Role.LEADER, "Chỉ lãnh đạo Sở được duyệt danh sách đề nghị khen thưởng.")


def _require_submitted(award_list: AwardList, expected_version: int | None) -> None:
    if award_list.status != AwardListStatus.SUBMITTED:
        raise AwardError(f"Danh sách đang ở trạng thái “{award_list.status_label}”; lãnh đạo chỉ duyệt hoặc trả lại "
                         "danh sách Văn phòng đã trình.")
    if expected_version is not None and expected_version != award_list.version:
        raise AwardError("Danh sách đã thay đổi từ lúc anh/chị mở trang xác nhận; vui lòng xem lại trước khi duyệt.")


def approve_award_list(award_list: AwardList, *, actor, expected_version: int | None = None) -> None:
    """The leader approves the list the secretariat submitted, as shown on the confirmation page
    (`expected_version`: the list's version that page showed)."""
    _require_leader(actor)
    _require_submitted(award_list, expected_version)
    _check_ready(award_list, "approve")
    award_list.status = AwardListStatus.APPROVED
    award_list.approved_by_id = actor.id
    award_list.approved_at = utcnow()
    award_list.updated_at = award_list.approved_at
    entry = audit.record("awards.approved", actor=actor, object_type="award_list", object_id=award_list.id,
                         campaign_id=award_list.campaign_id,
                         from_state=AwardListStatus.SUBMITTED, to_state=AwardListStatus.APPROVED,
                         details={"entries": len(award_list.entries)})
    events.award_list_moved(award_list, _campaign_of(award_list), entry, actor=actor)


def return_award_list(award_list: AwardList, comment: str, *, actor, expected_version: int | None = None) -> None:
    """The leader sends the submitted list back to the secretariat with comments, which it then sees."""
    _require_leader(actor)
    _require_submitted(award_list, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise AwardError("Cần ghi ý kiến để Văn phòng biết cần sửa gì.")
    award_list.status = AwardListStatus.DRAFT
    award_list.return_comment = comment
    award_list.returned_by_id = actor.id
    award_list.returned_at = utcnow()
    award_list.updated_at = award_list.returned_at
    entry = audit.record("awards.returned", actor=actor, object_type="award_list", object_id=award_list.id,
                         campaign_id=award_list.campaign_id,
                         from_state=AwardListStatus.SUBMITTED, to_state=AwardListStatus.DRAFT, reason=comment)
    events.award_list_moved(award_list, _campaign_of(award_list), entry, actor=actor, reason=comment)


def reopen_award_list(award_list: AwardList, *, actor, reason: str = "") -> None:
    """Back to a draft (submitted or approved, before any decision), by the secretariat, with a reason:
    the levels and the rubric can then change, and the list goes to the leader again."""
    _require_secretariat(actor)
    if not award_list.reopenable:
        raise AwardError("Chỉ mở lại được danh sách đã trình hoặc đã duyệt và chưa có quyết định khen thưởng nào.")
    if not (reason or "").strip():
        raise AwardError("Cần ghi rõ lý do mở lại danh sách.")
    previous = award_list.status
    award_list.status = AwardListStatus.DRAFT
    award_list.approved_by_id = None
    award_list.approved_at = None
    award_list.updated_at = utcnow()
    audit.record("awards.reopened", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=award_list.campaign_id, from_state=previous, to_state=AwardListStatus.DRAFT,
                 reason=reason.strip())


@dataclass(frozen=True)
class LevelOnList:
    """A form of commendation on the list: its lines, who decides it and its decision once recorded."""

    level: CommendationLevel
    authority: str
    entries: list[AwardEntry]
    decision: AwardDecision | None


def levels_on_list(award_list: AwardList, organiser_name: str) -> list[LevelOnList]:
    """The list's forms of commendation in the campaign's order (entries and levels already loaded)."""
    by_level: dict[int, list[AwardEntry]] = {}
    levels: dict[int, CommendationLevel] = {}
    for entry in award_list.entries:
        if entry.level_id is not None and entry.level is not None:
            by_level.setdefault(entry.level_id, []).append(entry)
            levels[entry.level_id] = entry.level
    decisions = {d.level_id: d for d in award_list.decisions}
    ordered = sorted(levels.values(), key=lambda lv: (lv.position, lv.id))
    return [LevelOnList(lv, lv.authority_name(organiser_name), by_level[lv.id], decisions.get(lv.id))
            for lv in ordered]


def record_decision(award_list: AwardList, level: CommendationLevel | None, number: str, decided_on: date | None,
                    signer: str, *, actor, organiser_name: str = "") -> AwardDecision:
    """Record the decision of one form of commendation and move its initiatives to "awarded": all or none.

    The organiser's own forms are decided once the leader has approved; a form proposed upward stays
    "proposed" until the higher authority's decision comes back and is recorded here. When every form
    on the list has its decision, the list is "decided".
    """
    _require_secretariat(actor)
    if award_list.status != AwardListStatus.APPROVED:
        raise AwardError("Chỉ ghi nhận quyết định khen thưởng sau khi lãnh đạo đã duyệt danh sách.")
    if level is None or level.campaign_id != award_list.campaign_id:
        raise AwardError("Chọn hình thức khen thưởng của quyết định.")
    entries = [e for e in award_list.entries if e.level_id == level.id]
    if not entries:
        raise AwardError(f"Danh sách không có ai được đề nghị “{level.name}”.")
    if any(d.level_id == level.id for d in award_list.decisions):
        raise AwardError(f"Quyết định khen thưởng “{level.name}” đã được ghi nhận; không thể ghi lại.")
    number, signer = (number or "").strip(), (signer or "").strip()
    if not number or decided_on is None or not signer:
        raise AwardError("Cần nhập số quyết định, ngày ký và người ký.")
    decision = AwardDecision(level_id=level.id, level_name=level.name, number=number, decided_on=decided_on,
                             signer=signer, authority=level.authority_name(organiser_name),
                             recorded_by_id=actor.id, recorded_at=utcnow())
    award_list.decisions.append(decision)
    db.session.flush()  # the move to "awarded" requires the decision to be there
    # A model already published to the gallery stays published: the decision is what records its
    # award (and where unpublishing it later returns it to "awarded").
    moving = [e for e in entries if e.basis == "initiative" and e.initiative.status != State.PUBLISHED]
    reason = f"{decision.citation} ({level.name})"
    try:
        for entry in moving:  # check every move first, so that a refusal changes nothing
            workflow.check_transition(entry.initiative, State.AWARDED, actor=actor, through=workflow.AWARD_DECISION)
        for entry in moving:
            workflow.transition(entry.initiative, State.AWARDED, actor=actor, reason=reason,
                                through=workflow.AWARD_DECISION)
    except WorkflowError as error:
        raise AwardError(f"Sáng kiến #{entry.initiative_id}: {error}") from error
    # Those already in the gallery do not move, but the unit hears of the award all the same.
    for entry in entries:
        if entry.basis == "initiative" and entry.initiative.status == State.PUBLISHED:
            events.notify(entry.initiative, "award", actor=actor, occurrence=f"decision-{decision.id}", reason=reason)
    decided_levels = {d.level_id for d in award_list.decisions}
    if all(e.level_id in decided_levels for e in award_list.entries):
        award_list.status = AwardListStatus.DECIDED
    award_list.updated_at = utcnow()
    audit.record("awards.decided", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=award_list.campaign_id, from_state=AwardListStatus.APPROVED, to_state=award_list.status,
                 details={"level": level.name, "level_id": level.id, "authority": decision.authority,
                          "number": number, "date": decided_on.isoformat(), "signer": signer,
                          "initiatives": [e.initiative_id for e in entries if e.initiative_id],
                          "collectives": [e.unit_id for e in entries if e.basis == "targets"],
                          "persons": [e.person_id for e in entries if e.basis == "person"]})
    return decision


def list_frozen(campaign_id: int) -> AwardList | None:
    """The campaign's list when it freezes the levels and the rubric (submitted, approved or decided)."""
    return db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == campaign_id,
                                                        AwardList.status.in_(FROZEN_STATUSES)))


def waiting_for_approval(visible=sa.true()) -> list[tuple[AwardList, object, int]]:
    """Lists submitted to the leaders, of the campaigns `visible` (a condition on Campaign: the leader's
    own organiser's), oldest first, with their campaign and number of lines: one query."""
    from thidua.campaigns.models import Campaign

    return [tuple(row) for row in db.session.execute(
        sa.select(AwardList, Campaign, sa.func.count(AwardEntry.id))
        .join(Campaign, Campaign.id == AwardList.campaign_id)
        .outerjoin(AwardEntry, AwardEntry.award_list_id == AwardList.id)
        .where(AwardList.status == AwardListStatus.SUBMITTED, visible)
        .group_by(AwardList.id, Campaign.id).order_by(AwardList.submitted_at, AwardList.id))]


def format_score(value) -> str:
    return format_fixed(value)
