"""The secretariat's set-up of the review: committee, rubric, commendation levels, settings, assignment,
and the progress of the scoring (with reminders to reviewers).

Every change is audited; every change of an initiative's state goes through thidua.workflow.
Operations raise SetupError with a message for the page, in Vietnamese, and leave the commit
to the caller.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from thidua import audit, workflow
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db, in_vietnamese_order
from thidua.jobs.models import Job
from thidua.jobs.services import Progress, job_campaign
from thidua.notifications.mail import MailError, Mailer, clean_addresses, mail_enabled
from thidua.registration.models import Initiative
from thidua.review.assignment import Candidate, Plan, plan_assignment
from thidua.review.models import (
    Assignment, CommendationLevel, CommitteeMember, Criterion, CriterionScore, Review,
)
from thidua.review.services import REVIEW_SUBMITTED
from thidua.text import fold
from thidua.units.services import overseeing_units
from thidua.workflow import State

RUBRIC_TARGET = 100
# Initiatives the committee can be assigned to score.
ASSIGNABLE = (State.REPORTED.value, State.UNDER_REVIEW.value)


class SetupError(Exception):
    """A refused set-up change, with the reason for the page."""


# --- Committee ---------------------------------------------------------------------------------

def members(campaign_id: int) -> list[CommitteeMember]:
    return list(db.session.scalars(
        sa.select(CommitteeMember).options(joinedload(CommitteeMember.user))
        .where(CommitteeMember.campaign_id == campaign_id)
        .order_by(CommitteeMember.is_chair.desc(), CommitteeMember.id)
    ).unique())


NOT_A_REVIEWER = ("{name} không có vai trò “Thành viên Hội đồng” nên không thể tham gia Hội đồng chấm điểm; "
                  "Văn phòng cấp vai trò này ở trang quản trị tài khoản trước.")


OTHER_LEVEL = ("{name} là thành viên Hội đồng của cấp khác; Hội đồng của {organiser} chỉ gồm tài khoản "
               "làm việc cho {organiser}.")


def add_member(campaign: Campaign, user: User, *, actor, chair: bool = False) -> CommitteeMember:
    """Only an active account with the reviewer role joins: any other (a unit's editor, a leader) could be
    given initiatives it may not open, and the review would never complete."""
    if not user.is_active:
        raise SetupError(f"Tài khoản {user.full_name} đã ngừng hoạt động.")
    if user.role != Role.REVIEWER:
        raise SetupError(NOT_A_REVIEWER.format(name=user.full_name))
    if user.organiser_id != campaign.organiser_id:
        raise SetupError(OTHER_LEVEL.format(name=user.full_name, organiser=campaign.organiser.name))
    exists = db.session.scalar(sa.select(CommitteeMember.id).where(
        CommitteeMember.campaign_id == campaign.id, CommitteeMember.user_id == user.id))
    if exists:
        raise SetupError(f"{user.full_name} đã là thành viên Hội đồng của phong trào.")
    member = CommitteeMember(campaign_id=campaign.id, user_id=user.id, is_chair=False)
    db.session.add(member)
    db.session.flush()
    audit.record("review.member_added", actor=actor, object_type="committee_member", object_id=member.id,
                 campaign_id=campaign.id, details={"user_id": user.id, "name": user.full_name})
    if chair:
        set_chair(campaign, member, actor=actor)
    return member


def remove_member(campaign: Campaign, member: CommitteeMember, *, actor) -> None:
    active = db.session.scalar(sa.select(sa.func.count(Assignment.id)).where(
        Assignment.campaign_id == campaign.id, Assignment.reviewer_id == member.user_id,
        Assignment.conflict_at.is_(None)))
    if active:
        raise SetupError(f"Thành viên đang được phân công chấm {active} sáng kiến; gỡ các phân công đó trước khi "
                         "đưa ra khỏi Hội đồng.")
    audit.record("review.member_removed", actor=actor, object_type="committee_member", object_id=member.id,
                 campaign_id=campaign.id, details={"user_id": member.user_id})
    db.session.delete(member)
    db.session.flush()


def set_chair(campaign: Campaign, member: CommitteeMember, *, actor) -> None:
    db.session.execute(sa.update(CommitteeMember).where(CommitteeMember.campaign_id == campaign.id,
                                                        CommitteeMember.id != member.id).values(is_chair=False))
    member.is_chair = True
    db.session.flush()
    audit.record("review.chair_set", actor=actor, object_type="committee_member", object_id=member.id,
                 campaign_id=campaign.id, details={"user_id": member.user_id})


CANDIDATES_SHOWN = 50


def candidate_users(campaign: Campaign, query: str = "", *, limit: int = CANDIDATES_SHOWN) -> tuple[list[User], int]:
    """Accounts the secretariat may add: active reviewers of the campaign's organiser not yet members, whose
    name, login or unit contains `query` (with or without diacritics); the first `limit` by name, and how many
    match."""
    taken = sa.select(CommitteeMember.user_id).where(CommitteeMember.campaign_id == campaign.id)
    users = db.session.scalars(
        sa.select(User).options(joinedload(User.unit))
        .where(User.is_active_account.is_(True), User.role == Role.REVIEWER.value, User.id.not_in(taken),
               User.organiser_id == campaign.organiser_id)
        .order_by(in_vietnamese_order(User.full_name), User.id)).all()
    wanted = fold(query)
    if wanted:
        users = [u for u in users
                 if wanted in fold(f"{u.full_name} {u.username} {u.unit.display_name if u.unit else ''}")]
    return users[:limit], len(users)


def update_settings(campaign: Campaign, *, actor, reviewers_per_initiative: int, blind_review: bool,
                    disagreement_threshold: int) -> None:
    if not 1 <= reviewers_per_initiative <= 20:
        raise SetupError("Số thành viên chấm mỗi sáng kiến phải từ 1 đến 20.")
    if not 0 <= disagreement_threshold <= 100:
        raise SetupError("Ngưỡng chênh lệch phải từ 0 đến 100 điểm.")
    before = {"reviewers_per_initiative": campaign.reviewers_per_initiative, "blind_review": campaign.blind_review,
              "disagreement_threshold": campaign.disagreement_threshold}
    after = {"reviewers_per_initiative": reviewers_per_initiative, "blind_review": bool(blind_review),
             "disagreement_threshold": disagreement_threshold}
    if before == after:
        return
    for key, value in after.items():
        setattr(campaign, key, value)
    audit.record("review.settings", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"before": before, "after": after})


# --- Rubric -----------------------------------------------------------------------------------

SON_LA_NOVELTY_BANDS = [
    {"min": 27, "max": 30, "label": "Hoàn toàn mới"},
    {"min": 21, "max": 26, "label": "Cải tiến tốt"},
    {"min": 16, "max": 20, "label": "Cải tiến trung bình"},
    {"min": 1, "max": 15, "label": "Cải tiến nhỏ"},
    {"min": 0, "max": 0, "label": "Không mới hoặc sao chép"},
]

DEFAULT_RUBRIC = [
    {"name": "Tính mới, sáng tạo", "max_score": 30,
     "description": "Giải pháp mới hoặc cải tiến so với cách làm trước đây tại đơn vị và trong ngành.",
     "low": "Áp dụng lại cách làm đã có, cải tiến nhỏ.",
     "middle": "Cải tiến rõ so với cách làm cũ của đơn vị.",
     "high": "Hoàn toàn mới, chưa được áp dụng trong ngành.",
     "bands": SON_LA_NOVELTY_BANDS},
    {"name": "Tính hiệu quả", "max_score": 30,
     "description": "Kết quả đo được trước và sau khi áp dụng: thời gian, chi phí, sự hài lòng của người dân.",
     "low": "Chưa có số liệu trước/sau hoặc hiệu quả chưa rõ.",
     "middle": "Có số liệu trước/sau, hiệu quả ở mức vừa phải.",
     "high": "Giảm rõ thời gian, chi phí; người dân, giáo viên hài lòng; có số liệu minh chứng."},
    {"name": "Khả năng nhân rộng", "max_score": 25,
     "description": "Có thể áp dụng tại các đơn vị khác trong ngành.",
     "low": "Chỉ phù hợp với điều kiện riêng của đơn vị.",
     "middle": "Áp dụng được tại một số đơn vị cùng loại.",
     "high": "Áp dụng được rộng rãi trong toàn ngành với chi phí thấp."},
    {"name": "Tính khả thi, bền vững", "max_score": 10,
     "description": "Phù hợp quy định, nguồn lực; duy trì được lâu dài.",
     "low": "Phụ thuộc nguồn lực tạm thời, khó duy trì.",
     "middle": "Duy trì được với nguồn lực hiện có.",
     "high": "Đã được thể chế hóa, duy trì ổn định."},
    {"name": "Hồ sơ, minh chứng", "max_score": 5,
     "description": "Đầy đủ, rõ ràng, đúng hạn.",
     "low": "Thiếu minh chứng.",
     "middle": "Có minh chứng nhưng chưa đầy đủ.",
     "high": "Minh chứng đầy đủ, rõ ràng."},
]

LOCK_MESSAGE = (
    "Đã có phiếu chấm được gửi hoặc đã có điểm theo tiêu chí, nên không thể thêm, xóa tiêu chí hay đổi điểm tối đa: "
    "làm vậy sẽ khiến các phiếu đã chấm không còn khớp với bộ tiêu chí. "
    "Vẫn có thể sửa tên, mô tả và các mức điểm."
)

_TEXT_FIELDS = ("name", "description", "low", "middle", "high")


def criteria(campaign_id: int) -> list[Criterion]:
    return list(db.session.scalars(
        sa.select(Criterion).where(Criterion.campaign_id == campaign_id).order_by(Criterion.position, Criterion.id)
    ))


def rubric_locked(campaign_id: int) -> bool:
    """Scoring has started: a review of the campaign is submitted, or some criterion has a score."""
    submitted = sa.select(Review.id).join(Assignment, Assignment.id == Review.assignment_id).where(
        Assignment.campaign_id == campaign_id, Review.status == REVIEW_SUBMITTED)
    scored = sa.select(CriterionScore.id).join(Criterion, Criterion.id == CriterionScore.criterion_id).where(
        Criterion.campaign_id == campaign_id)
    return bool(db.session.scalar(sa.select(sa.or_(sa.exists(submitted), sa.exists(scored)))))


FROZEN_MESSAGE = ("Danh sách đề nghị khen thưởng đã được trình duyệt ({status}): hình thức khen thưởng, ngưỡng điểm "
                  "và bộ tiêu chí được giữ nguyên như đã trình. Muốn thay đổi, Văn phòng cần mở lại danh sách "
                  "(có ghi lý do); không thể thay đổi sau khi đã có quyết định khen thưởng.")


DECIDED_MESSAGE = ("Đã có quyết định khen thưởng: hình thức khen thưởng, ngưỡng điểm và bộ tiêu chí được giữ nguyên "
                   "như đã quyết định, không thể thay đổi.")


def require_not_frozen(campaign_id: int) -> None:
    """Refuse a change to the levels or the rubric once the award list resting on them is submitted."""
    message = frozen_message(campaign_id)
    if message:
        raise SetupError(message)


def frozen_message(campaign_id: int) -> str:
    """Why the levels and the rubric cannot change now, or "" while they can."""
    # Imported here: the award list is the later stage; it freezes what it was compiled from.
    from thidua.awards.models import AwardDecision
    from thidua.awards.services import list_frozen

    frozen = list_frozen(campaign_id)
    if frozen is None:
        return ""
    if db.session.scalar(sa.select(sa.exists().where(AwardDecision.award_list_id == frozen.id))):
        return DECIDED_MESSAGE
    return FROZEN_MESSAGE.format(status=frozen.status_label)


def rubric_total(items) -> int:
    return sum(int(c.max_score if hasattr(c, "max_score") else c["max_score"]) for c in items)


def rubric_problems(items, target: int = RUBRIC_TARGET) -> list[str]:
    items = list(items)
    if not items:
        return ["Chưa có tiêu chí nào."]
    total = rubric_total(items)
    if total != target:
        return [f"Tổng điểm tối đa phải bằng {target} (hiện là {total})."]
    return []


def parse_bands(text: str, max_score: int) -> list[dict]:
    """Bands typed one a line, "27-30: Hoàn toàn mới" (or "0: Không mới"); checked against the maximum."""
    bands = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = re.fullmatch(r"(\d+)\s*(?:[-–—]\s*(\d+))?\s*[:.]\s*(.+)", line)
        if match is None:
            raise SetupError(f"Dòng {number} của các mức điểm chưa đúng dạng “27-30: Hoàn toàn mới”.")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if low > high:
            low, high = high, low
        if high > max_score:
            raise SetupError(f"Mức “{match.group(3).strip()}” vượt quá điểm tối đa {max_score}.")
        bands.append({"min": low, "max": high, "label": match.group(3).strip()[:120]})
    ordered = sorted(bands, key=lambda b: b["min"])
    for first, second in zip(ordered, ordered[1:]):
        if second["min"] <= first["max"]:
            raise SetupError(f"Các mức “{first['label']}” và “{second['label']}” chồng lên nhau.")
    return sorted(bands, key=lambda b: -b["min"])


def bands_text(bands) -> str:
    lines = []
    for band in bands or []:
        span = str(band["min"]) if band["min"] == band["max"] else f"{band['min']}-{band['max']}"
        lines.append(f"{span}: {band['label']}")
    return "\n".join(lines)


def _criterion_details(criterion: Criterion) -> dict:
    return {"name": criterion.name, "max_score": criterion.max_score}


def save_criterion(campaign: Campaign, *, actor, values: dict, criterion: Criterion | None = None) -> Criterion:
    """Add a criterion or change one. `values`: name, max_score, description, low, middle, high, bands (list)."""
    require_not_frozen(campaign.id)
    locked = rubric_locked(campaign.id)
    max_score = int(values["max_score"])
    if not 1 <= max_score <= 100:
        raise SetupError("Điểm tối đa của một tiêu chí phải từ 1 đến 100.")
    for band in values.get("bands") or []:
        if band["max"] > max_score:
            raise SetupError(f"Mức “{band['label']}” vượt quá điểm tối đa {max_score}.")
    if criterion is None:
        if locked:
            raise SetupError(LOCK_MESSAGE)
        position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Criterion.position), 0))
                                     .where(Criterion.campaign_id == campaign.id)) + 1
        criterion = Criterion(campaign_id=campaign.id, position=position, max_score=max_score)
        db.session.add(criterion)
        action = "review.criterion_added"
    else:
        if locked and max_score != criterion.max_score:
            raise SetupError(LOCK_MESSAGE)
        criterion.max_score = max_score
        action = "review.criterion_updated"
    for key in _TEXT_FIELDS:
        setattr(criterion, key, (values.get(key) or "").strip())
    criterion.bands = list(values.get("bands") or [])
    db.session.flush()
    audit.record(action, actor=actor, object_type="criterion", object_id=criterion.id, campaign_id=campaign.id,
                 details=_criterion_details(criterion))
    return criterion


def remove_criterion(campaign: Campaign, criterion: Criterion, *, actor) -> None:
    require_not_frozen(campaign.id)
    if rubric_locked(campaign.id):
        raise SetupError(LOCK_MESSAGE)
    audit.record("review.criterion_removed", actor=actor, object_type="criterion", object_id=criterion.id,
                 campaign_id=campaign.id, details=_criterion_details(criterion))
    db.session.delete(criterion)
    db.session.flush()
    _renumber(criteria(campaign.id))


def move(items: list, item, step: int) -> bool:
    """Move `item` one place up (-1) or down (+1) among `items` (ordered); renumber positions."""
    index = next(i for i, x in enumerate(items) if x.id == item.id)
    other = index + step
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    _renumber(items)
    return True


def _renumber(items) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
    db.session.flush()


def move_criterion(campaign: Campaign, criterion: Criterion, step: int, *, actor) -> None:
    # Order does not change any score: allowed after scoring has started, not once the list is submitted.
    require_not_frozen(campaign.id)
    if move(criteria(campaign.id), criterion, step):
        audit.record("review.criterion_moved", actor=actor, object_type="criterion", object_id=criterion.id,
                     campaign_id=campaign.id, details={"step": step})


def replace_rubric(campaign: Campaign, rows: list[dict], *, actor, source: str) -> list[Criterion]:
    """Replace the whole rubric (default, or a copy from another campaign): refused once scoring has started."""
    require_not_frozen(campaign.id)
    if rubric_locked(campaign.id):
        raise SetupError(LOCK_MESSAGE)
    for old in criteria(campaign.id):
        db.session.delete(old)
    db.session.flush()
    made = []
    for position, row in enumerate(rows, start=1):
        item = Criterion(campaign_id=campaign.id, position=position, name=row["name"], max_score=row["max_score"],
                         description=row.get("description", ""), low=row.get("low", ""),
                         middle=row.get("middle", ""), high=row.get("high", ""),
                         bands=[dict(b) for b in row.get("bands") or []])
        db.session.add(item)
        made.append(item)
    db.session.flush()
    audit.record("review.rubric_replaced", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"source": source, "criteria": len(made),
                                                   "total": rubric_total(made)})
    return made


def apply_default_rubric(campaign: Campaign, *, actor) -> list[Criterion]:
    return replace_rubric(campaign, DEFAULT_RUBRIC, actor=actor, source="default")


def copy_rubric(campaign: Campaign, source: Campaign, *, actor) -> list[Criterion]:
    if source.id == campaign.id:
        raise SetupError("Chọn một phong trào khác để sao chép bộ tiêu chí.")
    if source.id not in {c.id for c, _ in rubric_sources(campaign)}:
        raise SetupError("Chỉ sao chép được bộ tiêu chí của phong trào cùng cấp hoặc của phong trào cấp trên "
                         "mà phong trào này trình lên.")
    rows = [{"name": c.name, "max_score": c.max_score, "description": c.description, "low": c.low,
             "middle": c.middle, "high": c.high, "bands": c.bands} for c in criteria(source.id)]
    if not rows:
        raise SetupError(f"{source.in_sentence[0].upper()}{source.in_sentence[1:]} chưa có bộ tiêu chí để sao chép.")
    return replace_rubric(campaign, rows, actor=actor, source=f"campaign:{source.id}")


def rubric_sources(campaign: Campaign) -> list[tuple[Campaign, int]]:
    """Other campaigns with a rubric of the same organiser, and the campaign above it feeds, newest first,
    with their number of criteria."""
    rows = db.session.execute(
        sa.select(Campaign, sa.func.count(Criterion.id)).join(Criterion, Criterion.campaign_id == Campaign.id)
        .where(Campaign.id != campaign.id, sa.or_(Campaign.organiser_id == campaign.organiser_id,
                                                  Campaign.id == campaign.feeds_campaign_id))
        .group_by(Campaign.id)
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    ).all()
    return [(c, n) for c, n in rows]


# --- Commendation levels ------------------------------------------------------------------------

def levels(campaign_id: int) -> list[CommendationLevel]:
    return list(db.session.scalars(sa.select(CommendationLevel).where(CommendationLevel.campaign_id == campaign_id)
                                   .order_by(CommendationLevel.position, CommendationLevel.id)))


def save_level(campaign: Campaign, *, actor, name: str, min_score: Decimal | None, max_count: int | None,
               level: CommendationLevel | None = None, proposed_upward: bool | None = None,
               authority: str | None = None) -> CommendationLevel:
    """Add or change a form of commendation. `proposed_upward` with `authority`: decided by a higher body
    (left as they are when not given); a name speaking of UBND is proposed upward to it by default."""
    require_not_frozen(campaign.id)
    name = (name or "").strip()
    if not name:
        raise SetupError("Nhập tên hình thức khen thưởng.")
    if min_score is not None and not 0 <= min_score <= 100:
        raise SetupError("Ngưỡng điểm phải từ 0 đến 100.")
    if max_count is not None and max_count < 1:
        raise SetupError("Số lượng tối đa phải từ 1 trở lên (để trống nếu không giới hạn).")
    if level is None:
        position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(CommendationLevel.position), 0))
                                     .where(CommendationLevel.campaign_id == campaign.id)) + 1
        level = CommendationLevel(campaign_id=campaign.id, position=position)
        db.session.add(level)
        action = "review.level_added"
    else:
        action = "review.level_updated"
    if proposed_upward is None and action == "review.level_added":
        proposed_upward = "UBND" in name
        authority = authority or ("UBND Thành phố" if proposed_upward else "")
    if proposed_upward is not None:
        authority = (authority or "").strip()
        if proposed_upward and not authority:
            raise SetupError("Nhập cơ quan quyết định khen thưởng (ví dụ: UBND Thành phố) cho hình thức đề nghị "
                             "cấp trên.")
        level.proposed_upward = proposed_upward
        level.authority = authority[:255] if proposed_upward else ""
    level.name = name[:255]
    level.min_score = min_score
    level.max_count = max_count
    db.session.flush()
    audit.record(action, actor=actor, object_type="commendation_level", object_id=level.id, campaign_id=campaign.id,
                 details={"name": level.name, "min_score": None if min_score is None else str(min_score),
                          "max_count": max_count, "proposed_upward": level.proposed_upward,
                          "authority": level.authority})
    return level


def remove_level(campaign: Campaign, level: CommendationLevel, *, actor) -> None:
    require_not_frozen(campaign.id)
    audit.record("review.level_removed", actor=actor, object_type="commendation_level", object_id=level.id,
                 campaign_id=campaign.id, details={"name": level.name})
    db.session.delete(level)
    db.session.flush()
    _renumber(levels(campaign.id))


def move_level(campaign: Campaign, level: CommendationLevel, step: int, *, actor) -> None:
    require_not_frozen(campaign.id)
    if move(levels(campaign.id), level, step):
        audit.record("review.level_moved", actor=actor, object_type="commendation_level", object_id=level.id,
                     campaign_id=campaign.id, details={"step": step})


# --- Assignment ---------------------------------------------------------------------------------

def assignable(campaign_id: int) -> list[Initiative]:
    return list(db.session.scalars(
        sa.select(Initiative).options(joinedload(Initiative.unit))
        .where(Initiative.campaign_id == campaign_id, Initiative.status.in_(ASSIGNABLE))
        .order_by(Initiative.id)
    ))


def campaign_assignments(campaign_id: int) -> list[Assignment]:
    return list(db.session.scalars(
        sa.select(Assignment).options(joinedload(Assignment.reviewer))
        .where(Assignment.campaign_id == campaign_id).order_by(Assignment.id)
    ))


def plan_for(campaign: Campaign) -> tuple[Plan, list[Initiative]]:
    """The automatic plan for the campaign's reported and under-review initiatives (seed: the campaign's id)."""
    initiatives = assignable(campaign.id)
    # Members without the reviewer role (added before it was required) cannot open what they would be given.
    committee = [m for m in members(campaign.id) if m.user.role == Role.REVIEWER and m.user.is_active
                 and m.user.organiser_id == campaign.organiser_id]
    assignments = campaign_assignments(campaign.id)
    existing = [(a.initiative_id, a.reviewer_id) for a in assignments if a.active]
    excluded = {(a.initiative_id, a.reviewer_id) for a in assignments if not a.active}
    close = overseeing_units({i.unit_id for i in initiatives}, organiser_id=campaign.organiser_id)
    plan = plan_assignment(
        [Candidate(i.id, i.unit_id, close.get(i.unit_id, frozenset())) for i in initiatives],
        [Candidate(m.user_id, m.user.unit_id) for m in committee],
        campaign.reviewers_per_initiative, existing=existing, excluded=excluded, seed=campaign.id,
    )
    return plan, initiatives


def run_auto_assignment(campaign: Campaign, *, actor) -> Plan:
    """Assign what is missing; reported initiatives that now have reviewers move to "under review"."""
    plan, initiatives = plan_for(campaign)
    if not plan.ok:
        return plan
    for initiative_id, reviewer_id in plan.pairs:
        db.session.add(Assignment(campaign_id=campaign.id, initiative_id=initiative_id, reviewer_id=reviewer_id,
                                  method="auto", assigned_by_id=actor.id))
    db.session.flush()
    audit.record("review.auto_assigned", actor=actor, object_type="campaign", object_id=campaign.id,
                 campaign_id=campaign.id, details={"pairs": len(plan.pairs),
                                                   "k": campaign.reviewers_per_initiative, "seed": campaign.id})
    _start_review([i for i in initiatives if i.status == State.REPORTED.value], actor)
    return plan


def _start_review(initiatives: list[Initiative], actor) -> None:
    if not initiatives:
        return
    counted = dict(db.session.execute(
        sa.select(Assignment.initiative_id, sa.func.count(Assignment.id))
        .where(Assignment.initiative_id.in_([i.id for i in initiatives]), Assignment.conflict_at.is_(None))
        .group_by(Assignment.initiative_id)
    ).all())
    for initiative in initiatives:
        if counted.get(initiative.id):
            workflow.transition(initiative, State.UNDER_REVIEW, actor=actor)


def assign_by_hand(campaign: Campaign, initiative: Initiative, user: User, *, actor) -> Assignment:
    if initiative.campaign_id != campaign.id or initiative.status not in ASSIGNABLE:
        raise SetupError("Chỉ phân công được sáng kiến đã báo cáo kết quả hoặc đang chấm điểm.")
    member = db.session.scalar(sa.select(CommitteeMember).where(CommitteeMember.campaign_id == campaign.id,
                                                                CommitteeMember.user_id == user.id))
    if member is None:
        raise SetupError(f"{user.full_name} chưa là thành viên Hội đồng của phong trào.")
    if user.role != Role.REVIEWER:
        raise SetupError(NOT_A_REVIEWER.format(name=user.full_name))
    if user.organiser_id != campaign.organiser_id:
        raise SetupError(OTHER_LEVEL.format(name=user.full_name, organiser=campaign.organiser.name))
    if user.unit_id is not None and user.unit_id == initiative.unit_id:
        raise SetupError(f"{user.full_name} thuộc cùng đơn vị với sáng kiến này nên không được chấm.")
    if user.unit_id in overseeing_units([initiative.unit_id], organiser_id=campaign.organiser_id)[initiative.unit_id]:
        raise SetupError(f"{user.full_name} thuộc đơn vị quản lý đơn vị có sáng kiến này nên không được chấm.")
    earlier = db.session.scalar(sa.select(Assignment).where(Assignment.initiative_id == initiative.id,
                                                            Assignment.reviewer_id == user.id))
    if earlier is not None:
        if earlier.active:
            raise SetupError(f"{user.full_name} đã được phân công chấm sáng kiến này.")
        raise SetupError(f"{user.full_name} đã khai báo xung đột lợi ích với sáng kiến này.")
    assignment = Assignment(campaign_id=campaign.id, initiative_id=initiative.id, reviewer_id=user.id,
                            method="manual", assigned_by_id=actor.id)
    db.session.add(assignment)
    db.session.flush()
    audit.record("review.assigned", actor=actor, object_type="assignment", object_id=assignment.id,
                 campaign_id=campaign.id, unit_id=initiative.unit_id,
                 details={"initiative_id": initiative.id, "reviewer_id": user.id})
    if initiative.status == State.REPORTED.value:
        workflow.transition(initiative, State.UNDER_REVIEW, actor=actor)
    return assignment


def unassign(campaign: Campaign, assignment: Assignment, *, actor) -> None:
    review = db.session.scalar(sa.select(Review).where(Review.assignment_id == assignment.id))
    if review is not None and review.status == REVIEW_SUBMITTED:
        raise SetupError("Thành viên đã gửi phiếu chấm cho sáng kiến này; không thể gỡ phân công.")
    audit.record("review.unassigned", actor=actor, object_type="assignment", object_id=assignment.id,
                 campaign_id=campaign.id,
                 details={"initiative_id": assignment.initiative_id, "reviewer_id": assignment.reviewer_id,
                          "had_draft": review is not None})
    if review is not None:
        db.session.delete(review)
    db.session.delete(assignment)
    db.session.flush()


# --- Progress and reminders -----------------------------------------------------------------------

@dataclass
class ReviewerProgress:
    user: User
    is_chair: bool
    total: int
    done: int

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def rate(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def progress(campaign_id: int) -> list[ReviewerProgress]:
    """Per committee member: active assignments and submitted reviews among them (two queries)."""
    rows = db.session.execute(
        sa.select(Assignment.reviewer_id, sa.func.count(Assignment.id),
                  sa.func.count(Review.id).filter(Review.status == REVIEW_SUBMITTED))
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.campaign_id == campaign_id, Assignment.conflict_at.is_(None))
        .group_by(Assignment.reviewer_id)
    ).all()
    counts = {reviewer_id: (total, done) for reviewer_id, total, done in rows}
    result = []
    for member in members(campaign_id):
        total, done = counts.get(member.user_id, (0, 0))
        result.append(ReviewerProgress(member.user, member.is_chair, total, done))
    return result


def unfinished(campaign_id: int) -> dict[int, list[tuple[int, str]]]:
    """Reviewer id → (initiative id, title) of their active assignments without a submitted review."""
    rows = db.session.execute(
        sa.select(Assignment.reviewer_id, Initiative.id, Initiative.title)
        .join(Initiative, Initiative.id == Assignment.initiative_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.campaign_id == campaign_id, Assignment.conflict_at.is_(None),
               sa.or_(Review.id.is_(None), Review.status != REVIEW_SUBMITTED))
        .order_by(Assignment.reviewer_id, Initiative.id)
    ).all()
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for reviewer_id, initiative_id, title in rows:
        result[reviewer_id].append((initiative_id, title))
    return dict(result)


def assignment_summary(assignments: list[Assignment]) -> Counter:
    return Counter(a.initiative_id for a in assignments if a.active)


SEND_REVIEW_REMINDERS = "send_review_reminders"


def reminder_title(campaign: Campaign) -> str:
    return f"Nhắc thành viên Hội đồng chấm điểm: {campaign.name}"[:255]


def send_review_reminders(job: Job, progress_: Progress) -> dict:
    """E-mail every committee member with unfinished reviews the list of what is left to score."""
    campaign = job_campaign(job)
    pending = unfinished(campaign.id)
    progress_.start(len(pending), f"{len(pending)} thành viên Hội đồng chưa chấm xong.")
    if not pending:
        job.message = "Mọi thành viên Hội đồng đã chấm xong; không cần nhắc."
        return {"reviewers": 0, "sent": 0, "no_address": 0, "failed": 0, "mail_enabled": mail_enabled()}
    if not mail_enabled():
        job.message = ("Chưa cấu hình máy chủ thư (MAIL_SERVER): không gửi được thư nhắc cho "
                       f"{len(pending)} thành viên.")
        return {"reviewers": len(pending), "sent": 0, "no_address": 0, "failed": 0, "mail_enabled": False}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(pending))))}
    counts = Counter()
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    with Mailer() as mailer:
        for reviewer_id, items in pending.items():
            user = users[reviewer_id]
            addresses = clean_addresses([user.email])
            if not addresses:
                counts["no_address"] += 1
            else:
                lines = "\n".join(f"  - #{initiative_id} {title}" for initiative_id, title in items)
                body = (f"Kính gửi {user.full_name},\n\nThành viên Hội đồng {campaign.in_sentence} còn "
                        f"{len(items)} sáng kiến chưa gửi phiếu chấm:\n{lines}\n\n"
                        f"Xin vui lòng đăng nhập hệ thống{(' ' + base) if base else ''} để hoàn thành việc chấm điểm."
                        "\n\nBộ phận Thường trực CCHC")
                try:
                    mailer.send(addresses, f"Nhắc chấm điểm sáng kiến: {campaign.name}"[:200], body)
                    counts["sent"] += 1
                except MailError:
                    counts["failed"] += 1
            progress_.advance()
    job.message = (f"Đã gửi thư nhắc {counts['sent']}/{len(pending)} thành viên"
                   + (f"; {counts['no_address']} thành viên chưa có địa chỉ thư" if counts["no_address"] else "")
                   + (f"; {counts['failed']} thư gửi lỗi" if counts["failed"] else "") + ".")
    return {"reviewers": len(pending), "sent": counts["sent"], "no_address": counts["no_address"],
            "failed": counts["failed"], "mail_enabled": True}
