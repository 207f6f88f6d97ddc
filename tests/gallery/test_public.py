"""The public pages: search with or without diacritics, filters, feed, JSON, and nothing unpublished leaks."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from thidua.extensions import db
from thidua.gallery import services
from thidua.workflow import State

from tests import factories
from tests.gallery.conftest import entry_of, make_model

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def corpus(world):
    models = {
        "mot_cua": make_model(world, title="Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh", area="tthc"),
        "chu_ky": make_model(world, title="Ứng dụng chữ ký số cho giáo viên", area="chinh_quyen_so",
                             achievements="Tiết kiệm 12 triệu đồng giấy in mỗi năm.", indicator="Số hồ sơ ký số",
                             unit=world.other_school),
        "de_an": make_model(world, title="Làm sạch dữ liệu dân cư học sinh theo Đề án 06", area="de_an_06"),
    }
    return models


def titles(client, query: str) -> list[str]:
    response = client.get(f"/thu-vien.json?{query}")
    assert response.status_code == 200
    return [item["title"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("query", ["mot cua", "một cửa", "MỘT CỬA", "Mot Cua", "mot cu", "tuyen sinh mot"])
def test_search_finds_the_diacritic_title_with_or_without_diacritics(client, corpus, query):
    assert titles(client, f"q={query}") == ["Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh"]


@pytest.mark.parametrize(("query", "expected"), [
    ("tiet kiem giay", "Ứng dụng chữ ký số cho giáo viên"),  # the results report
    ("so ho so ky so", "Ứng dụng chữ ký số cho giáo viên"),  # an indicator's name
    ("đề án 06", "Làm sạch dữ liệu dân cư học sinh theo Đề án 06"),
    ("kim lien", "Ứng dụng chữ ký số cho giáo viên"),  # the unit
])
def test_search_covers_summary_results_indicators_and_unit(client, corpus, query, expected):
    assert titles(client, f"q={query}")[:1] == [expected]


def test_search_words_must_nearly_all_match_and_punctuation_is_harmless(client, corpus):
    assert titles(client, "q=chu ky") == ["Ứng dụng chữ ký số cho giáo viên"]  # not every "Chu Văn An" model
    assert titles(client, "q=mot cua chu ky")[0] == "Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh"  # 3 of 4
    assert titles(client, "q=mot cua giay khen") == []  # 2 of 4: not enough
    assert titles(client, "q=' OR 1=1 --") == []
    plain = titles(client, "")
    assert len(plain) == 3 and titles(client, "q=%26|!:*()") == plain  # no words: the plain list; never an error
    assert client.get("/thu-vien?q=%26|!:*()").status_code == 200


def test_filters_and_sorts(client, world, corpus):
    assert titles(client, "area=chinh_quyen_so") == ["Ứng dụng chữ ký số cho giáo viên"]
    assert len(titles(client, f"year={world.campaign.year}")) == 3
    assert titles(client, "year=1999") == []
    assert titles(client, "unit_type=phong_thuoc_so") == []
    entry = entry_of(corpus["de_an"])
    entry.adoption_count = 7
    entry.commendation = "Giấy khen của Giám đốc Sở"
    db.session.commit()
    assert titles(client, "sort=nhan-rong")[0] == entry.title
    assert titles(client, "level=Giấy khen của Giám đốc Sở") == [entry.title]
    page = client.get("/thu-vien?area=tthc").get_data(as_text=True)
    assert "Một cửa điện tử" in page and "Ứng dụng chữ ký số" not in page
    assert "Giấy khen của Giám đốc Sở" in client.get("/thu-vien").get_data(as_text=True)  # the filter's options


def test_the_list_paginates(client, world):
    for n in range(23):
        make_model(world, title=f"Mô hình số {n:02d}")
    first = client.get("/thu-vien").get_data(as_text=True)
    assert "Trang 1/2" in first and "23 mô hình" in first
    data = client.get("/thu-vien.json?per_page=10&page=3").get_json()
    assert (data["total"], data["pages"], len(data["items"]), data["next"]) == (23, 3, 3, None)
    assert data["prev"].endswith("page=2&per_page=10")


def test_detail_redirects_to_the_canonical_slug_and_has_open_graph_tags(client, model):
    entry = entry_of(model)
    canonical = f"/thu-vien/{entry.id}-{entry.slug}"
    assert entry.slug == "mot-cua-dien-tu-trong-tiep-nhan-ho-so-tuyen-sinh"
    for url in (f"/thu-vien/{entry.id}", f"/thu-vien/{entry.id}-ten-cu"):
        response = client.get(url)
        assert (response.status_code, response.headers["Location"]) == (301, canonical)
    response = client.get(canonical)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<link rel="canonical" href="http://localhost{canonical}">' in text
    assert '<meta property="og:title" content="Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh">' in text
    assert 'property="og:description"' in text and "Thời gian giải quyết thủ tục" in text
    assert "public" in response.headers["Cache-Control"]


def test_the_atom_feed_is_valid_xml_with_escaped_content(client, world):
    make_model(world, title="Sổ liên lạc <điện tử> & tin nhắn", summary="<script>alert(1)</script> **Đậm** & rõ")
    response = client.get("/thu-vien/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Sổ liên lạc <điện tử> & tin nhắn"]
    content = entries[0].find(f"{ATOM}content").text
    assert "<strong>Đậm</strong>" in content and "<script" not in content
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://localhost/thu-vien/")


def test_statistics_count_by_area_year_and_list_the_most_replicated(client, world, corpus):
    entry = entry_of(corpus["chu_ky"])
    entry.adoption_count = 3
    db.session.commit()
    text = client.get("/thu-vien/thong-ke").get_data(as_text=True)
    assert "Cải cách thủ tục hành chính" in text and "Đề án 06" in text
    assert "Ứng dụng chữ ký số cho giáo viên" in text.split("Được nhân rộng nhiều nhất")[1]


# --- nothing unpublished is reachable anonymously ----------------------------------------------

def _every_public_url(entry, file_ids):
    urls = [f"/thu-vien/{entry.id}", f"/thu-vien/{entry.id}-{entry.slug}", f"/thu-vien/{entry.id}/nhan-rong"]
    urls += [f"/thu-vien/{entry.id}/tep/{file_id}" for file_id in file_ids]
    return urls


def _listed_anywhere(client, entry) -> bool:
    pages = [client.get(url).get_data(as_text=True) for url in (
        "/thu-vien", "/thu-vien.json", "/thu-vien/feed.atom", "/thu-vien/thong-ke")]
    searched = client.get(f"/thu-vien.json?q={entry.title}").get_json()
    return searched["total"] > 0 or any(entry.title in page or f"/thu-vien/{entry.id}-" in page for page in pages)


@pytest.mark.parametrize("how", ["never_published", "unpublished"])
def test_an_unpublished_model_and_its_files_are_unreachable_anonymously(client, world, how):
    initiative = make_model(world, title="Mô hình chưa công khai", files=("cong-khai.pdf", "noi-bo.pdf"))
    entry = entry_of(initiative)
    if how == "unpublished":
        services.unpublish_initiative(initiative, actor=world.secretariat)
    else:
        entry.is_public = False  # a draft entry (e.g. prepared, then the page refused)
        initiative.status = State.SHORTLISTED.value
    db.session.commit()
    for url in _every_public_url(entry, [f.id for f in initiative.files]):
        response = client.get(url)
        assert response.status_code in (404, 302), url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/dang-nhap"), url
    assert not _listed_anywhere(client, entry)


def test_a_file_not_marked_public_is_never_served_from_a_published_model(client, model):
    entry = entry_of(model)
    public, private = model.files
    ok = client.get(f"/thu-vien/{entry.id}/tep/{public.id}")
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")
    assert ok.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "attachment" in ok.headers["Content-Disposition"]
    assert client.get(f"/thu-vien/{entry.id}/tep/{private.id}").status_code == 404
    assert client.get(f"/minh-chung/{private.id}").status_code == 302  # the unit's own route wants a login
    assert "noi-bo-danh-sach-hoc-sinh.pdf" not in client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(
        as_text=True)


def test_a_file_of_another_model_cannot_be_fetched_through_a_public_one(client, world, model):
    other = make_model(world, title="Mô hình khác", files=("cong-khai-khac.pdf",))
    entry = entry_of(model)
    assert client.get(f"/thu-vien/{entry.id}/tep/{other.files[0].id}").status_code == 404


def test_the_gallery_is_in_the_navigation_for_everyone(client, world):
    assert 'href="/thu-vien"' in client.get("/dang-nhap").get_data(as_text=True)
    client.login(world.head)
    assert "Thư viện mô hình" in client.get("/don-vi").get_data(as_text=True)


def test_a_draft_initiative_id_does_not_open_a_gallery_page(client, world):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    assert client.get(f"/thu-vien/{initiative.id}").status_code == 404
