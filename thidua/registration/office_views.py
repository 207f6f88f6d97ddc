"""The office's list of a campaign's initiatives, with its Excel and CSV exports."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, request
from sqlalchemy.orm import joinedload, selectinload

from thidua.campaigns.models import Campaign
from thidua.exports import csv_response, xlsx_response
from thidua.extensions import db, in_vietnamese_order
from thidua.paging import page_number
from thidua.registration import bp
from thidua.registration.models import (
    AREA_LABELS, KIND_LABELS, Initiative, InitiativeArea, InitiativeAuthor, area_labels, in_area, ordered_areas,
)
from thidua.text import fold
from thidua.timeutil import format_date, format_moment
from thidua.units.models import Unit
from thidua.workflow import STATE_LABELS, State


def _initiatives_query(campaign: Campaign, *columns):
    """The list's statement with the request's filters: of initiatives, or of `columns` (the exports' plain rows)."""
    args = request.args
    stmt = sa.select(*columns) if columns else sa.select(Initiative).options(
        joinedload(Initiative.unit), selectinload(Initiative.area_links))
    stmt = stmt.select_from(Initiative).join(Unit, Unit.id == Initiative.unit_id).where(
        Initiative.campaign_id == campaign.id)
    filters = {
        "status": args.get("status") or "",
        "block": args.get("block") or "",
        "area": args.get("area") or "",
        "kind": args.get("kind") or "",
        "q": (args.get("q") or "").strip(),
    }
    if filters["status"] in STATE_LABELS:
        stmt = stmt.where(Initiative.status == filters["status"])
    if filters["block"]:
        stmt = stmt.where(Unit.block == filters["block"])
    if filters["area"] in AREA_LABELS:
        stmt = stmt.where(in_area(filters["area"]))
    if filters["kind"] in KIND_LABELS:
        stmt = stmt.where(Initiative.kind == filters["kind"])
    if filters["q"]:
        folded = fold(filters["q"])  # "%" and "_" are letters typed, not wildcards
        stmt = stmt.where(sa.or_(Unit.search_text.contains(folded, autoescape=True),
                                 Initiative.search_text.contains(folded, autoescape=True)))
    return stmt.order_by(in_vietnamese_order(Unit.block), in_vietnamese_order(Unit.name), Initiative.id), filters


@bp.get("/phong-trao/<int:campaign_id>/sang-kien")
def campaign_list(campaign_id: int):
    """Every initiative of a campaign for the office and the leaders, filtered; ?format=xlsx or csv exports it."""
    campaign = db.get_or_404(Campaign, campaign_id)
    stmt, filters = _initiatives_query(campaign)
    if request.args.get("format") in ("xlsx", "csv"):
        export = _initiatives_xlsx if request.args["format"] == "xlsx" else _initiatives_csv
        return export(campaign, _initiatives_query(campaign, *EXPORT_COLUMNS)[0])
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    blocks = db.session.scalars(sa.select(Unit.block).where(Unit.block != "").group_by(Unit.block)
        .order_by(in_vietnamese_order(Unit.block))).all()
    return render_template(
        "registration/campaign_list.html", campaign=campaign, page=page, filters=filters, blocks=blocks,
        areas=AREA_LABELS, kinds=KIND_LABELS, states=STATE_LABELS,
    )


def _authors_text(author_type: str, collective_name: str, authors) -> str:
    """The collective's name, or each named author with position and share, one a line."""
    if author_type == "tap_the":
        return collective_name or ""
    lines = []
    for author in authors:
        text = author.full_name
        if author.job_title:
            text += f" ({author.job_title})"
        if author.contribution:
            text += f" – {author.contribution}%"
        lines.append(text)
    return "\n".join(lines) or "Cá nhân"


INITIATIVE_EXPORT_HEADERS = ["STT", "Khối", "Đơn vị", "Loại", "Tên mô hình, giải pháp, sáng kiến", "Lĩnh vực CCHC",
                             "Tác giả", "Thời gian thực hiện", "Trạng thái", "Ngày gửi đăng ký"]
EXPORT_COLUMNS = (Initiative.id, Unit.block, Unit.name, Initiative.kind, Initiative.title, Initiative.area,
                  Initiative.area_other, Initiative.author_type, Initiative.collective_name, Initiative.start_date,
                  Initiative.end_date, Initiative.status, Initiative.registered_at)
EXPORT_BATCH = 500


def _initiative_export_rows(campaign: Campaign, stmt):
    """Every initiative the filters keep, one row each: plain rows read EXPORT_BATCH at a time, each batch's
    other areas and authors in one query each (three statements per batch; objects took four times as long)."""
    tz = campaign.timezone
    number = 0
    for batch in db.session.execute(stmt.execution_options(yield_per=EXPORT_BATCH)).partitions():
        ids = [row.id for row in batch]
        areas: dict[int, list[str]] = {}
        for initiative_id, area in db.session.execute(
                sa.select(InitiativeArea.initiative_id, InitiativeArea.area)
                .where(InitiativeArea.initiative_id.in_(ids))):
            areas.setdefault(initiative_id, []).append(area)
        authors: dict[int, list] = {}
        for author in db.session.execute(
                sa.select(InitiativeAuthor.initiative_id, InitiativeAuthor.full_name, InitiativeAuthor.job_title,
                          InitiativeAuthor.contribution)
                .where(InitiativeAuthor.initiative_id.in_(ids))
                .order_by(InitiativeAuthor.initiative_id, InitiativeAuthor.position, InitiativeAuthor.id)):
            authors.setdefault(author.initiative_id, []).append(author)
        for row in batch:
            number += 1
            yield [
                number, row.block, row.name, KIND_LABELS.get(row.kind, row.kind), row.title,
                area_labels(ordered_areas([row.area] + areas.get(row.id, [])), row.area_other),
                _authors_text(row.author_type, row.collective_name, authors.get(row.id, ())),
                f"{format_date(row.start_date)} – {format_date(row.end_date)}",
                State(row.status).label, format_moment(row.registered_at, tz),
            ]


def _initiatives_xlsx(campaign: Campaign, stmt):
    return xlsx_response(
        f"dang-ky-{campaign.year}.xlsx", title=f"Danh sách đăng ký — {campaign.name}",
        headers=INITIATIVE_EXPORT_HEADERS, rows=_initiative_export_rows(campaign, stmt),
        widths=[6, 22, 34, 12, 60, 34, 40, 24, 20, 18],
    )


def _initiatives_csv(campaign: Campaign, stmt):
    """The same rows as the workbook, for the office's own spreadsheets to import; streamed."""
    return csv_response(f"dang-ky-{campaign.year}.csv", headers=INITIATIVE_EXPORT_HEADERS,
                        rows=_initiative_export_rows(campaign, stmt))
