"""The leaders' dashboard: the open campaign at a glance, in charts.

Progress of the current phase against the 100% target (the board's chart), initiatives by CCHC
area and by block, and the distribution of the committee's scores. A fixed number of statements
(the board's, the areas', the ranking's), whatever the number of units.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from thidua import scope
from thidua.campaigns import services as campaign_services
from thidua.campaigns.board import Board, build_board
from thidua.campaigns.models import Campaign
from thidua.charts import BarChart, nice_step
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.phases import Phase
from thidua.reports.figures import (
    BlockFigures,
    area_figures,
    block_figures,
    placeholders_of,
)
from thidua.reports.rollup import LevelFigures, levels_total, lower_levels
from thidua.review.models import Criterion, Standing
from thidua.timeutil import local_today

BINS = 10
PHONE_BINS = 5


@dataclass
class LeadersDashboard:
    campaign: Campaign | None
    campaigns: list[Campaign]
    phase: Phase | None = None
    board: Board | None = None
    total: BlockFigures | None = None
    values: dict | None = None
    area_chart: BarChart | None = None
    block_chart: BarChart | None = None
    rate_chart: BarChart | None = None
    score_chart: BarChart | None = None
    scored: int = 0
    median: Decimal | None = None
    lower: list[LevelFigures] = field(default_factory=list)  # the organisers below, same year
    lower_total: LevelFigures | None = None

    @property
    def progress_layouts(self):
        if self.board is None or self.board.chart is None:
            return None
        return {"wide": self.board.chart.layout(), "narrow": self.board.chart.layout(360, 250, 4)}


def _default_campaign(campaigns: list[Campaign]) -> Campaign | None:
    """The campaign in its registration or report phase (the latest such), else the latest one."""
    open_ = [c for c in campaigns if campaign_services.current_phase(c) is not None]
    return (open_ or campaigns or [None])[0]


def score_histogram(scores: list[Decimal], top: int | float, bins: int = BINS) -> tuple[list[str], list[int]]:
    """Counts of mean scores in bands from 0 to the rubric's maximum (the last band closed).

    The bands are at most `bins`, each a nice width (1, 2, 2.5 or 5 × 10^n points) so that every
    band has a real width and its edges read plainly: 100 points in ten bands of 10, 5 points in
    ten of 0,5, 30 points in six of 5; the last band ends at the maximum."""
    top = float(top) if top and top > 0 else 1.0
    step = nice_step(top / bins)
    count = max(1, math.ceil(top / step - 1e-9))
    edges = [min(top, i * step) for i in range(count)] + [top]
    counts = [0] * count
    for score in scores:
        counts[min(count - 1, max(0, math.floor(float(score) / step + 1e-9)))] += 1  # 0,3 is in 0,3–0,4
    labels = [f"{format_number(edges[i])}–{format_number(edges[i + 1])}" for i in range(count)]
    return labels, counts


def leaders_dashboard(campaign_id: int | None = None, *, visible=sa.true(),
                      organiser_id: int | None = None) -> LeadersDashboard:
    """The dashboard of one campaign among those `visible` (a condition on Campaign; by default all);
    without a choice, the current campaign of the organiser's own."""
    campaigns = list(db.session.scalars(sa.select(Campaign).where(visible)
                                        .order_by(Campaign.launch_date.desc(), Campaign.id.desc())))
    campaign = next((c for c in campaigns if c.id == campaign_id), None) if campaign_id else None
    own = [c for c in campaigns if organiser_id is None or c.organiser_id == organiser_id]
    campaign = campaign or _default_campaign(own) or _default_campaign(campaigns)
    result = LeadersDashboard(campaign, campaigns)
    if campaign is None:
        return result
    phase = campaign_services.current_phase(campaign)
    if phase is None:
        phase = Phase.REPORT if local_today(campaign.timezone) > campaign.registration_deadline else Phase.REGISTRATION
    result.phase = phase
    result.lower = lower_levels(campaign)
    result.lower_total = levels_total(result.lower) if len(result.lower) > 1 else None
    result.board = build_board(campaign, phase, rows=False)
    blocks, total = block_figures(campaign)
    result.total = total
    result.values = placeholders_of(campaign, total)
    areas = area_figures(campaign)
    result.area_chart = BarChart.of("Sáng kiến đăng ký theo lĩnh vực CCHC", [a.label for a in areas],
                                    {"Số sáng kiến": [a.total for a in areas]}, height=330, label_width=14)
    result.block_chart = BarChart.of("Sáng kiến đăng ký theo khối", [b.block for b in blocks],
                                     {"Số sáng kiến": [b.initiatives for b in blocks]}, label_width=18)
    result.rate_chart = BarChart.of("Tỷ lệ đơn vị đăng ký và báo cáo theo khối", [b.block for b in blocks],
                                    {"Đăng ký": [b.registration_rate for b in blocks],
                                     "Báo cáo kết quả": [b.reporting_rate for b in blocks]},
                                    maximum=100, decimals=1, suffix="%", label_width=18)
    means = list(db.session.scalars(sa.select(Standing.mean).where(
        Standing.campaign_id == campaign.id, Standing.mean.is_not(None)).order_by(Standing.mean)))
    result.scored = len(means)
    if means:
        result.median = statistics.median(means)
        top = db.session.scalar(sa.select(sa.func.sum(Criterion.max_score))
                                .where(Criterion.campaign_id == campaign.id)) or 100
        labels, counts = score_histogram(means, top)
        phone_labels, phone_counts = score_histogram(means, top, bins=PHONE_BINS)  # wider bands, readable labels
        phone = {"categories": phone_labels, "series": {"Số sáng kiến": phone_counts}}
        result.score_chart = BarChart.of("Phân bố điểm bình quân của Hội đồng", labels, {"Số sáng kiến": counts},
                                         narrow=phone)
    return result
