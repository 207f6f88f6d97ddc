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


# Python-Markdown's inline patterns take time that grows with the square of the number of "[" (links,
# images) and "<" (raw HTML, autolinks) in a block: 10,000 "[" take 25 s. Past these bounds the
# characters are shown as typed instead of being read as markup, so no text renders slowly.
MAX_BRACKETS = 200
MAX_BRACKET_DEPTH = 3
MAX_ANGLES = 200


def bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "]" and depth:
            depth -= 1
    return deepest


def too_much_markup(text: str) -> bool:
    """True for text the renderer would not read as links or HTML (see `bounded`)."""
    return (text.count("[") > MAX_BRACKETS or text.count("<") > MAX_ANGLES
            or ("[" in text and bracket_depth(text) > MAX_BRACKET_DEPTH))


def bounded(text: str) -> str:
    """The text with the characters that would make rendering slow written as entities (shown as typed)."""
    if text.count("[") > MAX_BRACKETS or ("[" in text and bracket_depth(text) > MAX_BRACKET_DEPTH):
        text = text.replace("[", "&#91;").replace("]", "&#93;")
    if text.count("<") > MAX_ANGLES:
        text = text.replace("<", "&lt;")
    return text


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for Markdown text (a plain string; `render_markdown` marks it safe).

    Pages show HTML rendered once when the text was saved (e.g. GalleryEntry.summary_html);
    this runs on save, and is bounded so that it stays fast whatever the text.
    """
    if not text or not text.strip():
        return ""
    text = bounded(text)
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


def html_to_text(html: str) -> str:
    """The words of rendered HTML without its tags."""
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())


def markdown_to_text(text: str) -> str:
    """The words of Markdown text without markup (for search, previews and Open Graph descriptions)."""
    return html_to_text(markdown_to_html(text))
