"""The secretariat's side of the review: committee, rubric, levels, assignment, progress, ranking, shortlist."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

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
from thidua.paging import bounded_int
from thidua.registration.models import AREA_LABELS, Initiative
from thidua.review import assigning, bp, reminders, setup_errors
from thidua.review import committee as committee_setup
from thidua.review import levels as levels_setup
from thidua.review import progress as review_progress
from thidua.review import ranking as ranking_data
from thidua.review import rubric as rubric_setup
from thidua.review.forms import (
    AddMembersForm,
    AssignForm,
    CopyRubricForm,
    CriterionForm,
    LevelForm,
    RankingForm,
    SettingsForm,
)
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
    """A button-only POST carries a valid CSRF token (a one-button form checks it)."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def _owned(model, object_id, campaign: Campaign):
    item = db.session.get(model, object_id) if object_id is not None else None
    if item is None or item.campaign_id != campaign.id:
        return None
    return item


def _first_error(form) -> str:
    return next(error for errors in form.errors.values() for error in errors)


def _refused_with(message: str, back: str):
    flash(message, "error")
    return redirect(back)


def _refused(form, back: str):
    """A form of ids that did not validate: its first message, and back to the page."""
    return _refused_with(_first_error(form), back)


def _carry_out(back: str, work: Callable[[], Any], message: str | Callable[[Any], str] | None = None):
    """Run one set-up operation and commit, saying `message` (or what it makes of the result); a refusal
    rolls back and says why. Either way, back to the page."""
    try:
        result = work()
    except (setup_errors.SetupError, WorkflowError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if message is not None:
            flash(message(result) if callable(message) else message, "success")
    return redirect(back)


# --- Committee and settings ---------------------------------------------------------------------

@bp.get(PREFIX)
def committee(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    return _committee_page(campaign, SettingsForm(obj=campaign, prefix="settings"))


def _committee_page(campaign: Campaign, settings_form: SettingsForm, status: int = 200):
    query = (request.args.get("tim") or "").strip()[:100]
    candidates, matching = committee_setup.candidate_users(campaign, query)
    return render_template("review/office/committee.html", campaign=campaign, members=committee_setup.members(campaign.id),
                           candidates=candidates, matching=matching, query=query, settings_form=settings_form,
                           progress={p.user.id: p for p in review_progress.progress(campaign.id)}), status


@bp.post(PREFIX + "/thiet-lap")
def save_settings(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = SettingsForm(prefix="settings")
    if not form.validate_on_submit():
        return _committee_page(campaign, form, 400)
    committee_setup.update_settings(campaign, actor=current_user,
                                    reviewers_per_initiative=form.reviewers_per_initiative.data,
                                    blind_review=form.blind_review.data,
                                    disagreement_threshold=form.disagreement_threshold.data)
    db.session.commit()
    flash("Đã lưu thiết lập chấm điểm.", "success")
    return redirect(url_for("review.committee", campaign_id=campaign.id))


@bp.post(PREFIX + "/thanh-vien/them")
def add_members(campaign_id: int):
    """Several accounts ticked in the list at once; all of them join, or none."""
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.committee", campaign_id=campaign.id)
    form = AddMembersForm()
    if not form.validate_on_submit():
        return _refused(form, back)
    users = [db.session.get(User, user_id) for user_id in form.user_id.data]
    if None in users:
        return _refused_with("Chọn tài khoản để thêm vào Hội đồng.", back)
    chair = form.chair.data and len(users) == 1

    def add() -> None:
        for user in users:
            committee_setup.add_member(campaign, user, actor=current_user, chair=chair)

    return _carry_out(back, add, "Đã thêm " + ", ".join(u.full_name for u in users) + " vào Hội đồng.")


def _member_or_refusal(campaign: Campaign, member_id: int) -> CommitteeMember | None:
    member = _owned(CommitteeMember, member_id, campaign)
    if member is None:
        flash("Không tìm thấy thành viên Hội đồng.", "error")
    return member


@bp.post(PREFIX + "/thanh-vien/<int:member_id>/chu-tich")
def make_chair(campaign_id: int, member_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.committee", campaign_id=campaign.id)
    _checked_post()
    if (member := _member_or_refusal(campaign, member_id)) is None:
        return redirect(back)
    name = db.session.get(User, member.user_id).full_name
    return _carry_out(back, lambda: committee_setup.set_chair(campaign, member, actor=current_user),
                      f"{name} là Chủ tịch Hội đồng.")


@bp.post(PREFIX + "/thanh-vien/<int:member_id>/xoa")
def remove_member(campaign_id: int, member_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.committee", campaign_id=campaign.id)
    _checked_post()
    if (member := _member_or_refusal(campaign, member_id)) is None:
        return redirect(back)
    name = db.session.get(User, member.user_id).full_name
    return _carry_out(back, lambda: committee_setup.remove_member(campaign, member, actor=current_user),
                      f"Đã đưa {name} ra khỏi Hội đồng.")


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


@bp.get(PREFIX + "/tieu-chi")
def rubric(campaign_id: int):
    return _rubric_page(db.get_or_404(Campaign, campaign_id))


def _rubric_page(campaign: Campaign, failed: tuple[int | None, CriterionForm] | None = None):
    """The rubric page; `failed` is the criterion (None: the new one) whose form was refused, shown open."""
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


def _save_criterion(campaign: Campaign, criterion: Criterion | None):
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
    return _rubric_page(campaign, (criterion.id if criterion else None, form))


def _criterion_or_refusal(campaign: Campaign, criterion_id: int) -> Criterion | None:
    criterion = _owned(Criterion, criterion_id, campaign)
    if criterion is None:
        flash("Không tìm thấy tiêu chí.", "error")
    return criterion


@bp.post(PREFIX + "/tieu-chi/them")
def add_criterion(campaign_id: int):
    return _save_criterion(db.get_or_404(Campaign, campaign_id), None)


@bp.post(PREFIX + "/tieu-chi/<int:criterion_id>/sua")
def edit_criterion(campaign_id: int, criterion_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if (criterion := _criterion_or_refusal(campaign, criterion_id)) is None:
        return redirect(url_for("review.rubric", campaign_id=campaign.id))
    return _save_criterion(campaign, criterion)


@bp.post(PREFIX + "/tieu-chi/<int:criterion_id>/xoa")
def remove_criterion(campaign_id: int, criterion_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.rubric", campaign_id=campaign.id)
    _checked_post()
    if (criterion := _criterion_or_refusal(campaign, criterion_id)) is None:
        return redirect(back)
    return _carry_out(back, lambda: rubric_setup.remove_criterion(campaign, criterion, actor=current_user),
                      "Đã xóa tiêu chí.")


def _move_criterion(campaign_id: int, criterion_id: int, step: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.rubric", campaign_id=campaign.id)
    _checked_post()
    if (criterion := _criterion_or_refusal(campaign, criterion_id)) is None:
        return redirect(back)
    return _carry_out(back, lambda: rubric_setup.move_criterion(campaign, criterion, step, actor=current_user))


@bp.post(PREFIX + "/tieu-chi/<int:criterion_id>/len")
def move_criterion_up(campaign_id: int, criterion_id: int):
    return _move_criterion(campaign_id, criterion_id, -1)


@bp.post(PREFIX + "/tieu-chi/<int:criterion_id>/xuong")
def move_criterion_down(campaign_id: int, criterion_id: int):
    return _move_criterion(campaign_id, criterion_id, 1)


@bp.post(PREFIX + "/tieu-chi/mac-dinh")
def apply_default_rubric(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()
    return _carry_out(url_for("review.rubric", campaign_id=campaign.id),
                      lambda: rubric_setup.apply_default_rubric(campaign, actor=current_user),
                      "Đã dùng bộ tiêu chí mặc định (tổng 100 điểm).")


@bp.post(PREFIX + "/tieu-chi/sao-chep")
def copy_rubric(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.rubric", campaign_id=campaign.id)
    form = CopyRubricForm()
    if not form.validate_on_submit():
        return _refused(form, back)
    source = db.session.get(Campaign, form.source_id.data)
    if source is None:
        return _refused_with("Chọn phong trào để sao chép bộ tiêu chí.", back)
    return _carry_out(back, lambda: rubric_setup.copy_rubric(campaign, source, actor=current_user),
                      lambda made: f"Đã sao chép {len(made)} tiêu chí từ “{source.name}”.")


# --- Commendation levels ------------------------------------------------------------------------

@bp.get(PREFIX + "/hinh-thuc-khen-thuong")
def levels(campaign_id: int):
    return _levels_page(db.get_or_404(Campaign, campaign_id))


def _levels_page(campaign: Campaign, failed: tuple[int | None, LevelForm] | None = None):
    """The levels page; `failed` is the level (None: the new one) whose form was refused, shown open."""
    form = LevelForm(formdata=None, prefix="level")
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


def _save_level(campaign: Campaign, level: CommendationLevel | None):
    form = LevelForm(prefix=f"l{level.id}" if level else "level")
    if form.validate_on_submit():
        try:
            levels_setup.save_level(campaign, actor=current_user, name=form.name.data,
                                    min_score=form.min_score.data, max_count=form.max_count.data,
                                    level=level, proposed_upward=bool(form.proposed_upward.data),
                                    authority=form.authority.data or "")
        except setup_errors.SetupError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash("Đã lưu hình thức khen thưởng.", "success")
            return redirect(url_for("review.levels", campaign_id=campaign.id))
    return _levels_page(campaign, (level.id if level else None, form))


def _level_or_refusal(campaign: Campaign, level_id: int) -> CommendationLevel | None:
    level = _owned(CommendationLevel, level_id, campaign)
    if level is None:
        flash("Không tìm thấy hình thức khen thưởng.", "error")
    return level


@bp.post(PREFIX + "/hinh-thuc-khen-thuong/them")
def add_level(campaign_id: int):
    return _save_level(db.get_or_404(Campaign, campaign_id), None)


@bp.post(PREFIX + "/hinh-thuc-khen-thuong/<int:level_id>/sua")
def edit_level(campaign_id: int, level_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if (level := _level_or_refusal(campaign, level_id)) is None:
        return redirect(url_for("review.levels", campaign_id=campaign.id))
    return _save_level(campaign, level)


@bp.post(PREFIX + "/hinh-thuc-khen-thuong/<int:level_id>/xoa")
def remove_level(campaign_id: int, level_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.levels", campaign_id=campaign.id)
    _checked_post()
    if (level := _level_or_refusal(campaign, level_id)) is None:
        return redirect(back)
    name = level.name
    return _carry_out(back, lambda: levels_setup.remove_level(campaign, level, actor=current_user),
                      f"Đã xóa “{name}”.")


def _move_level(campaign_id: int, level_id: int, step: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.levels", campaign_id=campaign.id)
    _checked_post()
    if (level := _level_or_refusal(campaign, level_id)) is None:
        return redirect(back)
    return _carry_out(back, lambda: levels_setup.move_level(campaign, level, step, actor=current_user))


@bp.post(PREFIX + "/hinh-thuc-khen-thuong/<int:level_id>/len")
def move_level_up(campaign_id: int, level_id: int):
    return _move_level(campaign_id, level_id, -1)


@bp.post(PREFIX + "/hinh-thuc-khen-thuong/<int:level_id>/xuong")
def move_level_down(campaign_id: int, level_id: int):
    return _move_level(campaign_id, level_id, 1)


# --- Assignment ---------------------------------------------------------------------------------

@bp.get(PREFIX + "/phan-cong")
def assign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
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


@bp.post(PREFIX + "/phan-cong/tu-dong")
def auto_assign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.assign", campaign_id=campaign.id)
    _checked_post()
    try:
        plan = assigning.run_auto_assignment(campaign, actor=current_user)
        if not plan.ok:
            raise setup_errors.SetupError("Chưa phân công được: " + " ".join(plan.problems))
    except (setup_errors.SetupError, WorkflowError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    if not plan.pairs:
        flash("Mọi sáng kiến đã đủ thành viên chấm; không có gì để phân công thêm.", "info")
    else:
        flash(f"Đã phân công tự động {len(plan.pairs)} lượt chấm "
              f"(mỗi sáng kiến {campaign.reviewers_per_initiative} thành viên).", "success")
    return redirect(back)


@bp.post(PREFIX + "/phan-cong/them")
def add_assignment(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.assign", campaign_id=campaign.id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _refused(form, back)
    initiative = _owned(Initiative, form.initiative_id.data, campaign)
    user = db.session.get(User, form.user_id.data)
    if initiative is None or user is None:
        return _refused_with("Chọn sáng kiến và thành viên Hội đồng.", back)
    return _carry_out(back, lambda: assigning.assign_by_hand(campaign, initiative, user, actor=current_user),
                      f"Đã phân công {user.full_name} chấm sáng kiến #{initiative.id}.")


@bp.post(PREFIX + "/phan-cong/<int:assignment_id>/go")
def remove_assignment(campaign_id: int, assignment_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = url_for("review.assign", campaign_id=campaign.id)
    _checked_post()
    assignment = _owned(Assignment, assignment_id, campaign)
    if assignment is None:
        return _refused_with("Không tìm thấy phân công.", back)
    return _carry_out(back, lambda: assigning.unassign(campaign, assignment, actor=current_user),
                      "Đã gỡ phân công.")


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


def _ranking_back(campaign: Campaign) -> str:
    """The ranking page as it was when the office pressed the button: its filters and its page."""
    page = request.form.get("page", "")
    return url_for("review.ranking", campaign_id=campaign.id,
                   **ranking_data.RankingFilters.from_args(request.form).as_args(),
                   **({"page": page} if page.isdigit() else {}))


@bp.post(PREFIX + "/xep-hang/ap-dung-de-xuat")
def apply_proposal(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()
    try:
        made = ranking_data.apply_proposal(campaign, actor=current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash(f"{error} Không sáng kiến nào bị thay đổi.", "error")
    else:
        db.session.commit()
        flash(f"Đã đưa {made} sáng kiến vào danh sách đề xuất khen thưởng theo ngưỡng điểm và số lượng.", "success")
    return redirect(_ranking_back(campaign))


Move = Callable[[Initiative, str, CommendationLevel | None], None]


def _move_chosen(campaign_id: int, label: str, move: Move):
    """Apply `move` to every initiative ticked on the ranking page, all of them or none."""
    campaign = db.get_or_404(Campaign, campaign_id)
    back = _ranking_back(campaign)
    form = RankingForm()
    if not form.validate_on_submit():
        flash(f"{_first_error(form)} Không sáng kiến nào bị thay đổi.", "error")
        return redirect(back)
    initiatives = db.session.scalars(sa.select(Initiative).where(
        Initiative.id.in_(form.initiative.data), Initiative.campaign_id == campaign.id).order_by(Initiative.id)).all()
    level = _owned(CommendationLevel, form.level_id.data, campaign)
    try:
        for initiative in initiatives:
            try:
                move(initiative, form.reason.data or "", level)
            except WorkflowError as error:
                raise WorkflowError(f"Sáng kiến #{initiative.id}: {error}") from error
    except WorkflowError as error:
        db.session.rollback()
        flash(f"{error} Không sáng kiến nào bị thay đổi.", "error")
    else:
        db.session.commit()
        flash(f"{label}: đã xử lý {len(initiatives)} sáng kiến.", "success")
    return redirect(back)


@bp.post(PREFIX + "/xep-hang/de-xuat")
def shortlist(campaign_id: int):
    return _move_chosen(campaign_id, "Đề xuất khen thưởng", lambda initiative, reason, level: ranking_data.shortlist(
        initiative, actor=current_user, level=level, note=reason))


@bp.post(PREFIX + "/xep-hang/bo-de-xuat")
def unshortlist(campaign_id: int):
    return _move_chosen(campaign_id, "Bỏ khỏi danh sách đề xuất", lambda initiative, reason, _level: workflow.transition(
        initiative, State.SCORED, actor=current_user, reason=reason))


@bp.post(PREFIX + "/xep-hang/khong-khen-thuong")
def not_award(campaign_id: int):
    return _move_chosen(campaign_id, "Không khen thưởng", lambda initiative, reason, _level: workflow.transition(
        initiative, State.NOT_AWARDED, actor=current_user, reason=reason))


@bp.post(PREFIX + "/xep-hang/tra-lai")
def return_initiatives(campaign_id: int):
    return _move_chosen(campaign_id, "Trả lại đơn vị để bổ sung", lambda initiative, reason, _level: workflow.transition(
        initiative, State.RETURNED, actor=current_user, reason=reason))


@bp.post(PREFIX + "/xep-hang/hoan-tat")
def complete_review(campaign_id: int):
    return _move_chosen(campaign_id, "Hoàn tất chấm điểm", lambda initiative, _reason, _level: workflow.transition(
        initiative, State.SCORED, actor=current_user))


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
