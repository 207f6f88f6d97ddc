"""Outstanding persons (cá nhân xuất sắc): each unit proposes its own before the campaign's deadline,
sent by its head; the office takes them into the award list's "II. Cá nhân" or declines with a reason."""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa
from flask import url_for

from thidua import audit
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.targets.models import RATING_LABELS, AppliesTo, OutstandingPerson, PersonState, TargetEvidence
from thidua.targets.services import (
    TargetError, _forget_files, check_definitions_changeable, notify_unit, store_file, targets_of,
)
from thidua.timeutil import end_of_day_utc, format_date, utcnow
from thidua.units.models import Unit


def individual_targets(campaign_id: int):
    return targets_of(campaign_id, AppliesTo.INDIVIDUALS)


def persons_of(campaign_id: int, *, unit_id: int | None = None, states=None) -> list[tuple[OutstandingPerson, Unit]]:
    statement = (sa.select(OutstandingPerson, Unit).join(Unit, Unit.id == OutstandingPerson.unit_id)
                 .where(OutstandingPerson.campaign_id == campaign_id)
                 .order_by(OutstandingPerson.sent_at.desc().nulls_last(), Unit.name, OutstandingPerson.id))
    if unit_id is not None:
        statement = statement.where(OutstandingPerson.unit_id == unit_id)
    if states:
        statement = statement.where(OutstandingPerson.state.in_(list(states)))
    return [tuple(row) for row in db.session.execute(statement)]


def files_of(person_ids: list[int]) -> dict[int, list[TargetEvidence]]:
    files: dict[int, list[TargetEvidence]] = {}
    if person_ids:
        for evidence in db.session.scalars(sa.select(TargetEvidence).where(
                TargetEvidence.person_id.in_(person_ids)).order_by(TargetEvidence.id)):
            files.setdefault(evidence.person_id, []).append(evidence)
    return files


def is_open(campaign: Campaign, now: datetime | None = None) -> bool:
    return (campaign.individuals_deadline is not None
            and (now or utcnow()) < end_of_day_utc(campaign.individuals_deadline, campaign.timezone))


def check_open(campaign: Campaign, now: datetime | None = None) -> None:
    if campaign.individuals_deadline is None:
        raise TargetError("Văn phòng chưa mở việc đề nghị cá nhân xuất sắc trong phong trào này.")
    if not is_open(campaign, now):
        raise TargetError(f"Đã hết hạn đề nghị cá nhân xuất sắc (ngày {format_date(campaign.individuals_deadline)}).")


def _require_member(actor, unit: Unit) -> None:
    if actor is None or not actor.is_unit_member or actor.unit_id != unit.id:
        raise TargetError("Chỉ tài khoản của đơn vị được đề nghị cá nhân của đơn vị.")


def _require_editable(person: OutstandingPerson) -> None:
    if not person.editable:
        raise TargetError(f"Đề nghị “{person.full_name}” đã gửi Văn phòng nên không sửa được nữa.")


def save_person(campaign: Campaign, unit: Unit, person: OutstandingPerson | None, values: dict, *, actor,
                now: datetime | None = None) -> OutstandingPerson:
    _require_member(actor, unit)
    check_open(campaign, now)
    full_name = (values.get("full_name") or "").strip()
    if not full_name:
        raise TargetError("Cần nhập họ và tên.")
    rating = values.get("rating") or ""
    if rating not in RATING_LABELS:
        raise TargetError("Chọn kết quả đánh giá, xếp loại.")
    known = {str(t.id) for t in individual_targets(campaign.id)}
    marks = {str(k): bool(v) for k, v in (values.get("targets_met") or {}).items() if str(k) in known}
    created = person is None
    if created:
        person = OutstandingPerson(campaign_id=campaign.id, unit_id=unit.id, state=PersonState.DRAFT)
        db.session.add(person)
    else:
        _require_editable(person)
    person.full_name, person.job_title = full_name[:160], (values.get("job_title") or "").strip()[:160]
    person.rating, person.achievements = rating, (values.get("achievements") or "").strip()[:5000]
    person.targets_met = marks
    person.updated_at, person.updated_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record("persons.saved", actor=actor, object_type="outstanding_person", object_id=person.id,
                 campaign_id=campaign.id, unit_id=unit.id,
                 details={"created": created, "full_name": person.full_name, "rating": rating})
    return person


def delete_person(campaign: Campaign, unit: Unit, person: OutstandingPerson, *, actor) -> None:
    _require_member(actor, unit)
    _require_editable(person)
    _forget_files(sa.select(TargetEvidence.storage_key).where(TargetEvidence.person_id == person.id))
    audit.record("persons.deleted", actor=actor, object_type="outstanding_person", object_id=person.id,
                 campaign_id=campaign.id, unit_id=unit.id, details={"full_name": person.full_name})
    db.session.delete(person)


def send_person(campaign: Campaign, unit: Unit, person: OutstandingPerson, *, actor,
                now: datetime | None = None) -> None:
    _require_member(actor, unit)
    if actor.role != Role.UNIT_HEAD:
        raise TargetError("Thủ trưởng đơn vị gửi đề nghị cá nhân xuất sắc đến Văn phòng.")
    check_open(campaign, now)
    _require_editable(person)
    if not person.achievements.strip():
        raise TargetError(f"Cần ghi thành tích của “{person.full_name}” trước khi gửi.")
    person.state, person.sent_at, person.sent_by_id = PersonState.SENT, now or utcnow(), actor.id
    db.session.flush()
    audit.record("persons.sent", actor=actor, object_type="outstanding_person", object_id=person.id,
                 campaign_id=campaign.id, unit_id=unit.id, from_state=PersonState.DRAFT, to_state=PersonState.SENT,
                 details={"full_name": person.full_name})


def decide_person(person: OutstandingPerson, accept: bool, reason: str = "", *, actor) -> None:
    """The office takes a sent person into the award list, or declines (also one it took) with a reason."""
    if actor is None or actor.role != Role.SECRETARIAT:
        raise TargetError("Chỉ Văn phòng xét đề nghị cá nhân xuất sắc.")
    check_definitions_changeable(db.session.get(Campaign, person.campaign_id))
    reason = (reason or "").strip()
    previous = person.state
    if accept:
        if not person.acceptable:
            raise TargetError("Chỉ tiếp nhận được đề nghị đơn vị đã gửi.")
        person.state, person.decision_reason = PersonState.ACCEPTED, reason[:2000]
    else:
        if not person.declinable:
            raise TargetError("Chỉ xét được đề nghị đơn vị đã gửi.")
        if not reason:
            raise TargetError("Cần ghi lý do không đưa vào danh sách để đơn vị biết.")
        person.state, person.decision_reason = PersonState.DECLINED, reason[:2000]
    person.decided_at, person.decided_by_id = utcnow(), actor.id
    db.session.flush()
    if not accept:
        notify_unit(person.unit_id, person.campaign_id, kind="person_declined",
                    title=f"Văn phòng không đưa “{person.full_name}” vào danh sách đề nghị khen thưởng",
                    body=f"Lý do: {person.decision_reason}",
                    link=url_for("targets.persons_unit", campaign_id=person.campaign_id) + f"#ca-nhan-{person.id}")
    audit.record("persons.accepted" if accept else "persons.declined", actor=actor,
                 object_type="outstanding_person", object_id=person.id, campaign_id=person.campaign_id,
                 unit_id=person.unit_id, from_state=previous, to_state=person.state, reason=reason or None,
                 details={"full_name": person.full_name})


def add_person_evidence(campaign: Campaign, unit: Unit, person: OutstandingPerson, stream: BinaryIO,
                        filename: str | None, *, actor, now: datetime | None = None) -> TargetEvidence:
    _require_member(actor, unit)
    check_open(campaign, now)
    _require_editable(person)
    stored, kind, name = store_file(stream, filename)
    evidence = TargetEvidence(campaign_id=campaign.id, unit_id=unit.id, person_id=person.id, original_name=name,
                              storage_key=stored.key, content_type=kind.content_type, size=stored.size,
                              sha256=stored.sha256, uploaded_by_id=actor.id, uploaded_at=now or utcnow())
    db.session.add(evidence)
    db.session.flush()
    audit.record("persons.evidence_added", actor=actor, object_type="outstanding_person", object_id=person.id,
                 campaign_id=campaign.id, unit_id=unit.id, details={"file": name, "sha256": stored.sha256})
    return evidence


def remove_person_evidence(campaign: Campaign, unit: Unit, evidence: TargetEvidence, *, actor) -> None:
    _require_member(actor, unit)
    person = db.session.get(OutstandingPerson, evidence.person_id)
    _require_editable(person)
    audit.record("persons.evidence_removed", actor=actor, object_type="outstanding_person", object_id=person.id,
                 campaign_id=campaign.id, unit_id=unit.id, details={"file": evidence.original_name})
    _forget_files(sa.select(TargetEvidence.storage_key).where(TargetEvidence.id == evidence.id))
    db.session.delete(evidence)


def reason_for_list(person: OutstandingPerson, targets) -> str:
    """The person's line on the award list: rating, the individual targets met, the achievements."""
    parts = [person.rating_label]
    if targets:
        parts.append(f"đạt {person.targets_met_count(targets)}/{len(targets)} chỉ tiêu đối với cá nhân")
    text = "; ".join(parts) + "."
    if person.achievements:
        text += " " + person.achievements.strip()
    return text
