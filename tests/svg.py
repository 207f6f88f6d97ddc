"""The text of a chart as drawn: every <text> of an SVG with its estimated box, read from the markup.

The estimate is the one a reviewer would make by hand, independent of thidua.charts: each character
0.6 em wide, placed by its text-anchor; a line 0.8 em above its baseline and 0.2 em below; the lines
of a wrapped label at the dy of their tspans. A text's <title> (its full name, for hover) is not drawn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Text:
    role: str  # its class without "chart-": tick, category, value, date, today, deadline, target, axis
    lines: tuple[str, ...]
    title: str
    box: tuple[float, float, float, float]  # left, top, right, bottom

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def overlaps(self, other: Text) -> bool:
        a, b = self.box, other.box
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class Drawing:
    classes: str
    width: float
    height: float
    texts: list[Text]
    root: etree._Element

    def outside(self) -> list[Text]:
        return [t for t in self.texts if t.box[0] < -0.05 or t.box[1] < -0.05
                or t.box[2] > self.width + 0.05 or t.box[3] > self.height + 0.05]

    def overlapping(self) -> list[tuple[str, str]]:
        return [(a.text, b.text) for i, a in enumerate(self.texts) for b in self.texts[i + 1:] if a.overlaps(b)]

    def assert_text_fits(self) -> None:
        assert not self.outside(), (self.classes, [(t.text, t.box) for t in self.outside()], self.width, self.height)
        assert not self.overlapping(), (self.classes, self.overlapping())

    def role(self, role: str) -> list[Text]:
        return [t for t in self.texts if t.role == role]

    def rects(self, cls: str = "bar") -> list[etree._Element]:
        return [r for r in self.root.iter(f"{SVG}rect") if cls in (r.get("class") or "").split()]


def _size(element) -> float:
    while element is not None:
        if element.get("font-size"):
            return float(element.get("font-size"))
        element = element.getparent()
    return 16.0


def _text(element) -> Text:
    size = _size(element)
    anchor = element.get("text-anchor", "start")
    x, y = float(element.get("x")), float(element.get("y"))
    title = "".join(t.text or "" for t in element.findall(f"{SVG}title"))
    spans = element.findall(f"{SVG}tspan")
    if spans:
        placed, baseline = [], y
        for span in spans:
            baseline += float(span.get("dy", 0))
            placed.append((float(span.get("x", x)), baseline, span.text or ""))
    else:
        words = (element.text or "") + "".join(child.tail or "" for child in element)
        placed = [(x, y, words.strip())]
    left = top = float("inf")
    right = bottom = float("-inf")
    for lx, ly, line in placed:
        width = len(line) * size * 0.6
        start = lx - {"start": 0, "middle": width / 2, "end": width}[anchor]
        left, right = min(left, start), max(right, start + width)
        top, bottom = min(top, ly - 0.8 * size), max(bottom, ly + 0.2 * size)
    lines = tuple(line for _, _, line in placed)
    return Text(element.get("class", "").removeprefix("chart-"), lines, title, (left, top, right, bottom))


def drawings(html: str) -> list[Drawing]:
    """Every <svg class="chart ..."> of a page."""
    result = []
    for markup in re.findall(r'<svg class="chart[^"]*".*?</svg>', html, re.S):
        root = etree.fromstring(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1).encode())
        _, _, width, height = map(float, root.get("viewBox").split())
        texts = [_text(t) for t in root.iter(f"{SVG}text")]
        result.append(Drawing(root.get("class"), width, height, texts, root))
    return result


def drawing(html: str) -> Drawing:
    (only,) = drawings(html)
    return only
