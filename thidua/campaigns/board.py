"""The compliance board: every participating unit against the 100% target of one phase.

`build_board()` reads the rows of `compliance.unit_progress()` (two statements whatever the
number of units), one more statement per chart series, and does everything else in one
pass in Python: completion per unit, the block → unit type groups with their rates, the
filters, the search without diacritics and the sort. The number of statements therefore
does not depend on the number of units or initiatives.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa

from thidua.campaigns import services
from thidua.campaigns.compliance import REGISTERED, REPORTED, UnitProgress, unit_progress
from thidua.campaigns.models import Campaign, Phase
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.results.models import ResultReport
from thidua.text import fold
from thidua.timeutil import local_today, start_of_day_utc, to_local, utcnow
from thidua.units.models import UNIT_TYPE_LABELS, unit_type_label

STATUS_CHOICES = {"all": "Tất cả đơn vị", "missing": "Chưa hoàn thành", "done": "Đã hoàn thành"}
SORT_CHOICES = {
    "name": "Tên đơn vị",
    "registered": "Số đề xuất đã đăng ký",
    "reported": "Số đã báo cáo kết quả",
    "activity": "Hoạt động gần nhất",
}
ORDER_CHOICES = {"asc": "Tăng dần", "desc": "Giảm dần"}
NO_BLOCK = "—"


def phase_from(value: str | None, campaign: Campaign, *, now: datetime | None = None) -> Phase:
    """The phase asked for, else the campaign's current one, else Đợt 1."""
    if value in (Phase.REGISTRATION.value, Phase.REPORT.value):
        return Phase(value)
    return services.current_phase(campaign, now=now) or Phase.REGISTRATION


@dataclass(frozen=True)
class BoardFilters:
    q: str = ""
    block: str = ""
    unit_type: str = ""
    status: str = "all"
    sort: str = "name"
    order: str = "asc"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> BoardFilters:
        status = args.get("status") or "all"
        sort = args.get("sort") or "name"
        order = args.get("order") or "asc"
        return cls(
            q=(args.get("q") or "").strip()[:200],
            block=(args.get("block") or "").strip(),
            unit_type=(args.get("type") or "").strip(),
            status=status if status in STATUS_CHOICES else "all",
            sort=sort if sort in SORT_CHOICES else "name",
            order=order if order in ORDER_CHOICES else "asc",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.block or self.unit_type or self.status != "all")

    def as_args(self) -> dict[str, str]:
        """The query arguments that reproduce these filters (for links and the export)."""
        args = {"q": self.q, "block": self.block, "type": self.unit_type, "status": self.status,
                "sort": self.sort, "order": self.order}
        defaults = {"status": "all", "sort": "name", "order": "asc"}
        return {k: v for k, v in args.items() if v and v != defaults.get(k)}

    def describe(self) -> str:
        """The filters in words, for the export's title."""
        parts = []
        if self.block:
            parts.append(self.block)
        if self.unit_type:
            parts.append(unit_type_label(self.unit_type))
        if self.status != "all":
            parts.append(STATUS_CHOICES[self.status].lower())
        if self.q:
            parts.append(f"tìm “{self.q}”")
        return ", ".join(parts)


def _rate(done: int, total: int) -> float:
    return 100.0 * done / total if total else 0.0


class Tally:
    """Done out of total, for a group, a block or the whole board."""

    total: int
    done: int

    @property
    def missing(self) -> int:
        return self.total - self.done

    @property
    def rate(self) -> float:
        return _rate(self.done, self.total)


@dataclass
class BoardRow:
    progress: UnitProgress
    done: bool
    extension: date | None

    @property
    def unit_id(self) -> int:
        return self.progress.unit_id

    @property
    def name(self) -> str:
        return self.progress.name

    @property
    def block(self) -> str:
        return self.progress.block or NO_BLOCK

    @property
    def unit_type(self) -> str:
        return self.progress.unit_type

    @property
    def type_label(self) -> str:
        return unit_type_label(self.progress.unit_type)

    @property
    def registered(self) -> int:
        return self.progress.registered

    @property
    def reported(self) -> int:
        return self.progress.reported

    @property
    def last_activity(self) -> datetime | None:
        return self.progress.last_activity


@dataclass
class Group(Tally):
    """One unit type within one block."""

    block: str
    unit_type: str
    total: int = 0
    done: int = 0
    rows: list[BoardRow] = field(default_factory=list)  # the rows the filters keep, sorted

    @property
    def label(self) -> str:
        return unit_type_label(self.unit_type)


@dataclass
class Block(Tally):
    block: str
    types: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.types)

    @property
    def done(self) -> int:
        return sum(g.done for g in self.types)

    @property
    def shown(self) -> int:
        return sum(len(g.rows) for g in self.types)


@dataclass
class Series:
    key: str
    label: str
    carried: int  # events before the first day of the chart
    values: list[int]  # cumulative count at the end of each day drawn

    @property
    def last(self) -> int:
        return self.values[-1] if self.values else self.carried


@dataclass
class Chart:
    start: date
    end: date
    deadline: date
    today: date
    target: int
    series: list[Series]

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def drawn_until(self) -> date | None:
        """The last day with data: today, or the chart's end if the phase is over."""
        if self.today < self.start:
            return None
        return min(self.today, self.end)

    def layout(self, width: int = 760, height: int = 300, labels: int = 8) -> ChartLayout:
        return ChartLayout.of(self, width, height, labels)


@dataclass
class Board(Tally):
    campaign: Campaign
    phase: Phase
    filters: BoardFilters
    minimum: int
    deadline: date
    taken_at: datetime
    blocks: list[Block]  # every group, with the rows the filters keep
    total: int
    done: int
    shown: int
    block_choices: list[str]
    type_choices: list[tuple[str, str]]
    chart: Chart | None

    @property
    def rows(self) -> list[BoardRow]:
        """The rows the filters keep, in the order of the board (block, unit type, then the sort)."""
        return [row for block in self.blocks for group in block.types for row in group.rows]

    @property
    def groups(self) -> list[Group]:
        return [group for block in self.blocks for group in block.types]


def _matches(row: BoardRow, filters: BoardFilters, words: list[str]) -> bool:
    if filters.block and row.block != filters.block:
        return False
    if filters.unit_type and row.unit_type != filters.unit_type:
        return False
    if filters.status == "missing" and row.done:
        return False
    if filters.status == "done" and not row.done:
        return False
    if words:
        text = row.progress.search_text or fold(row.progress.name)
        return all(word in text for word in words)
    return True


@lru_cache(maxsize=16384)
def _folded_name(name: str) -> str:
    return fold(name)


def _name_key(row: BoardRow):
    return _folded_name(row.name), row.unit_id


def _primary_key(sort: str):
    """The column sorted on; None for the name, which is also every sort's tie-break (A → Z)."""
    if sort == "registered":
        return lambda row: row.registered
    if sort == "reported":
        return lambda row: row.reported
    if sort == "activity":  # ascending: never active first, then the longest idle
        return lambda row: (row.last_activity is not None, row.last_activity or datetime.min)
    return None


def _sort(rows: list[BoardRow], filters: BoardFilters) -> None:
    descending = filters.order == "desc"
    primary = _primary_key(filters.sort)
    rows.sort(key=_name_key, reverse=descending and primary is None)
    if primary is not None:
        rows.sort(key=primary, reverse=descending)  # stable: equal values keep the names in order


def build_board(campaign: Campaign, phase: Phase, filters: BoardFilters | None = None, *,
                chart: bool = True, now: datetime | None = None) -> Board:
    filters = filters or BoardFilters()
    minimum = max(1, campaign.min_initiatives_per_unit or 1)
    words = fold(filters.q).split()
    groups: dict[tuple[str, str], Group] = {}
    block_order: list[str] = []
    types_seen: dict[str, str] = {}
    total = done = shown = 0
    participants: set[int] = set()
    for progress in unit_progress(campaign):
        participants.add(progress.unit_id)
        if phase is Phase.REGISTRATION:
            complete = progress.has_registered(minimum)
            extension = progress.registration_extension
        else:
            complete = progress.has_reported
            extension = progress.report_extension
        row = BoardRow(progress, complete, extension)
        key = (row.block, row.unit_type)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(row.block, row.unit_type)
            if row.block not in block_order:
                block_order.append(row.block)
        types_seen.setdefault(row.unit_type, row.type_label)
        group.total += 1
        total += 1
        if complete:
            group.done += 1
            done += 1
        if _matches(row, filters, words):
            group.rows.append(row)
            shown += 1

    for group in groups.values():
        _sort(group.rows, filters)
    # Blocks by name with the unnamed block last; unit types in the directory's order (Sở, phòng, THPT, ...).
    type_rank = {code: index for index, code in enumerate(UNIT_TYPE_LABELS)}
    blocks = []
    for name in sorted(block_order, key=lambda b: (b == NO_BLOCK, fold(b))):
        members = sorted((g for (b, _), g in groups.items() if b == name),
                         key=lambda g: (type_rank.get(g.unit_type, len(type_rank)), fold(g.label)))
        blocks.append(Block(name, members))

    return Board(
        campaign=campaign, phase=phase, filters=filters, minimum=minimum, deadline=campaign.deadline(phase),
        taken_at=now or utcnow(), blocks=blocks, total=total, done=done, shown=shown,
        block_choices=[b.block for b in blocks],
        type_choices=sorted(types_seen.items(), key=lambda item: fold(item[1])),
        chart=build_chart(campaign, phase, participants, minimum, now=now) if chart else None,
    )


# --------------------------------------------------------------------------- the chart


# The two series read the initiative table alone (the report one adds the result report by its
# unique key) and leave out non-participants in Python: a join with campaign_unit can be planned
# as a loop over every pair when PostgreSQL's statistics predate the campaign.


def registration_moments(campaign: Campaign, minimum: int, participants: set[int]) -> list[datetime]:
    """When each participating unit reached `minimum` registered initiatives (one statement).

    An initiative counts from its registered_at (set when it is sent); rows that reached a
    registered state without it (bulk imports) count from their last change.
    """
    moment = sa.func.coalesce(Initiative.registered_at, Initiative.updated_at)
    ranked = (
        sa.select(
            Initiative.unit_id,
            moment.label("at"),
            sa.func.row_number().over(partition_by=Initiative.unit_id, order_by=(moment, Initiative.id)).label("n"),
        )
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REGISTERED))
        .subquery()
    )
    rows = db.session.execute(sa.select(ranked.c.unit_id, ranked.c.at).where(ranked.c.n == minimum))
    return [at for unit_id, at in rows if unit_id in participants]


def report_moments(campaign: Campaign, participants: set[int]) -> list[datetime]:
    """When each participating unit had a submitted report for every registered initiative (one statement).

    The day is that of the unit's last report (ResultReport.submitted_at; the initiative's
    last change when a report row has no submission time).
    """
    reported = Initiative.status.in_(REPORTED)
    moment = sa.func.coalesce(ResultReport.submitted_at, Initiative.updated_at)
    rows = db.session.execute(
        sa.select(Initiative.unit_id, sa.func.max(moment).filter(reported))
        .select_from(Initiative)
        .outerjoin(ResultReport, ResultReport.initiative_id == Initiative.id)
        .where(Initiative.campaign_id == campaign.id, Initiative.status.in_(REGISTERED))
        .group_by(Initiative.unit_id)
        .having(sa.func.count() == sa.func.count().filter(reported))
    )
    return [at for unit_id, at in rows if unit_id in participants and at is not None]


def phase_start(campaign: Campaign, phase: Phase) -> date:
    if phase is Phase.REGISTRATION:
        return campaign.launch_date
    return campaign.registration_deadline + timedelta(days=1)


def _cumulative(moments: list[datetime], bounds: list[datetime], key: str, label: str, drawn: int) -> Series:
    """Per day of the chart, how many moments fall on or before it; `bounds[i]` is day i's first UTC moment."""
    per_day = [0] * len(bounds)
    carried = 0
    for moment in moments:
        index = bisect_right(bounds, moment) - 1
        if index < 0:
            carried += 1
        else:
            per_day[index] += 1
    values, running = [], carried
    for count in per_day[:drawn]:
        running += count
        values.append(running)
    return Series(key, label, carried, values)


def build_chart(campaign: Campaign, phase: Phase, participants: set[int], minimum: int, *,
                now: datetime | None = None) -> Chart:
    tz = campaign.timezone
    today = local_today(tz, now=now)
    start = phase_start(campaign, phase)
    deadline = campaign.deadline(phase)
    registered = registration_moments(campaign, minimum, participants)
    moments = {"registered": registered}
    if phase is Phase.REPORT:
        moments["reported"] = report_moments(campaign, participants)
    # Late work under an extension stretches the chart past the deadline.
    last = max((m for ms in moments.values() for m in ms), default=None)
    end = max(deadline, to_local(last, tz).date() if last else deadline, start)
    # Days in the campaign's time zone: each moment is placed by the UTC moments the days begin at.
    days = (end - start).days + 1
    bounds = [start_of_day_utc(start + timedelta(days=i), tz) for i in range(days)]
    drawn = (min(today, end) - start).days + 1 if today >= start else 0
    noun = "đơn vị" if minimum == 1 else f"đơn vị đủ {minimum} đề xuất"
    series = [_cumulative(registered, bounds, "registered", f"Số {noun} đã đăng ký (lũy kế)", drawn)]
    if phase is Phase.REPORT:
        series.insert(0, _cumulative(
            moments["reported"], bounds, "reported",
            "Số đơn vị đã báo cáo kết quả mọi đề xuất (lũy kế, theo ngày gửi báo cáo cuối cùng)", drawn,
        ))
    return Chart(start=start, end=end, deadline=deadline, today=today, target=len(participants), series=series)


@dataclass
class ChartLayout:
    """Coordinates for the SVG (viewBox units), computed here so the template only places them."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    y_max: int
    y_ticks: list[tuple[float, int]]  # (y, value)
    x_ticks: list[tuple[float, str]]  # (x, "dd/mm")
    target_y: float
    polylines: dict[str, str]  # series key -> "x,y x,y ..."
    ends: dict[str, tuple[float, float, int]]  # series key -> last point and its value
    deadline_x: float | None
    today_x: float | None

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @classmethod
    def of(cls, chart: Chart, width: int = 760, height: int = 300, labels: int = 8) -> ChartLayout:
        left, right_margin, top, bottom_margin = (60, 20, 24, 40) if width >= 500 else (44, 12, 24, 40)
        plot_width, plot_height = width - left - right_margin, height - top - bottom_margin
        # Four whole-number steps up to at least the target and the highest count (units are counted).
        y_step = -(-max([chart.target, 1] + [s.last for s in chart.series]) // 4)
        y_max = 4 * y_step
        days = (chart.end - chart.start).days

        def x(day: date) -> float:
            offset = (day - chart.start).days
            return round(left + (offset / days if days else 0.5) * plot_width, 1)

        def y(value: int) -> float:
            return round(top + plot_height - value / y_max * plot_height, 1)

        y_ticks = [(y(y_step * f), y_step * f) for f in range(5)]
        step = max(1, -(-days // (labels - 1)))  # at most `labels` dates under the axis
        offsets = list(range(0, days + 1, step))
        if offsets[-1] != days:  # the last day is always labelled; a label too close before it gives way
            if days - offsets[-1] < step / 2 and len(offsets) > 1:
                offsets.pop()
            offsets.append(days)
        x_ticks = [(x(chart.start + timedelta(days=i)), (chart.start + timedelta(days=i)).strftime("%d/%m"))
                   for i in offsets]
        polylines, ends = {}, {}
        for series in chart.series:
            if not series.values:
                continue
            points = [(x(chart.start + timedelta(days=i)), y(v)) for i, v in enumerate(series.values)]
            if len(points) == 1 and not days:
                points = [(left, points[0][1]), (left + plot_width, points[0][1])]
            polylines[series.key] = " ".join(f"{px},{py}" for px, py in points)
            ends[series.key] = (points[-1][0], points[-1][1], series.values[-1])
        deadline_x = x(chart.deadline) if chart.start <= chart.deadline < chart.end else None
        today_x = x(chart.today) if chart.start <= chart.today <= chart.end else None
        return cls(width, height, left, top, plot_width, plot_height, y_max, y_ticks, x_ticks, y(chart.target),
                   polylines, ends, deadline_x, today_x)
