"""The award proposal list: compiled from the shortlist, ordered and annotated by the secretariat,
approved by a leader, then closed by the commendation decision (the initiatives move to "awarded").

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
from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.awards.models import AwardEntry, AwardList
from thidua.extensions import db
from thidua.numbers import format_fixed
from thidua.registration.models import Initiative, InitiativeLabels
from thidua.results.models import ResultReport
from thidua.review.models import CommendationLevel
from thidua.review.ranking import LEVEL_ACTION, build_ranking
from thidua.timeutil import utcnow
from thidua.units.models import Unit
from thidua.workflow import State, WorkflowError

RECIPIENT_ORDER = ("tap_the", "ca_nhan")
GROUP_TITLES = {"tap_the": "I. Tập thể", "ca_nhan": "II. Cá nhân"}


class AwardError(Exception):
    """A refused change to the award list, with a message for the user in Vietnamese."""


def _require(actor, role: Role, message: str) -> None:
    if actor is None or not getattr(actor, "is_active", False) or actor.role != role:
        raise AwardError(message)


def _require_secretariat(actor) -> None:
    _require(actor, Role.SECRETARIAT, "Chỉ Văn phòng (thường trực Hội đồng) được lập và chỉnh sửa danh sách.")


def _require_draft(award_list: AwardList) -> None:
    if award_list.status != "draft":
        raise AwardError(f"Danh sách đang ở trạng thái “{award_list.status_label}”, không thể chỉnh sửa.")


def load_award_list(campaign_id: int) -> AwardList | None:
    """The campaign's list with its entries, their initiatives (unit, authors) and levels: a fixed number of queries."""
    return db.session.scalar(
        sa.select(AwardList).where(AwardList.campaign_id == campaign_id)
        .options(joinedload(AwardList.approved_by),
                 selectinload(AwardList.entries).joinedload(AwardEntry.initiative).joinedload(Initiative.unit),
                 selectinload(AwardList.entries).joinedload(AwardEntry.level))
    )


def award_list_heading(campaign_id: int) -> AwardList | None:
    """The campaign's list and who approved it, without its entries (the exports read them with load_award_lines)."""
    return db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == campaign_id)
                             .options(joinedload(AwardList.approved_by)))


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
    initiative_id: int
    title: str
    area: str
    unit_name: str
    achievements: str | None  # the results report's, the "summary of results" column


def load_award_lines(award_list_id: int) -> list[AwardLine]:
    """The list's lines with their initiative, unit, level and results report: one statement, no objects.

    For the bench's 2,600 lines (scale M, PostgreSQL) 27 ms, where loading the entries as objects with
    their initiatives, units and levels, then the reports' achievements, took 240 ms.
    """
    rows = db.session.execute(
        sa.select(AwardEntry.id, AwardEntry.position, AwardEntry.recipient_type, AwardEntry.recipient_name,
                  AwardEntry.recipient_title, AwardEntry.score, AwardEntry.note, CommendationLevel.name,
                  Initiative.id, Initiative.title, Initiative.area, Unit.name, ResultReport.achievements)
        .join(Initiative, Initiative.id == AwardEntry.initiative_id)
        .join(Unit, Unit.id == Initiative.unit_id)
        .outerjoin(CommendationLevel, CommendationLevel.id == AwardEntry.level_id)
        .outerjoin(ResultReport, ResultReport.initiative_id == AwardEntry.initiative_id)
        .where(AwardEntry.award_list_id == award_list_id)
    )
    return [AwardLine(*row) for row in rows]


def chosen_levels(campaign_id: int) -> dict[int, dict]:
    """The level named when each initiative was shortlisted (latest wins), read as ranking.py does."""
    chosen: dict[int, dict] = {}
    for object_id, details in db.session.execute(
        sa.select(AuditLog.object_id, AuditLog.details)
        .where(AuditLog.campaign_id == campaign_id, AuditLog.action == LEVEL_ACTION)
        .order_by(AuditLog.id)
    ):
        if object_id is not None:
            chosen[object_id] = details or {}
    return chosen


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
    """Create or refresh the list from the shortlisted initiatives (only while it is a draft).

    Entries already on the list keep their position, note and level; entries whose initiative is no
    longer shortlisted are dropped; new ones are added at the end in ranking order."""
    _require_secretariat(actor)
    award_list = load_award_list(campaign.id)
    if award_list is None:
        award_list = AwardList(campaign_id=campaign.id, status="draft", entries=[])
        db.session.add(award_list)
    _require_draft(award_list)
    ranking = build_ranking(campaign)
    rows = [r for r in ranking.rows if r.initiative.status == State.SHORTLISTED.value]
    ids = [r.initiative.id for r in rows]
    authors = {i.id: i for i in db.session.scalars(
        sa.select(Initiative).where(Initiative.id.in_(ids)).options(selectinload(Initiative.authors)))} if ids else {}
    chosen = chosen_levels(campaign.id)
    existing = {e.initiative_id: e for e in award_list.entries}
    dropped = [e for e in award_list.entries if e.initiative_id not in set(ids)]
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
    for position, entry in enumerate(kept, start=1):
        entry.position = position
    award_list.updated_at = utcnow()
    db.session.flush()
    audit.record("awards.compiled", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=campaign.id,
                 details={"entries": len(kept), "added": added, "dropped": len(dropped)})
    return award_list


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


def approve_award_list(award_list: AwardList, *, actor) -> None:
    _require(actor, Role.LEADER, "Chỉ lãnh đạo Sở được duyệt danh sách đề nghị khen thưởng.")
    if award_list.status != "draft":
        raise AwardError(f"Danh sách đang ở trạng thái “{award_list.status_label}”, không thể duyệt lại.")
    if not award_list.entries:
        raise AwardError("Danh sách chưa có ai được đề nghị khen thưởng; không thể duyệt danh sách trống.")
    stale = [e.initiative_id for e in award_list.entries if e.initiative.status != State.SHORTLISTED.value]
    if stale:
        raise AwardError("Có sáng kiến không còn trong danh sách đề xuất (#"
                         + ", #".join(map(str, stale)) + "); Văn phòng cần cập nhật lại danh sách trước khi duyệt.")
    missing = [e.initiative_id for e in award_list.entries if e.level_id is None]
    if missing:
        raise AwardError("Còn sáng kiến chưa có hình thức khen thưởng (#" + ", #".join(map(str, missing)) + ").")
    award_list.status = "approved"
    award_list.approved_by_id = actor.id
    award_list.approved_at = utcnow()
    award_list.updated_at = award_list.approved_at
    audit.record("awards.approved", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=award_list.campaign_id, from_state="draft", to_state="approved",
                 details={"entries": len(award_list.entries)})


def reopen_award_list(award_list: AwardList, *, actor, reason: str = "") -> None:
    """Back to a draft (before the decision), by the secretariat, with a reason."""
    _require_secretariat(actor)
    if award_list.status != "approved":
        raise AwardError("Chỉ mở lại được danh sách đã duyệt và chưa có quyết định khen thưởng.")
    if not (reason or "").strip():
        raise AwardError("Cần ghi rõ lý do mở lại danh sách.")
    award_list.status = "draft"
    award_list.approved_by_id = None
    award_list.approved_at = None
    award_list.updated_at = utcnow()
    audit.record("awards.reopened", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=award_list.campaign_id, from_state="approved", to_state="draft",
                 reason=reason.strip())


def record_decision(award_list: AwardList, number: str, decided_on: date | None, signer: str, *, actor) -> None:
    """Record the decision and move every initiative on the list to "awarded": all of them or none."""
    _require_secretariat(actor)
    if award_list.status != "approved":
        raise AwardError("Chỉ ghi nhận quyết định khen thưởng sau khi lãnh đạo đã duyệt danh sách.")
    number, signer = (number or "").strip(), (signer or "").strip()
    if not number or decided_on is None or not signer:
        raise AwardError("Cần nhập số quyết định, ngày ký và người ký.")
    entries = list(award_list.entries)
    # A model already published to the gallery stays published: the decided list is what records its
    # award (and where unpublishing it later returns it to "awarded").
    moving = [e for e in entries if e.initiative.status != State.PUBLISHED]
    try:
        for entry in moving:  # check every move first, so that a refusal changes nothing
            workflow.check_transition(entry.initiative, State.AWARDED, actor=actor)
        for entry in moving:
            workflow.transition(entry.initiative, State.AWARDED, actor=actor,
                                reason=f"Quyết định số {number} ngày {decided_on:%d/%m/%Y}")
    except WorkflowError as error:
        raise AwardError(f"Sáng kiến #{entry.initiative_id}: {error}") from error
    award_list.status = "decided"
    award_list.decision_number = number
    award_list.decision_date = decided_on
    award_list.decision_by = signer
    award_list.updated_at = utcnow()
    audit.record("awards.decided", actor=actor, object_type="award_list", object_id=award_list.id,
                 campaign_id=award_list.campaign_id, from_state="approved", to_state="decided",
                 details={"number": number, "date": decided_on.isoformat(), "signer": signer,
                          "initiatives": [e.initiative_id for e in entries]})


def format_score(value) -> str:
    return format_fixed(value)
