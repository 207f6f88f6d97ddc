"""What a person reads on any page is Vietnamese: no Python internals, no field keys, no English numbers.

Every page the demo reaches is fetched as every role (and signed out), following links the way a
person does, so a new page is checked as soon as another page links to it. What is checked is the
visible text — the page's words, the values in its boxes, its tooltips and placeholders — not the
markup around it.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import lxml.html
import pytest
import sqlalchemy as sa

from thidua import demo
from thidua.campaigns.models import Campaign
from thidua.extensions import db

from tests.crawl import crawl

# Python's own words and the shapes of its objects printed where a value was meant.
INTERNALS = re.compile(r"object at 0x|built-in method|bound method|<function |Traceback|Decimal\(|datetime\.|"
                       r"\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\{'|\['")
# A decimal point, or a comma grouping thousands: 85.00, 25.5, 1,245.5. (1.245 is Vietnamese.)
ENGLISH_NUMBER = re.compile(r"(?<![\w.,/:-])(?:\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(?:,\d{3})+\.\d+)(?![\w.,]*\d)")
# Identifiers of the code: snake_case words, and a record's keys followed by a colon.
FIELD_KEY = re.compile(r"(?<!\{)\b[a-z]+(?:_[a-z0-9]+)+\b(?!\})|\b(?:name|short_name|email|phone|title|code|state|status|kind|"
                       r"unit_type|parent|address|role|username):")
# Words run together where a template's line break was trimmed: "Sở— Quyết định", "Giải pháp(đề nghị".
RUN_TOGETHER = re.compile(r"\w[—(]|—\w")
WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")  # a link a unit typed is theirs, underscores and all
BOXES = ("div", "p", "li", "ul", "ol", "td", "th", "tr", "dt", "dd", "dl", "h1", "h2", "h3", "h4", "label",
         "legend", "fieldset", "section", "article", "header", "footer", "nav", "main", "form", "select", "option",
         "button", "textarea", "br", "table", "thead", "tbody", "small", "figure", "figcaption", "summary", "details")
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-tooltip")
SHOWN_INPUTS = {"text", "search", "number", "email", "tel", "url", "submit", "button", None}

ROLES = ["vanphong", "giamdoc", "hoidong2", "chuvanan.canbo", "chuvanan.hieutruong", None]


def visible_text(html: str) -> tuple[str, str]:
    """(the text nodes as the browser runs them together, the words apart with the boxes and tooltips).

    Run together, "Sở" + "<span>— Quyết định" reads "Sở— Quyết định"; apart, the words of two blocks
    never merge into a false identifier.
    """
    page = lxml.html.fromstring(html)
    # Code spans show the literal names a file or a template uses ({so_sang_kien}, parent_code).
    for hidden in page.xpath("//script|//style|//template|//noscript|//code|//kbd"):
        hidden.drop_tree()
    parts = [" ".join(page.itertext())]
    parts += [value for attribute in ATTRIBUTES for value in page.xpath(f"//@{attribute}")]
    parts += [field.get("value", "") for field in page.iter("input") if field.get("type") in SHOWN_INPUTS]
    for box in page.iter(*BOXES):  # a block or a control is a box of its own: its edges are not run together
        box.text, box.tail = " " + (box.text or ""), " " + (box.tail or "")
    return "".join(page.itertext()), "\n".join(parts)


def _problems(text: tuple[str, str]) -> list[str]:
    joined, spaced = text
    found = []
    for pattern, kind, source in ((INTERNALS, "Python", spaced), (ENGLISH_NUMBER, "số kiểu Anh", spaced),
                                  (FIELD_KEY, "khoá trường", WEB_ADDRESS.sub(" ", spaced)),
                                  (RUN_TOGETHER, "dính chữ", joined)):
        for match in pattern.finditer(source):
            start = max(0, match.start() - 40)
            found.append(f"{kind}: …{' '.join(source[start:match.end() + 40].split())}…")
    return found


def test_the_checks_catch_what_they_are_for():
    text = visible_text("""<p>cập nhật: &lt;built-in method update of dict object at 0x7f&gt;</p><p>Ngưỡng 85.00 · 25.5 ·
        1,245.5 · None</p><p>short_name: THPT</p><p>Giấy khen của Giám đốc Sở— Quyết định</p><input type="text" value="True"><input type=hidden value="None">""")
    kinds = [problem.split(":")[0] for problem in _problems(text)]
    assert kinds.count("Python") >= 3 and kinds.count("số kiểu Anh") == 3 and "khoá trường" in kinds and "dính chữ" in kinds
    fine = visible_text("<p>Ngưỡng 85,00 · 1.245,5 · 1.245 · 12/11/2024 · 1234/QĐ-SGDĐT · 17:05 · 95,6%</p>"
                        "<p>Cột <code>parent_code</code>, ví dụ <code>{so_sang_kien}</code></p>")
    assert _problems(fine) == []


@pytest.mark.parametrize("username", ROLES, ids=[r or "signed-out" for r in ROLES])
def test_no_page_any_role_reaches_shows_python_internals_field_keys_or_english_numbers(cli, client, username):
    assert cli("demo", "load").exit_code == 0
    start = ["/"]
    if username:
        client.login(SimpleNamespace(username=username), password=demo.PASSWORD)
        start += ["/tai-khoan"]
        if username == "vanphong":
            campaigns = db.session.scalars(sa.select(Campaign.id)).all()
            start += [f"/phong-trao/{campaign_id}" for campaign_id in campaigns] + ["/tong-ket", "/he-thong"]
    else:
        start += ["/thu-vien", "/dang-nhap"]

    problems, pages = {}, 0
    for url, _, response in crawl(client, start, depth=4, per_shape=3):
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        pages += 1
        if found := _problems(visible_text(response.get_data(as_text=True))):
            problems[url] = found[:5]
    assert pages >= 5
    assert not problems, "\n".join(f"{url}\n  " + "\n  ".join(found) for url, found in problems.items())


def test_every_kind_of_record_the_audit_log_names_has_a_vietnamese_name():
    from pathlib import Path

    from thidua.audit import OBJECT_LABELS

    source = "\n".join(path.read_text(encoding="utf-8") for path in Path("thidua").rglob("*.py"))
    recorded = set(re.findall(r'object_type="([a-z_]+)"', source))
    assert recorded and recorded <= set(OBJECT_LABELS), recorded - set(OBJECT_LABELS)


def test_every_action_the_audit_log_records_has_a_vietnamese_name():
    from pathlib import Path

    from thidua.audit import ACTION_LABELS

    source = "\n".join(path.read_text(encoding="utf-8") for path in Path("thidua").rglob("*.py"))
    recorded = set(re.findall(r'audit\.record\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert recorded and recorded <= set(ACTION_LABELS), sorted(recorded - set(ACTION_LABELS))


def test_every_page_names_its_icon_and_the_icon_is_served(client, world):
    client.login(world.secretariat)
    page = client.get("/phong-trao").get_data(as_text=True)
    link = re.search(r"<link rel=\"icon\"[^>]*>", page)
    assert link and "/static/img/favicon.svg" in link.group(0)
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
