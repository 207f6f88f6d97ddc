"""The period summary: the yearly campaigns of a period (2023–2025) side by side.

Per year and per block the participation rates, initiatives by CCHC area, the awards, the units
that registered every year and those that never did, the share of units meeting each target year by
year. A few statements per campaign (the targets board's three among them) plus two for the whole
period, whatever the number of units or targets.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from thidua import audit
from thidua.campaigns.compliance import REGISTERED
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.charts import BarChart
from thidua.documents import CENTER, Column, OfficialDocument, issuer_heading
from thidua.exports import ExportWorkbook, write_sheet
from thidua.extensions import db, in_vietnamese_order
from thidua.registration.models import AREA_LABELS, Initiative, InitiativeArea
from thidua.reports.figures import (
    HIGHLIGHT_STATES,
    BlockFigures,
    block_figures,
    awarded_condition,
    number,
    percent,
)
from thidua.documents import roman
from thidua.reports.documents import recipient_lines
from thidua.reports.targets import TargetYears, share_rate, share_text, target_table, target_years
from thidua.reports.models import PERIOD_SECTIONS, PeriodDraft
from thidua.text import slugify, vietnamese_key
from thidua.timeutil import utcnow
from thidua.units.models import Unit


@dataclass
class YearFigures:
    campaign: Campaign
    blocks: dict[str, BlockFigures]
    total: BlockFigures
    areas: Counter
    shortlisted: int
    awarded: int

    @property
    def year(self) -> int:
        return self.campaign.year


@dataclass
class UnitLine:
    name: str
    block: str
    registered_in: int = 0  # campaigns of the period in which it registered


@dataclass
class PeriodSummary:
    period: str
    organiser_id: int
    years: list[YearFigures]
    block_names: list[str]
    area_codes: list[str]
    every_year: list[UnitLine] = field(default_factory=list)
    never: list[UnitLine] = field(default_factory=list)
    targets: list[TargetYears] = field(default_factory=list)  # shares aligned with `years`; empty: no targets

    @property
    def slug(self) -> str:
        return slugify(self.period) or "giai-doan"

    def block(self, year: YearFigures, name: str) -> BlockFigures:
        return year.blocks.get(name) or BlockFigures(name)

    def area_label(self, code: str) -> str:
        return AREA_LABELS.get(code, code)

    # Charts ------------------------------------------------------------------------------
    def rates_chart(self, width: int = 480) -> BarChart:
        return BarChart.of(
            "Tỷ lệ đơn vị đăng ký và báo cáo kết quả theo năm", [str(y.year) for y in self.years],
            {"Tỷ lệ đăng ký": [y.total.registration_rate for y in self.years],
             "Tỷ lệ báo cáo kết quả": [y.total.reporting_rate for y in self.years]},
            width=width, maximum=100, decimals=1, suffix="%",
        )

    def areas_chart(self, width: int = 760) -> BarChart:
        return BarChart.of(
            "Sáng kiến đăng ký theo lĩnh vực CCHC", [self.area_label(code) for code in self.area_codes],
            {str(y.year): [y.areas.get(code, 0) for code in self.area_codes] for y in self.years},
            width=width, height=340, label_width=14,
        )

    def awards_chart(self, width: int = 480) -> BarChart:
        return BarChart.of(
            "Đề xuất khen thưởng và đã khen thưởng theo năm", [str(y.year) for y in self.years],
            {"Đề xuất khen thưởng": [y.shortlisted for y in self.years],
             "Đã khen thưởng": [y.awarded for y in self.years]},
            width=width,
        )


def periods(organiser_id: int) -> list[str]:
    """The periods that have campaigns of the organiser, the latest first."""
    rows = db.session.execute(
        sa.select(Campaign.period, sa.func.max(Campaign.year))
        .where(Campaign.period != "", Campaign.organiser_id == organiser_id)
        .group_by(Campaign.period).order_by(sa.func.max(Campaign.year).desc())
    ).all()
    return [period for period, _ in rows]


PERIOD_DRAFT_FIELDS = ("number", *PERIOD_SECTIONS, "recipients", "signer_title", "signer_name")


class PeriodDraftError(ValueError):
    pass


def load_period_draft(period: str, organiser_id: int) -> PeriodDraft:
    """The organiser's draft for the period, or a new one (not yet added) with the usual recipients and signer."""
    return db.session.get(PeriodDraft, (organiser_id, period)) or PeriodDraft(
        organiser_id=organiser_id, period=period, number="", assessment="", proposals="",
        recipients="UBND Thành phố (để báo cáo);\nGiám đốc Sở (để báo cáo);\nLưu: VT, VP.",
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", signer_name="")


def save_period_draft(period: str, values: dict[str, str], *, actor, based_on: int | None) -> PeriodDraft:
    """Store the office's edits of its organiser's period summary; refused when someone saved in between."""
    draft = load_period_draft(period, actor.organiser_id)
    if draft.version is not None and based_on is not None and draft.version != based_on:
        raise PeriodDraftError("Nội dung báo cáo tổng kết vừa được người khác sửa; vui lòng tải lại trang "
                               "để xem bản mới nhất.")
    for name in PERIOD_DRAFT_FIELDS:
        if name in values:
            setattr(draft, name, values[name])
    draft.updated_at = utcnow()
    draft.updated_by_id = actor.id
    db.session.add(draft)
    db.session.flush()
    audit.record("reports.period_draft_saved", actor=actor, object_type="period_draft", object_id=None,
                 details={"period": period})
    return draft


AREAS_COUNTED_NOTE = "Sáng kiến thuộc nhiều lĩnh vực được tính ở từng lĩnh vực."


def period_summary(period: str, organiser_id: int) -> PeriodSummary:
    """The organiser's campaigns of the period, year by year."""
    campaigns = list(db.session.scalars(sa.select(Campaign)
                                        .where(Campaign.period == period, Campaign.organiser_id == organiser_id)
                                        .order_by(Campaign.year, Campaign.id)))
    years = []
    for campaign in campaigns:
        blocks, total = block_figures(campaign)
        areas = Counter(dict(db.session.execute(  # an initiative counts in each of its areas
            sa.select(InitiativeArea.area, sa.func.count())
            .join(Initiative, Initiative.id == InitiativeArea.initiative_id)
            .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REGISTERED))
            .group_by(InitiativeArea.area)
        ).all()))
        shortlisted, awarded = db.session.execute(
            sa.select(sa.func.count().filter(Initiative.status.in_(HIGHLIGHT_STATES)),
                      sa.func.count().filter(awarded_condition()))
            .where(Initiative.campaign_id == campaign.id)
        ).one()
        years.append(YearFigures(campaign, {b.block: b for b in blocks}, total, areas, shortlisted, awarded))
    block_names = sorted({name for y in years for name in y.blocks}, key=vietnamese_key)
    order = {code: position for position, code in enumerate(AREA_LABELS)}
    area_codes = sorted({code for y in years for code in y.areas}, key=lambda c: (order.get(c, len(order)), c))
    summary = PeriodSummary(period, organiser_id, years, block_names, area_codes,
                            targets=target_years([target_table(campaign) for campaign in campaigns]))
    _units(summary, [c.id for c in campaigns])
    return summary


def _units(summary: PeriodSummary, campaign_ids: list[int]) -> None:
    """Who registered in every campaign of the period, and who took part but never registered."""
    if not campaign_ids:
        return
    registered_in = (
        sa.select(Initiative.unit_id, sa.func.count(sa.distinct(Initiative.campaign_id)).label("campaigns"))
        .where(Initiative.campaign_id.in_(campaign_ids), Initiative.status.in_(REGISTERED))
        .group_by(Initiative.unit_id).subquery()
    )
    participants = (sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id.in_(campaign_ids))
                    .distinct().subquery())
    rows = db.session.execute(
        sa.select(Unit.name, Unit.block, sa.func.coalesce(registered_in.c.campaigns, 0))
        .join(participants, participants.c.unit_id == Unit.id)
        .outerjoin(registered_in, registered_in.c.unit_id == Unit.id)
        .order_by(in_vietnamese_order(Unit.block), in_vietnamese_order(Unit.name))
    )
    for name, block, count in rows:
        line = UnitLine(name, block or "", count)
        if count >= len(campaign_ids):
            summary.every_year.append(line)
        elif count == 0:
            summary.never.append(line)


# Exports ------------------------------------------------------------------------------------------
def _rate_rows(summary: PeriodSummary):
    for year in summary.years:
        for name in [*summary.block_names, None]:
            figures = year.total if name is None else summary.block(year, name)
            yield [year.year, "Tổng cộng" if name is None else name, figures.participants, figures.registered_units,
                   figures.registration_rate, figures.reported_units, figures.reporting_rate, figures.initiatives]


def period_workbook(summary: PeriodSummary) -> ExportWorkbook:
    # The lists of units are the long sheets; the others have a row per year, block or area.
    workbook = ExportWorkbook(rows=len(summary.every_year) + len(summary.never))
    years = [str(y.year) for y in summary.years]
    rates = write_sheet(
        workbook, sheet_title="Theo năm", title=f"Tổng kết giai đoạn {summary.period}: tỷ lệ theo năm",
        headers=["Năm", "Số đơn vị tham gia", "Đã đăng ký", "Tỷ lệ đăng ký (%)", "Đã báo cáo", "Tỷ lệ báo cáo (%)",
                 "Số sáng kiến", "Đề xuất khen thưởng", "Đã khen thưởng"],
        widths=[8, 14, 12, 14, 12, 14, 12, 14, 14],
        rows=[[y.year, y.total.participants, y.total.registered_units, y.total.registration_rate,
               y.total.reported_units, y.total.reporting_rate, y.total.initiatives, y.shortlisted, y.awarded]
              for y in summary.years],
    )
    if summary.years:  # a native Excel chart of the two rates, drawn from the sheet's cells
        chart = workbook.add_chart({"type": "column"})
        first, last = 3, 2 + len(summary.years)  # zero-based rows: heading, blank and header rows come first
        for column in (3, 5):  # the registration rate (D) and the reporting rate (F), named by their header
            chart.add_series({"name": [rates.name, 2, column], "categories": [rates.name, first, 0, last, 0],
                              "values": [rates.name, first, column, last, column]})
        chart.set_title({"name": "Tỷ lệ đăng ký và báo cáo (%)"})
        chart.set_y_axis({"name": "%"})
        chart.set_size({"width": 605, "height": 302})  # 16 × 8 cm
        rates.insert_chart(last + 2, 0, chart)  # below the table, so that it prints on the page, not across two
    write_sheet(workbook, sheet_title="Theo khối", title="Tỷ lệ theo năm và khối",
                headers=["Năm", "Khối", "Số đơn vị tham gia", "Đã đăng ký", "Tỷ lệ đăng ký (%)", "Đã báo cáo",
                         "Tỷ lệ báo cáo (%)", "Số sáng kiến"],
                widths=[8, 40, 14, 12, 14, 12, 14, 12], rows=_rate_rows(summary))
    write_sheet(workbook, sheet_title="Theo lĩnh vực", title="Sáng kiến đăng ký theo lĩnh vực CCHC và năm",
                headers=["Lĩnh vực CCHC", *years, "Cộng"], widths=[55, *[10] * len(years), 10],
                rows=[[summary.area_label(code), *[y.areas.get(code, 0) for y in summary.years],
                       sum(y.areas.get(code, 0) for y in summary.years)] for code in summary.area_codes]
                + [[AREAS_COUNTED_NOTE]])
    if summary.targets:
        write_sheet(workbook, sheet_title="Chỉ tiêu thi đua", title="Tỷ lệ đơn vị đạt chỉ tiêu thi đua theo năm (%)",
                    headers=["STT", "Chỉ tiêu", *years], widths=[6, 60, *[12] * len(years)],
                    rows=[[i, line.name, *[share_rate(share) for share in line.shares]]
                          for i, line in enumerate(summary.targets, start=1)])
    write_sheet(workbook, sheet_title="Đăng ký đủ các năm", title="Đơn vị đăng ký trong mọi năm của giai đoạn",
                headers=["STT", "Đơn vị", "Khối"], widths=[6, 50, 30],
                rows=[[i, u.name, u.block] for i, u in enumerate(summary.every_year, start=1)])
    write_sheet(workbook, sheet_title="Chưa đăng ký năm nào", title="Đơn vị tham gia nhưng chưa đăng ký năm nào",
                headers=["STT", "Đơn vị", "Khối"], widths=[6, 50, 30],
                rows=[[i, u.name, u.block] for i, u in enumerate(summary.never, start=1)])
    return workbook


def period_docx(summary: PeriodSummary, *, day: date, draft: PeriodDraft | None = None) -> bytes:
    draft = draft or load_period_draft(summary.period, summary.organiser_id)
    document = OfficialDocument()
    campaign = summary.years[-1].campaign if summary.years else None
    if campaign is not None:
        document.heading(issuer_heading(campaign, day, f"Số: {draft.number}" if draft.number else "Số:      /BC-SGDĐT"))
    document.title("BÁO CÁO", f"Tổng kết phong trào thi đua cải cách hành chính giai đoạn {summary.period}")
    years = [str(y.year) for y in summary.years]
    numbered = iter(range(1, 100))

    def section(text: str) -> None:  # numbered in order: the targets' section is there only with targets
        document.section_heading(f"{roman(next(numbered))}. {text}")

    section("KẾT QUẢ THAM GIA QUA CÁC NĂM")
    if summary.years:  # every year of the period, none skipped
        opening = "; ".join(
            f"năm {y.year}, {number(y.total.registered_units)}/{number(y.total.participants)} đơn vị đăng ký "
            f"({percent(y.total.registration_rate)})" for y in summary.years)
        document.body(opening[0].upper() + opening[1:] + ". Chi tiết theo năm:")
    columns = [Column("Năm", 12, CENTER), Column("Đơn vị tham gia", 20, CENTER), Column("Đã đăng ký", 18, CENTER),
               Column("Tỷ lệ đăng ký", 18, CENTER), Column("Đã báo cáo", 18, CENTER),
               Column("Tỷ lệ báo cáo", 18, CENTER), Column("Số sáng kiến", 18, CENTER),
               Column("Khen thưởng", 18, CENTER)]
    document.table(columns, ([y.year, number(y.total.participants), number(y.total.registered_units),
                              percent(y.total.registration_rate), number(y.total.reported_units),
                              percent(y.total.reporting_rate), number(y.total.initiatives), number(y.awarded)]
                             for y in summary.years))
    section("TỶ LỆ ĐĂNG KÝ THEO KHỐI")
    document.table([Column("Khối", 50)] + [Column(year, 22, CENTER) for year in years],
                   ([name, *[percent(summary.block(y, name).registration_rate) if summary.block(y, name).participants
                             else "—" for y in summary.years]]
                    for name in summary.block_names))
    section("SÁNG KIẾN THEO LĨNH VỰC CẢI CÁCH HÀNH CHÍNH")
    document.table([Column("Lĩnh vực CCHC", 70)] + [Column(year, 16, CENTER) for year in years]
                   + [Column("Cộng", 16, CENTER)],
                   ([summary.area_label(code), *[number(y.areas.get(code, 0)) for y in summary.years],
                     number(sum(y.areas.get(code, 0) for y in summary.years))] for code in summary.area_codes))
    document.body(AREAS_COUNTED_NOTE, italic=True)
    if summary.targets:
        section("TỶ LỆ ĐƠN VỊ ĐẠT CHỈ TIÊU THI ĐUA QUA CÁC NĂM")
        document.body("Tỷ lệ đơn vị đạt từng chỉ tiêu thi đua đối với tập thể (số đơn vị đạt/số đơn vị áp dụng); "
                      "“—”: năm đó phong trào không đặt chỉ tiêu này:")
        document.table([Column("STT", 12, CENTER), Column("Chỉ tiêu", 70)]
                       + [Column(year, 26, CENTER) for year in years],
                       ([i, line.name, *[share_text(share) for share in line.shares]]
                        for i, line in enumerate(summary.targets, start=1)), size=11)
    section("ĐƠN VỊ ĐĂNG KÝ ĐỦ CÁC NĂM VÀ ĐƠN VỊ CHƯA ĐĂNG KÝ")
    document.body(f"Có {number(len(summary.every_year))} đơn vị đăng ký trong cả {len(summary.years)} năm của giai "
                  f"đoạn; {number(len(summary.never))} đơn vị thuộc diện tham gia nhưng chưa đăng ký năm nào"
                  f"{':' if summary.never else '.'}")
    if summary.never:
        document.table([Column("STT", 14, CENTER), Column("Đơn vị", 90), Column("Khối", 60)],
                       ([i, u.name, u.block] for i, u in enumerate(summary.never, start=1)))
    for name, heading in PERIOD_SECTIONS.items():
        position = next(numbered)  # numbered after the sections above, kept when the office left one empty
        if text := getattr(draft, name).strip():
            document.section_heading(f"{roman(position)}. {heading.split('. ', 1)[-1].upper()}")
            for paragraph in (part.strip() for part in text.split("\n\n")):
                if paragraph:
                    document.body(paragraph)
    document.closing(recipient_lines(draft.recipients),
                     signer_title=[line for line in (draft.signer_title or "GIÁM ĐỐC").splitlines() if line.strip()],
                     signer_name=draft.signer_name)
    document.page_numbers()
    return document.to_bytes()
