"""Charts laid out in Python and drawn as SVG by templates/_charts.html (no script needed).

`BarChart.of(...)` takes categories and one list of values per series and computes every
coordinate in viewBox units, with a "nice" scale (1, 2, 2.5, 5 × 10^n) for the axis.

Every piece of text is a `Label` whose box is estimated from its characters (`CHAR_WIDTH` ems
each, generous for Vietnamese in a sans-serif face), so that a layout can keep its text inside
the viewBox and apart: `place` takes a label's candidate positions in order of preference and
keeps the first that fits beside the labels already placed. Category names are wrapped to the
width of their slot at the largest size their longest word fits in; an abbreviated one carries
its full name as a <title> (shown on hover and read by screen readers).
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from thidua.numbers import format_fixed

COLOURS = ["#0b5cad", "#1e7b34", "#9a6200", "#7b3fa0", "#b3261e", "#0f766e"]
CHAR_WIDTH = 0.6  # a glyph's advance, in ems: an upper estimate for the fonts the charts name
ASCENT, DESCENT = 0.8, 0.2  # of a line's box above and below its baseline, in ems
LINE_HEIGHT = 1.2  # in ems, between the baselines of a wrapped label's lines

Bounds = tuple[float, float, float, float]  # left, top, right, bottom


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


@dataclass(frozen=True)
class Label:
    """A piece of text: `y` is the first line's baseline; later lines follow LINE_HEIGHT apart."""

    x: float
    y: float
    lines: tuple[str, ...]
    anchor: str = "middle"  # start, middle or end, as SVG's text-anchor
    size: float = 12
    title: str = ""  # the full text, when the lines abbreviate it

    @classmethod
    def one(cls, x: float, y: float, text: str, anchor: str = "middle", size: float = 12) -> Label:
        return cls(round(x, 1), round(y, 1), (text,), anchor, size)

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def leading(self) -> float:
        return round(self.size * LINE_HEIGHT, 1)

    @property
    def box(self) -> Bounds:
        width = max(text_width(line, self.size) for line in self.lines)
        left = self.x - {"start": 0, "middle": width / 2, "end": width}[self.anchor]
        top = self.y - ASCENT * self.size
        bottom = self.y + DESCENT * self.size + self.leading * (len(self.lines) - 1)
        return left, top, left + width, bottom

    def inside(self, bounds: Bounds) -> bool:
        left, top, right, bottom = self.box
        return left >= bounds[0] - 0.01 and top >= bounds[1] - 0.01 and right <= bounds[2] + 0.01 \
            and bottom <= bounds[3] + 0.01

    def overlaps(self, other: Label, gap: float = 0) -> bool:
        a, b = self.box, other.box
        return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] and b[1] < a[3]


def place(candidates: Sequence[Label], placed: list[Label], bounds: Bounds) -> Label:
    """The first candidate inside `bounds` that overlaps no placed label (else the first inside,
    else the first), added to `placed`."""
    inside = [label for label in candidates if label.inside(bounds)] or list(candidates[:1])
    chosen = next((label for label in inside if not any(label.overlaps(other) for other in placed)), inside[0])
    placed.append(chosen)
    return chosen


def fits(labels: Sequence[Label], bounds: Bounds) -> bool:
    """Every label inside `bounds` and apart from the others."""
    return all(label.inside(bounds) for label in labels) and not any(
        a.overlaps(b) for i, a in enumerate(labels) for b in labels[i + 1:])


def nice_max(value: float, ticks: int = 4, *, whole: bool = False) -> float:
    """The smallest 1/2/2.5/5 × 10^n step × ticks at or above value (whole steps for counts)."""
    if value <= 0:
        return ticks
    return nice_step(value / ticks, whole=whole) * ticks


def nice_step(raw: float, *, whole: bool = False) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above `raw` (whole numbers only, for counts)."""
    if whole and raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if whole and factor == 2.5 and power < 10:
            continue  # 2.5, 7.5: not a count
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


def _text(value: float, decimals: int) -> str:
    return format_fixed(round(value) if decimals == 0 else value, decimals)


LABEL_SIZES = (12, 11, 10)
LABEL_LINES = 4
VALUE_SIZES = (11, 10, 9)


def _chars(room: float, size: float) -> int:
    return max(1, int(room / (CHAR_WIDTH * size)))


def category_lines(names: Sequence[str], room: float, *, most: int | None = None,
                   lines: int = LABEL_LINES) -> tuple[float, list[tuple[list[str], bool]]]:
    """The font size and each name's lines, wrapped to `room` (viewBox units) and, if no name is cut
    for it, at most `most` characters a line; the largest size at which every word fits whole, else the smallest, its
    long words broken. A name longer than `lines` lines ends in an ellipsis (True: abbreviated)."""
    longest = max((len(word) for name in names for word in str(name).split()), default=1)
    size = next((s for s in LABEL_SIZES if _chars(room, s) >= longest), LABEL_SIZES[-1])
    width = _chars(room, size)
    if most:  # a narrower measure that reads better, unless it would cut a name short
        preferred = min(width, max(most, longest))
        if all(len(textwrap.wrap(str(name), preferred, break_on_hyphens=False)) <= lines for name in names):
            width = preferred
    result = []
    for name in names:
        wrapped = textwrap.wrap(str(name), width, break_on_hyphens=False) or [""]
        if len(wrapped) > lines:
            kept = wrapped[:lines - 1]
            kept.append(textwrap.shorten(" ".join(wrapped[lines - 1:]), width, placeholder="…")
                        if width > 1 else "…")
            if kept[-1] in ("", "…") or len(kept[-1]) > width:  # shorten() found no word to keep
                kept[-1] = wrapped[lines - 1][:width - 1] + "…"
            result.append((kept, True))
        else:
            result.append((wrapped, " ".join(wrapped) != " ".join(str(name).split())))
    return size, result


@dataclass(frozen=True)
class Bar:
    series: int
    label: str
    category: str
    x: float
    y: float
    width: float
    height: float
    text: str
    value: Label | None = None  # the value written by the bar, when there is room
    value_inside: bool = False  # written inside the bar's top (white), the bar reaching the top of the plot


Line = tuple[float, float, float, float]  # x1, y1, x2, y2


@dataclass
class BarChart:
    """Vertical bars (categories along the bottom) or, for a phone with long category names,
    horizontal ones (categories down the left, wrapped to up to four lines of a wide column)."""

    title: str
    width: int
    height: int
    left: float
    top: float
    plot_width: float
    plot_height: float
    series: list[str]
    bars: list[Bar]
    grid: list[Line]  # the scale's lines, 0 first
    tick_labels: list[Label]  # the scale's values
    category_labels: list[Label]
    values_shown: bool
    colours: list[str]
    horizontal: bool = False
    inputs: dict = field(default_factory=dict, repr=False)  # what `of` was given, for `narrow()`

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def axis(self) -> Line:
        """The line the bars stand on."""
        if self.horizontal:
            return self.left, self.top, self.left, self.bottom
        return self.left, self.bottom, self.right, self.bottom

    @property
    def empty(self) -> bool:
        return not any(bar.height if not self.horizontal else bar.width for bar in self.bars)

    @property
    def abbreviated(self) -> bool:
        return any(label.title for label in self.category_labels)

    @property
    def labels(self) -> list[Label]:
        """Every piece of text drawn."""
        return (self.tick_labels + self.category_labels
                + [bar.value for bar in self.bars if self.values_shown and bar.value])

    @classmethod
    def of(cls, title: str, categories: Sequence[str], series: dict[str, Sequence[float]], *, width: int = 480,
           height: int = 300, maximum: float | None = None, decimals: int = 0, suffix: str = "",
           label_width: int | None = None, narrow: dict | None = None, horizontal: bool = False) -> BarChart:
        """`narrow` may give other categories and series for a phone (fewer, wider bands, say).
        A horizontal chart is as tall as its categories need (`height` is ignored)."""
        names = list(series)
        peak = max([v for values in series.values() for v in values if v is not None] or [0])
        y_max = maximum if maximum is not None else nice_max(peak, whole=decimals == 0)
        tick_decimals = 0 if all(float(y_max * f / 4).is_integer() for f in range(5)) else 1
        tick_texts = [_text(y_max * f / 4, tick_decimals) + suffix for f in range(5)]
        inputs = {"title": title, "categories": list(categories), "series": series, "maximum": maximum,
                  "decimals": decimals, "suffix": suffix, "narrow": narrow, "label_width": label_width}
        values = [[series[name][index] or 0 for name in names] for index in range(len(categories))]
        texts = [[_text(v, decimals) + suffix for v in row] for row in values]
        if horizontal:
            return cls._horizontal(title, categories, names, values, texts, y_max, tick_texts, width, inputs)

        top, right_margin, gap = 22, 12, 2
        left = max(36, math.ceil(max(text_width(t, 12) for t in tick_texts)) + 12)
        plot_width = width - left - right_margin
        slot = plot_width / max(1, len(categories))
        size, wrapped = category_lines([str(c) for c in categories], slot - gap, most=label_width)
        lines = max((len(w) for w, _ in wrapped), default=1)
        leading = round(size * LINE_HEIGHT, 1)
        bottom_margin = math.ceil(6 + ASCENT * size + leading * (lines - 1) + DESCENT * size + 4)
        plot_height = height - top - bottom_margin
        bottom = top + plot_height
        category_labels = [Label(round(left + (i + 0.5) * slot, 1), round(bottom + 6 + ASCENT * size, 1), tuple(w),
                                 "middle", size, str(c) if short else "")
                           for i, (c, (w, short)) in enumerate(zip(categories, wrapped))]
        ys = [round(bottom - f / 4 * plot_height, 1) for f in range(5)]
        grid = [(left, y, left + plot_width, y) for y in ys]
        tick_labels = [Label.one(left - 6, y + 4, tick_texts[f], "end") for f, y in enumerate(ys)]

        group = slot * 0.78
        bar_width = group / max(1, len(names))
        bars = []
        for index, category in enumerate(categories):
            start = left + index * slot + (slot - group) / 2
            for number, name in enumerate(names):
                value = values[index][number]
                h = round(min(value, y_max) / y_max * plot_height, 1) if y_max else 0
                bars.append(Bar(number, name, str(category), round(start + number * bar_width, 1),
                                round(bottom - h, 1), round(bar_width - 2, 1), h, texts[index][number]))
        bars, shown = _with_values(bars, (left, top, left + plot_width, bottom))
        return cls(title, width, height, left, top, plot_width, plot_height, names, bars, grid, tick_labels,
                   category_labels, values_shown=shown, colours=COLOURS, inputs=inputs)

    @classmethod
    def _horizontal(cls, title, categories, names, values, texts, y_max, tick_texts, width, inputs) -> BarChart:
        top, value_size, gap = 8, 11, 8
        widest_value = max((text_width(t, value_size) for row in texts for t in row), default=0)
        right_margin = math.ceil(max(12, widest_value + 8, text_width(tick_texts[-1], 12) / 2 + 4))
        room = round(width * 0.4)
        size, wrapped = category_lines([str(c) for c in categories], room, lines=4)
        leading = round(size * LINE_HEIGHT, 1)
        left = room + gap
        plot_width = width - left - right_margin
        lines = max((len(w) for w, _ in wrapped), default=1)
        row = max(len(names) * 15 + 8, math.ceil((ASCENT + DESCENT) * size + leading * (lines - 1)) + 10)
        plot_height = row * max(1, len(categories))
        bottom = top + plot_height
        height = math.ceil(bottom + 6 + 12 + 6)
        xs = [round(left + f / 4 * plot_width, 1) for f in range(5)]
        grid = [(x, top, x, bottom) for x in xs]
        tick_labels = [Label.one(x, bottom + 6 + ASCENT * 12, tick_texts[f], "middle") for f, x in enumerate(xs)]
        category_labels = []
        bars = []
        for index, category in enumerate(categories):
            lines_of, short = wrapped[index]
            centre = top + (index + 0.5) * row
            first = centre - leading * (len(lines_of) - 1) / 2 + (ASCENT - DESCENT) / 2 * size
            category_labels.append(Label(left - gap, round(first, 1), tuple(lines_of), "end", size,
                                         str(category) if short else ""))
            group = row * 0.78
            thickness = group / max(1, len(names))
            for number, name in enumerate(names):
                value = values[index][number]
                w = round(min(value, y_max) / y_max * plot_width, 1) if y_max else 0
                y = top + index * row + (row - group) / 2 + number * thickness
                bar = Bar(number, name, str(category), left, round(y, 1), w, round(thickness - 2, 1),
                          texts[index][number])
                label = Label.one(left + w + 4, y + (thickness - 2) / 2 + (ASCENT - DESCENT) / 2 * value_size,
                                  bar.text, "start", value_size)
                bars.append(Bar(**{**bar.__dict__, "value": label}))
        values_labels = [bar.value for bar in bars]
        shown = fits(values_labels + tick_labels + category_labels, (0, 0, width, height))
        return cls(title, width, height, left, top, plot_width, plot_height, names, bars, grid, tick_labels,
                   category_labels, values_shown=shown, colours=COLOURS, horizontal=True, inputs=inputs)

    def narrow(self) -> BarChart:
        """The same chart for a phone: 360 units wide, so that its text stays readable; drawn
        sideways when its category names would not fit under the bars without being cut."""
        inputs = {**self.inputs, **(self.inputs["narrow"] or {})}
        many = len(inputs["categories"]) > 5
        arguments = dict(width=360, height=340 if many else 260, maximum=inputs["maximum"],
                         decimals=inputs["decimals"], suffix=inputs["suffix"])
        upright = BarChart.of(inputs["title"], inputs["categories"], inputs["series"], **arguments)
        if not upright.abbreviated and max((len(l.lines) for l in upright.category_labels), default=1) <= 3:
            return upright
        return BarChart.of(inputs["title"], inputs["categories"], inputs["series"], horizontal=True, **arguments)


def _with_values(bars: list[Bar], plot: Bounds) -> tuple[list[Bar], bool]:
    """The bars with their values written above them, inside the plot (inside a bar's top when it
    reaches the plot's top), at the largest size at which no two values meet; (bars, False) if none."""
    for size in VALUE_SIZES:
        placed: list[Label] = []
        result = []
        for bar in bars:
            centre = bar.x + bar.width / 2
            above = Label.one(centre, bar.y - 4, bar.text, "middle", size)
            inside = Label.one(centre, bar.y + 4 + ASCENT * size, bar.text, "middle", size)
            if above.inside(plot):
                label, within = above, False
            else:
                label, within = inside, True
            result.append(Bar(**{**bar.__dict__, "value": label, "value_inside": within}))
            placed.append(label)
        if fits(placed, plot) and all(b.height >= ASCENT * size + 6 for b in result if b.value_inside):
            return result, True
    return bars, False
