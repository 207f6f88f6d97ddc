import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from thidua import scope, workflow
from thidua.campaigns import board as board_data
from thidua.campaigns import bp, services
from thidua.campaigns.forms import CampaignForm, ExtensionForm
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.exports import ExportWorkbook, workbook_response, write_sheet
from thidua.extensions import db, in_vietnamese_order
from thidua.forms import ButtonForm, choices
from thidua.paging import bounded_int
from thidua.phases import Extension, Phase
from thidua.timeutil import format_date, format_moment
from thidua.units.models import Unit, in_subtree, unit_type_label

REGISTERED_STATES = [s.value for s in workflow.COUNTS_AS_REGISTERED]


def _organiser() -> Unit:
    """A new campaign is the organiser's the secretariat acts for."""
    organiser = db.session.get(Unit, current_user.organiser_id) if current_user.organiser_id else None
    if organiser is None:
        abort(409)
    return organiser


@bp.get("/phong-trao")
def index():
    # The organiser's own campaigns first, then (read only) those of the organisers below it.
    campaigns = db.session.scalars(
        sa.select(Campaign).where(scope.readable_campaigns(current_user))
        .order_by((Campaign.organiser_id != current_user.organiser_id), Campaign.year.desc(), Campaign.id.desc())
    ).all()
    counters = board_data.campaign_counters(c.id for c in campaigns)  # the board's own counters
    rows = [
        {
            "campaign": c,
            "stage": services.campaign_stage(c),
            "participants": counters.get(c.id, board_data.CampaignCounters()).participants,
            "registered_units": counters.get(c.id, board_data.CampaignCounters()).registered_units,
            "initiatives": counters.get(c.id, board_data.CampaignCounters()).initiatives,
            "below": c.organiser_id != current_user.organiser_id,
        }
        for c in campaigns
    ]
    return render_template("campaigns/index.html", rows=rows)


def _campaign_values(form: CampaignForm) -> dict:
    return {key: getattr(form, key).data for key in services.CAMPAIGN_FIELDS}


@bp.route("/phong-trao/moi", methods=["GET", "POST"])
def new():
    form = CampaignForm()
    if form.validate_on_submit():
        campaign = services.create_campaign(actor=current_user, organiser=_organiser(), **_campaign_values(form))
        db.session.commit()
        flash("Đã tạo phong trào. Tiếp theo, chọn các đơn vị tham gia.", "success")
        return redirect(url_for("campaigns.participants", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None), 400 if form.errors else 200


@bp.route("/phong-trao/<int:campaign_id>/sua", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    closing = []
    if form.validate_on_submit():
        # A deadline moved into the past shuts the units still missing that phase out at once: ask first.
        closing = [(phase, count) for phase, field in ((Phase.REGISTRATION, form.registration_deadline),
                                                       (Phase.REPORT, form.report_deadline))
                   if (count := services.units_closed_by(campaign, phase, field.data))]
        if not closing or request.form.get("confirm_close") == "1":
            services.update_campaign(campaign, actor=current_user, **_campaign_values(form))
            db.session.commit()
            flash("Đã lưu phong trào.", "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    status = 400 if form.errors else (409 if closing else 200)
    return render_template("campaigns/form.html", form=form, campaign=campaign, closing=closing), status


@bp.get("/phong-trao/<int:campaign_id>")
def detail(campaign_id: int):
    """The campaign's hub: its pipeline, step by step, with what is missing and where to act."""
    from thidua.reports.pipeline import campaign_pipeline  # a later stage, read only: the figures of every step

    campaign = db.get_or_404(Campaign, campaign_id)
    pipeline = campaign_pipeline(campaign)
    extensions = db.session.scalars(
        sa.select(Extension)
        .options(joinedload(Extension.unit), joinedload(Extension.granted_by))
        .where(Extension.campaign_id == campaign.id)
        .order_by(Extension.granted_at.desc())
    ).all()
    return render_template("campaigns/detail.html", campaign=campaign, stage=services.campaign_stage(campaign),
                           pipeline=pipeline, by_status=pipeline.by_status, extensions=extensions)


@bp.route("/phong-trao/<int:campaign_id>/don-vi-tham-gia", methods=["GET", "POST"])
def participants(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ButtonForm()
    groups = db.session.execute(
        sa.select(Unit.block, Unit.unit_type, sa.func.count())
        .where(Unit.is_active.is_(True), Unit.id != campaign.organiser_id, in_subtree(campaign.organiser_id))
        .group_by(Unit.block, Unit.unit_type)
        .order_by(in_vietnamese_order(Unit.block), Unit.unit_type)
    ).all()
    valid = {(block, unit_type) for block, unit_type, _ in groups}
    if form.validate_on_submit():
        chosen = set()
        for value in request.form.getlist("group"):
            block, _, unit_type = value.partition("|")
            if (block, unit_type) in valid:
                chosen.add((block, unit_type))
        total = services.set_participants(campaign, chosen, actor=current_user)
        db.session.commit()
        flash(f"Đã cập nhật danh sách: {total} đơn vị tham gia.", "success")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    selected = services.participant_selection(campaign)
    rows = [
        {"block": block, "unit_type": unit_type, "label": unit_type_label(unit_type), "count": count,
         "value": f"{block}|{unit_type}", "checked": (block, unit_type) in selected}
        for block, unit_type, count in groups
    ]
    return render_template("campaigns/participants.html", campaign=campaign, rows=rows, form=form)


@bp.route("/phong-trao/<int:campaign_id>/gia-han", methods=["GET", "POST"])
def extension_new(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ExtensionForm()
    units = db.session.execute(
        sa.select(Unit.id, Unit.short_name, Unit.name)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id)
        .order_by(in_vietnamese_order(Unit.block), in_vietnamese_order(Unit.name))
    ).all()
    form.unit_id.choices = choices(((u.id, u.short_name or u.name) for u in units), "— Chọn đơn vị —")
    if request.method == "GET" and request.args.get("unit", type=bounded_int):
        form.unit_id.data = request.args.get("unit", type=bounded_int)
    refusal = services.extension_refusal(campaign)
    if refusal and request.method == "POST":
        flash(refusal, "error")
    elif form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data)
        phase = Phase(form.phase.data)
        if unit is None or form.unit_id.data not in {u.id for u in units}:
            form.unit_id.errors.append("Đơn vị này không tham gia phong trào.")
        elif form.until.data <= campaign.deadline(phase):
            form.until.errors.append(
                f"Ngày gia hạn phải sau hạn của đợt ({format_date(campaign.deadline(phase))})."
            )
        else:
            services.grant_extension(campaign, unit, phase, form.until.data, form.reason.data, actor=current_user)
            db.session.commit()
            flash(f"Đã gia hạn {phase.noun} cho {unit.display_name} đến hết ngày {format_date(form.until.data)}.",
                  "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template("campaigns/extension_form.html", campaign=campaign, form=form, refusal=refusal), (
        400 if form.errors or (refusal and request.method == "POST") else 200
    )


# --------------------------------------------------------------------------- compliance board


@bp.get("/phong-trao/<int:campaign_id>/tien-do")
def board(campaign_id: int):
    """Every participating unit against the 100% target of one phase; ?format=xlsx downloads it."""
    campaign = db.get_or_404(Campaign, campaign_id)
    phase = board_data.phase_from(request.args.get("phase"), campaign)
    filters = board_data.BoardFilters.from_args(request.args)
    export = request.args.get("format") == "xlsx"
    if export:
        return _board_xlsx(board_data.build_board(campaign, phase, filters, chart=False))
    # The rows the filters keep, a page at a time in the board's order; each page repeats its groups' headings.
    result = board_data.build_board(campaign, phase, filters, page=request.args.get("page", type=bounded_int),
                                    per_page=current_app.config.get("BOARD_PAGE_SIZE", 200))
    return render_template(
        "campaigns/board.html", campaign=campaign, board=result, phases=list(Phase), page=result.page,
        sections=[(block, group, group.rows) for block in result.blocks for group in block.types if group.rows],
        # The same chart drawn for a wide screen and for a phone (CSS shows one of them).
        charts={"wide": result.chart.layout(), "narrow": result.chart.layout(360, 250, 4)} if result.chart else None,
        statuses=board_data.STATUS_CHOICES, sorts=board_data.SORT_CHOICES, orders=board_data.ORDER_CHOICES,
    )


def _board_xlsx(result: board_data.Board):
    campaign, tz = result.campaign, result.campaign.timezone
    heading = (f"Bảng tiến độ — {campaign.name} — {result.phase.label} "
               f"(số liệu lúc {format_moment(result.taken_at, tz)})")
    if result.filters.active:
        heading += f" (lọc: {result.filters.describe()})"

    def unit_rows():
        for number, row in enumerate(result.rows, start=1):
            yield [
                number, row.block, row.type_label, row.name, row.registered, row.reported,
                format_moment(row.last_activity, tz), format_date(row.extension),
                "Có" if row.done else "Chưa",
            ]

    def summary_rows():
        for block in result.blocks:
            for group in block.types:
                yield [block.block, group.label, group.total, group.done, group.missing, round(group.rate, 1)]
            yield [f"Cộng {block.block}", "", block.total, block.done, block.missing, round(block.rate, 1)]
        yield ["Tổng cộng", "", result.total, result.done, result.missing, round(result.rate, 1)]

    workbook = ExportWorkbook(rows=len(result.rows))
    write_sheet(
        workbook, sheet_title="Tiến độ", title=heading,
        headers=["STT", "Khối", "Loại đơn vị", "Đơn vị", "Số đề xuất đã đăng ký", "Số đã báo cáo",
                 "Hoạt động gần nhất", "Gia hạn", "Hoàn thành"],
        rows=unit_rows(), widths=[6, 26, 22, 44, 14, 12, 18, 12, 12],
    )
    write_sheet(
        workbook, sheet_title="Tổng hợp",
        title=f"Tỷ lệ hoàn thành {result.phase.noun} theo khối và loại đơn vị (chỉ tiêu 100%) — {campaign.name} "
              f"(số liệu lúc {format_moment(result.taken_at, tz)})",
        headers=["Khối", "Loại đơn vị", "Số đơn vị tham gia", "Đã hoàn thành", "Chưa hoàn thành", "Tỷ lệ (%)"],
        rows=summary_rows(), widths=[30, 26, 14, 14, 14, 12],
    )
    filename = f"tien-do-{'dang-ky' if result.phase is Phase.REGISTRATION else 'bao-cao'}-{campaign.year}.xlsx"
    return workbook_response(workbook, filename)
