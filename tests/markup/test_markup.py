"""Markdown typed by people renders harmless: no script, no handlers, no javascript: links."""
from __future__ import annotations

import markdown
import nh3
import pytest

from thidua.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    html_to_lines,
    markdown_to_html,
    markdown_to_text,
)

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


@pytest.mark.parametrize(("text", "items"), [
    ("**Kết quả:**\n- một\n- hai", ["một", "hai"]),
    ("Kết quả:\n* một\n* hai", ["một", "hai"]),
    ("**Kết quả:**\r\n- một\r\n- hai", ["một", "hai"]),  # typed in a browser's text area
    ("## Các bước\n- một\n- hai", ["một", "hai"]),
    ("> **Kết quả:**\n> - một\n> - hai", ["một", "hai"]),
])
def test_a_list_right_under_a_line_of_text_is_a_list(text, items):
    html = markdown_to_html(text)
    assert "- " not in html and "* " not in html
    assert "<ul>" in html and [f"<li>{item}</li>" in html for item in items] == [True] * len(items)
    assert "Kết quả:" in html or "Các bước" in html


def test_a_numbered_list_right_under_a_line_is_numbered_but_a_year_starting_a_line_is_text():
    html = markdown_to_html("Các bước:\n1. Đăng ký\n2. Nộp hồ sơ")
    assert "<ol>" in html and "<li>Đăng ký</li>" in html and "<li>Nộp hồ sơ</li>" in html
    html = markdown_to_html("Kết quả năm\n2023. Tăng 20%")
    assert "<ol" not in html and "2023. Tăng 20%" in html


@pytest.mark.parametrize("text", ["Kết quả:\n\n- một\n- hai", "- một\n- hai\n\n    - con\n- ba",
                                  "- một dòng dài\n  tiếp tục\n- hai", "Tiêu đề\n- - -\nđoạn", "Đoạn một\nđoạn hai"])
def test_lists_already_written_well_and_text_around_them_render_as_before(text):
    before = markdown.markdown(text, extensions=["tables", "sane_lists", "nl2br"], output_format="html")
    assert markdown_to_html(text) == nh3.clean(before, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                               url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                                               strip_comments=True)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_list_under_a_line_is_still_sanitised(payload):
    html = markdown_to_html(f"**Kết quả:**\n- {payload}\n- hai").lower()
    for needle in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg", "style=", "<img"):
        assert needle not in html


def test_the_lines_of_rendered_text_keep_list_items_apart():
    html = markdown_to_html("**Kết quả:**\n- Giảm 3 ngày\n- Tiết kiệm giấy\n\nCác bước:\n1. Đăng ký\n2. Nộp\n\n"
                            "- lỏng\n\n- danh sách")
    assert html_to_lines(html).split("\n") == ["Kết quả:", "• Giảm 3 ngày", "• Tiết kiệm giấy", "Các bước:",
                                                "1. Đăng ký", "2. Nộp", "• lỏng", "• danh sách"]
    assert html_to_lines("") == ""
