"""The reviewer's side: assignments, scoring, conflicts of interest.

In blind review (Campaign.blind_review) nothing naming the unit reaches a reviewer: the
templates get no unit, no authors and no contact, evidence files are listed and served under
neutral names, and the report's people in charge and evidence links are left out.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.errors import WorkflowError
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.registration.models import Initiative
from thidua.registration.views import get_initiative_or_404
from thidua.results import services as results_services
from thidua.results.uploads import evidence_label
from thidua.review import bp, models, permissions, scoring
from thidua.review.models import Assignment, CommitteeMember, Review, ReviewStatus
from thidua.review.services import review_deadline
from thidua.timeutil import local_today
from thidua.workflow import State

# A reviewer's own list also names the sheet not begun yet.
REVIEW_STATUS_LABELS = {None: "Chưa chấm", **models.REVIEW_STATUS_LABELS}
STALE_MESSAGE = (
    "Phiếu chấm này vừa được lưu ở một cửa sổ khác sau khi bạn mở trang. Điểm bạn vừa nhập vẫn còn bên dưới; "
    "hãy mở phiếu mới nhất trong thẻ khác, so sánh rồi lưu lại."
)
@bp.get("/hoi-dong")
def assignments():
    """The reviewer's assignments in every campaign whose committee they sit on, with progress."""
    memberships = db.session.execute(
        sa.select(Campaign.id, Campaign.name, Campaign.year, Campaign.blind_review, Campaign.timezone,
                  Campaign.review_deadline, Campaign.city_report_deadline)
        .join(CommitteeMember, CommitteeMember.campaign_id == Campaign.id)
        .where(CommitteeMember.user_id == current_user.id)
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    ).all()
    rows = db.session.execute(
        sa.select(Assignment.id, Assignment.campaign_id, Assignment.initiative_id, Initiative.title, Initiative.kind, Initiative.area,
                  Initiative.status, Review.status.label("review_status"), Review.total, Review.updated_at)
        .join(Initiative, Initiative.id == Assignment.initiative_id)
        .join(CommitteeMember, sa.and_(CommitteeMember.campaign_id == Assignment.campaign_id,
                                       CommitteeMember.user_id == Assignment.reviewer_id))
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.reviewer_id == current_user.id, Assignment.conflict_at.is_(None))
        .order_by(Assignment.id)
    ).all() if memberships else []
    groups = []
    for campaign in memberships:
        items = [row for row in rows if row.campaign_id == campaign.id]
        done = sum(1 for row in items if row.review_status == ReviewStatus.SUBMITTED)
        deadline = review_deadline(campaign)
        groups.append({"campaign": campaign, "rows": items, "done": done, "total": len(items),
                       "outstanding": len(items) - done, "deadline": deadline,
                       "days_left": (deadline - local_today(campaign.timezone)).days if deadline else None})
    return render_template("review/reviewer/assignments.html", groups=groups, status_labels=REVIEW_STATUS_LABELS,
                           state_enum=State, code=permissions.blind_code)


def _assignment_or_403(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    if current_user.role == Role.SECRETARIAT:
        return assignment  # reads the review (and may reopen it); never scores
    if not permissions.can_score(current_user, assignment):
        abort(403)
    return assignment


def _typed_from_form(criteria) -> dict[int, scoring.ScoreInput]:
    return {
        c.id: scoring.ScoreInput(request.form.get(f"score-{c.id}", "")[:40], request.form.get(f"comment-{c.id}", ""))
        for c in criteria
    }


def _typed_from_review(review: Review | None) -> dict[int, scoring.ScoreInput]:
    if review is None:
        return {}
    return {
        row.criterion_id: scoring.ScoreInput(format_number(row.score), row.comment or "")
        for row in review.scores
    }


def _render(assignment: Assignment, *, typed=None, errors=None, comment=None, version=None, status: int = 200):
    campaign = db.session.get(Campaign, assignment.campaign_id)
    blind = permissions.hides_unit_from(current_user, campaign)
    initiative = get_initiative_or_404(assignment.initiative_id, with_authors=not blind)
    report = results_services.get_report(initiative.id, with_indicators=True)
    files = results_services.evidence_of(initiative.id)
    criteria = scoring.criteria_of(campaign.id)
    review = scoring.review_of(assignment.id)
    evidence = [
        {"id": f.id, "label": evidence_label(n, f) if blind else f.original_name,
         "size": max(1, round(f.size / 1024)), "description": "" if blind else f.description}
        for n, f in enumerate(files, start=1)
    ]
    is_reviewer = current_user.role == Role.REVIEWER
    locked_reason = None
    try:
        scoring.check_scoreable(assignment, initiative, review)
    except WorkflowError as error:
        locked_reason = str(error)
    editable = is_reviewer and locked_reason is None and bool(criteria)
    if typed is None:
        typed = _typed_from_review(review)
    rows = [{"criterion": c, "typed": typed.get(c.id) or scoring.ScoreInput(), "error": (errors or {}).get(c.id)}
            for c in criteria]
    return render_template(
        "review/reviewer/score.html", assignment=assignment, campaign=campaign, initiative=initiative,
        blind=blind, code=permissions.blind_code(initiative.id) if campaign.blind_review else None,
        # In blind review the template is given nothing that names the unit.
        unit=None if blind else initiative.unit, authors=[] if blind else initiative.authors,
        report=report, evidence=evidence, rows=rows, review=review, editable=editable,
        locked_reason=locked_reason, is_reviewer=is_reviewer, general_error=(errors or {}).get(0),
        may_declare_conflict=is_reviewer and permissions.can_declare_conflict(assignment, review),
        may_reopen=permissions.can_reopen(current_user) and review is not None
        and review.status == ReviewStatus.SUBMITTED,
        comment=review.comment if comment is None and review is not None else (comment or ""),
        version=version if version is not None else (str(review.version) if review is not None else ""),
        status_label=REVIEW_STATUS_LABELS[review.status if review is not None else None],
        max_total=sum(c.max_score for c in criteria),
    ), status


@bp.route("/hoi-dong/phieu-cham/<int:assignment_id>", methods=["GET", "POST"])
def score(assignment_id: int):
    assignment = _assignment_or_403(assignment_id)
    if request.method == "GET":
        return _render(assignment)
    if current_user.role != Role.REVIEWER:
        flash("Chỉ thành viên Hội đồng được phân công mới chấm điểm phiếu này.", "error")
        return redirect(url_for("review.score", assignment_id=assignment.id))
    action = request.form.get("action", "save")
    submit = action == "submit"
    criteria = scoring.criteria_of(assignment.campaign_id)
    typed = _typed_from_form(criteria)
    comment = request.form.get("comment", "")
    version_text = request.form.get("version", "")
    expected = int(version_text) if version_text.isdigit() else None
    values, errors = scoring.validate(criteria, typed, submit=submit)
    if len(comment) > scoring.COMMENT_LIMIT:
        errors[0] = f"Nhận xét chung dài quá {scoring.COMMENT_LIMIT} ký tự."
    if errors:
        flash("Phiếu chấm chưa lưu: " + ("còn tiêu chí chưa có điểm hoặc điểm chưa hợp lệ."
                                          if submit else "có điểm chưa hợp lệ."), "error")
        return _render(assignment, typed=typed, errors=errors, comment=comment, version=version_text, status=400)
    try:
        scoring.save_review(assignment, actor=current_user, scores=values, comment=comment,
                            expected_version=expected, submit=submit)
        db.session.commit()
    except (scoring.StaleReview, StaleDataError, IntegrityError):
        db.session.rollback()
        flash(STALE_MESSAGE, "error")
        return _render(assignment, typed=typed, comment=comment, version=version_text, status=409)
    except scoring.InvalidScores as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render(assignment, typed=typed, errors=error.errors, comment=comment, version=version_text,
                       status=400)
    except WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render(assignment, typed=typed, comment=comment, version=version_text, status=409)
    if submit:
        flash("Đã gửi phiếu chấm. Cảm ơn thầy/cô.", "success")
        return redirect(url_for("review.assignments"))
    flash("Đã lưu bản nháp phiếu chấm.", "success")
    return redirect(url_for("review.score", assignment_id=assignment.id))


@bp.post("/hoi-dong/phieu-cham/<int:assignment_id>/xung-dot")
def declare_conflict(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    if not permissions.can_score(current_user, assignment):
        abort(403)
    reason = request.form.get("reason", "")
    if not reason.strip():
        flash("Cần ghi rõ lý do xung đột lợi ích.", "error")
        return redirect(url_for("review.score", assignment_id=assignment.id) + "#xung-dot")
    try:
        replacement = scoring.declare_conflict(assignment, actor=current_user, reason=reason)
        db.session.commit()
    except WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("review.score", assignment_id=assignment.id))
    if replacement is not None:
        flash("Đã ghi nhận xung đột lợi ích. Sáng kiến đã được phân công cho thành viên khác của Hội đồng.", "success")
    else:
        flash("Đã ghi nhận xung đột lợi ích. Bộ phận Thường trực sẽ phân công thành viên khác chấm sáng kiến này.",
              "success")
    return redirect(url_for("review.assignments"))


@bp.post("/hoi-dong/phieu-cham/<int:assignment_id>/mo-lai")
def reopen(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id) or abort(404)
    if not permissions.can_reopen(current_user):
        abort(403)
    target = url_for("review.score", assignment_id=assignment.id)
    review = scoring.review_of(assignment.id)
    if review is None:
        flash("Thành viên này chưa có phiếu chấm.", "error")
        return redirect(target)
    try:
        scoring.reopen_review(review, actor=current_user, reason=request.form.get("reason", ""))
        db.session.commit()
    except (WorkflowError, StaleDataError) as error:
        db.session.rollback()
        flash(str(error) or "Phiếu chấm vừa thay đổi; hãy tải lại trang.", "error")
        return redirect(target)
    flash("Đã mở lại phiếu chấm; thành viên Hội đồng có thể sửa và gửi lại.", "success")
    return redirect(target)
