"""A published summary built to make Markdown slow: saved once, and every public page stays fast."""
from __future__ import annotations

import time

import pytest

from tests.gallery.conftest import entry_of, make_model

LIMIT = 20000  # the form's length limit
PATHOLOGICAL = {
    "nested brackets": "[" * (LIMIT // 2) + "x" + "]" * (LIMIT // 2 - 1),
    "open brackets": "[" * LIMIT,
    "images": "![" * (LIMIT // 2),
    "unclosed links": "[a](" * (LIMIT // 4),
    "raw html": "<a " * (LIMIT // 3),
}


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_the_model_page_and_the_feed_answer_fast_whatever_the_summary(client, world, name):
    summary = PATHOLOGICAL[name]
    model, saving = timed(lambda: make_model(world, summary=summary))
    assert saving < 3, f"saving took {saving:.1f} s"
    entry = entry_of(model)
    assert entry.summary_html.startswith("<p>")
    for url in (f"/thu-vien/{entry.id}-{entry.slug}", "/thu-vien/feed.atom", "/thu-vien"):
        response, seconds = timed(lambda: client.get(url))
        assert response.status_code == 200, url
        assert seconds < 1, f"{url} took {seconds:.1f} s"


def test_the_text_is_shown_as_typed_when_it_holds_too_many_brackets(client, world):
    summary = "Cách làm: " + "[[[[bước]]]] " * 3
    entry = entry_of(make_model(world, summary=summary))
    page = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    assert "[[[[bước]]]]" in page


def test_ordinary_links_and_emphasis_still_render(client, world):
    entry = entry_of(make_model(world, summary="**Đậm** và [cổng dịch vụ công](https://dichvucong.gov.vn)"))
    assert "<strong>Đậm</strong>" in entry.summary_html
    assert 'href="https://dichvucong.gov.vn"' in entry.summary_html
