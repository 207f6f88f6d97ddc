"""Registration operations: drafts, edits, completeness."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from thidua import audit
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.campaigns.services import is_participant
from thidua.errors import DeadlinePassed, WorkflowError
from thidua.extensions import db
from thidua.phases import Phase, phase_window
from thidua.registration.models import Initiative, InitiativeAuthor
from thidua.timeutil import utcnow
from thidua.units.models import Unit
from thidua.workflow import EDITABLE, State

EDITABLE_FIELDS = (
    "kind", "title", "area", "area_other", "solution_type", "novelty", "improves_on", "need", "objectives", "content",
    "scope", "start_date", "end_date", "first_applied_date", "budget", "expected_results", "author_type",
    "collective_name", "people_in_charge", "contact_name", "contact_position", "contact_phone",
)

# What registering needs, with the words the form uses.
REQUIRED_TO_REGISTER = {
    "kind": "Loại",
    "title": "Tên mô hình, giải pháp, sáng kiến",
    "area": "Lĩnh vực CCHC",
    "need": "Sự cần thiết",
    "objectives": "Mục tiêu",
    "content": "Nội dung thực hiện",
    "start_date": "Thời gian bắt đầu",
    "end_date": "Thời gian hoàn thành",
    "expected_results": "Kết quả dự kiến",
    "people_in_charge": "Người phụ trách thực hiện",
}


class StaleEdit(WorkflowError):
    """The initiative changed since the form was opened."""


class IncompleteRegistration(WorkflowError):
    def __init__(self, missing: list[str]):
        super().__init__("Hồ sơ chưa đủ để gửi đăng ký, còn thiếu: " + "; ".join(missing) + ".")
        self.missing = missing


def authors_of(initiative: Initiative) -> list[InitiativeAuthor]:
    """The initiative's authors, read now when it was loaded without them (the relationship refuses lazy loads).

    Only initiatives by named persons need them to register, so the transition does not load them for a
    collective's initiative: one statement fewer per registration sent.
    """
    if "authors" in sa.inspect(initiative).unloaded:
        set_committed_value(initiative, "authors", db.session.scalars(
            sa.select(InitiativeAuthor).where(InitiativeAuthor.initiative_id == initiative.id)
            .order_by(InitiativeAuthor.position)
        ).all())
    return initiative.authors


def missing_for_registration(initiative: Initiative) -> list[str]:
    missing = [label for field, label in REQUIRED_TO_REGISTER.items() if not getattr(initiative, field)]
    if initiative.author_type == "tap_the" and not initiative.collective_name:
        missing.append("Tên tập thể thực hiện")
    if initiative.author_type == "ca_nhan":
        authors = authors_of(initiative)
        if not authors:
            missing.append("Danh sách tác giả")
        elif sum(a.contribution for a in authors) != 100:
            missing.append("Tổng tỷ lệ đóng góp của tác giả bằng 100%")
    return missing


def check_registration_complete(initiative: Initiative) -> None:
    missing = missing_for_registration(initiative)
    if missing:
        raise IncompleteRegistration(missing)



def check_can_draft(campaign: Campaign, unit: Unit, *, now: datetime | None = None) -> None:
    if not is_participant(campaign.id, unit.id):
        raise WorkflowError("Đơn vị không thuộc danh sách tham gia phong trào này.")
    phase_window(campaign, unit.id, Phase.REGISTRATION).check(now)


def _set_authors(initiative: Initiative, rows: list[dict]) -> None:
    initiative.authors.clear()
    for position, row in enumerate(rows):
        initiative.authors.append(
            InitiativeAuthor(position=position, full_name=row["full_name"], job_title=row.get("job_title", ""),
                             contribution=row.get("contribution") or 0)
        )


def create_initiative(campaign: Campaign, unit: Unit, *, actor, values: dict, authors: list[dict],
                      now: datetime | None = None, checked: bool = False) -> Initiative:
    """Save a new draft for the unit. Refused when the unit is not taking part or the phase is closed.

    `checked`: the caller has just run check_can_draft for this campaign and unit in the same
    transaction (the form view does, before showing or reading the form), so its two queries are
    not run twice.
    """
    if not checked:
        check_can_draft(campaign, unit, now=now)
    moment = now or utcnow()
    initiative = Initiative(
        campaign_id=campaign.id, unit_id=unit.id, status=State.DRAFT.value, created_by_id=actor.id,
        created_at=moment, updated_at=moment, authors=[],
    )
    _apply(initiative, values)
    _set_authors(initiative, authors)
    db.session.add(initiative)
    db.session.flush()
    audit.record("initiative.created", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=campaign.id, unit_id=unit.id, to_state=State.DRAFT.value, at=moment)
    return initiative


def update_initiative(initiative: Initiative, *, actor, values: dict, authors: list[dict], expected_version: int,
                      now: datetime | None = None) -> Initiative:
    """Apply an edit made on a form opened at `expected_version`.

    Refused when someone saved in between (no silent overwrite), when the state no longer allows
    edits, or when the registration phase has closed for this unit.
    """
    if initiative.version != expected_version:
        raise StaleEdit(
            "Đề xuất này vừa được người khác cập nhật sau khi bạn mở biểu mẫu. "
            "Nội dung bạn nhập vẫn còn bên dưới; hãy mở bản mới nhất trong thẻ khác, so sánh rồi lưu lại."
        )
    if State(initiative.status) not in EDITABLE:
        raise WorkflowError("Đề xuất đã gửi đăng ký; thủ trưởng đơn vị cần mở lại trước khi sửa.")
    phase_window(initiative.campaign_id, initiative.unit_id, Phase.REGISTRATION).check(now)
    _apply(initiative, values)
    _set_authors(initiative, authors)
    initiative.updated_at = now or utcnow()
    return initiative


def _apply(initiative: Initiative, values: dict) -> None:
    """The form's values onto the record: "area" is every area ticked (a list) or one code."""
    for key in EDITABLE_FIELDS:
        if key not in values:
            continue
        if key == "area":
            initiative.areas = values[key]
        else:
            setattr(initiative, key, values[key])


__all__ = [
    "DeadlinePassed", "IncompleteRegistration", "StaleEdit", "check_can_draft", "check_registration_complete",
    "create_initiative", "missing_for_registration", "update_initiative",
]


# --- history ---------------------------------------------------------------------------------------

# The committee's work on an initiative (assignments, scoring sheets, declared conflicts) is confidential:
# the unit it scores never learns who scored it, who declared a conflict of interest, or why.
COMMITTEE_ACTIONS = ("review.", "assignment.")
COMMITTEE_NAME = "Hội đồng chấm điểm"


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    who: str
    action_label: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    action: str = ""
    details: dict | None = None


def history_for(initiative: Initiative, viewer) -> list[HistoryLine]:
    """The initiative's audit rows as `viewer` may know them: everything for the office and the leaders;
    for the unit, no committee rows, and a reviewer's own move shown as the committee's (one query)."""
    rows = db.session.scalars(
        sa.select(audit.AuditLog).options(joinedload(audit.AuditLog.actor))
        .where(audit.AuditLog.object_type == "initiative", audit.AuditLog.object_id == initiative.id)
        .order_by(audit.AuditLog.at, audit.AuditLog.id)
    ).all()
    unit_view = getattr(viewer, "role", None) not in (Role.SECRETARIAT, Role.LEADER)
    lines = []
    for row in rows:
        if unit_view and row.action.startswith(COMMITTEE_ACTIONS):
            continue
        if row.actor is None:
            who = "Hệ thống"
        elif unit_view and row.actor.role == Role.REVIEWER:
            who = COMMITTEE_NAME
        else:
            who = row.actor.full_name
        lines.append(HistoryLine(row.at, who, row.action_label, row.from_state, row.to_state, row.reason,
                                 row.action, row.details))
    return lines


def delete_withdrawn(initiative: Initiative, *, actor) -> None:
    """Delete a withdrawn initiative that was never registered (a draft the unit gave up), audited.

    One that was registered before it was withdrawn stays: the office saw it, and its history is kept.
    """
    if actor is None or not actor.is_unit_member or actor.unit_id != initiative.unit_id:
        raise WorkflowError("Chỉ đơn vị của đề xuất được xóa đề xuất.")
    if initiative.status != State.WITHDRAWN.value:
        raise WorkflowError("Chỉ xóa được đề xuất đã rút; đề xuất đang soạn thì rút trước.")
    if initiative.registered_at is not None:
        raise WorkflowError("Đề xuất đã từng được gửi đăng ký nên được giữ lại (có thể khôi phục thành bản nháp).")
    audit.record("initiative.deleted", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id, from_state=initiative.status,
                 details={"title": initiative.title})
    db.session.delete(initiative)
