"""The public pages answer 304 to a reader who has them, come from the shared cache, and are never stale:
whatever changes what they show is visible on the very next request, in the process cache and in Redis."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.gallery import cache, services
from thidua.workflow import State

from tests import factories
from tests.gallery.conftest import entry_of, make_model
from tests.jobs.conftest import redis_server_url  # noqa: F401  (a real Redis server for the session)

PAGES = ["/thu-vien", "/thu-vien?q=mot+cua", "/thu-vien/thong-ke", "/thu-vien.json", "/thu-vien/feed.atom"]


@pytest.fixture(params=["process", "redis"])
def store(request, app, monkeypatch):
    """The page cache the app uses: the bounded LRU of the process, or Redis (as with REDIS_URL)."""
    if request.param == "redis":
        pages = cache.RedisPages(request.getfixturevalue("redis_server_url"))
    else:
        pages = cache.ProcessPages()
    pages.clear()
    monkeypatch.setitem(app.extensions, "gallery_pages", pages)
    return pages


def page_of(client, initiative) -> str:
    entry = entry_of(initiative)
    return f"/thu-vien/{entry.id}-{entry.slug}"


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers.get("ETag"), url  # an anonymous page, through the cache
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES + ["model"])
def test_a_reader_who_has_the_page_gets_304_without_a_body(client, world, model, url):
    url = page_of(client, model) if url == "model" else url
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", etag)
    since = client.get(url, headers={"If-Modified-Since": modified})
    assert (since.status_code, since.data) == (304, b"")
    make_model(world, title="Mô hình mới công bố sau đó")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and changed.data


def titles(client, url: str = "/thu-vien.json") -> list[str]:
    return [item["title"] for item in client.get(url).get_json()["items"]]


def test_publishing_shows_the_new_model_on_the_next_request(client, world, model, store):
    new = "Nhật ký điện tử lớp học"
    before = {url: text(client, url) for url in PAGES}
    assert new not in before["/thu-vien"] and titles(client) == [model.title]
    make_model(world, title=new, unit=world.other_school)
    assert new in text(client, "/thu-vien") and new in text(client, "/thu-vien/feed.atom")
    assert new in text(client, "/thu-vien?q=nhat+ky") and titles(client) == [new, model.title]
    assert text(client, "/thu-vien/thong-ke") != before["/thu-vien/thong-ke"]


def test_unpublishing_takes_the_model_off_every_page_at_once(client, world, model, store):
    url = page_of(client, model)
    assert model.title in text(client, url) and model.title in text(client, "/thu-vien")
    services.unpublish_initiative(model, actor=world.secretariat, reason="Lộ thông tin học sinh")
    db.session.commit()
    assert client.get(url).status_code == 404
    for page in PAGES:
        assert model.title not in text(client, page), page
    assert titles(client) == []


def test_an_edited_text_is_shown_on_the_next_request(client, world, model, store):
    url = page_of(client, model)
    assert "Phiên bản đã sửa" not in text(client, url)
    services.publish_initiative(model, actor=world.secretariat, title=model.title, summary="Phiên bản đã sửa.",
                                public_file_ids=[])
    db.session.commit()
    assert "Phiên bản đã sửa" in text(client, url)
    assert client.get("/thu-vien.json").get_json()["items"][0]["summary"] == "Phiên bản đã sửa."


def test_an_adoption_is_counted_on_the_next_request(client, world, model, store):
    url = page_of(client, model)
    assert world.other_school.name not in text(client, url)
    assert client.get("/thu-vien.json").get_json()["items"][0]["adoptions"] == 0
    services.record_adoption(entry_of(model), actor=world.other_editor, adopted_on=date(2024, 10, 1), note="Áp dụng")
    db.session.commit()
    assert world.other_school.name in text(client, url)
    assert client.get("/thu-vien.json").get_json()["items"][0]["adoptions"] == 1


def test_a_decision_recorded_after_publication_is_cited_on_the_next_request(client, world, store):
    from thidua.awards.models import AwardDecision, AwardEntry

    proposed = make_model(world, title="Mô hình chờ quyết định", status=State.AWARDED, publish=False)
    award_list = factories.decided_award(world, proposed, decided=False)
    db.session.commit()
    services.publish_initiative(proposed, actor=world.secretariat, title=proposed.title, summary="Tóm tắt",
                                public_file_ids=[])
    db.session.commit()
    url = page_of(client, proposed)
    assert "(đề nghị, chưa có quyết định)" in text(client, url)
    line = db.session.scalar(sa.select(AwardEntry).where(AwardEntry.initiative_id == proposed.id))
    db.session.add(AwardDecision(award_list_id=award_list.id, level_id=line.level_id, level_name="Giấy khen",
                                 authority="Sở Giáo dục và Đào tạo Hà Nội", number="1234/QĐ-SGDĐT",
                                 decided_on=date(2024, 12, 20), signer="Người ký"))
    db.session.commit()
    assert "1234/QĐ-SGDĐT" in text(client, url)


def test_a_page_with_another_query_never_gets_that_querys_body(client, world, model, store):
    make_model(world, title="Ứng dụng chữ ký số cho giáo viên", unit=world.other_school, area="chinh_quyen_so")
    assert titles(client, "/thu-vien.json?q=chu+ky") == ["Ứng dụng chữ ký số cho giáo viên"]
    assert titles(client, "/thu-vien.json?q=mot+cua") == [model.title]
    assert len(client.get("/thu-vien.json").get_json()["items"]) == 2
    assert client.get("/thu-vien.json?per_page=1").get_json()["per_page"] == 1
    only = text(client, "/thu-vien?area=chinh_quyen_so")
    assert "Ứng dụng chữ ký số" in only and model.title not in only
    assert model.title in text(client, "/thu-vien?area=tthc")


def kept(store) -> int:
    if isinstance(store, cache.RedisPages):
        return sum(1 for _ in store.client.scan_iter("thidua:gallery:*"))
    return len(store)


def test_signed_in_pages_are_never_served_from_or_kept_in_the_shared_cache(client, world, model, store):
    url = page_of(client, model)
    anonymous = client.get(url)
    assert kept(store) == 1 and "Đăng nhập</a> để ghi nhận" in anonymous.get_data(as_text=True)
    client.login(world.other_editor)
    for page in (url, "/thu-vien", "/thu-vien.json"):
        signed_in = client.get(page, headers={"If-None-Match": anonymous.headers["ETag"]})
        assert signed_in.status_code == 200, page
        assert signed_in.headers["Cache-Control"] == "private, no-store" and "ETag" not in signed_in.headers
    page = client.get(url).get_data(as_text=True)
    assert world.other_editor.full_name in page and "Đơn vị tôi đã áp dụng mô hình này" in page
    assert kept(store) == 1
    client.logout()
    again = client.get(url).get_data(as_text=True)
    assert world.other_editor.full_name not in again and "Đơn vị tôi đã áp dụng mô hình này" not in again


def test_a_process_cache_stays_within_its_bound():
    pages = cache.ProcessPages(max_pages=3, max_bytes=10_000)
    for n in range(10):
        pages.set("v1", f"/thu-vien?page={n}", b"x" * 100)
    assert len(pages) == 3 and pages.get("v1", "/thu-vien?page=9") == b"x" * 100
    assert pages.get("v1", "/thu-vien?page=0") is None
    assert pages.get("v2", "/thu-vien?page=9") is None and len(pages) == 0  # a new version drops the old pages
