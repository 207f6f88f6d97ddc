"""A reviewer's scoring: drafts, submission, reopening by the secretariat, conflicts of interest.

Scoring is open while the initiative is "under_review" (Đang chấm điểm). The secretariat may
assign reviewers earlier (while it is "reported"): the reviewer then sees the assignment and
the file, but the score boxes open only once the secretariat starts the review.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from thidua import audit, workflow
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.errors import NotPermitted, ReasonRequired, WorkflowError
from thidua.extensions import db
from thidua.numbers import NumberError, format_number, parse_number
from thidua.registration.models import Initiative
from thidua.review import permissions
from thidua.review.assignment import Candidate, plan_assignment
from thidua.review.models import Assignment, CommitteeMember, Criterion, CriterionScore, Review, ReviewStatus
from thidua.review.services import review_counts
from thidua.timeutil import utcnow
from thidua.workflow import State

SCOREABLE = frozenset({State.UNDER_REVIEW})
COMMENT_LIMIT = 5000

audit.ACTION_LABELS.update({
    "review.saved": "Lưu nháp phiếu chấm",
    "review.submitted": "Gửi phiếu chấm",
    "review.reopened": "Mở lại phiếu chấm",
    "assignment.conflict": "Khai báo xung đột lợi ích",
    "assignment.reassigned": "Phân công lại sau xung đột lợi ích",
    "assignment.unassigned": "Chưa phân công lại được sau xung đột lợi ích",
})


class StaleReview(WorkflowError):
    """The form was opened on an older version of the review."""


class ReviewLocked(WorkflowError):
    """The review was submitted, or the initiative is not being scored."""


class InvalidScores(WorkflowError):
    def __init__(self, errors: dict[int, str]):
        super().__init__("Phiếu chấm chưa hợp lệ; xem thông báo bên cạnh từng tiêu chí.")
        self.errors = errors


@dataclass
class ScoreInput:
    """What was typed for one criterion, kept as text so a refused form shows it back unchanged."""

    text: str = ""
    comment: str = ""
    number: Decimal | None = None  # a score already read (callers holding numbers, not text)


def criteria_of(campaign_id: int) -> list[Criterion]:
    return list(db.session.scalars(
        sa.select(Criterion).where(Criterion.campaign_id == campaign_id).order_by(Criterion.position, Criterion.id)
    ))


def review_of(assignment_id: int) -> Review | None:
    return db.session.scalar(
        sa.select(Review).options(selectinload(Review.scores)).where(Review.assignment_id == assignment_id)
    )


def parse_score(text: str) -> Decimal | None:
    """'25' or '25,5' → Decimal; '' → None; anything else raises NumberError (thidua.numbers)."""
    return parse_number(text)


def validate(criteria: list[Criterion], typed: dict[int, ScoreInput], *, submit: bool
             ) -> tuple[dict[int, tuple[Decimal | None, str]], dict[int, str]]:
    """The scores as numbers, and a message per criterion that is wrong (drafts may leave boxes empty)."""
    values: dict[int, tuple[Decimal | None, str]] = {}
    errors: dict[int, str] = {}
    for criterion in criteria:
        item = typed.get(criterion.id) or ScoreInput()
        bounds = f"Điểm phải từ 0 đến {criterion.max_score}."
        try:
            score = item.number if item.number is not None else parse_score(item.text)
        except NumberError as error:
            errors[criterion.id] = f"{error.message} {bounds}"
            continue
        if score is None:
            if submit:
                errors[criterion.id] = "Nhập điểm cho tiêu chí này."
        elif score < 0 or score > criterion.max_score:
            errors[criterion.id] = bounds
        elif (score * 2) % 1 != 0:
            errors[criterion.id] = "Điểm chấm theo bước 0,5 (ví dụ 25 hoặc 25,5)."
        if len(item.comment) > COMMENT_LIMIT:
            errors.setdefault(criterion.id, f"Nhận xét dài quá {COMMENT_LIMIT} ký tự.")
        values[criterion.id] = (score, item.comment.strip())
    return values, errors


def check_scoreable(assignment: Assignment, initiative: Initiative, review: Review | None) -> None:
    if not assignment.active:
        raise ReviewLocked("Phân công này đã kết thúc (đã khai báo xung đột lợi ích).")
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ReviewLocked("Phiếu chấm đã gửi. Chỉ Bộ phận Thường trực có thể mở lại để sửa.")
    if State(initiative.status) not in SCOREABLE:
        raise ReviewLocked(
            f"Sáng kiến đang ở trạng thái “{State(initiative.status).label}”, chưa (hoặc không còn) mở để chấm điểm."
        )


def save_review(assignment: Assignment, *, actor, scores: dict[int, tuple[Decimal | None, str]], comment: str = "",
                expected_version: int | None, submit: bool, now: datetime | None = None) -> Review:
    """Save the reviewer's scores as a draft, or submit them.

    `scores` maps criterion id → (score or None, comment); `expected_version` is the review's
    version when the form was opened (None: there was no review yet). Raises InvalidScores
    (nothing saved), StaleReview, ReviewLocked or NotPermitted.
    """
    if actor.id != assignment.reviewer_id or actor.role != Role.REVIEWER:
        raise NotPermitted("Chỉ thành viên Hội đồng được phân công mới chấm phiếu này.")
    initiative = db.session.get(Initiative, assignment.initiative_id)
    review = review_of(assignment.id)
    check_scoreable(assignment, initiative, review)
    current = review.version if review is not None else None
    if current != expected_version:
        raise StaleReview("Phiếu chấm này vừa được lưu ở một cửa sổ khác sau khi bạn mở trang.")
    criteria = criteria_of(assignment.campaign_id)
    if not criteria:
        raise ReviewLocked("Phong trào chưa có bộ tiêu chí chấm điểm.")
    typed = {cid: ScoreInput("" if value is None else format_number(value), text or "", value)
             for cid, (value, text) in scores.items()}
    values, errors = validate(criteria, typed, submit=submit)
    if len(comment or "") > COMMENT_LIMIT:
        errors[0] = f"Nhận xét chung dài quá {COMMENT_LIMIT} ký tự."
    if errors:
        raise InvalidScores(errors)

    moment = now or utcnow()
    if review is None:
        review = Review(assignment_id=assignment.id, status=ReviewStatus.DRAFT, scores=[])
        db.session.add(review)
    by_criterion = {row.criterion_id: row for row in review.scores}
    for criterion in criteria:
        score, text = values[criterion.id]
        row = by_criterion.get(criterion.id)
        if row is None:
            review.scores.append(CriterionScore(criterion_id=criterion.id, score=score, comment=text))
        else:
            row.score, row.comment = score, text
    given = [values[c.id][0] for c in criteria if values[c.id][0] is not None]
    review.total = sum(given, Decimal(0)) if given else None
    review.comment = (comment or "").strip()
    review.updated_at = moment
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = moment
    db.session.flush()
    if submit:
        audit.record("review.submitted", actor=actor, object_type="initiative", object_id=initiative.id,
                     campaign_id=initiative.campaign_id, unit_id=initiative.unit_id,
                     details={"assignment": assignment.id, "review": review.id, "total": str(review.total)},
                     at=moment)
        assigned, submitted = review_counts(initiative.id)
        if assigned and submitted >= assigned:
            workflow.transition(initiative, State.SCORED, actor=actor, now=moment)
    return review


def reopen_review(review: Review, *, actor, reason: str, now: datetime | None = None) -> Review:
    """The secretariat sends a submitted review back to its reviewer as a draft."""
    if not actor.is_authenticated or actor.role != Role.SECRETARIAT:
        raise NotPermitted("Chỉ Bộ phận Thường trực được mở lại phiếu chấm.")
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Cần ghi rõ lý do mở lại phiếu chấm.")
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewLocked("Phiếu chấm chưa gửi nên không cần mở lại.")
    assignment = db.session.get(Assignment, review.assignment_id)
    initiative = db.session.get(Initiative, assignment.initiative_id)
    state = State(initiative.status)
    if state not in (State.UNDER_REVIEW, State.SCORED):
        raise ReviewLocked(f"Sáng kiến đang ở trạng thái “{state.label}”; không thể mở lại phiếu chấm.")
    moment = now or utcnow()
    review.status = ReviewStatus.DRAFT
    review.submitted_at = None
    review.updated_at = moment
    db.session.flush()
    audit.record("review.reopened", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id, reason=reason,
                 details={"assignment": assignment.id, "review": review.id, "reviewer": assignment.reviewer_id},
                 at=moment)
    if state is State.SCORED:
        workflow.transition(initiative, State.UNDER_REVIEW, actor=actor, reason=reason, now=moment)
    return review


def declare_conflict(assignment: Assignment, *, actor, reason: str, now: datetime | None = None,
                     seed: int = 0) -> Assignment | None:
    """End the assignment for a conflict of interest and give the initiative to another eligible member.

    Returns the new assignment, or None when nobody eligible is left (the secretariat then sees
    the initiative short of reviewers on its assignment page).
    """
    if actor.id != assignment.reviewer_id:
        raise NotPermitted("Chỉ thành viên được phân công mới khai báo xung đột lợi ích cho phân công này.")
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Cần ghi rõ lý do xung đột lợi ích.")
    if not assignment.active:
        raise ReviewLocked("Phân công này đã được khai báo xung đột lợi ích.")
    review = review_of(assignment.id)
    if not permissions.can_declare_conflict(assignment, review):
        raise ReviewLocked("Phiếu chấm đã gửi; hãy liên hệ Bộ phận Thường trực để mở lại trước khi khai báo xung đột.")
    initiative = db.session.get(Initiative, assignment.initiative_id)
    moment = now or utcnow()
    assignment.conflict_at = moment
    assignment.conflict_reason = reason
    if review is not None:
        db.session.delete(review)
    db.session.flush()
    audit.record("assignment.conflict", actor=actor, object_type="initiative", object_id=initiative.id,
                 campaign_id=initiative.campaign_id, unit_id=initiative.unit_id, reason=reason,
                 details={"assignment": assignment.id, "reviewer": actor.id, "draft_deleted": review is not None},
                 at=moment)
    return _reassign(initiative, moment=moment, seed=seed)


def _reassign(initiative: Initiative, *, moment: datetime, seed: int) -> Assignment | None:
    campaign_id = initiative.campaign_id
    members = db.session.execute(
        sa.select(User.id, User.unit_id)
        .join(CommitteeMember, CommitteeMember.user_id == User.id)
        .where(CommitteeMember.campaign_id == campaign_id, User.is_active_account.is_(True),
               User.role == Role.REVIEWER.value)
    ).all()
    reviewers = [Candidate(row.id, row.unit_id) for row in members]
    rows = db.session.execute(
        sa.select(Assignment.initiative_id, Assignment.reviewer_id, Assignment.conflict_at)
        .where(Assignment.campaign_id == campaign_id)
    ).all()
    existing = [(row.initiative_id, row.reviewer_id) for row in rows if row.conflict_at is None]
    excluded = {(row.initiative_id, row.reviewer_id) for row in rows if row.conflict_at is not None}
    have = sum(1 for i, _ in existing if i == initiative.id)
    candidate = Candidate(initiative.id, initiative.unit_id)
    plan = plan_assignment([candidate], reviewers, have + 1, existing=existing, excluded=excluded, seed=seed)
    reviewer_id = plan.pairs[0][1] if plan.ok and plan.pairs else None
    if reviewer_id is None:
        # Loads already uneven (manual assignments) make a perfectly balanced plan impossible;
        # one replacement still goes to the least-loaded eligible member.
        taken = set(existing) | excluded
        load: dict[int, int] = {}
        for _, r in existing:
            load[r] = load.get(r, 0) + 1
        eligible = [r for r in reviewers if (initiative.id, r.id) not in taken and r.unit_id != initiative.unit_id]
        if eligible:
            reviewer_id = min(eligible, key=lambda r: (load.get(r.id, 0), r.id)).id
    if reviewer_id is None:
        audit.record("assignment.unassigned", actor=None, object_type="initiative", object_id=initiative.id,
                     campaign_id=campaign_id, unit_id=initiative.unit_id,
                     details={"problems": plan.problems}, at=moment)
        return None
    new = Assignment(campaign_id=campaign_id, initiative_id=initiative.id, reviewer_id=reviewer_id, method="auto",
                     assigned_at=moment)
    db.session.add(new)
    db.session.flush()
    audit.record("assignment.reassigned", actor=None, object_type="initiative", object_id=initiative.id,
                 campaign_id=campaign_id, unit_id=initiative.unit_id,
                 details={"assignment": new.id, "reviewer": reviewer_id}, at=moment)
    return new
