"""Pages of the reports: the report to UBND Thành phố, the period summary, the leaders' dashboard."""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from thidua.awards import services as award_services
from thidua.campaigns.models import Campaign
from thidua.documents import DOCX_MIMETYPE
from thidua.exports import XLSX_MIMETYPE, workbook_response
from thidua import scope
from thidua.extensions import db
from thidua.forms import ButtonForm
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import dispatch
from thidua.reports import bp, dashboard, period, rollup, services
from thidua.reports.figures import (
    PLACEHOLDER_LABELS,
    area_figures,
    block_figures,
    fill,
    placeholders_of,
)
from thidua.reports.forms import DraftForm, PeriodDraftForm
from thidua.reports.models import NARRATIVE_SECTIONS, CityReport
from thidua.reports.targets import share_text, target_table
from thidua.storage import get_storage
from thidua.timeutil import local_today
from thidua.paging import bounded_int, record_id

PREFIX = "/phong-trao/<int:campaign_id>/bao-cao-ubnd"


def _render_city_report(campaign: Campaign, form: DraftForm | None = None, status: int = 200):
    blocks, total = block_figures(campaign)
    areas = area_figures(campaign)
    values = placeholders_of(campaign, total)
    draft = services.load_draft(campaign)
    form = form or DraftForm(obj=draft)
    reports = services.versions(campaign)
    running = next((r for r in reports if r.job is not None and not r.job.finished), None)
    lower = rollup.lower_levels(campaign)
    targets = target_table(campaign)  # the targets board's three statements
    return render_template(
        "reports/city_report.html", campaign=campaign, form=form, blocks=blocks, total=total, areas=areas,
        reports=reports, running=running, draft=draft, sections=NARRATIVE_SECTIONS, placeholders=PLACEHOLDER_LABELS,
        values=values, filled={name: fill(getattr(draft, name) or "", values) for name in NARRATIVE_SECTIONS},
        button=ButtonForm(), lower=lower, targets=targets, share_text=share_text, lower_total=rollup.levels_total(lower) if len(lower) > 1 else None,
    ), status


@bp.get(PREFIX)
def city_report(campaign_id: int):
    return _render_city_report(db.get_or_404(Campaign, campaign_id))


STALE_DRAFT = "Nội dung báo cáo vừa được người khác sửa; vui lòng tải lại trang để xem bản mới nhất."


def _store_typed_draft(campaign: Campaign, form: DraftForm, *, generating: bool = False):
    """Save what the office typed (flushed, not committed); None when saved, else the page again with the
    typed text kept and the reason, nothing written (and, `generating`, no new version)."""
    refused = "Chưa tạo báo cáo mới. " if generating else ""
    if not form.validate_on_submit():  # the form's own summary says what to correct
        if generating:
            flash("Chưa tạo báo cáo mới: nội dung có mục cần sửa (xem bên dưới); báo cáo sẽ được lập từ nội dung "
                  "sau khi sửa.", "error")
        return _render_city_report(campaign, form, 422)
    based_on = record_id(form.version.data)
    values = {name: field.data or "" for name, field in form._fields.items() if name in services.DRAFT_FIELDS}
    try:
        services.save_draft(campaign, values, actor=current_user, based_on=based_on)
        db.session.flush()
    except (services.DraftError, StaleDataError) as error:
        db.session.rollback()
        message = str(error) if isinstance(error, services.DraftError) else STALE_DRAFT
        flash(f"{message} {refused}Nội dung bạn vừa nhập vẫn còn trong ô dưới đây.", "error")
        return _render_city_report(campaign, form, 409)
    return None


@bp.post(PREFIX + "/noi-dung")
def save_draft(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    refused = _store_typed_draft(campaign, DraftForm())
    if refused is not None:
        return refused
    db.session.commit()
    flash("Đã lưu nội dung báo cáo.", "success")
    return redirect(url_for("reports.city_report", campaign_id=campaign.id) + "#noi-dung")


@bp.post(PREFIX + "/tao")
def generate(campaign_id: int):
    """A new version; when the page's narrative comes with the request (the button submits it), it is saved
    first, exactly as "Lưu nội dung" would, so that the report is built from the text on the screen."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if any(name in request.form for name in services.DRAFT_FIELDS):
        refused = _store_typed_draft(campaign, DraftForm(), generating=True)
        if refused is not None:
            return refused
    elif not ButtonForm().validate_on_submit():
        abort(400)
    report = services.request_report(campaign, actor=current_user)
    db.session.commit()
    job = db.session.get(Job, report.job_id)
    dispatch(job)
    if job.status == JobStatus.DONE:  # run here and already finished (no job server)
        flash(f"Đã tạo báo cáo phiên bản {report.number}.", "success")
    elif job.status == JobStatus.FAILED:
        flash(f"Không tạo được báo cáo phiên bản {report.number}: {job.error}", "error")
    else:
        flash(f"Đang tạo báo cáo phiên bản {report.number}; trang sẽ tự cập nhật khi xong.", "success")
    return redirect(url_for("reports.city_report", campaign_id=campaign.id))


def _report(campaign_id: int, report_id: int) -> CityReport:
    report = db.session.get(CityReport, report_id)
    if report is None or report.campaign_id != campaign_id:
        abort(404)
    return report


def _send(key: str | None, mimetype: str, filename: str):
    if not key:
        abort(404)
    return send_file(get_storage().open(key), mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.get(PREFIX + "/<int:report_id>.docx")
def download_docx(campaign_id: int, report_id: int):
    report = _report(campaign_id, report_id)
    return _send(report.docx_key, DOCX_MIMETYPE, f"bao-cao-ubnd-{campaign_id}-v{report.number}.docx")


@bp.get(PREFIX + "/<int:report_id>.xlsx")
def download_xlsx(campaign_id: int, report_id: int):
    report = _report(campaign_id, report_id)
    return _send(report.xlsx_key, XLSX_MIMETYPE, f"bao-cao-ubnd-{campaign_id}-v{report.number}.xlsx")


# The period summary ---------------------------------------------------------------------------
def _period_summary():
    periods = period.periods(current_user.organiser_id)
    chosen = request.args.get("giai-doan") or (periods[0] if periods else "")
    if periods and chosen not in periods:
        abort(404)
    return period.period_summary(chosen, current_user.organiser_id) if chosen else None, periods


def _render_period(summary, periods, form: PeriodDraftForm | None = None, status: int = 200):
    if form is None and summary is not None:
        draft = period.load_period_draft(summary.period, summary.organiser_id)
        form = PeriodDraftForm(obj=draft)
        form.version.data = str(draft.version) if draft.version else ""
    return render_template("reports/period.html", summary=summary, periods=periods, form=form), status


@bp.get("/tong-ket")
def period_view():
    summary, periods = _period_summary()
    return _render_period(summary, periods)


@bp.post("/tong-ket/noi-dung")
def save_period_draft():
    summary, periods = _period_summary()
    if summary is None:
        abort(404)
    form = PeriodDraftForm()
    if not form.validate_on_submit():
        return _render_period(summary, periods, form, 422)
    based_on = record_id(form.version.data)
    values = {name: field.data or "" for name, field in form._fields.items() if name in period.PERIOD_DRAFT_FIELDS}
    try:
        period.save_period_draft(summary.period, values, actor=current_user, based_on=based_on)
        db.session.commit()
    except (period.PeriodDraftError, StaleDataError) as error:
        db.session.rollback()
        message = str(error) if isinstance(error, period.PeriodDraftError) else (
            "Nội dung báo cáo tổng kết vừa được người khác sửa; vui lòng tải lại trang để xem bản mới nhất.")
        flash(message + " Nội dung bạn vừa nhập vẫn còn trong ô dưới đây.", "error")
        return _render_period(summary, periods, form, 409)
    flash("Đã lưu nội dung báo cáo tổng kết.", "success")
    return redirect(url_for("reports.period_view", **{"giai-doan": summary.period}) + "#noi-dung")


@bp.get("/tong-ket.xlsx")
def period_xlsx():
    summary, _ = _period_summary()
    if summary is None:
        abort(404)
    return workbook_response(period.period_workbook(summary), f"tong-ket-{summary.slug}.xlsx")


@bp.get("/tong-ket.docx")
def period_docx():
    summary, _ = _period_summary()
    if summary is None:
        abort(404)
    content = period.period_docx(summary, day=local_today())
    return send_file(io.BytesIO(content), mimetype=DOCX_MIMETYPE, as_attachment=True,
                     download_name=f"tong-ket-{summary.slug}.docx")


# The leaders' dashboard -------------------------------------------------------------------------
@bp.get("/lanh-dao")
def dashboard_view():
    board = dashboard.leaders_dashboard(request.args.get("campaign", type=bounded_int),
                                        visible=scope.readable_campaigns(current_user),
                                        organiser_id=current_user.organiser_id)
    return render_template("reports/dashboard.html", board=board,
                           waiting=award_services.waiting_for_approval(scope.own_campaigns(current_user)))
