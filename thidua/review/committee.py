"""The committee (Hội đồng) of a campaign: its members, its chair, the accounts that may join, and the
scoring settings."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from thidua import audit
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db, in_vietnamese_order
from thidua.review.models import Assignment, CommitteeMember
from thidua.review.setup_errors import SetupError
from thidua.text import fold


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
