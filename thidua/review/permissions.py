"""Who may score, read and fetch what on the reviewer's side.

A reviewer reaches an initiative only through an active assignment (no declared conflict)
in a campaign whose committee they sit on. Everything else is refused with 403.
"""
from __future__ import annotations

import sqlalchemy as sa

from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.review.models import Assignment, CommitteeMember, ReviewStatus


def is_committee_member(user, campaign_id: int) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count(CommitteeMember.id))
        .where(CommitteeMember.campaign_id == campaign_id, CommitteeMember.user_id == user.id)
    ) > 0


def can_score(user, assignment: Assignment) -> bool:
    """The assigned reviewer, assignment still active, member of the campaign's committee."""
    if not user.is_authenticated or user.role != Role.REVIEWER:
        return False
    if assignment.reviewer_id != user.id or not assignment.active:
        return False
    return is_committee_member(user, assignment.campaign_id)


def is_assigned_reviewer(user, initiative) -> bool:
    """An active assignment of this reviewer on this initiative, in a campaign whose committee they sit on."""
    if not user.is_authenticated or user.role != Role.REVIEWER:
        return False
    return db.session.scalar(
        sa.select(sa.func.count(Assignment.id))
        .join(CommitteeMember, sa.and_(CommitteeMember.campaign_id == Assignment.campaign_id,
                                       CommitteeMember.user_id == Assignment.reviewer_id))
        .where(Assignment.initiative_id == initiative.id, Assignment.reviewer_id == user.id,
               Assignment.conflict_at.is_(None))
    ) > 0


def can_declare_conflict(assignment: Assignment, review) -> bool:
    """The reviewer of an active assignment may step aside until the sheet is sent (scoring.declare_conflict)."""
    return assignment.active and not (review is not None and review.status == ReviewStatus.SUBMITTED)


def can_reopen(user) -> bool:
    return user.is_authenticated and user.role == Role.SECRETARIAT


def hides_unit_from(user, campaign) -> bool:
    """Blind review: the unit is hidden from reviewers (the secretariat still sees it)."""
    return bool(campaign.blind_review) and user.is_authenticated and user.role == Role.REVIEWER


def blind_code(initiative_id: int) -> str:
    """A neutral code for an initiative, the same for every reviewer ("SK-7F3A2C"): tells apart initiatives
    with the same title in blind lists without the registration order a plain number would show."""
    import hashlib
    import hmac

    from flask import current_app

    digest = hmac.new(str(current_app.secret_key).encode(), f"initiative:{initiative_id}".encode(), hashlib.sha256)
    return f"SK-{digest.hexdigest()[:6].upper()}"
