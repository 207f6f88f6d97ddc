"""Markdown typed by people renders harmless: no script, no handlers, no javascript: links."""
from __future__ import annotations

import pytest

from thidua.markup import markdown_to_html, markdown_to_text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[bấm](javascript:alert(1))",
    "[bấm](JaVaScRiPt:alert(1))",
    "[bấm](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p onclick=\"alert(1)\">x</p>",
    "![x](x\" onerror=\"alert(1))",
    "<style>body{display:none}</style>",
    "<object data=x></object><embed src=x>",
    "<form action=https://evil.example><input name=a></form>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_renders_without_anything_that_runs(payload):
    html = markdown_to_html(f"Mô hình **một cửa**\n\n{payload}").lower()
    for needle in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg", "style=",
                   "<style", "<object", "<embed", "<form", "<input", "data:text", "<img"):
        assert needle not in html


def test_markdown_keeps_the_formatting_people_use():
    html = markdown_to_html("# Kết quả\n\n**Rút ngắn** thời gian, *giảm* chi phí:\n\n- một\n- hai\n\n"
                            "[Cổng](https://dichvucong.gov.vn)")
    assert "<h3>Kết quả</h3>" in html
    assert "<strong>Rút ngắn</strong>" in html and "<em>giảm</em>" in html
    assert "<li>một</li>" in html
    assert 'href="https://dichvucong.gov.vn"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_plain_text_of_markdown_has_no_markup():
    assert markdown_to_text("**một** cửa & <b>liên</b> thông") == "một cửa & liên thông"
    assert markdown_to_text("   ") == ""
