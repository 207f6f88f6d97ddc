"""Markdown that people type, rendered to HTML that is safe to show to anyone.

Markdown is converted with Python-Markdown, then the HTML goes through nh3 (the Rust
ammonia sanitiser) with an allow-list: no script or style, no event handlers, no
`javascript:` or `data:` links, no raw HTML that the allow-list does not name. Links get
rel="noopener noreferrer nofollow". The result is wrapped in `Markup` only after that.
"""
from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

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


# A list item (after a blockquote's ">" if any; numbered up to 99, so that a year starting a line stays
# text), and a thematic break "- - -" that looks like one.
_LIST_ITEM = re.compile(r"^(?P<quote>(?: {0,3}>[ ]?)*) {0,3}(?:[-*+]|\d{1,2}\.)[ \t]+\S")
_BREAK = re.compile(r"^(?: {0,3}>[ ]?)* {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BLANK = re.compile(r"^(?: {0,3}>[ ]?)*[ \t]*$")


def separate_lists(text: str) -> str:
    """A blank line before a list that starts right under a line of text.

    People write "**Kết quả:**" and the items on the next lines; Python-Markdown wants a blank line
    first and otherwise shows the items as text ("- một"). Lines already in a list (items, their
    continuations) are left alone, so nested and loose lists read as before.
    """
    lines = text.split("\n")
    out: list[str] = []
    in_list = False
    previous_blank = True
    for line in lines:
        blank = bool(_BLANK.match(line))
        item = _LIST_ITEM.match(line) if not _BREAK.match(line) else None
        if item and not previous_blank and not in_list:
            out.append(item.group("quote").rstrip())
        if item:
            in_list = True
        elif blank:
            pass
        elif previous_blank and not line.startswith((" ", "\t")):
            in_list = False  # a paragraph after a blank line ends the list; an indented one continues it
        out.append(line)
        previous_blank = blank
    return "\n".join(out)


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for Markdown text (a plain string; `render_markdown` marks it safe).

    Pages show HTML rendered once when the text was saved (e.g. GalleryEntry.summary_html);
    this runs on save, and is bounded so that it stays fast whatever the text.
    """
    if not text or not text.strip():
        return ""
    text = separate_lists(bounded(text.replace("\r\n", "\n").replace("\r", "\n")))
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


_BLOCKS = {"p", "li", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br", "hr", "ul", "ol", "table"}


_MARKER_ONLY = re.compile(r"^(?:•|\d+\.)$")


class _Lines(HTMLParser):
    """Rendered HTML as lines of text: one per paragraph, heading, table row; list items as "• " or "1. "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.lists: list[list] = []  # for each open list: [ordered, next number]
        self.marker = False  # the line holds a list item's marker and none of its text yet

    def _end_line(self) -> None:
        if self.marker:
            return  # the item's text comes in its paragraph (a loose list)
        line = " ".join("".join(self.current).split())
        if line and not _MARKER_ONLY.match(line):
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._end_line()
        if tag in ("ul", "ol"):
            start = dict(attrs).get("start") or "1"
            self.lists.append([tag == "ol", int(start) if start.isdigit() else 1])
        elif tag == "li":
            ordered, number = self.lists[-1] if self.lists else (False, 1)
            if ordered:
                self.lists[-1][1] += 1
            self.current.append(f"{number}. " if ordered else "• ")
            self.marker = True
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_endtag(self, tag):
        if tag == "li":
            self.marker = False
        if tag in _BLOCKS:
            self._end_line()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()

    def handle_data(self, data):
        self.current.append(data)
        if data.strip():
            self.marker = False


def html_to_lines(html: str) -> str:
    """The text of rendered HTML with its blocks on lines of their own, list items marked (for excerpts)."""
    parser = _Lines()
    parser.feed(html or "")
    parser.close()
    parser._end_line()
    return "\n".join(parser.lines)


def markdown_to_text(text: str) -> str:
    """The words of Markdown text without markup (for search, previews and Open Graph descriptions)."""
    return html_to_text(markdown_to_html(text))
