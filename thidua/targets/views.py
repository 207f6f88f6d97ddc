"""Pages of the campaign's targets: the office defines and checks them, units report, everyone reads the board."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from thidua import scope
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.exports import xlsx_response
from thidua.extensions import db
from thidua.forms import ButtonForm, choices
from thidua.numbers import NumberError, format_number, parse_number
from thidua.paging import record_id
from thidua.results.uploads import RefusedFile
from thidua.storage import get_storage
from thidua.targets import board as boards
from thidua.targets import bp, services
from thidua.targets.forms import (
    RULE_LABELS, CopyForm, ExtensionForm, ReturnForm, RoundForm, RuleForm, TargetForm,
)
from thidua.targets.models import (
    Measure, Target, TargetEvidence, TargetRound, TargetValue, ValueState,
)
from thidua.targets.services import STATUS_LABELS, TargetError, format_value, threshold_text
from thidua.units.models import UNIT_TYPE_LABELS, Unit, unit_type_label

BASE = "/phong-trao/<int:campaign_id>/chi-tieu"
UNIT_BASE = "/phong-trao/<int:campaign_id>/chi-tieu-cua-don-vi"


@bp.app_template_global()
def target_value_text(target, value):
    return format_value(target, value)


@bp.app_template_global()
def target_threshold(target):
    return threshold_text(target)


@bp.app_template_global()
def target_applies_text(target) -> str:
    if target.applies_to == "individuals":
        return "Cá nhân"
    names = [unit_type_label(t) for t in target.type_list] + target.block_list
    return ", ".join(names) or "Mọi đơn vị tham gia"


def _in_campaign(model, record_id: int, campaign: Campaign):
    record = db.session.get(model, record_id)
    if record is None or record.campaign_id != campaign.id:
        abort(404)
    return record


def _may_change(campaign: Campaign) -> bool:
    return current_user.role == Role.SECRETARIAT and scope.can_change_campaign(current_user, campaign)


def _may_edit(campaign: Campaign) -> bool:
    """The office may change the targets and their checks: not once the award list rests on them."""
    return _may_change(campaign) and not services.definitions_frozen(campaign)


def _form_errors(form) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors) or "Biểu mẫu không hợp lệ."


def _done(message: str):
    db.session.commit()
    flash(message, "success")


def _refused(error: Exception):
    db.session.rollback()
    flash(str(error), "error")


# --- the office: definitions ------------------------------------------------------------------

@bp.get(BASE)
def setup(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    targets = services.targets_of(campaign.id)
    copy_form = CopyForm()
    copy_form.source.choices = [(str(c.id), f"{c.name} (năm {c.year})") for c in services.copy_sources(campaign)]
    rule_form = RuleForm(obj=campaign)
    frozen = services.definitions_frozen(campaign)
    return render_template(
        "targets/setup.html", campaign=campaign, rounds=services.rounds_of(campaign.id), targets=targets,
        round_form=RoundForm(), copy_form=copy_form, rule_form=rule_form, button_form=ButtonForm(),
        may_change=_may_change(campaign) and not frozen, frozen=frozen, rule_labels=RULE_LABELS,
        type_label=unit_type_label)


def _target_form(campaign: Campaign, target: Target | None) -> TargetForm:
    form = TargetForm(obj=target)
    form.round_id.choices = [(str(r.id), f"{r.name} (hạn {r.deadline:%d/%m/%Y})")
                             for r in services.rounds_of(campaign.id)]
    participants = db.session.execute(
        db.select(Unit.unit_type, Unit.block).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id).distinct()).all()
    types = sorted({t for t, _ in participants} | set(services.defaults_types()) | set(target.type_list if target
                                                                                        else []))
    form.unit_types.choices = [(t, UNIT_TYPE_LABELS.get(t, t)) for t in types]
    form.blocks.choices = [(b, b) for b in sorted({b for _, b in participants if b} |
                                                  set(target.block_list if target else []))]
    if request.method == "GET" and target is not None:
        form.round_id.data = str(target.round_id)
        form.unit_types.data = target.type_list
        form.blocks.data = target.block_list
    return form


def _edit_target(campaign: Campaign, target: Target | None):
    if request.method == "POST" and not _may_change(campaign):  # reading is the scope's to allow
        abort(403)
    if target is None and _may_change(campaign) and not services.rounds_of(campaign.id):
        services.default_round(campaign)
        db.session.commit()
    form = _target_form(campaign, target)
    status = 200
    if form.validate_on_submit():
        try:
            saved = services.save_target(campaign, target, form.values(), actor=current_user)
        except TargetError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            _done(f"Đã lưu chỉ tiêu “{saved.name}”.")
            return redirect(url_for("targets.setup", campaign_id=campaign.id) + f"#chi-tieu-{saved.id}")
    elif form.errors:
        status = 400
    return render_template("targets/target_form.html", campaign=campaign, target=target, form=form), status


@bp.route(BASE + "/moi", methods=["GET", "POST"])
def target_new(campaign_id: int):
    return _edit_target(db.get_or_404(Campaign, campaign_id), None)


@bp.route(BASE + "/<int:target_id>/sua", methods=["GET", "POST"])
def target_edit(campaign_id: int, target_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    return _edit_target(campaign, _in_campaign(Target, target_id, campaign))


@bp.post(BASE + "/<int:target_id>/xoa")
def target_delete(campaign_id: int, target_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    target = _in_campaign(Target, target_id, campaign)
    if not _may_change(campaign) or not ButtonForm().validate_on_submit():
        abort(403 if not _may_change(campaign) else 400)
    name = target.name
    try:
        services.delete_target(campaign, target, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done(f"Đã xóa chỉ tiêu “{name}”.")
    return redirect(url_for("targets.setup", campaign_id=campaign.id))


@bp.post(BASE + "/mac-dinh")
def apply_defaults(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if not _may_change(campaign) or not ButtonForm().validate_on_submit():
        abort(403 if not _may_change(campaign) else 400)
    try:
        count = services.apply_default_targets(campaign, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done(f"Đã tạo {count} chỉ tiêu theo Kế hoạch thi đua CCHC giai đoạn 2023–2025.")
    return redirect(url_for("targets.setup", campaign_id=campaign.id))


@bp.post(BASE + "/sao-chep")
def copy(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if not _may_change(campaign):
        abort(403)
    form = CopyForm()
    source_id = record_id(form.source.data) if form.validate_on_submit() else None
    source = db.session.get(Campaign, source_id) if source_id else None
    if source is None:
        flash(_form_errors(form) if form.errors else "Chọn phong trào để sao chép chỉ tiêu.", "error")
        return redirect(url_for("targets.setup", campaign_id=campaign.id))
    try:
        count = services.copy_targets(campaign, source, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done(f"Đã sao chép {count} chỉ tiêu từ “{source.name}”.")
    return redirect(url_for("targets.setup", campaign_id=campaign.id))


@bp.post(BASE + "/cach-xet")
def rule(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if not _may_change(campaign):
        abort(403)
    form = RuleForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return redirect(url_for("targets.setup", campaign_id=campaign.id))
    try:
        services.set_rule(campaign, form.collective_rule.data, form.individuals_deadline.data, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done("Đã lưu cách xét tập thể và hạn đề nghị cá nhân.")
    return redirect(url_for("targets.setup", campaign_id=campaign.id) + "#cach-xet")


def _edit_round(campaign: Campaign, round_: TargetRound | None):
    if request.method == "POST" and not _may_change(campaign):  # reading is the scope's to allow
        abort(403)
    form = RoundForm(obj=round_)
    status = 200
    if form.validate_on_submit():
        try:
            saved = services.save_round(campaign, round_, name=form.name.data, kind=form.kind.data,
                                        deadline=form.deadline.data, actor=current_user)
        except TargetError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            _done(f"Đã lưu đợt báo cáo “{saved.name}”.")
            return redirect(url_for("targets.setup", campaign_id=campaign.id) + "#dot-bao-cao")
    elif form.errors:
        status = 400
    return render_template("targets/round_form.html", campaign=campaign, round=round_, form=form), status


@bp.route(BASE + "/dot/moi", methods=["GET", "POST"])
def round_new(campaign_id: int):
    return _edit_round(db.get_or_404(Campaign, campaign_id), None)


@bp.route(BASE + "/dot/<int:round_id>/sua", methods=["GET", "POST"])
def round_edit(campaign_id: int, round_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    return _edit_round(campaign, _in_campaign(TargetRound, round_id, campaign))


@bp.post(BASE + "/dot/<int:round_id>/xoa")
def round_delete(campaign_id: int, round_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    round_ = _in_campaign(TargetRound, round_id, campaign)
    if not _may_change(campaign) or not ButtonForm().validate_on_submit():
        abort(403 if not _may_change(campaign) else 400)
    name = round_.name
    try:
        services.delete_round(campaign, round_, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done(f"Đã xóa đợt báo cáo “{name}”.")
    return redirect(url_for("targets.setup", campaign_id=campaign.id) + "#dot-bao-cao")


@bp.route(BASE + "/gia-han", methods=["GET", "POST"])
def extension_new(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if request.method == "POST" and not _may_change(campaign):
        abort(403)
    form = ExtensionForm()
    rounds = services.rounds_of(campaign.id)
    form.round_id.choices = [(str(r.id), f"{r.name} (hạn {r.deadline:%d/%m/%Y})") for r in rounds]
    units = db.session.scalars(db.select(Unit).join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
                               .where(CampaignUnit.campaign_id == campaign.id).order_by(Unit.name)).all()
    form.unit_id.choices = choices(((str(u.id), u.name) for u in units), "— Chọn đơn vị —")
    status = 200
    if form.validate_on_submit():
        round_ = db.session.get(TargetRound, record_id(form.round_id.data) or 0)
        unit = db.session.get(Unit, record_id(form.unit_id.data) or 0)
        try:
            if round_ is None or round_.campaign_id != campaign.id or unit is None:
                raise TargetError("Chọn đợt báo cáo và đơn vị tham gia phong trào.")
            services.grant_round_extension(campaign, round_, unit, form.until.data, form.reason.data,
                                           actor=current_user)
        except TargetError as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            _done(f"Đã gia hạn “{round_.name}” cho {unit.name} đến hết ngày {form.until.data:%d/%m/%Y}.")
            return redirect(url_for("targets.setup", campaign_id=campaign.id))
    elif form.errors:
        status = 400
    return render_template("targets/extension_form.html", campaign=campaign, form=form,
                           extensions=services.extension_history(campaign.id)), status


# --- the office: checking ---------------------------------------------------------------------

@bp.get(BASE + "/kiem-tra")
def check_list(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    state = request.args.get("trang_thai", ValueState.SENT.value)
    if state not in {s.value for s in ValueState} and state != "":
        state = ValueState.SENT.value
    unit_id = request.args.get("don_vi", type=record_id)
    rows = services.values_to_check(campaign, state=state or None, unit_id=unit_id)
    return render_template("targets/check.html", campaign=campaign, rows=rows, state=state, unit_id=unit_id,
                           return_form=ReturnForm(), button_form=ButtonForm(), may_change=_may_edit(campaign),
                           states=[(s.value, s.label) for s in ValueState if s is not ValueState.DRAFT])


def _value_of(campaign: Campaign, value_id: int) -> TargetValue:
    return _in_campaign(TargetValue, value_id, campaign)


def _back_to_check(campaign: Campaign):
    target = request.form.get("next", "")
    if target.startswith(f"/phong-trao/{campaign.id}/chi-tieu") and "//" not in target:
        return redirect(target)
    return redirect(url_for("targets.check_list", campaign_id=campaign.id))


@bp.post(BASE + "/gia-tri/<int:value_id>/xac-nhan")
def accept(campaign_id: int, value_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    value = _value_of(campaign, value_id)
    if not _may_change(campaign):
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.check_value(value, True, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done("Đã xác nhận giá trị.")
    return _back_to_check(campaign)


@bp.post(BASE + "/gia-tri/<int:value_id>/tra-lai")
def return_value(campaign_id: int, value_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    value = _value_of(campaign, value_id)
    if not _may_change(campaign):
        abort(403)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "error")
        return _back_to_check(campaign)
    try:
        services.check_value(value, False, form.reason.data, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done("Đã trả lại giá trị cho đơn vị, kèm lý do.")
    return _back_to_check(campaign)


# --- the board --------------------------------------------------------------------------------

def _board_filters(board):
    block = request.args.get("khoi", "")
    unit_type = request.args.get("loai", "")
    target_id = request.args.get("chi_tieu", type=record_id)
    status = request.args.get("trang_thai", "")
    if status not in STATUS_LABELS:
        status = ""
    if target_id is not None and not any(t.id == target_id for t in board.targets):
        target_id = None
    return {"block": block if block in board.blocks else "", "unit_type": unit_type if unit_type in board.types
            else "", "target_id": target_id, "status": status}


@bp.get(BASE + "/bang")
def board(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    data = boards.build_board(campaign)
    filters = _board_filters(data)
    return render_template("targets/board.html", campaign=campaign, board=data, filters=filters,
                           units=boards.filtered(data, **filters), status_labels=STATUS_LABELS,
                           type_label=unit_type_label)


@bp.get(BASE + "/bang.xlsx")
def board_xlsx(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    data = boards.build_board(campaign)
    filters = _board_filters(data)
    units = boards.filtered(data, **filters)
    headers = ["STT", "Đơn vị", "Khối", "Loại đơn vị"]
    for target in data.targets:
        headers += [f"{target.name} ({threshold_text(target)})", "Kết quả"]
    headers += ["Số chỉ tiêu đạt", "Số chỉ tiêu áp dụng", "Đạt mọi chỉ tiêu bắt buộc"]

    def rows():
        for number, unit in enumerate(units, start=1):
            row = [number, unit.name, unit.block, unit.type_label]
            for target in data.targets:
                cell = unit.cells.get(target.id)
                row += ["", "Không áp dụng"] if cell is None else [format_value(target, cell.value), cell.label]
            row += [unit.met, unit.applicable, "Có" if unit.all_mandatory_met else "Không"]
            yield row
    return xlsx_response(f"bang-chi-tieu-{campaign.year}.xlsx", title=f"Kết quả thực hiện chỉ tiêu — {campaign.name}",
                         headers=headers, rows=rows(), expected_rows=len(units))


@bp.get("/chi-tieu/minh-chung/<int:evidence_id>")
def download(evidence_id: int):
    evidence = db.session.get(TargetEvidence, evidence_id) or abort(404)
    if current_user.is_unit_member:
        if current_user.unit_id != evidence.unit_id:
            abort(403)
    elif current_user.role not in (Role.SECRETARIAT, Role.LEADER):
        abort(403)
    try:
        handle = get_storage().open(evidence.storage_key)
    except FileNotFoundError:
        current_app.logger.error("target evidence %s: stored file %s is missing", evidence.id, evidence.storage_key)
        abort(404)
    response = send_file(handle, mimetype=evidence.content_type, as_attachment=True,
                         download_name=evidence.original_name, max_age=0, etag=evidence.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the unit ---------------------------------------------------------------------------------

def _participant(campaign: Campaign) -> Unit:
    if not current_user.is_unit_member or db.session.get(CampaignUnit, (campaign.id, current_user.unit_id)) is None:
        abort(404)
    return db.session.get(Unit, current_user.unit_id)


def _read_entries(sheet) -> tuple[dict[int, services.Entry], list[str]]:
    """What the unit typed for each editable target of the round, read by the one number parser."""
    entries, errors, unread = {}, [], set()
    for row in sheet.rows:
        if not row.editable:
            continue
        key = row.target.id
        if f"v-{key}" not in request.form and f"n-{key}" not in request.form:
            continue
        numbers = {}
        for name, field in (("value", "v"), ("numerator", "n"), ("denominator", "d")):
            text = request.form.get(f"{field}-{key}", "")
            try:
                numbers[name] = parse_number(text, allow_percent=name == "value")
            except NumberError as error:
                errors.append(f"“{row.target.name}”: {error.message}")
                numbers[name] = None
                unread.add(key)
        note = request.form.get(f"note-{key}", "")
        if len(note) > 2000:
            errors.append(f"“{row.target.name}”: ghi chú dài quá 2.000 ký tự.")
        entries[key] = services.Entry(numbers["value"], numbers["numerator"], numbers["denominator"], note[:2000])
    errors += services.entry_errors(sheet, {k: e for k, e in entries.items() if k not in unread})
    return entries, errors


@bp.route(UNIT_BASE, methods=["GET", "POST"])
def unit_sheet(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    sheets = services.unit_sheet(campaign, unit)
    status, typed = 200, None
    if request.method == "POST":
        if not ButtonForm().validate_on_submit():
            abort(400)
        round_id = request.form.get("round", type=record_id)
        sheet = next((s for s in sheets if s.round.id == round_id), None)
        if sheet is None:
            abort(404)
        entries, errors = _read_entries(sheet)
        try:
            if errors:
                raise TargetError(" ".join(errors))
            count = services.save_values(campaign, unit, sheet.round, entries, actor=current_user)
        except TargetError as error:
            db.session.rollback()
            flash(f"Chưa lưu: {error}", "error")
            status, typed = 400, request.form
            sheets = services.unit_sheet(campaign, unit)
        else:
            db.session.commit()
            flash(f"Đã lưu {count} giá trị của “{sheet.round.name}”." if count else "Không có thay đổi nào.",
                  "success")
            return redirect(url_for("targets.unit_sheet", campaign_id=campaign.id) + f"#dot-{sheet.round.id}")
    return render_template("targets/unit.html", campaign=campaign, unit=unit, sheets=sheets, typed=typed,
                           button_form=ButtonForm(), missing_to_send=services.missing_to_send,
                           is_head=current_user.role == Role.UNIT_HEAD, Measure=Measure,
                           format_number=format_number), status


@bp.post(UNIT_BASE + "/dot/<int:round_id>/gui")
def send(campaign_id: int, round_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    round_ = _in_campaign(TargetRound, round_id, campaign)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        count = services.send_round(campaign, unit, round_, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done(f"Đã gửi {count} giá trị của “{round_.name}” đến Văn phòng.")
    return redirect(url_for("targets.unit_sheet", campaign_id=campaign.id) + f"#dot-{round_.id}")


@bp.post(UNIT_BASE + "/<int:target_id>/minh-chung")
def upload(campaign_id: int, target_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    target = _in_campaign(Target, target_id, campaign)
    back = redirect(url_for("targets.unit_sheet", campaign_id=campaign.id) + f"#chi-tieu-{target.id}")
    if not ButtonForm().validate_on_submit():
        abort(400)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash("Chọn tệp minh chứng để tải lên.", "error")
        return back
    try:
        evidence = services.add_value_evidence(campaign, unit, target, upload_file.stream, upload_file.filename,
                                               actor=current_user)
    except (RefusedFile, TargetError) as error:
        db.session.rollback()
        flash(f"Không tải lên được “{upload_file.filename[:80]}”: {error}", "error")
    else:
        _done(f"Đã tải lên {evidence.original_name}.")
    return back


def unit_evidence(campaign: Campaign, unit: Unit, evidence_id: int, of: str) -> TargetEvidence:
    """A file of the unit's own in the campaign, attached to a value (`of` "value") or a person; the
    posted form's CSRF token checked. Another unit's file: 403."""
    evidence = db.session.get(TargetEvidence, evidence_id)
    if evidence is None or evidence.campaign_id != campaign.id:
        abort(404)
    if evidence.unit_id != unit.id:
        abort(403)
    if getattr(evidence, f"{of}_id") is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return evidence


@bp.post(UNIT_BASE + "/minh-chung/<int:evidence_id>/xoa")
def remove_file(campaign_id: int, evidence_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    unit = _participant(campaign)
    evidence = unit_evidence(campaign, unit, evidence_id, "value")
    name = evidence.original_name
    try:
        services.remove_value_evidence(campaign, unit, evidence, actor=current_user)
    except TargetError as error:
        _refused(error)
    else:
        _done(f"Đã xóa {name}.")
    return redirect(url_for("targets.unit_sheet", campaign_id=campaign.id))
