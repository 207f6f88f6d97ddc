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
