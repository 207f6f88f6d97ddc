"""Markdown that people type, rendered to HTML that is safe to show to anyone.

Markdown is converted with Python-Markdown, then the HTML goes through nh3 (the Rust
ammonia sanitiser) with an allow-list: no script or style, no event handlers, no
`javascript:` or `data:` links, no raw HTML that the allow-list does not name. Links get
rel="noopener noreferrer nofollow". The result is wrapped in `Markup` only after that.
"""
from __future__ import annotations

import html as html_lib

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "blockquote", "code", "pre",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["tables", "sane_lists", "nl2br"]


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for Markdown text (a plain string; `render_markdown` marks it safe)."""
    if not text or not text.strip():
        return ""
    # Headings # and ## would compete with the page's own; they are shown one level down.
    html = markdown_lib.markdown(text, extensions=EXTENSIONS, output_format="html")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    return Markup(markdown_to_html(text))


def markdown_to_text(text: str) -> str:
    """The words of Markdown text without markup (for search, previews and Open Graph descriptions)."""
    html = markdown_to_html(text)
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())
