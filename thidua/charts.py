"""Bar charts laid out in Python and drawn as SVG by templates/_charts.html (no script needed).

`BarChart.of(...)` takes categories and one list of values per series and computes every
coordinate in viewBox units, with a "nice" scale (1, 2, 2.5, 5 × 10^n) for the axis.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from thidua.numbers import format_fixed

COLOURS = ["#0b5cad", "#1e7b34", "#9a6200", "#7b3fa0", "#b3261e", "#0f766e"]


def nice_max(value: float, ticks: int = 4, *, whole: bool = False) -> float:
    """The smallest 1/2/2.5/5 × 10^n step × ticks at or above value (whole steps for counts)."""
    if value <= 0:
        return ticks
    raw = value / ticks
    if whole and raw <= 1:
        return ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if whole and factor == 2.5 and power < 10:
            continue  # 2.5, 7.5: not a count
        if raw <= factor * power:
            step = factor * power
            break
    return step * ticks


def _text(value: float, decimals: int) -> str:
    return format_fixed(round(value) if decimals == 0 else value, decimals)


def _label_lines(text: str, width: int, lines: int = 3) -> list[str]:
    """The label wrapped to at most `lines` lines; what does not fit ends in an ellipsis."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    kept[-1] = textwrap.shorten(" ".join(wrapped[lines - 1:]), width, placeholder="…")
    return kept


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


@dataclass
class BarChart:
    title: str
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    series: list[str]
    bars: list[Bar]
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_labels: list[tuple[float, list[str]]]
    values_shown: bool
    colours: list[str]
    label_size: int = 12
    inputs: dict = field(default_factory=dict, repr=False)  # what `of` was given, for `narrow()`

    @property
    def right(self) -> float:
        return self.left + self.plot_width

    @property
    def bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def empty(self) -> bool:
        return not any(bar.height for bar in self.bars)

    @classmethod
    def of(cls, title: str, categories: Sequence[str], series: dict[str, Sequence[float]], *, width: int = 480,
           height: int = 300, maximum: float | None = None, decimals: int = 0, suffix: str = "",
           label_width: int | None = None) -> BarChart:
        names = list(series)
        left, right_margin, top = 56, 12, 22
        slot_width = (width - 68) / max(1, len(categories))
        label_size = 12 if slot_width >= 40 else 10
        label_width = min(label_width or 99, max(4, int(slot_width / (0.58 * label_size))))
        wrapped = [_label_lines(str(c), label_width) for c in categories]
        lines = max((len(w) for w in wrapped), default=1)
        bottom_margin = 12 + 14 * lines
        plot_width, plot_height = width - left - right_margin, height - top - bottom_margin
        peak = max([v for values in series.values() for v in values if v is not None] or [0])
        y_max = maximum if maximum is not None else nice_max(peak, whole=decimals == 0)
        slot = plot_width / max(1, len(categories))
        group = slot * 0.78
        bar_width = group / max(1, len(names))
        bars = []
        for index, (category, _) in enumerate(zip(categories, wrapped)):
            start = left + index * slot + (slot - group) / 2
            for number, name in enumerate(names):
                value = series[name][index] or 0
                h = round(min(value, y_max) / y_max * plot_height, 1) if y_max else 0
                bars.append(Bar(number, name, str(category), round(start + number * bar_width, 1),
                                round(top + plot_height - h, 1), round(bar_width - 2, 1), h,
                                _text(value, decimals) + suffix))
        tick_decimals = 0 if all(float(y_max * f / 4).is_integer() for f in range(5)) else 1
        y_ticks = [(round(top + plot_height - f / 4 * plot_height, 1), _text(y_max * f / 4, tick_decimals) + suffix)
                   for f in range(5)]
        x_labels = [(round(left + (i + 0.5) * slot, 1), w) for i, w in enumerate(wrapped)]
        return cls(title, width, height, left, top, plot_width, plot_height, names, bars, y_ticks, x_labels,
                   values_shown=len(categories) * len(names) <= 24, colours=COLOURS, label_size=label_size,
                   inputs={"title": title, "categories": list(categories), "series": series, "maximum": maximum,
                           "decimals": decimals, "suffix": suffix})

    def narrow(self) -> BarChart:
        """The same chart for a phone: 360 units wide, so that its text stays readable."""
        inputs = self.inputs
        many = len(inputs["categories"]) > 5
        return BarChart.of(inputs["title"], inputs["categories"], inputs["series"], width=360,
                           height=340 if many else 260, maximum=inputs["maximum"], decimals=inputs["decimals"],
                           suffix=inputs["suffix"])
