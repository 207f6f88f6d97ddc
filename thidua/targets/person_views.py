"""Pages of the outstanding persons: a unit proposes its own, the office takes them in or declines."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.results.uploads import RefusedFile
from thidua.targets import bp, persons
from thidua.targets.forms import DecideForm, PersonForm
from thidua.targets.models import RATING_LABELS, OutstandingPerson, PersonState
from thidua.targets.services import TargetError
from thidua.targets.views import (
    BASE, _done, _form_errors, _may_change, _may_edit, _participant, _refused, unit_evidence,
)

UNIT_PERSONS = "/phong-trao/<int:campaign_id>/ca-nhan-xuat-sac"


def _person_of_unit(campaign, unit, person_id: int) -> OutstandingPerson:
    person = db.session.get(OutstandingPerson, person_id)
    if person is None or person.campaign_id != campaign.id:
        abort(404)
    if person.unit_id != unit.id:
        abort(403)
    return person


def _form(campaign, person=None) -> PersonForm:
    form = PersonForm(obj=person)
    form.rating.choices = list(RATING_LABELS.items())
    form.targets_met.choices = [(str(t.id), t.name) for t in persons.individual_targets(campaign.id)]
    if request.method == "GET" and person is not None:
        form.targets_met.data = [k for k, v in person.targets_met.items() if v]
    return form


def _values(form: PersonForm) -> dict:
    return {"full_name": form.full_name.data, "job_title": form.job_title.data, "rating": form.rating.data,
            "achievements": form.achievements.data, "targets_met": dict.fromkeys(form.targets_met.data or [], True)}


def _unit_page(campaign, unit, form, editing=None, status=200):
    rows = persons.persons_of(campaign.id, unit_id=unit.id)
    return render_template("targets/persons_unit.html", campaign=campaign, unit=unit, rows=rows, form=form,
                           editing=editing, files=persons.files_of([p.id for p, _ in rows]),
                           is_open=persons.is_open(campaign), button_form=ButtonForm(),
                           is_head=current_user.role == Role.UNIT_HEAD), status


@bp.route(UNIT_PERSONS, methods=["GET", "POST"])
def persons_unit(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    form = _form(campaign)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _unit_page(campaign, unit, form, status=400)
        try:
            person = persons.save_person(campaign, unit, None, _values(form), actor=current_user)
        except TargetError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _unit_page(campaign, unit, form, status=400)
        _done(f"Đã lưu đề nghị “{person.full_name}”.")
        return redirect(url_for("targets.persons_unit", campaign_id=campaign.id))
    return _unit_page(campaign, unit, form)


@bp.route(UNIT_PERSONS + "/<int:person_id>/sua", methods=["GET", "POST"])
def person_edit(campaign_id: int, person_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    person = _person_of_unit(campaign, unit, person_id)
    form = _form(campaign, person)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _unit_page(campaign, unit, form, editing=person, status=400)
        try:
            persons.save_person(campaign, unit, person, _values(form), actor=current_user)
        except TargetError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _unit_page(campaign, unit, form, editing=person, status=400)
        _done(f"Đã lưu đề nghị “{person.full_name}”.")
        return redirect(url_for("targets.persons_unit", campaign_id=campaign.id))
    return _unit_page(campaign, unit, form, editing=person)


def _unit_action(campaign_id: int, person_id: int, action, success: str):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    person = _person_of_unit(campaign, unit, person_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = person.full_name
    try:
        action(campaign, unit, person)
    except (TargetError, RefusedFile) as error:
        _refused(error)
    else:
        _done(success.format(name=name))
    return redirect(url_for("targets.persons_unit", campaign_id=campaign.id))


@bp.post(UNIT_PERSONS + "/<int:person_id>/gui")
def person_send(campaign_id: int, person_id: int):
    return _unit_action(campaign_id, person_id, lambda c, u, p: persons.send_person(c, u, p, actor=current_user),
                        "Đã gửi đề nghị “{name}” đến Văn phòng.")


@bp.post(UNIT_PERSONS + "/<int:person_id>/xoa")
def person_delete(campaign_id: int, person_id: int):
    return _unit_action(campaign_id, person_id, lambda c, u, p: persons.delete_person(c, u, p, actor=current_user),
                        "Đã xóa đề nghị “{name}”.")


@bp.post(UNIT_PERSONS + "/<int:person_id>/minh-chung")
def person_upload(campaign_id: int, person_id: int):
    upload = request.files.get("file")

    def action(campaign, unit, person):
        if upload is None or not upload.filename:
            raise TargetError("Chọn tệp minh chứng để tải lên.")
        persons.add_person_evidence(campaign, unit, person, upload.stream, upload.filename, actor=current_user)
    return _unit_action(campaign_id, person_id, action, "Đã tải lên minh chứng cho “{name}”.")


@bp.post(UNIT_PERSONS + "/minh-chung/<int:evidence_id>/xoa")
def person_remove_file(campaign_id: int, evidence_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    evidence = unit_evidence(campaign, unit, evidence_id, "person")
    try:
        persons.remove_person_evidence(campaign, unit, evidence, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done("Đã xóa minh chứng.")
    return redirect(url_for("targets.persons_unit", campaign_id=campaign.id))


# --- the office -------------------------------------------------------------------------------

@bp.get(BASE + "/ca-nhan")
def persons_office(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = persons.persons_of(campaign.id, states=(PersonState.SENT, PersonState.ACCEPTED, PersonState.DECLINED))
    return render_template("targets/persons_office.html", campaign=campaign, rows=rows,
                           files=persons.files_of([p.id for p, _ in rows]), decide_form=DecideForm(),
                           targets=persons.individual_targets(campaign.id), may_change=_may_edit(campaign))


def _decide(campaign_id: int, person_id: int, accept: bool):
    campaign = db.get_or_404(Campaign, campaign_id)
    person = db.session.get(OutstandingPerson, person_id)
    if person is None or person.campaign_id != campaign.id:
        abort(404)
    if not _may_change(campaign):
        abort(403)
    form = DecideForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
    else:
        try:
            persons.decide_person(person, accept, form.reason.data or "", actor=current_user)
        except TargetError as error:
            _refused(error)
        else:
            _done(f"Đã tiếp nhận “{person.full_name}”; cập nhật danh sách khen thưởng để đưa vào mục II. Cá nhân."
                  if accept else f"Đã không đưa “{person.full_name}” vào danh sách, kèm lý do.")
    return redirect(url_for("targets.persons_office", campaign_id=campaign.id) + f"#ca-nhan-{person.id}")


@bp.post(BASE + "/ca-nhan/<int:person_id>/tiep-nhan")
def person_accept(campaign_id: int, person_id: int):
    return _decide(campaign_id, person_id, True)


@bp.post(BASE + "/ca-nhan/<int:person_id>/khong-tiep-nhan")
def person_decline(campaign_id: int, person_id: int):
    return _decide(campaign_id, person_id, False)
