"""Pages of nomination upward: the lower secretariat proposes, the upper secretariat accepts or declines."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from thidua import scope
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.nominations import bp, services
from thidua.nominations.forms import DeclineForm, FeedsForm, ProposeForm
from thidua.nominations.models import Nomination, NominationState
from thidua.paging import record_id

OUTGOING = "/phong-trao/<int:campaign_id>/trinh-cap-tren"
INCOMING = "/phong-trao/<int:campaign_id>/de-xuat-cap-duoi"


def _may_change(campaign: Campaign) -> bool:
    return current_user.role == Role.SECRETARIAT and scope.can_change_campaign(current_user, campaign)


def _form_errors(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors) or "Biểu mẫu không hợp lệ."


@bp.get(OUTGOING)
def outgoing(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    upper = services.upper_of(campaign)
    choices = services.upper_choices(campaign)
    feeds_form = FeedsForm()
    feeds_form.upper.choices = [("", "— Không trình lên cấp trên —")] + [
        (str(c.id), f"{c.name} ({c.organiser.name}, năm {c.year})") for c in choices]
    feeds_form.upper.data = str(upper.id) if upper else ""
    return render_template(
        "nominations/outgoing.html", campaign=campaign, upper=upper, feeds_form=feeds_form,
        propose_form=ProposeForm(), candidates=services.candidates(campaign),
        proposed=services.proposed_from(campaign), may_change=_may_change(campaign),
        from_labels=services.NOMINATIONS_FROM_LABELS)


@bp.post(OUTGOING + "/cap-tren")
def set_feeds(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = redirect(url_for("nominations.outgoing", campaign_id=campaign.id))
    form = FeedsForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return back
    wanted = record_id(form.upper.data)
    if form.upper.data and wanted is None:
        flash("Phong trào cấp trên không hợp lệ.", "error")
        return back
    upper = db.session.get(Campaign, wanted) if wanted else None
    if wanted and upper is None:
        flash("Không tìm thấy phong trào cấp trên đã chọn.", "error")
        return back
    try:
        services.set_feeds(campaign, upper, actor=current_user)
    except services.NominationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(f"Phong trào trình lên: {upper.name}." if upper else "Phong trào không trình lên cấp trên.", "success")
    return back


@bp.post(OUTGOING + "/de-xuat")
def propose(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    back = redirect(url_for("nominations.outgoing", campaign_id=campaign.id))
    form = ProposeForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return back
    ids = [record_id(value) for value in form.initiative.data or []]
    if any(i is None for i in ids):
        flash("Sáng kiến được chọn không hợp lệ.", "error")
        return back
    initiatives = services.load_initiatives(ids)
    if len(initiatives) != len(set(ids)):
        flash("Không tìm thấy sáng kiến đã chọn.", "error")
        return back
    try:
        made = services.propose(campaign, initiatives, actor=current_user)
    except services.NominationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(f"Đã trình {len(made)} sáng kiến lên cấp trên.", "success")
    return back


@bp.get(INCOMING)
def incoming(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template("nominations/incoming.html", campaign=campaign, groups=services.incoming(campaign),
                           may_change=_may_change(campaign), button_form=ButtonForm(), decline_form=DeclineForm(),
                           states=NominationState)


def _nomination(campaign: Campaign, nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.campaign_id != campaign.id:
        abort(404)
    return nomination


@bp.post(INCOMING + "/<int:nomination_id>/tiep-nhan")
def accept(campaign_id: int, nomination_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    nomination = _nomination(campaign, nomination_id)
    back = redirect(url_for("nominations.incoming", campaign_id=campaign.id) + f"#de-xuat-{nomination.id}")
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        copy = services.accept(nomination, actor=current_user)
    except services.NominationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(f"Đã tiếp nhận sáng kiến #{copy.id}; sáng kiến chờ Hội đồng của phong trào chấm điểm.", "success")
    return back


@bp.post(INCOMING + "/<int:nomination_id>/khong-tiep-nhan")
def decline(campaign_id: int, nomination_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    nomination = _nomination(campaign, nomination_id)
    back = redirect(url_for("nominations.incoming", campaign_id=campaign.id) + f"#de-xuat-{nomination.id}")
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return back
    try:
        services.decline(nomination, form.reason.data, actor=current_user)
    except services.NominationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash("Đã ghi nhận không tiếp nhận đề xuất; cấp dưới thấy lý do trên trang trình lên cấp trên.", "success")
    return back
