"""Every figure of the report to UBND Thành phố, computed from the campaign's records.

`campaign_figures()` reads the campaign in a fixed number of statements whatever its size
(units' progress, initiatives by area and kind, indicators, the ranking's scores, the annex)
and returns plain data that the Word document, the spreadsheet and the preview page all print:
none of them counts anything on its own, so they always agree.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import sqlalchemy as sa

from thidua import workflow
from thidua.awards.models import AwardDecision, AwardEntry, AwardList, decided_initiatives
from thidua.campaigns.compliance import REGISTERED, REPORTED, unit_progress
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db, in_vietnamese_order
from thidua.numbers import format_number, format_percent
from thidua.registration.models import AREA_LABELS, KIND_LABELS, Initiative, InitiativeArea, InitiativeLabels
from thidua.results.models import ReportIndicator, ResultReport
from thidua.review.models import CommendationLevel
from thidua.review.ranking import build_ranking
from thidua.text import fold
from thidua.timeutil import end_of_day_utc, utcnow
from thidua.units.models import Unit

NO_BLOCK = "Chưa xếp khối"
HIGHLIGHT_STATES = (workflow.State.SHORTLISTED.value, workflow.State.AWARDED.value, workflow.State.PUBLISHED.value)



def awarded_condition():
    """Awarded: "awarded", or published to the gallery with a decision for its form of commendation."""
    decided = decided_initiatives()
    return sa.or_(Initiative.status == workflow.State.AWARDED.value,
                  sa.and_(Initiative.status == workflow.State.PUBLISHED.value, Initiative.id.in_(decided)))
# Indicators measured in these units are shares or scores: they are averaged, not added up.
AVERAGED_UNITS = ("%", "phan tram", "diem", "ty le")
TWO = Decimal("0.01")


def rate(done: int, total: int) -> float:
    return round(100.0 * done / total, 1) if total else 0.0


@dataclass
class BlockFigures:
    block: str
    participants: int = 0
    registered_units: int = 0
    reported_units: int = 0
    initiatives: int = 0
    reported_initiatives: int = 0
    late_registered_units: int = 0  # completed the registration after the deadline (extension or imported late answer)
    late_reported_units: int = 0

    @property
    def registration_rate(self) -> float:
        return rate(self.registered_units, self.participants)

    @property
    def reporting_rate(self) -> float:
        return rate(self.reported_units, self.participants)

    def add(self, other: BlockFigures) -> None:
        for name in ("participants", "registered_units", "reported_units", "initiatives", "reported_initiatives",
                     "late_registered_units", "late_reported_units"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class AreaFigures:
    area: str
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return AREA_LABELS.get(self.area, self.area)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass
class IndicatorFigures:
    """One indicator as several initiatives reported it: added up, or averaged for shares and scores."""

    name: str
    unit_of_measure: str
    averaged: bool
    initiatives: set[int] = field(default_factory=set)
    befores: list[Decimal] = field(default_factory=list)
    afters: list[Decimal] = field(default_factory=list)

    @property
    def method(self) -> str:
        return "Bình quân" if self.averaged else "Cộng"

    def _combine(self, values: list[Decimal]) -> Decimal | None:
        if not values:
            return None
        total = sum(values, Decimal(0))
        return (total / len(values) if self.averaged else total).quantize(TWO, rounding=ROUND_HALF_UP)

    @property
    def before(self) -> Decimal | None:
        return self._combine(self.befores)

    @property
    def after(self) -> Decimal | None:
        return self._combine(self.afters)

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Indicator:
    name: str
    unit_of_measure: str
    before: Decimal | None
    after: Decimal | None


class _StateLabel(InitiativeLabels):
    __slots__ = ()
    status: str

    @property
    def status_label(self) -> str:
        return workflow.State(self.status).label


@dataclass
class Highlight(_StateLabel):
    """A shortlisted or awarded initiative, with its results."""

    initiative_id: int
    title: str
    unit_name: str
    block: str
    area: str
    kind: str
    status: str
    score: Decimal | None
    level: str
    achievements: str
    indicators: list[Indicator] = field(default_factory=list)
    awarded: bool = False


@dataclass
class AnnexRow(_StateLabel):
    initiative_id: int
    unit_name: str
    block: str
    title: str
    kind: str
    area: str
    status: str
    score: Decimal | None

    @property
    def reported(self) -> bool:
        return self.status in REPORTED


@dataclass
class CampaignFigures:
    campaign: Campaign
    taken_at: datetime
    minimum: int
    blocks: list[BlockFigures]
    total: BlockFigures
    areas: list[AreaFigures]
    kinds: list[str]
    indicators: list[IndicatorFigures]
    highlights: list[Highlight]
    annex: list[AnnexRow]
    scores: list[Decimal]  # the committee's mean score of every scored initiative
    by_kind: dict[str, int] = field(default_factory=dict)  # initiatives by kind, each counted once
    lower: list = field(default_factory=list)  # rollup.LevelFigures of the organisers below, same year
    targets: object = None  # reports.targets.TargetTable of the collective targets; None: the campaign has none

    @property
    def areas_overlap(self) -> bool:
        """Some initiative is in several areas, so the rows by area add up to more than the total."""
        return sum(a.total for a in self.areas) > sum(self.by_kind.values())

    @property
    def shortlisted(self) -> int:
        return len(self.highlights)

    @property
    def awarded(self) -> int:
        return sum(1 for h in self.highlights if h.awarded)

    def kind_total(self, kind: str) -> int:
        return self.by_kind.get(kind, 0)

    @property
    def shared_indicators(self) -> list[IndicatorFigures]:
        """Indicators that two or more initiatives reported: the ones a sum says something about."""
        return [i for i in self.indicators if len(i.initiatives) > 1]

    def placeholders(self) -> dict[str, str]:
        """Figures the narrative may name as {name}: computed, never typed."""
        return placeholder_values(self.campaign, self.total, self.shortlisted, self.awarded)

    def headline(self) -> dict:
        total = self.total
        return {
            "participants": total.participants, "registered_units": total.registered_units,
            "reported_units": total.reported_units, "initiatives": total.initiatives,
            "reported_initiatives": total.reported_initiatives, "shortlisted": self.shortlisted,
            "awarded": self.awarded, "registration_rate": total.registration_rate,
            "reporting_rate": total.reporting_rate,
        }


PLACEHOLDER_LABELS = {
    "so_don_vi_tham_gia": "số đơn vị tham gia",
    "so_don_vi_dang_ky": "số đơn vị đã đăng ký",
    "ty_le_dang_ky": "tỷ lệ đơn vị đăng ký",
    "so_don_vi_bao_cao": "số đơn vị đã báo cáo kết quả",
    "ty_le_bao_cao": "tỷ lệ đơn vị báo cáo",
    "so_sang_kien": "số mô hình, giải pháp, sáng kiến đã đăng ký",
    "so_sang_kien_bao_cao": "số đã báo cáo kết quả",
    "so_de_nghi_khen_thuong": "số đề nghị khen thưởng",
    "so_khen_thuong": "số đã được khen thưởng",
    "nam": "năm của phong trào",
}
def placeholder_values(campaign: Campaign, total: BlockFigures, shortlisted: int, awarded: int) -> dict[str, str]:
    return {
        "so_don_vi_tham_gia": number(total.participants),
        "so_don_vi_dang_ky": number(total.registered_units),
        "ty_le_dang_ky": percent(total.registration_rate),
        "so_don_vi_bao_cao": number(total.reported_units),
        "ty_le_bao_cao": percent(total.reporting_rate),
        "so_sang_kien": number(total.initiatives),
        "so_sang_kien_bao_cao": number(total.reported_initiatives),
        "so_de_nghi_khen_thuong": number(shortlisted),
        "so_khen_thuong": number(awarded),
        "nam": str(campaign.year),
    }


def placeholders_of(campaign: Campaign, total: BlockFigures) -> dict[str, str]:
    """The placeholders' values now, with one count of the shortlisted and awarded initiatives."""
    shortlisted, awarded = db.session.execute(
        sa.select(sa.func.count().filter(Initiative.status.in_(HIGHLIGHT_STATES)),
                  sa.func.count().filter(awarded_condition()))
        .where(Initiative.campaign_id == campaign.id)
    ).one()
    return placeholder_values(campaign, total, shortlisted, awarded)


PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text or "") if name not in PLACEHOLDER_LABELS})


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text or "")


def number(value: int) -> str:
    return format_number(value)


def percent(value: float) -> str:
    return format_percent(value)


def decimal(value: Decimal | None) -> str:
    """1.245,5 — Vietnamese grouping, at most two decimals, trailing zeros dropped."""
    return format_number(value, places=2)


def _averaged(unit_of_measure: str, name: str) -> bool:
    folded = fold(f"{unit_of_measure} {name}")
    return unit_of_measure.strip() == "%" or any(word in folded for word in AVERAGED_UNITS)


def block_figures(campaign: Campaign) -> tuple[list[BlockFigures], BlockFigures]:
    blocks: dict[str, BlockFigures] = {}
    minimum = campaign.min_initiatives_per_unit
    for progress in unit_progress(campaign):
        name = progress.block or NO_BLOCK
        block = blocks.setdefault(name, BlockFigures(name))
        block.participants += 1
        block.registered_units += progress.has_registered(minimum)
        block.reported_units += progress.has_reported
        block.initiatives += progress.registered
        block.reported_initiatives += progress.reported
    late_registration = CampaignUnit.registration_done_at >= end_of_day_utc(campaign.registration_deadline,
                                                                            campaign.timezone)
    late_report = CampaignUnit.report_done_at >= end_of_day_utc(campaign.report_deadline, campaign.timezone)
    for name, late_registered, late_reported in db.session.execute(
        sa.select(Unit.block, sa.func.count().filter(late_registration), sa.func.count().filter(late_report))
        .select_from(CampaignUnit).join(Unit, Unit.id == CampaignUnit.unit_id)
        .where(CampaignUnit.campaign_id == campaign.id).group_by(Unit.block)
    ):
        block = blocks.get(name or NO_BLOCK)
        if block is not None:
            block.late_registered_units += late_registered
            block.late_reported_units += late_reported
    ordered = sorted(blocks.values(), key=lambda b: (b.block == NO_BLOCK, b.block))
    total = BlockFigures("Tổng cộng")
    for block in ordered:
        total.add(block)
    return ordered, total


def area_figures(campaign: Campaign) -> list[AreaFigures]:
    areas: dict[str, AreaFigures] = {}
    # An initiative counts in each of its areas (CampaignFigures.areas_overlap says so beside the table).
    for area, kind, count in db.session.execute(
        sa.select(InitiativeArea.area, Initiative.kind, sa.func.count())
        .join(Initiative, Initiative.id == InitiativeArea.initiative_id)
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REGISTERED))
        .group_by(InitiativeArea.area, Initiative.kind)
    ):
        areas.setdefault(area, AreaFigures(area)).by_kind[kind] = count
    order = {code: position for position, code in enumerate(AREA_LABELS)}
    return sorted(areas.values(), key=lambda a: (order.get(a.area, len(order)), a.area))


def _indicators(campaign: Campaign) -> tuple[list[IndicatorFigures], dict[int, list[Indicator]]]:
    groups: dict[tuple[str, str], IndicatorFigures] = {}
    folded = lru_cache(maxsize=4096)(lambda text: " ".join(fold(text).split()))  # names repeat: fold each once
    per_initiative: dict[int, list[Indicator]] = defaultdict(list)
    for initiative_id, name, unit_of_measure, before, after in db.session.execute(
        sa.select(ResultReport.initiative_id, ReportIndicator.name, ReportIndicator.unit_of_measure,
                  ReportIndicator.before, ReportIndicator.after)
        .join(ResultReport, ResultReport.id == ReportIndicator.report_id)
        .join(Initiative, Initiative.id == ResultReport.initiative_id)
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REPORTED))
        .order_by(ResultReport.initiative_id, ReportIndicator.position, ReportIndicator.id)
    ):
        name, unit_of_measure = (name or "").strip(), (unit_of_measure or "").strip()
        per_initiative[initiative_id].append(Indicator(name, unit_of_measure, before, after))
        key = (folded(name), folded(unit_of_measure))
        group = groups.get(key)
        if group is None:
            group = groups[key] = IndicatorFigures(name, unit_of_measure, _averaged(unit_of_measure, name))
        group.initiatives.add(initiative_id)
        if before is not None and after is not None:  # only pairs: a sum of befores without afters misleads
            group.befores.append(Decimal(before))
            group.afters.append(Decimal(after))
    ordered = sorted(groups.values(), key=lambda g: (-len(g.initiatives), fold(g.name)))
    return ordered, per_initiative


def _award_list(campaign: Campaign) -> tuple[dict[int, str], set[int]]:
    """The form of commendation per initiative on the award list, and the initiatives a decision awarded."""
    levels, decided = {}, set()
    for initiative_id, level, decision_id in db.session.execute(
        sa.select(AwardEntry.initiative_id, CommendationLevel.name, AwardDecision.id)
        .join(AwardList, AwardList.id == AwardEntry.award_list_id)
        .outerjoin(CommendationLevel, CommendationLevel.id == AwardEntry.level_id)
        .outerjoin(AwardDecision, sa.and_(AwardDecision.award_list_id == AwardEntry.award_list_id,
                                          AwardDecision.level_id == AwardEntry.level_id))
        .where(AwardList.campaign_id == campaign.id, AwardEntry.initiative_id.is_not(None))
    ):
        if level:
            levels[initiative_id] = level
        if decision_id is not None:
            decided.add(initiative_id)
    return levels, decided


def _annex(campaign: Campaign, scores: dict[int, Decimal | None]) -> list[AnnexRow]:
    rows = db.session.execute(
        sa.select(Initiative.id, Unit.name, Unit.block, Initiative.title, Initiative.kind, Initiative.area,
                  Initiative.status)
        .join(Unit, Unit.id == Initiative.unit_id)
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REGISTERED))
        .order_by(in_vietnamese_order(Unit.block), in_vietnamese_order(Unit.name), Initiative.id)
    )
    return [AnnexRow(id_, unit_name, block or NO_BLOCK, title, kind, area, status, scores.get(id_))
            for id_, unit_name, block, title, kind, area, status in rows]


def campaign_figures(campaign: Campaign, *, step: Callable[[str], None] | None = None) -> CampaignFigures:
    """The figures of the campaign as they are now; `step` (optional) is told of each part as it is done."""
    def advance(message: str) -> None:
        if step is not None:
            step(message)

    taken_at = utcnow()
    blocks, total = block_figures(campaign)
    advance("Đã tính số đơn vị tham gia, đăng ký, báo cáo theo khối.")
    areas = area_figures(campaign)
    by_kind = dict(db.session.execute(
        sa.select(Initiative.kind, sa.func.count())
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REGISTERED)).group_by(Initiative.kind)
    ).all())
    advance("Đã tính số sáng kiến theo lĩnh vực.")
    indicators, per_initiative = _indicators(campaign)
    advance("Đã tổng hợp các chỉ tiêu kết quả.")
    ranking = build_ranking(campaign)
    scores = {row.initiative.id: row.mean for row in ranking.rows}
    levels, decided = _award_list(campaign)
    achievements = dict(db.session.execute(
        sa.select(ResultReport.initiative_id, ResultReport.achievements)
        .join(Initiative, Initiative.id == ResultReport.initiative_id)
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(HIGHLIGHT_STATES))
    ).all())
    highlights = []
    for row in ranking.rows:  # ranked order: mean score, then the rubric's tie-break
        initiative = row.initiative
        if initiative.status not in HIGHLIGHT_STATES:
            continue
        highlights.append(Highlight(
            initiative.id, initiative.title, row.unit.name, row.unit.block or NO_BLOCK, initiative.area,
            initiative.kind, initiative.status, row.mean,
            levels.get(initiative.id) or row.chosen_level or (row.proposed.name if row.proposed else ""),
            (achievements.get(initiative.id) or "").strip(), per_initiative.get(initiative.id, []),
            awarded=initiative.status == workflow.State.AWARDED.value or initiative.id in decided,
        ))
    advance("Đã lập danh sách đề nghị khen thưởng.")
    annex = _annex(campaign, scores)
    from thidua.reports.rollup import lower_levels  # (rollup counts with this module's conditions)
    lower = lower_levels(campaign)
    from thidua.reports.targets import target_table  # (it names the blocks as this module does)
    targets = target_table(campaign)
    advance("Đã lập phụ lục.")
    kinds = [kind for kind in KIND_LABELS if any(kind in a.by_kind for a in areas)]
    kinds += sorted({kind for a in areas for kind in a.by_kind} - set(kinds))
    return CampaignFigures(
        campaign=campaign, taken_at=taken_at, minimum=campaign.min_initiatives_per_unit, blocks=blocks, total=total,
        areas=areas, kinds=kinds, indicators=indicators, highlights=highlights, annex=annex,
        scores=[row.mean for row in ranking.rows if row.mean is not None], by_kind=by_kind, lower=lower,
        targets=targets,
    )


FIGURE_STEPS = 5  # the number of times campaign_figures() calls `step`
