"""Pages of the award list: read by the office and the leaders; changed by the secretariat, approved by a leader."""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from thidua.awards import bp, services
from thidua.awards.documents import DOCX_MIMETYPE, award_rows, award_sections, build_document, load_persons
from thidua.awards.forms import ApproveForm, DecisionForm, EntryForm, ReopenForm, ReturnForm
from thidua.awards.models import RECIPIENT_LABELS, AwardListStatus
from thidua.campaigns.models import Campaign
from thidua.exports import ExportWorkbook, workbook_response, write_sheet
from thidua.extensions import db
from thidua.paging import record_id
from thidua.forms import ButtonForm
from thidua.review.models import CommendationLevel
from thidua.timeutil import local_today

import sqlalchemy as sa

PREFIX = "/phong-trao/<int:campaign_id>/khen-thuong"
XLSX_HEADERS = ["STT", "Tập thể/Họ và tên", "Chức vụ", "Đơn vị", "Mã SK", "Tên sáng kiến", "Lĩnh vực CCHC",
                "Tóm tắt kết quả", "Điểm Hội đồng", "Hình thức đề nghị", "Ghi chú"]


def _checked_post() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


def _back(campaign: Campaign):
    return redirect(url_for("awards.index", campaign_id=campaign.id))


def _levels(campaign: Campaign) -> list[CommendationLevel]:
    return list(db.session.scalars(sa.select(CommendationLevel).where(CommendationLevel.campaign_id == campaign.id)
                                   .order_by(CommendationLevel.position, CommendationLevel.id)))


def _entry(award_list, value):
    wanted = record_id(value)
    if award_list is None or wanted is None:
        return None
    return next((e for e in award_list.entries if e.id == wanted), None)


def _list_or_refuse(campaign: Campaign):
    award_list = services.load_award_list(campaign.id)
    if award_list is None:
        raise services.AwardError("Chưa lập danh sách đề nghị khen thưởng cho phong trào này.")
    return award_list


def _version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # no version (or a forged one): never the list's


def _run(campaign: Campaign, action, success: str):
    """Run a change; commit and say so, or roll back and say why."""
    try:
        result = action()
        db.session.commit()
    except services.AwardError as error:
        db.session.rollback()
        flash(f"{error} Danh sách không thay đổi.", "error")
    except StaleDataError:
        db.session.rollback()
        flash("Danh sách vừa được người khác thay đổi; vui lòng tải lại trang và thử lại.", "error")
    else:
        if result is not False:
            flash(success, "success")
    return _back(campaign)


@bp.route(PREFIX)
def index(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    award_list = services.load_award_list(campaign.id)
    entries = list(award_list.entries) if award_list else []
    levels = _levels(campaign)
    on_list = services.levels_on_list(award_list, campaign.organiser.name) if award_list else []
    decision_form = DecisionForm(prefix="decision")
    decision_form.level_id.choices = [(str(item.level.id), f"{item.level.name} — {item.authority}")
                                      for item in on_list if item.decision is None]
    from thidua.targets import judging

    drafting = award_list is not None and award_list.status == AwardListStatus.DRAFT
    collectives = judging.judge(campaign) if drafting else []
    on_list_units = {e.unit_id for e in entries if e.basis == "targets"}
    return render_template("awards/index.html", campaign=campaign, award_list=award_list,
                           addable=[c for c in collectives if c.standing.unit_id not in on_list_units],
                           collective_rule=campaign.collective_rule,
                           groups=list(award_sections(entries)), levels=levels, entry_count=len(entries),
                           on_list=on_list, decision_form=decision_form, reopen_form=ReopenForm(prefix="reopen"),
                           recipient_labels=RECIPIENT_LABELS, format_score=services.format_score)


@bp.route(PREFIX + "/lap", methods=["POST"])
def compile_list(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()
    return _run(campaign, lambda: services.compile_award_list(campaign, actor=current_user),
                "Đã cập nhật danh sách từ các sáng kiến được đề xuất khen thưởng.")


@bp.route(PREFIX + "/sap-xep", methods=["POST"])
def move(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()

    def action():
        award_list = _list_or_refuse(campaign)
        entry = _entry(award_list, request.form.get("entry"))
        if entry is None:
            raise services.AwardError("Không tìm thấy dòng cần di chuyển.")
        if not services.move_entry(entry, request.form.get("direction", ""), actor=current_user):
            flash("Dòng này đã ở đầu (hoặc cuối) nhóm.", "info")
            return False
        return True

    return _run(campaign, action, "Đã đổi thứ tự.")


@bp.route(PREFIX + "/ghi-chu", methods=["POST"])
def annotate(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = EntryForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(campaign)

    def action():
        award_list = _list_or_refuse(campaign)
        entry = _entry(award_list, form.entry.data)
        if entry is None:
            raise services.AwardError("Không tìm thấy dòng cần ghi chú.")
        raw = (form.level_id.data or "").strip()
        level_id = record_id(raw) if raw else None
        if raw and level_id is None:
            raise services.AwardError("Hình thức khen thưởng không hợp lệ.")
        services.annotate_entry(entry, form.note.data or "", level_id, actor=current_user)

    return _run(campaign, action, "Đã lưu ghi chú và hình thức khen thưởng.")


def _collective_note() -> str:
    note = request.form.get("note", "")
    if len(note) > 2000:
        raise services.AwardError("Lý do dài quá 2.000 ký tự.")
    return note


@bp.route(PREFIX + "/tap-the/them", methods=["POST"])
def add_collective(campaign_id: int):
    """The office adds a collective beyond the campaign's rule, with its reason."""
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()

    def action():
        from thidua.units.models import Unit

        unit_id = record_id(request.form.get("unit"))
        unit = db.session.get(Unit, unit_id) if unit_id else None
        services.add_collective(_list_or_refuse(campaign), campaign, unit, _collective_note(), actor=current_user)

    return _run(campaign, action, "Đã bổ sung tập thể vào danh sách, kèm lý do.")


@bp.route(PREFIX + "/tap-the/bo", methods=["POST"])
def remove_collective(campaign_id: int):
    """The office takes a collective judged on the targets off the list, with its reason."""
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()

    def action():
        award_list = _list_or_refuse(campaign)
        entry = _entry(award_list, request.form.get("entry"))
        if entry is None:
            raise services.AwardError("Không tìm thấy dòng cần bỏ.")
        services.remove_collective(award_list, entry, _collective_note(), actor=current_user)

    return _run(campaign, action, "Đã bỏ tập thể khỏi danh sách; lý do được ghi vào nhật ký.")


@bp.route(PREFIX + "/trinh-duyet", methods=["POST"])
def submit(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    _checked_post()
    return _run(campaign, lambda: services.submit_award_list(_list_or_refuse(campaign), actor=current_user),
                "Đã trình lãnh đạo duyệt danh sách; hình thức khen thưởng và bộ tiêu chí được giữ nguyên từ nay.")


@bp.route(PREFIX + "/duyet", methods=["GET", "POST"])
def approve(campaign_id: int):
    """GET: what the leader is about to approve (or return); POST: approve that version of the list."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if request.method == "POST":
        form = ApproveForm()
        if not form.validate_on_submit():
            abort(400)
        return _run(campaign, lambda: services.approve_award_list(
            _list_or_refuse(campaign), actor=current_user, expected_version=_version(form.version.data)),
            "Đã duyệt danh sách đề nghị khen thưởng.")
    return _confirmation(campaign, ReturnForm(prefix="return", formdata=None))


def _confirmation(campaign: Campaign, return_form: ReturnForm, status: int = 200):
    award_list = services.load_award_list(campaign.id)
    if award_list is None or award_list.status != AwardListStatus.SUBMITTED:
        flash("Không có danh sách nào đang chờ lãnh đạo duyệt.", "info")
        return _back(campaign)
    entries = list(award_list.entries)
    approve_form = ApproveForm(formdata=None, data={"version": award_list.version})
    return_form.version.data = award_list.version
    return render_template("awards/approve.html", campaign=campaign, award_list=award_list,
                           on_list=services.levels_on_list(award_list, campaign.organiser.name),
                           groups=list(award_sections(entries)), entry_count=len(entries),
                           approve_form=approve_form, return_form=return_form,
                           format_score=services.format_score), status


@bp.route(PREFIX + "/tra-lai", methods=["POST"])
def return_list(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ReturnForm(prefix="return")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _confirmation(campaign, form, 400)  # what the leader typed stays in the box
    return _run(campaign, lambda: services.return_award_list(
        _list_or_refuse(campaign), form.comment.data, actor=current_user,
        expected_version=_version(form.version.data)),
        "Đã trả lại danh sách cho Văn phòng kèm ý kiến.")


@bp.route(PREFIX + "/mo-lai", methods=["POST"])
def reopen(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ReopenForm(prefix="reopen")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash("Cần ghi rõ lý do mở lại danh sách.", "error")
        return _back(campaign)
    return _run(campaign, lambda: services.reopen_award_list(_list_or_refuse(campaign), actor=current_user,
                                                             reason=form.reason.data),
                "Đã mở lại danh sách để chỉnh sửa; lãnh đạo cần duyệt lại.")


@bp.route(PREFIX + "/quyet-dinh", methods=["POST"])
def decision(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = DecisionForm(prefix="decision")
    form.level_id.choices = []
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash("Quyết định chưa được ghi nhận: " + " ".join(
            f"{getattr(form, name).label.text}: {' '.join(errors)}" for name, errors in form.errors.items()), "error")
        return _back(campaign)
    def action():
        award_list = _list_or_refuse(campaign)
        level = next((e.level for e in award_list.entries if e.level is not None
                      and str(e.level.id) == (form.level_id.data or "").strip()), None)
        decision = services.record_decision(award_list, level, form.number.data, form.decided_on.data,
                                            form.signer.data, actor=current_user,
                                            organiser_name=campaign.organiser.name)
        flash(f"Đã ghi nhận {decision.citation}; các sáng kiến được đề nghị “{decision.level_name}” chuyển sang "
              "“Được khen thưởng”.", "success")
        return False

    return _run(campaign, action, "")


# --- Exports -------------------------------------------------------------------------------------

def _export_rows(lines: list[services.AwardLine]):
    blank = [""] * (len(XLSX_HEADERS) - 1)
    return award_rows(lines, load_persons(lines), section=lambda title: [title] + blank,
                      blank=["", "", "", "", None, ""], common=lambda line: [
                          line.initiative_id, line.title, line.area_label, line.achievements or "",
                          float(line.score) if line.score is not None else None, line.level_name or ""])


def _list_and_lines(campaign: Campaign):
    award_list = services.award_list_heading(campaign.id)
    return award_list, services.load_award_lines(award_list.id) if award_list is not None else []


@bp.route(PREFIX + ".xlsx")
def export_xlsx(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    award_list, lines = _list_and_lines(campaign)
    title = f"DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG — {campaign.name}"
    if award_list is not None:
        title += f" ({award_list.status_label}"
        for decision in award_list.decisions:
            title += f"; {decision.level_name}: {decision.citation}"
        title += ")"
    workbook = ExportWorkbook(rows=len(lines))
    write_sheet(workbook, title=title, sheet_title="Đề nghị khen thưởng", headers=XLSX_HEADERS,
                widths=[6, 30, 18, 30, 8, 45, 30, 50, 10, 30, 25], rows=_export_rows(lines))
    return workbook_response(workbook, f"de-nghi-khen-thuong-{campaign.id}.xlsx")


@bp.route(PREFIX + ".docx")
def export_docx(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    award_list, lines = _list_and_lines(campaign)
    content = build_document(campaign=campaign, award_list=award_list, lines=lines, today=local_today())
    return send_file(io.BytesIO(content), mimetype=DOCX_MIMETYPE, as_attachment=True,
                     download_name=f"de-nghi-khen-thuong-{campaign.id}.docx")
