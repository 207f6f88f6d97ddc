"""The compliance board: every participating unit against the 100% target of one phase.

Everything is read from the participants' progress columns (kept by `progress.py`), in a fixed
number of statements whatever the number of units: one grouped query for the block → unit type
tallies, the filters' choices, the count the filters keep and the chart's last days; one for the
page of rows, filtered, searched (without diacritics, on the folded name), sorted and cut by the
database; one for the page's extensions; one for the chart's series.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from thidua.campaigns import services
from thidua.campaigns.compliance import PROGRESS_COLUMNS, UnitProgress, add_extensions
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.charts import Label, place, text_width
from thidua.extensions import db
from thidua.numbers import format_number
from thidua.paging import QueryPage
from thidua.phases import Phase
from thidua.text import fold
from thidua.timeutil import end_of_day_utc, local_today, start_of_day_utc, to_local, utcnow
from thidua.units.models import UNIT_TYPE_LABELS, Unit, unit_type_label

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
    done_at: datetime | None = None  # when the unit completed the phase (its answer's moment for an import)
    late: bool = False  # completed after the end of the phase's deadline day (an extension does not erase it)

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
    page: QueryPage | None = None  # the page shown, when the board was read a page at a time

    @property
    def rows(self) -> list[BoardRow]:
        """The rows the filters keep, in the order of the board (block, unit type, then the sort)."""
        return [row for block in self.blocks for group in block.types for row in group.rows]

    @property
    def groups(self) -> list[Group]:
        return [group for block in self.blocks for group in block.types]


def done_condition(phase: Phase, minimum):
    """SQL: the participant has done what the phase asks (see UnitProgress.is_missing).

    `minimum`: the campaign's minimum of registered initiatives, a number or a SQL expression
    (CAMPAIGN_MINIMUM, for several campaigns at once)."""
    if phase is Phase.REGISTRATION:
        return CampaignUnit.registered_count >= minimum
    return sa.and_(CampaignUnit.registered_count > 0, CampaignUnit.reported_count >= CampaignUnit.registered_count)


# The campaign's minimum of registered initiatives per unit, never below one (as Board.minimum).
CAMPAIGN_MINIMUM = sa.case((Campaign.min_initiatives_per_unit > 1, Campaign.min_initiatives_per_unit), else_=1)


@dataclass(frozen=True)
class CampaignCounters:
    participants: int = 0
    registered_units: int = 0  # participants with the campaign's minimum of registered initiatives
    initiatives: int = 0  # registered initiatives (not drafts, not withdrawn)


def campaign_counters(campaign_ids) -> dict[int, CampaignCounters]:
    """The board's counters for several campaigns in one statement (the campaign list)."""
    campaign_ids = list(campaign_ids)
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        sa.select(CampaignUnit.campaign_id, sa.func.count(),
                  sa.func.coalesce(sa.func.sum(sa.case((done_condition(Phase.REGISTRATION, CAMPAIGN_MINIMUM), 1),
                                                       else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(CampaignUnit.registered_count), 0))
        .join(Campaign, Campaign.id == CampaignUnit.campaign_id)
        .where(CampaignUnit.campaign_id.in_(campaign_ids))
        .group_by(CampaignUnit.campaign_id)
    )
    return {campaign_id: CampaignCounters(int(total), int(done), int(initiatives))
            for campaign_id, total, done, initiatives in rows}


BLOCK = sa.func.coalesce(sa.func.nullif(Unit.block, ""), NO_BLOCK)


def _like(word: str):
    return Unit.search_text.contains(word, autoescape=True)  # "%" and "_" are letters typed, not wildcards


def _conditions(filters: BoardFilters, done) -> list:
    conditions = [_like(word) for word in fold(filters.q).split()]
    if filters.block:
        conditions.append(BLOCK == filters.block)
    if filters.unit_type:
        conditions.append(Unit.unit_type == filters.unit_type)
    if filters.status == "missing":
        conditions.append(sa.not_(done))
    elif filters.status == "done":
        conditions.append(done)
    return conditions


def _name_order(descending: bool):
    """The folded name (the head of search_text), compared by code point as Python compares it."""
    text = Unit.search_text
    if db.session.get_bind().dialect.name == "postgresql":
        text = text.collate("C")
    return [text.desc(), Unit.id.desc()] if descending else [text.asc(), Unit.id.asc()]


def _order(filters: BoardFilters, block_rank: dict[str, int], type_rank: dict[str, int]) -> list:
    """Blocks, then unit types in the board's order, then the sort chosen, names A → Z breaking ties."""
    order = [sa.case(block_rank, value=BLOCK, else_=len(block_rank)),
             sa.case(type_rank, value=Unit.unit_type, else_=len(type_rank))]
    descending = filters.order == "desc"
    if filters.sort == "name":
        return order + _name_order(descending)
    if filters.sort == "activity":  # ascending: never active first, then the longest idle
        column = CampaignUnit.last_activity_at
        primary = column.desc().nulls_last() if descending else column.asc().nulls_first()
    else:
        column = CampaignUnit.registered_count if filters.sort == "registered" else CampaignUnit.reported_count
        primary = column.desc() if descending else column.asc()
    return order + [primary] + _name_order(False)


def build_board(campaign: Campaign, phase: Phase, filters: BoardFilters | None = None, *,
                page: int | None = None, per_page: int | None = None, rows: bool = True, chart: bool = True,
                now: datetime | None = None) -> Board:
    """The board; with per_page, only that page of the rows the filters keep (all of them otherwise;
    none without `rows`, for the tallies and the chart alone)."""
    filters = filters or BoardFilters()
    minimum = max(1, campaign.min_initiatives_per_unit or 1)
    done = done_condition(phase, minimum)
    kept = _conditions(filters, done)
    participant = CampaignUnit.campaign_id == campaign.id
    tallies = db.session.execute(
        sa.select(BLOCK, Unit.unit_type, sa.func.count(), sa.func.count().filter(done),
                  sa.func.count().filter(sa.and_(*kept)) if kept else sa.func.count(),
                  *[sa.func.max(column) for column in SERIES_COLUMNS.values()])
        .select_from(CampaignUnit).join(Unit, Unit.id == CampaignUnit.unit_id)
        .where(participant).group_by(BLOCK, Unit.unit_type)
    ).all()

    # Blocks by name with the unnamed block last; unit types in the directory's order (Sở, phòng, THPT, ...).
    type_rank_of = {code: index for index, code in enumerate(UNIT_TYPE_LABELS)}
    block_names = sorted({block for block, *_ in tallies}, key=lambda b: (b == NO_BLOCK, fold(b)))
    type_codes = sorted({unit_type for _, unit_type, *_ in tallies},
                        key=lambda t: (type_rank_of.get(t, len(type_rank_of)), fold(unit_type_label(t))))
    block_rank = {name: index for index, name in enumerate(block_names)}
    type_rank = {code: index for index, code in enumerate(type_codes)}
    groups = {(block, unit_type): Group(block, unit_type, total, done_count)
              for block, unit_type, total, done_count, *_ in tallies}
    # The last day of completion of each series (the chart stretches to it).
    lasts = {key: max((row[5 + index] for row in tallies if row[5 + index] is not None), default=None)
             for index, key in enumerate(SERIES_COLUMNS)}
    shown = sum(row[4] for row in tallies)

    pager = QueryPage.of(shown, page, per_page) if per_page else None
    done_at = SERIES_COLUMNS["registered" if phase is Phase.REGISTRATION else "reported"]
    late_from = end_of_day_utc(campaign.deadline(phase), campaign.timezone)
    statement = (sa.select(*PROGRESS_COLUMNS, done_at, done)
                 .select_from(CampaignUnit).join(Unit, Unit.id == CampaignUnit.unit_id)
                 .where(participant, *kept).order_by(*_order(filters, block_rank, type_rank)))
    if pager is not None:
        statement = statement.limit(pager.per_page).offset(pager.offset)
    rows = ([(UnitProgress(*row[:-2]), row[-2], bool(row[-1])) for row in db.session.execute(statement)]
            if rows else [])
    add_extensions(campaign, [progress for progress, _, _ in rows])
    for progress, completed_at, complete in rows:
        extension = progress.registration_extension if phase is Phase.REGISTRATION else progress.report_extension
        late = complete and completed_at is not None and completed_at >= late_from
        row = BoardRow(progress, complete, extension, completed_at if complete else None, late)
        groups[(row.block, row.unit_type)].rows.append(row)

    blocks = [Block(name, sorted((g for (b, _), g in groups.items() if b == name),
                                 key=lambda g: type_rank[g.unit_type]))
              for name in block_names]
    result = Board(
        campaign=campaign, phase=phase, filters=filters, minimum=minimum, deadline=campaign.deadline(phase),
        taken_at=now or utcnow(), blocks=blocks, total=sum(g.total for g in groups.values()),
        done=sum(g.done for g in groups.values()), shown=shown, block_choices=block_names,
        type_choices=sorted(((code, unit_type_label(code)) for code in type_codes), key=lambda item: fold(item[1])),
        chart=build_chart(campaign, phase, minimum, sum(g.total for g in groups.values()), lasts, now=now)
        if chart else None, page=pager,
    )
    if pager is not None:
        pager.items = result.rows
    return result


# --------------------------------------------------------------------------- the chart


# Each participant's day of completion is kept on its row (progress.py): registration_done_at, when it
# reached the minimum of registered initiatives (an initiative counts from its registered_at, or its last
# change for bulk imports); report_done_at, the last report's submission once every registered initiative
# has one. A series counts those moments day by day, cumulatively.


def phase_start(campaign: Campaign, phase: Phase) -> date:
    if phase is Phase.REGISTRATION:
        return campaign.launch_date
    return campaign.registration_deadline + timedelta(days=1)


SERIES_COLUMNS = {"registered": CampaignUnit.registration_done_at, "reported": CampaignUnit.report_done_at}


def _hours_after(column, origin: datetime):
    """Whole hours from `origin` to the column's moment (-1 before it), computed by the database."""
    if db.session.get_bind().dialect.name == "postgresql":
        seconds = sa.cast(sa.func.extract("epoch", column), sa.BigInteger)
    else:
        seconds = sa.cast(sa.func.strftime("%s", column), sa.Integer)
    start = int(origin.replace(tzinfo=timezone.utc).timestamp())
    return sa.case((column < origin, -1), else_=(seconds - start) // 3600)


def _series(campaign: Campaign, keys: list[str], bounds: list[datetime],
            drawn: int) -> dict[str, tuple[int, list[int]]]:
    """{key: (carried, cumulative count at the end of each drawn day)}; `bounds[i]` is day i's first UTC moment.

    The database counts the moments per hour after the first day's start (one statement for every
    series); each hour falls in one day of the campaign's time zone, whose days begin on the hour."""
    per_day = {key: [0] * len(bounds) for key in keys}
    carried = dict.fromkeys(keys, 0)
    if keys:
        selects = []
        for key in keys:
            column = SERIES_COLUMNS[key]
            hour = _hours_after(column, bounds[0]).label("hour")
            selects.append(sa.select(sa.literal(key).label("key"), hour, sa.func.count())
                           .where(CampaignUnit.campaign_id == campaign.id, column.is_not(None)).group_by(hour))
        for key, hour, count in db.session.execute(sa.union_all(*selects)):
            if hour < 0:
                carried[key] += count
            else:
                per_day[key][bisect_right(bounds, bounds[0] + timedelta(hours=hour)) - 1] += count
    result = {}
    for key in keys:
        values, running = [], carried[key]
        for count in per_day[key][:drawn]:
            running += count
            values.append(running)
        result[key] = (carried[key], values)
    return result


def build_chart(campaign: Campaign, phase: Phase, minimum: int, participants: int, lasts: dict[str, datetime | None],
                *, now: datetime | None = None) -> Chart:
    """The cumulative series of the phase; `lasts` holds each series' latest moment (from the board's tallies)."""
    tz = campaign.timezone
    today = local_today(tz, now=now)
    start = phase_start(campaign, phase)
    deadline = campaign.deadline(phase)
    keys = ["reported", "registered"] if phase is Phase.REPORT else ["registered"]
    # Late work under an extension stretches the chart past the deadline.
    last = max((lasts[key] for key in keys if lasts[key] is not None), default=None)
    end = max(deadline, to_local(last, tz).date() if last else deadline, start)
    # Days in the campaign's time zone: each moment is placed by the UTC moments the days begin at.
    days = (end - start).days + 1
    bounds = [start_of_day_utc(start + timedelta(days=i), tz) for i in range(days)]
    drawn = (min(today, end) - start).days + 1 if today >= start else 0
    counts = _series(campaign, keys, bounds, drawn)
    noun = "đơn vị" if minimum == 1 else f"đơn vị đủ {minimum} đề xuất"
    labels = {
        "registered": f"Số {noun} đã đăng ký (lũy kế)",
        "reported": "Số đơn vị đã báo cáo kết quả mọi đề xuất (lũy kế, theo ngày gửi báo cáo cuối cùng)",
    }
    series = [Series(key, labels[key], *counts[key]) for key in keys]
    return Chart(start=start, end=end, deadline=deadline, today=today, target=participants, series=series)


def day_label(day: date, *, year: bool = False) -> str:
    return day.strftime("%d/%m/%Y" if year else "%d/%m")


@dataclass
class ChartLayout:
    """Coordinates for the SVG (viewBox units), computed here so the template only places them.

    The dates under the axis are as many as fit (at most `labels`), the first and the last always;
    when the chart crosses into another year the first date and the first of each new year carry it.
    The labels that follow the data (the last values, "Hôm nay", the deadline, the target) are placed
    by `thidua.charts.place`: each on the first side of its point where it stays inside the plot and
    clear of the text placed before it."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    y_max: int
    y_ticks: list[tuple[float, Label]]  # (y of the grid line, its label)
    x_ticks: list[tuple[float, Label]]  # (x of the tick, its date)
    axis_label: Label
    target_y: float
    target_label: Label
    polylines: dict[str, str]  # series key -> "x,y x,y ..."
    ends: dict[str, tuple[float, float, int]]  # series key -> last point and its value
    end_labels: dict[str, Label]
    deadline_x: float | None
    deadline_label: Label | None
    today_x: float | None
    today_label: Label | None

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def labels(self) -> list[Label]:
        """Every piece of text drawn."""
        return ([label for _, label in self.y_ticks] + [label for _, label in self.x_ticks]
                + [self.axis_label, self.target_label] + list(self.end_labels.values())
                + [label for label in (self.deadline_label, self.today_label) if label is not None])

    @classmethod
    def of(cls, chart: Chart, width: int = 760, height: int = 300, labels: int = 8) -> ChartLayout:
        left, right_margin, top, bottom_margin = (60, 20, 24, 40) if width >= 500 else (44, 12, 24, 40)
        # Four whole-number steps up to at least the target and the highest count (units are counted).
        y_step = -(-max([chart.target, 1] + [s.last for s in chart.series]) // 4)
        y_max = 4 * y_step
        tick_texts = [format_number(y_step * f) for f in range(5)]
        left = max(left, math.ceil(max(text_width(t, 12) for t in tick_texts)) + 12)
        plot_width, plot_height = width - left - right_margin, height - top - bottom_margin
        bottom, right = top + plot_height, left + plot_width
        days = (chart.end - chart.start).days
        years = chart.start.year != chart.end.year

        def x(day: date) -> float:
            offset = (day - chart.start).days
            return round(left + (offset / days if days else 0.5) * plot_width, 1)

        def y(value: int) -> float:
            return round(top + plot_height - value / y_max * plot_height, 1)

        y_ticks = [(y(y_step * f), Label.one(left - 6, y(y_step * f) + 4, tick_texts[f], "end")) for f in range(5)]

        def tick_labels(offsets: list[int]) -> list[tuple[float, Label]]:
            result, year = [], None
            for offset in offsets:
                day = chart.start + timedelta(days=offset)
                anchor = "middle" if not days else "start" if offset == 0 else "end" if offset == days else "middle"
                result.append((x(day), Label.one(x(day), bottom + 18, day_label(day, year=years and day.year != year),
                                                 anchor)))
                year = day.year
            return result

        def clash(ticks: list[tuple[float, Label]]) -> int | None:
            return next((k for k in range(len(ticks) - 1) if ticks[k][1].overlaps(ticks[k + 1][1], gap=8)), None)

        # As many evenly spaced dates as fit, the first and the last always.
        for count in range(max(2, labels), 1, -1):
            step = max(1, -(-days // (count - 1)))
            offsets = list(range(0, days + 1, step))
            if offsets[-1] != days:
                offsets.append(days)
            x_ticks = tick_labels(offsets)
            if clash(x_ticks) is None:
                break
        while (k := clash(x_ticks)) is not None:  # two dates that still meet: the later one gives way
            offsets.pop(k + 1 if k + 1 < len(offsets) - 1 or k == 0 else k)
            x_ticks = tick_labels(offsets)

        plot = (left, top, right, bottom)
        axis_label = Label.one(right, height - 4, "Ngày", "end")
        placed = [label for _, label in y_ticks + x_ticks] + [axis_label]
        target_y = y(chart.target)
        target_text = f"Chỉ tiêu 100%: {format_number(chart.target)} đơn vị"
        target_label = place([Label.one(right, target_y - 6, target_text, "end"),
                              Label.one(right, target_y + 16, target_text, "end")], placed, (left, 0, right, bottom))

        polylines, ends, end_labels = {}, {}, {}
        for series in chart.series:
            if not series.values:
                continue
            points = [(x(chart.start + timedelta(days=i)), y(v)) for i, v in enumerate(series.values)]
            if len(points) == 1 and not days:
                points = [(left, points[0][1]), (left + plot_width, points[0][1])]
            polylines[series.key] = " ".join(f"{px},{py}" for px, py in points)
            ex, ey = points[-1]
            ends[series.key] = (ex, ey, series.values[-1])
            text = format_number(series.values[-1])
            end_labels[series.key] = place([Label.one(ex + dx, ey + dy, text, anchor)
                                            for dy in (16, -8, 30, -22) for dx, anchor in ((-6, "end"), (6, "start"))],
                                           placed, plot)

        deadline_x = x(chart.deadline) if chart.start <= chart.deadline < chart.end else None
        deadline_label = None
        if deadline_x is not None:
            text = f"Hạn {day_label(chart.deadline, year=years)}"
            deadline_label = place([Label.one(deadline_x + dx, top + dy, text, anchor)
                                    for dy in (14, 30, 46) for dx, anchor in ((-4, "end"), (4, "start"))],
                                   placed, plot)
        today_x = x(chart.today) if chart.start <= chart.today <= chart.end else None
        today_label = None
        if today_x is not None:
            sides = ((4, "start"), (-4, "end"))  # right of the line, else left of it; then higher up
            today_label = place([Label.one(today_x + dx, bottom - dy, "Hôm nay", anchor)
                                 for dy in range(6, int(plot_height), 16) for dx, anchor in sides], placed, plot)
        return cls(width, height, left, top, plot_width, plot_height, y_max, y_ticks, x_ticks, axis_label, target_y,
                   target_label, polylines, ends, end_labels, deadline_x, deadline_label, today_x, today_label)
