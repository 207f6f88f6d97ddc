"""How far each committee member is with the scoring."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from thidua.auth.models import User
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.review.committee import members
from thidua.review.models import Assignment, Review, ReviewStatus


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
                  sa.func.count(Review.id).filter(Review.status == ReviewStatus.SUBMITTED))
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
               sa.or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED))
        .order_by(Assignment.reviewer_id, Initiative.id)
    ).all()
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for reviewer_id, initiative_id, title in rows:
        result[reviewer_id].append((initiative_id, title))
    return dict(result)
