"""Small page helpers shared by the browser tests."""
from __future__ import annotations


def field(page, label: str):
    """The form control whose label is exactly `label`."""
    return page.get_by_label(label, exact=True)


def status_badge(page):
    """The status badge in the heading of an initiative's page."""
    return page.locator(".page-head .badge")


def fits_width(page) -> bool:
    """Nothing sticks out sideways. Compared with the viewport the context was made with: a mobile
    browser widens its layout viewport (and window.innerWidth) to whatever overflows."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def accept_dialogs(page) -> list[str]:
    """Accept every confirm() the page shows; the list fills with what was asked."""
    asked: list[str] = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


_CHART_TEXT = """() => [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().width > 0)
  .flatMap(svg => {
    const view = svg.viewBox.baseVal, label = svg.getAttribute('aria-label') || svg.getAttribute('class');
    const boxes = [...svg.querySelectorAll('text')].map(t => ({text: t.textContent, box: t.getBBox()}));
    const wrong = boxes.filter(({box: b}) => b.x < -0.5 || b.y < -0.5 || b.x + b.width > view.width + 0.5
                                           || b.y + b.height > view.height + 0.5)
                       .map(({text}) => `${label}: “${text}” sticks out`);
    boxes.forEach(({text: ta, box: a}, i) => boxes.slice(i + 1).forEach(({text: tb, box: b}) => {
      // Line boxes include the font's leading, so rows of text may touch by a pixel or so.
      if (a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 1.5
          && b.y < a.y + a.height - 1.5) wrong.push(`${label}: “${ta}” meets “${tb}”`);
    }));
    return wrong;
  })"""


def chart_text_clashes(page) -> list[str]:
    """Text of the charts shown that sticks out of its SVG's viewBox or meets other text, as drawn."""
    return page.evaluate(_CHART_TEXT)


def search_box(page, label: str):
    """The search box of a searchable list (static/js/app.js over a <select>), once the script has made it:
    before that the plain <select> answers to the same name."""
    from playwright.sync_api import expect

    box = page.locator(".ts-wrapper").get_by_role("combobox", name=label)
    expect(box).to_be_visible()
    return box
