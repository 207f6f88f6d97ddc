"""Payloads typed into the public summary come out harmless on the page, in the feed and in the JSON."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.gallery.conftest import entry_of, make_model

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">bấm</a>",
    "[bấm vào đây](javascript:alert(1))",
    "[bấm](JaVaScRiPt:alert(1))",
    "[bấm](&#106;avascript:alert(1))",
    "[ảnh](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](x\" onerror=\"alert(1))",
    "<iframe src=\"https://example.com\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p onmouseover=\"alert(1)\">di chuột</p>",
    "<object data=\"x.swf\"></object><embed src=x>",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    "<scr<script>ipt>alert(1)</script>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "`<script>` trong mã và **đậm**",
]
DANGEROUS = re.compile(r"<(script|iframe|object|embed|svg|math|form|input|meta|base|style|img)\b|\son\w+\s*=|javascript:|"
                       r"data:text|style=", re.IGNORECASE)


def _summary_html(page: str) -> str:
    return page.split('<div class="prose">', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_the_summary_is_rendered_harmless(client, world, payload):
    model = make_model(world, title="Mô hình thử", summary=f"Giới thiệu.\n\n{payload}\n\nHết.")
    entry = entry_of(model)
    page = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    rendered = _summary_html(page)
    assert not DANGEROUS.search(rendered), rendered
    assert "Giới thiệu." in rendered  # the text around the payload is kept (an unclosed tag may swallow the end)
    # The head (Open Graph description) carries the text escaped, never markup.
    description = re.search(r'<meta property="og:description" content="([^"]*)">', page)
    assert description is not None and "<" not in description.group(1)
    assert page.count("<script") == 1  # the site's own script file, nothing else
    feed = ET.fromstring(client.get("/thu-vien/feed.atom").data)
    content = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content").text
    assert not DANGEROUS.search(content), content


def test_safe_markdown_survives(client, world):
    model = make_model(world, title="Mô hình định dạng",
                       summary="## Cách làm\n\n- **Bước 1**: [cổng](https://dichvucong.gov.vn)\n- *Bước 2*")
    entry = entry_of(model)
    rendered = _summary_html(client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True))
    assert "<h3>Cách làm</h3>" in rendered and "<strong>Bước 1</strong>" in rendered
    assert 'href="https://dichvucong.gov.vn"' in rendered and 'rel="noopener noreferrer nofollow"' in rendered
