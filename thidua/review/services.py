"""Review operations shared by the secretariat's and the reviewers' pages."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from thidua.errors import WorkflowError
from thidua.extensions import db
from thidua.review.models import Assignment, Review, ReviewStatus


def review_deadline(campaign) -> date | None:
    """The day by which the committee scores: the campaign's own, else the report to UBND Thành phố's (that
    report lists what the committee shortlisted); None when the campaign sets neither."""
    return campaign.review_deadline or campaign.city_report_deadline


def review_counts(initiative_id: int) -> tuple[int, int]:
    """(active assignments, submitted reviews among them) for one initiative."""
    assigned, submitted = db.session.execute(
        sa.select(sa.func.count(Assignment.id), sa.func.count(Review.id).filter(Review.status == ReviewStatus.SUBMITTED))
        .select_from(Assignment)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.initiative_id == initiative_id, Assignment.conflict_at.is_(None))
    ).one()
    return assigned, submitted


def check_reviews_complete(initiative) -> None:
    assigned, submitted = review_counts(initiative.id)
    if assigned == 0:
        raise WorkflowError("Sáng kiến chưa được phân công thành viên Hội đồng chấm.")
    if submitted < assigned:
        raise WorkflowError(f"Mới có {submitted}/{assigned} thành viên Hội đồng gửi phiếu chấm.")

