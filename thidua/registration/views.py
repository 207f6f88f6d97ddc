from functools import cache

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from thidua import workflow
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.errors import WorkflowError
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.gallery import permissions as gallery_permissions
from thidua.phases import Phase, extensions_in_force, make_window
from thidua.registration import bp, permissions, services
from thidua.registration.forms import InitiativeForm, TransitionForm
from thidua.registration.models import Initiative
from thidua.workflow import State

# The statements of the most frequent requests are built once per process (functools.cache) and run
# with their values as parameters: SQLAlchemy finds a reused statement's compiled form without
# rebuilding the statement and its cache key, which is about half the CPU of a small query.

@cache
def _initiative_query(with_authors: bool) -> sa.Select:
    stmt = (
        sa.select(Initiative)
        .options(joinedload(Initiative.unit), joinedload(Initiative.campaign))
        .where(Initiative.id == sa.bindparam("initiative_id"))
    )
    # The whole record (its page, its form): with its authors and its areas.
    return stmt.options(selectinload(Initiative.authors), selectinload(Initiative.area_links)) if with_authors else stmt


def get_initiative_or_404(initiative_id: int, *, with_authors: bool = False) -> Initiative:
    initiative = db.session.scalar(_initiative_query(with_authors), {"initiative_id": initiative_id})
    if initiative is None:
        abort(404)
    return initiative


@cache
def _dashboard_queries() -> tuple[sa.Select, sa.Select]:
    campaigns = (
        sa.select(Campaign)
        .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .where(CampaignUnit.unit_id == sa.bindparam("unit_id"))
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    )
    initiatives = (
        sa.select(Initiative)
        .options(selectinload(Initiative.area_links))
        .where(Initiative.unit_id == sa.bindparam("unit_id"),
               Initiative.campaign_id.in_(sa.bindparam("campaign_ids", expanding=True)))
        .order_by(Initiative.created_at, Initiative.id)
    )
    return campaigns, initiatives


@bp.get("/don-vi")
def dashboard():
    unit = current_user.unit
    campaigns_query, initiatives_query = _dashboard_queries()
    campaigns = db.session.scalars(campaigns_query, {"unit_id": unit.id}).all()
    ids = [c.id for c in campaigns]
    extensions = extensions_in_force(ids, unit.id)
    initiatives = db.session.scalars(
        initiatives_query, {"unit_id": unit.id, "campaign_ids": ids}
    ).all() if ids else []
    by_campaign: dict[int, list[Initiative]] = {c.id: [] for c in campaigns}
    for initiative in initiatives:
        by_campaign[initiative.campaign_id].append(initiative)
    cards = []
    for campaign in campaigns:
        registration = make_window(campaign, Phase.REGISTRATION, extensions.get((campaign.id, Phase.REGISTRATION.value)))
        report = make_window(campaign, Phase.REPORT, extensions.get((campaign.id, Phase.REPORT.value)))
        items = by_campaign[campaign.id]
        registered = sum(1 for i in items if State(i.status) in workflow.COUNTS_AS_REGISTERED)
        cards.append({
            "campaign": campaign,
            "registration": registration,
            "report": report,
            "initiatives": items,
            "registered": registered,
            "target_met": registered >= campaign.min_initiatives_per_unit,
            "is_open": registration.is_open() or report.is_open(),
        })
    from thidua.notifications.services import latest_for  # a later stage's package (it imports the workflow's users)

    notifications, unread = latest_for(current_user)  # one statement, whatever the number of notifications
    from thidua.awards.services import awards_of  # a later stage: read only when something was awarded

    awards = awards_of(i.id for i in initiatives if i.status in (State.AWARDED, State.PUBLISHED))
    return render_template("registration/dashboard.html", unit=unit, cards=cards, notifications=notifications,
                           unread=unread, awards=awards)


def notify_head_if_ready(initiative: Initiative) -> None:
    """An editor's save that completes the draft tells the unit's heads it waits for them."""
    from thidua.notifications.events import ready_for_head  # a later stage's package (see dashboard)

    ready_for_head(initiative, current_user)


def _values(form: InitiativeForm) -> dict:
    return {field: getattr(form, field).data for field in services.EDITABLE_FIELDS}


@bp.route("/don-vi/phong-trao/<int:campaign_id>/dang-ky-moi", methods=["GET", "POST"])
def new(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = current_user.unit
    try:
        services.check_can_draft(campaign, unit)
    except WorkflowError as error:
        flash(str(error), "error")
        return redirect(url_for("registration.dashboard"))
    form = InitiativeForm()
    if request.method == "GET":
        form.contact_name.data = current_user.full_name
        form.contact_position.data = current_user.job_title
        form.contact_phone.data = current_user.phone
        form.collective_name.data = unit.name
    if form.validate_on_submit():
        try:
            initiative = services.create_initiative(
                campaign, unit, actor=current_user, values=_values(form), authors=form.author_rows(), checked=True
            )
            notify_head_if_ready(initiative)
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            initiative_id = initiative.id  # read before the commit expires it: no reload of the whole row
            db.session.commit()
            flash("Đã lưu bản nháp. Thủ trưởng đơn vị sẽ gửi đăng ký khi hồ sơ đầy đủ.", "success")
            return redirect(url_for("registration.detail", initiative_id=initiative_id))
    return render_template("registration/form.html", form=form, campaign=campaign, initiative=None), (
        400 if form.errors else 200
    )


@bp.get("/sang-kien/<int:initiative_id>")
def detail(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id, with_authors=True)
    if not permissions.can_view(current_user, initiative):
        abort(403)
    history = services.history_for(initiative, current_user)
    extensions = extensions_in_force([initiative.campaign_id], initiative.unit_id)
    window, report_window = (
        make_window(initiative.campaign, phase, extensions.get((initiative.campaign_id, phase.value)))
        for phase in (Phase.REGISTRATION, Phase.REPORT)
    )
    # The buttons are checked against these windows: no query of the extension per move.
    moves = workflow.available_transitions(initiative, current_user,
                                           windows={Phase.REGISTRATION: window, Phase.REPORT: report_window})
    missing = (
        services.missing_for_registration(initiative)
        if initiative.status == State.DRAFT and permissions.is_own_unit(current_user, initiative) else []
    )
    from thidua.awards.services import awards_of  # a later stage: read only once the initiative is awarded
    from thidua.nominations.services import history_origin  # a later stage: read only for "Đề xuất từ"

    award = (awards_of([initiative.id]).get(initiative.id)
             if initiative.status in (State.AWARDED, State.PUBLISHED) else None)

    return render_template(
        "registration/detail.html", initiative=initiative, history=history, moves=moves, missing=missing, phases=Phase,
        origin=history_origin(history), award=award,
        can_edit=permissions.can_edit(current_user, initiative) and initiative.status in workflow.EDITABLE
        and window.is_open(),
        may_publish=gallery_permissions.can_publish(current_user, initiative),
        may_delete=permissions.can_delete(current_user, initiative),
        window=window, report_window=report_window, transition_form=TransitionForm(),
    )


@bp.route("/sang-kien/<int:initiative_id>/sua", methods=["GET", "POST"])
def edit(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id, with_authors=True)
    if not permissions.can_edit(current_user, initiative):
        abort(403)
    campaign = initiative.campaign  # kept: a refused save rolls back and expires the instance
    form = InitiativeForm(obj=initiative)
    if request.method == "GET":
        form.version.data = str(initiative.version)
        form.area.data = initiative.areas
        if initiative.authors:
            while len(form.authors.entries) < len(initiative.authors) + 1:
                form.authors.append_entry()
            for entry, author in zip(form.authors.entries, initiative.authors):
                entry.form.full_name.data = author.full_name
                entry.form.job_title.data = author.job_title
                entry.form.contribution.data = author.contribution
    status = 200
    if form.validate_on_submit():
        try:
            expected = int(form.version.data or 0)
            services.update_initiative(initiative, actor=current_user, values=_values(form),
                                       authors=form.author_rows(), expected_version=expected)
            notify_head_if_ready(initiative)
            db.session.commit()
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 409 if isinstance(error, services.StaleEdit) else 400
        else:
            flash("Đã lưu thay đổi.", "success")
            return redirect(url_for("registration.detail", initiative_id=initiative.id))
    elif form.errors:
        status = 400
    return render_template("registration/form.html", form=form, campaign=campaign, initiative=initiative), status


@bp.post("/sang-kien/<int:initiative_id>/trang-thai")
def transition(initiative_id: int):
    initiative = get_initiative_or_404(initiative_id)  # the registration check reads the authors if it needs them
    if not permissions.can_view(current_user, initiative):
        abort(403)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        target = State(form.target.data)
    except ValueError:
        abort(400)
    try:
        workflow.transition(initiative, target, actor=current_user, reason=form.reason.data)
        db.session.commit()
    except WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(f"Đề xuất đã chuyển sang trạng thái “{target.label}”.", "success")
    return redirect(url_for("registration.detail", initiative_id=initiative_id))


@bp.post("/sang-kien/<int:initiative_id>/xoa")
def delete(initiative_id: int):
    """The unit deletes a withdrawn initiative it never registered (audited); back to its dashboard."""
    initiative = get_initiative_or_404(initiative_id)
    if not permissions.can_edit(current_user, initiative):
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    title = initiative.title
    try:
        services.delete_withdrawn(initiative, actor=current_user)
        db.session.commit()
    except WorkflowError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("registration.detail", initiative_id=initiative_id))
    flash(f"Đã xóa đề xuất “{title}”.", "success")
    return redirect(url_for("registration.dashboard"))
