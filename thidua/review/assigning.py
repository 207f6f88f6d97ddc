"""Assigning the committee's members to initiatives, automatically (thidua.review.assignment plans it)
or by hand, and ending an assignment."""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from thidua import audit, workflow
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.review.assignment import Candidate, Plan, plan_assignment
from thidua.review.committee import NOT_A_REVIEWER, OTHER_LEVEL, members
from thidua.review.models import Assignment, CommitteeMember, Review, ReviewStatus
from thidua.review.setup_errors import SetupError
from thidua.units.services import overseeing_units
from thidua.workflow import State

# Initiatives the committee can be assigned to score.
ASSIGNABLE = (State.REPORTED.value, State.UNDER_REVIEW.value)


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
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise SetupError("Thành viên đã gửi phiếu chấm cho sáng kiến này; không thể gỡ phân công.")
    audit.record("review.unassigned", actor=actor, object_type="assignment", object_id=assignment.id,
                 campaign_id=campaign.id,
                 details={"initiative_id": assignment.initiative_id, "reviewer_id": assignment.reviewer_id,
                          "had_draft": review is not None})
    if review is not None:
        db.session.delete(review)
    db.session.delete(assignment)
    db.session.flush()




def assignment_summary(assignments: list[Assignment]) -> Counter:
    return Counter(a.initiative_id for a in assignments if a.active)
