"""The secretariat's side of the review: committee, rubric, levels, assignment, progress, ranking, shortlist."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from thidua import workflow
from thidua.auth.models import User
from thidua.campaigns.models import Campaign
from thidua.errors import WorkflowError
from thidua.exports import ExportWorkbook, workbook_response, write_sheet
from thidua.extensions import db, in_vietnamese_order
from thidua.forms import ButtonForm
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import dispatch, start_job
from thidua.notifications.mail import mail_enabled
from thidua.paging import bounded_int, record_id
from thidua.registration.models import AREA_LABELS, Initiative
from thidua.review import assigning, bp, reminders, setup_errors
from thidua.review import committee as committee_setup
from thidua.review import levels as levels_setup
from thidua.review import progress as review_progress
from thidua.review import ranking as ranking_data
from thidua.review import rubric as rubric_setup
from thidua.review.forms import CriterionForm, LevelForm, SettingsForm
from thidua.review.models import (
    Assignment,
    CommendationLevel,
    CommitteeMember,
    Criterion,
    CriterionScore,
    Review,
    ReviewStatus,
)
from thidua.timeutil import format_moment
from thidua.units.models import Unit, unit_type_label
from thidua.workflow import STATE_LABELS, State

PREFIX = "/phong-trao/<int:campaign_id>/hoi-dong"


def _checked_post() -> None:
    """Every POST carries a valid CSRF token (a one-button form checks it)."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def _owned(model, object_id, campaign: Campaign):
    item = db.session.get(model, object_id) if object_id is not None else None
    if item is None or item.campaign_id != campaign.id:
        return None
    return item


# --- Committee and settings ---------------------------------------------------------------------

@bp.route(PREFIX, methods=["GET", "POST"])
def committee(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    settings_form = SettingsForm(obj=campaign, prefix="settings")
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "settings":
            if settings_form.validate_on_submit():
                committee_setup.update_settings(campaign, actor=current_user,
                                      reviewers_per_initiative=settings_form.reviewers_per_initiative.data,
                                      blind_review=settings_form.blind_review.data,
                                      disagreement_threshold=settings_form.disagreement_threshold.data)
                db.session.commit()
                flash("Đã lưu thiết lập chấm điểm.", "success")
                return redirect(url_for("review.committee", campaign_id=campaign.id))
            status = 400
        else:
            _checked_post()
            try:
                message = _committee_action(campaign, action)
            except setup_errors.SetupError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(message, "success")
            return redirect(url_for("review.committee", campaign_id=campaign.id))
    query = (request.args.get("tim") or "").strip()[:100]
    candidates, matching = committee_setup.candidate_users(campaign, query)
    return render_template("review/office/committee.html", campaign=campaign, members=committee_setup.members(campaign.id),
                           candidates=candidates, matching=matching, query=query, settings_form=settings_form,
                           progress={p.user.id: p for p in review_progress.progress(campaign.id)}), status


def _committee_action(campaign: Campaign, action: str | None) -> str:
    if action == "add":
        # Several accounts ticked in the list at once; all of them join, or none.
        ids = [record_id(value) for value in request.form.getlist("user_id")][:500]
        users = [db.session.get(User, user_id) for user_id in dict.fromkeys(i for i in ids if i)]
        if not users or None in users:
            raise setup_errors.SetupError("Chọn tài khoản để thêm vào Hội đồng.")
        chair = request.form.get("chair") == "1" and len(users) == 1
        for user in users:
            committee_setup.add_member(campaign, user, actor=current_user, chair=chair)
        return "Đã thêm " + ", ".join(u.full_name for u in users) + " vào Hội đồng."
    member = _owned(CommitteeMember, record_id(request.form.get("member_id")), campaign)
    if member is None:
        raise setup_errors.SetupError("Không tìm thấy thành viên Hội đồng.")
    user = db.session.get(User, member.user_id)
    if action == "remove":
        committee_setup.remove_member(campaign, member, actor=current_user)
        return f"Đã đưa {user.full_name} ra khỏi Hội đồng."
    if action == "chair":
        committee_setup.set_chair(campaign, member, actor=current_user)
        return f"{user.full_name} là Chủ tịch Hội đồng."
    raise setup_errors.SetupError("Thao tác không hợp lệ.")


# --- Rubric -------------------------------------------------------------------------------------

def _criterion_form(criterion: Criterion | None = None, *, formdata=None) -> CriterionForm:
    prefix = f"c{criterion.id}" if criterion is not None else "new"
    if formdata is not None:
        return CriterionForm(prefix=prefix)
    if criterion is None:
        return CriterionForm(formdata=None, prefix=prefix)
    return CriterionForm(formdata=None, prefix=prefix, data={
        "name": criterion.name, "max_score": criterion.max_score, "description": criterion.description,
        "low": criterion.low, "middle": criterion.middle, "high": criterion.high,
        "bands": rubric_setup.bands_text(criterion.bands)})


@bp.route(PREFIX + "/tieu-chi", methods=["GET", "POST"])
def rubric(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    failed: tuple[int | None, CriterionForm] | None = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "save":
            criterion = _owned(Criterion, record_id(request.form.get("criterion_id")), campaign)
            form = _criterion_form(criterion, formdata=True)
            if form.validate_on_submit():
                try:
                    bands = rubric_setup.parse_bands(form.bands.data or "", form.max_score.data)
                    rubric_setup.save_criterion(campaign, actor=current_user, criterion=criterion, values={
                        "name": form.name.data, "max_score": form.max_score.data,
                        "description": form.description.data, "low": form.low.data, "middle": form.middle.data,
                        "high": form.high.data, "bands": bands})
                except setup_errors.SetupError as error:
                    db.session.rollback()
                    form.form_errors.append(str(error))
                else:
                    db.session.commit()
                    flash("Đã lưu tiêu chí.", "success")
                    return redirect(url_for("review.rubric", campaign_id=campaign.id))
            failed = (criterion.id if criterion else None, form)
        else:
            _checked_post()
            try:
                message = _rubric_action(campaign, action)
            except setup_errors.SetupError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                if message:
                    flash(message, "success")
            return redirect(url_for("review.rubric", campaign_id=campaign.id))
    items = rubric_setup.criteria(campaign.id)
    forms = {c.id: _criterion_form(c) for c in items}
    new_form = _criterion_form()
    if failed is not None:
        if failed[0] is None:
            new_form = failed[1]
        else:
            forms[failed[0]] = failed[1]
    return render_template(
        "review/office/rubric.html", campaign=campaign, criteria=items, forms=forms, new_form=new_form,
        failed_id=failed[0] if failed else None, locked=rubric_setup.rubric_locked(campaign.id),
        lock_message=rubric_setup.LOCK_MESSAGE, frozen=rubric_setup.frozen_message(campaign.id), total=rubric_setup.rubric_total(items), target=rubric_setup.RUBRIC_TARGET,
        problems=rubric_setup.rubric_problems(items), sources=rubric_setup.rubric_sources(campaign),
    ), 400 if failed else 200


def _rubric_action(campaign: Campaign, action: str | None) -> str | None:
    if action == "default":
        rubric_setup.apply_default_rubric(campaign, actor=current_user)
        return "Đã dùng bộ tiêu chí mặc định (tổng 100 điểm)."
    if action == "copy":
        source = db.session.get(Campaign, record_id(request.form.get("source_id")) or 0)
        if source is None:
            raise setup_errors.SetupError("Chọn phong trào để sao chép bộ tiêu chí.")
        made = rubric_setup.copy_rubric(campaign, source, actor=current_user)
        return f"Đã sao chép {len(made)} tiêu chí từ “{source.name}”."
    criterion = _owned(Criterion, record_id(request.form.get("criterion_id")), campaign)
    if criterion is None:
        raise setup_errors.SetupError("Không tìm thấy tiêu chí.")
    if action == "remove":
        rubric_setup.remove_criterion(campaign, criterion, actor=current_user)
        return "Đã xóa tiêu chí."
    if action in ("up", "down"):
        rubric_setup.move_criterion(campaign, criterion, -1 if action == "up" else 1, actor=current_user)
        return None
    raise setup_errors.SetupError("Thao tác không hợp lệ.")


# --- Commendation levels ------------------------------------------------------------------------

@bp.route(PREFIX + "/hinh-thuc-khen-thuong", methods=["GET", "POST"])
def levels(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = LevelForm(formdata=None, prefix="level")
    failed: tuple[int | None, LevelForm] | None = None
    if request.method == "POST":
        action = request.form.get("action")
        level = _owned(CommendationLevel, record_id(request.form.get("level_id")), campaign)
        if action == "save":
            submitted = LevelForm(prefix=f"l{level.id}" if level else "level")
            if submitted.validate_on_submit():
                try:
                    levels_setup.save_level(campaign, actor=current_user, name=submitted.name.data,
                                     min_score=submitted.min_score.data, max_count=submitted.max_count.data,
                                     level=level, proposed_upward=bool(submitted.proposed_upward.data),
                                     authority=submitted.authority.data or "")
                except setup_errors.SetupError as error:
                    db.session.rollback()
                    submitted.form_errors.append(str(error))
                else:
                    db.session.commit()
                    flash("Đã lưu hình thức khen thưởng.", "success")
                    return redirect(url_for("review.levels", campaign_id=campaign.id))
            failed = (level.id if level else None, submitted)
        else:
            _checked_post()
            try:
                if level is None:
                    flash("Không tìm thấy hình thức khen thưởng.", "error")
                elif action == "remove":
                    name = level.name
                    levels_setup.remove_level(campaign, level, actor=current_user)
                    db.session.commit()
                    flash(f"Đã xóa “{name}”.", "success")
                elif action in ("up", "down"):
                    levels_setup.move_level(campaign, level, -1 if action == "up" else 1, actor=current_user)
                    db.session.commit()
            except setup_errors.SetupError as error:
                db.session.rollback()
                flash(str(error), "error")
            return redirect(url_for("review.levels", campaign_id=campaign.id))
    items = levels_setup.levels(campaign.id)
    edit_forms = {lv.id: LevelForm(formdata=None, prefix=f"l{lv.id}", data={
        "name": lv.name, "min_score": lv.min_score, "max_count": lv.max_count,
        "proposed_upward": lv.proposed_upward, "authority": lv.authority}) for lv in items}
    if failed is not None:
        if failed[0] is None:
            form = failed[1]
        else:
            edit_forms[failed[0]] = failed[1]
    frozen = rubric_setup.frozen_message(campaign.id)
    return render_template("review/office/levels.html", campaign=campaign, levels=items, form=form,
                           edit_forms=edit_forms, failed_id=failed[0] if failed else None,
                           frozen=frozen), 400 if failed else 200


# --- Assignment ---------------------------------------------------------------------------------

@bp.route(PREFIX + "/phan-cong", methods=["GET", "POST"])
def assign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if request.method == "POST":
        _checked_post()
        action = request.form.get("action")
        try:
            message, category = _assign_action(campaign, action)
        except (setup_errors.SetupError, WorkflowError) as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(message, category)
        return redirect(url_for("review.assign", campaign_id=campaign.id))
    plan, initiatives = assigning.plan_for(campaign)
    committee = committee_setup.members(campaign.id)
    assignments = assigning.campaign_assignments(campaign.id)
    submitted = set(db.session.scalars(
        sa.select(Review.assignment_id).join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.campaign_id == campaign.id, Review.status == ReviewStatus.SUBMITTED)))
    by_initiative: dict[int, list[Assignment]] = {}
    for a in assignments:
        by_initiative.setdefault(a.initiative_id, []).append(a)
    loads = assigning.assignment_summary(assignments)
    reviewer_loads = {}
    for a in assignments:
        if a.active:
            reviewer_loads[a.reviewer_id] = reviewer_loads.get(a.reviewer_id, 0) + 1
    missing = sum(max(0, campaign.reviewers_per_initiative - loads[i.id]) for i in initiatives)
    return render_template(
        "review/office/assign.html", campaign=campaign, initiatives=initiatives, committee=committee,
        by_initiative=by_initiative, counts=loads, plan=plan, missing=missing, submitted=submitted,
        reviewer_loads=reviewer_loads, state_labels=STATE_LABELS,
    )


def _assign_action(campaign: Campaign, action: str | None) -> tuple[str, str]:
    if action == "auto":
        plan = assigning.run_auto_assignment(campaign, actor=current_user)
        if not plan.ok:
            raise setup_errors.SetupError("Chưa phân công được: " + " ".join(plan.problems))
        if not plan.pairs:
            return "Mọi sáng kiến đã đủ thành viên chấm; không có gì để phân công thêm.", "info"
        return (f"Đã phân công tự động {len(plan.pairs)} lượt chấm "
                f"(mỗi sáng kiến {campaign.reviewers_per_initiative} thành viên).", "success")
    if action == "add":
        initiative = _owned(Initiative, record_id(request.form.get("initiative_id")), campaign)
        user = db.session.get(User, record_id(request.form.get("user_id")) or 0)
        if initiative is None or user is None:
            raise setup_errors.SetupError("Chọn sáng kiến và thành viên Hội đồng.")
        assigning.assign_by_hand(campaign, initiative, user, actor=current_user)
        return f"Đã phân công {user.full_name} chấm sáng kiến #{initiative.id}.", "success"
    if action == "remove":
        assignment = _owned(Assignment, record_id(request.form.get("assignment_id")), campaign)
        if assignment is None:
            raise setup_errors.SetupError("Không tìm thấy phân công.")
        assigning.unassign(campaign, assignment, actor=current_user)
        return "Đã gỡ phân công.", "success"
    raise setup_errors.SetupError("Thao tác không hợp lệ.")


# --- Progress and reminders ---------------------------------------------------------------------

@bp.get(PREFIX + "/tien-do")
def progress(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = review_progress.progress(campaign.id)
    recent = db.session.scalars(
        sa.select(Job).where(Job.kind == reminders.SEND_REVIEW_REMINDERS, Job.campaign_id == campaign.id)
        .order_by(Job.id.desc()).limit(5)).all()
    return render_template("review/office/progress.html", campaign=campaign, rows=rows, recent=recent,
                           total=sum(r.total for r in rows), done=sum(r.done for r in rows),
                           pending=sum(1 for r in rows if r.remaining), mail_enabled=mail_enabled(),
                           form=ButtonForm())


@bp.post(PREFIX + "/tien-do/nhac")
def remind(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()
    back = url_for("review.progress", campaign_id=campaign.id)
    if not review_progress.unfinished(campaign.id):
        flash("Mọi thành viên Hội đồng đã chấm xong; không có ai cần nhắc.", "info")
        return redirect(back)
    running = db.session.scalar(
        sa.select(Job).where(Job.kind == reminders.SEND_REVIEW_REMINDERS, Job.campaign_id == campaign.id,
                             Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])).limit(1))
    if running is not None:
        flash("Việc nhắc thành viên Hội đồng đang chạy; không gửi thêm lần nữa.", "info")
        return redirect(url_for("jobs.detail", job_id=running.id))
    job = start_job(reminders.SEND_REVIEW_REMINDERS, actor=current_user, title=reminders.reminder_title(campaign),
                    campaign_id=campaign.id)
    job.params = {**job.params, "campaign_id": campaign.id}
    db.session.commit()
    if not mail_enabled():
        flash("Chưa cấu hình máy chủ thư (MAIL_SERVER): công việc sẽ không gửi được thư điện tử.", "warning")
    dispatch(job)
    return redirect(url_for("jobs.detail", job_id=job.id))


# --- Ranking and shortlist ----------------------------------------------------------------------

@bp.get(PREFIX + "/xep-hang")
def ranking(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    filters = ranking_data.RankingFilters.from_args(request.args)
    data = ranking_data.ranking_page(campaign, filters, request.args.get("page", type=bounded_int),
                                     current_app.config.get("RANKING_PAGE_SIZE", 100))
    from thidua.nominations.services import origins  # a later stage: read only for the line "Đề xuất từ"

    return render_template(
        "review/office/ranking.html", campaign=campaign, data=data, rows=data.rows, page=data.page, filters=filters,
        origins=origins([row.initiative.id for row in data.rows]),
        blocks=data.blocks,
        areas=[(a, AREA_LABELS.get(a, a)) for a in data.areas],
        unit_types=[(t, unit_type_label(t)) for t in data.unit_types], state_labels=STATE_LABELS, form=ButtonForm(),
    )


RANKING_ACTIONS = {
    "shortlist": "Đề xuất khen thưởng",
    "not_award": "Không khen thưởng",
    "return": "Trả lại đơn vị để bổ sung",
    "unshortlist": "Bỏ khỏi danh sách đề xuất",
    "complete": "Hoàn tất chấm điểm",
}


@bp.post(PREFIX + "/xep-hang/xu-ly")
def ranking_action(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()
    action = request.form.get("action")
    back = url_for("review.ranking", campaign_id=campaign.id, **ranking_data.RankingFilters.from_args(
        request.form).as_args(), **({"page": request.form["page"]} if request.form.get("page", "").isdigit() else {}))
    reason = (request.form.get("reason") or "").strip()
    try:
        if action == "apply_proposal":
            made = ranking_data.apply_proposal(campaign, actor=current_user)
            message = f"Đã đưa {made} sáng kiến vào danh sách đề xuất khen thưởng theo ngưỡng điểm và số lượng."
        elif action in RANKING_ACTIONS:
            ids = [i for i in (record_id(v) for v in request.form.getlist("initiative")) if i is not None]
            if not ids:
                raise WorkflowError("Chọn ít nhất một sáng kiến.")
            initiatives = db.session.scalars(sa.select(Initiative).where(
                Initiative.id.in_(ids), Initiative.campaign_id == campaign.id).order_by(Initiative.id)).all()
            level = _owned(CommendationLevel, record_id(request.form.get("level_id")), campaign)
            for initiative in initiatives:
                try:
                    _apply(action, initiative, reason, level)
                except WorkflowError as error:
                    raise WorkflowError(f"Sáng kiến #{initiative.id}: {error}") from error
            message = f"{RANKING_ACTIONS[action]}: đã xử lý {len(initiatives)} sáng kiến."
        else:
            raise WorkflowError("Chọn thao tác.")
    except WorkflowError as error:
        db.session.rollback()
        flash(f"{error} Không sáng kiến nào bị thay đổi.", "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(back)


def _apply(action: str, initiative: Initiative, reason: str, level: CommendationLevel | None) -> None:
    if action == "shortlist":
        ranking_data.shortlist(initiative, actor=current_user, level=level, note=reason)
    elif action == "not_award":
        workflow.transition(initiative, State.NOT_AWARDED, actor=current_user, reason=reason)
    elif action == "return":
        workflow.transition(initiative, State.RETURNED, actor=current_user, reason=reason)
    elif action == "unshortlist":
        workflow.transition(initiative, State.SCORED, actor=current_user, reason=reason)
    elif action == "complete":
        workflow.transition(initiative, State.SCORED, actor=current_user)


# --- Exports ------------------------------------------------------------------------------------

def _number(value: Decimal | None):
    return float(value) if value is not None else None


@bp.get(PREFIX + "/xuat-diem.xlsx")
def export_scores(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = db.session.execute(
        sa.select(Initiative.id, Initiative.title, Unit.name, User.full_name, Criterion.position, Criterion.name,
                  Criterion.max_score, CriterionScore.score, CriterionScore.comment, Review.total, Review.submitted_at)
        .select_from(Assignment)
        .join(Review, Review.assignment_id == Assignment.id)
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .join(Criterion, Criterion.id == CriterionScore.criterion_id)
        .join(Initiative, Initiative.id == Assignment.initiative_id)
        .join(Unit, Unit.id == Initiative.unit_id)
        .join(User, User.id == Assignment.reviewer_id)
        .where(Assignment.campaign_id == campaign.id, Assignment.conflict_at.is_(None),
               Review.status == ReviewStatus.SUBMITTED)
        .order_by(Initiative.id, in_vietnamese_order(User.full_name), User.id, Criterion.position, Criterion.id)
    ).all()
    workbook = ExportWorkbook(rows=len(rows))
    write_sheet(
        workbook, title=f"Điểm chấm chi tiết — {campaign.name}", sheet_title="Điểm chấm",
        headers=["Mã SK", "Tên sáng kiến", "Đơn vị", "Thành viên Hội đồng", "Tiêu chí", "Điểm tối đa", "Điểm",
                 "Nhận xét", "Tổng điểm của phiếu", "Thời điểm gửi"],
        widths=[8, 50, 30, 24, 30, 10, 8, 40, 12, 18],
        rows=([iid, title, unit, reviewer, cname, cmax, _number(score), comment, _number(total),
               format_moment(submitted) if submitted else ""]
              for iid, title, unit, reviewer, _pos, cname, cmax, score, comment, total, submitted in rows),
    )
    return workbook_response(workbook, f"diem-cham-{campaign.id}.xlsx")


@bp.get(PREFIX + "/xuat-xep-hang.xlsx")
def export_ranking(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    data = ranking_data.build_ranking(campaign, ranking_data.RankingFilters.from_args(request.args))
    rows = data.rows
    workbook = ExportWorkbook(rows=len(rows))
    write_sheet(
        workbook, title=f"Kết quả xếp hạng — {campaign.name}", sheet_title="Xếp hạng",
        headers=["Hạng", "Mã SK", "Tên sáng kiến", "Đơn vị", "Khối", "Lĩnh vực", "Trạng thái", "Số phiếu"]
        + [f"{c.name} (tối đa {c.max_score})" for c in data.criteria]
        + ["Điểm trung bình", "Thấp nhất", "Cao nhất", "Chênh lệch", "Cần thảo luận", "Hình thức đề xuất"],
        widths=[6, 8, 50, 30, 20, 20, 18, 8] + [12] * len(data.criteria) + [10, 10, 10, 10, 10, 30],
        rows=([r.rank, r.initiative.id, r.initiative.title, r.unit.name, r.unit.block,
               AREA_LABELS.get(r.initiative.area, r.initiative.area), STATE_LABELS[State(r.initiative.status)],
               f"{r.reviews}/{r.assigned}"]
              + [_number(r.criterion_means.get(c.id)) for c in data.criteria]
              + [_number(r.mean), _number(r.low), _number(r.high), _number(r.spread), "Có" if r.flagged else "",
                 r.chosen_level or (r.proposed.name if r.proposed else "")]
              for r in rows),
    )
    return workbook_response(workbook, f"xep-hang-{campaign.id}.xlsx")
