"""Searching the public gallery: the area, kind, year and unit are searched too, without diacritics, and the
best matches come first (the title before the area or unit, more of the words before fewer, then the newest)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from thidua.gallery import services

from tests.gallery.conftest import make_model

DAY = datetime(2024, 11, 1, 9, 0)


def titles(client, query: str) -> list[str]:
    response = client.get(f"/thu-vien.json?{query}")
    assert response.status_code == 200
    return [item["title"] for item in response.get_json()["items"]]


@pytest.fixture
def areas(world):
    """Three models published a day apart, the oldest first; none says "cải cách" in its text but the first."""
    return [
        make_model(world, title="Cải cách quy trình tuyển sinh đầu cấp", area="khac", now=DAY),
        make_model(world, title="Một cửa điện tử trong tiếp nhận hồ sơ", area="tthc", now=DAY + timedelta(days=1),
                   unit=world.other_school),
        make_model(world, title="Ứng dụng chữ ký số cho giáo viên", area="chinh_quyen_so", kind="sang_kien",
                   achievements="Tiết kiệm giấy in.", indicator="Số văn bản ký số", now=DAY + timedelta(days=2)),
    ]


@pytest.mark.parametrize("query", ["cải cách", "cai cach", "CẢI CÁCH", "Cai Cach", "cai ca"])
def test_a_query_finds_models_by_their_area_and_the_title_match_comes_first(client, areas, query):
    # The title "Cải cách …" above the models of a CCHC area, although older; "Xây dựng và phát triển chính quyền
    # điện tử, chính quyền số" is one of the areas of administrative reform, though its name does not say so.
    assert titles(client, f"q={query}") == ["Cải cách quy trình tuyển sinh đầu cấp",
                                            "Ứng dụng chữ ký số cho giáo viên",
                                            "Một cửa điện tử trong tiếp nhận hồ sơ"]


@pytest.mark.parametrize(("query", "expected"), [
    ("thu tuc hanh chinh", ["Một cửa điện tử trong tiếp nhận hồ sơ"]),  # the area's name
    ("chính quyền", ["Ứng dụng chữ ký số cho giáo viên"]),
    ("sáng kiến", ["Ứng dụng chữ ký số cho giáo viên"]),  # the kind
    ("kim lien", ["Một cửa điện tử trong tiếp nhận hồ sơ"]),  # the unit
    ("trường thpt kim liên", ["Một cửa điện tử trong tiếp nhận hồ sơ"]),
])
def test_a_query_finds_models_by_area_kind_and_unit(client, areas, query, expected):
    assert titles(client, f"q={query}") == expected


def test_a_query_finds_models_by_year_and_d_is_folded(client, world, areas):
    found = titles(client, f"q={world.campaign.year}")
    assert len(found) == 3 and found[0] == "Ứng dụng chữ ký số cho giáo viên"  # all that year, the newest first
    assert titles(client, "q=1999") == []
    make_model(world, title="Làm sạch dữ liệu theo Đề án 06", area="de_an_06")
    for query in ("đề án 06", "de an 06", "ĐỀ ÁN", "De An"):
        assert titles(client, f"q={query}")[:1] == ["Làm sạch dữ liệu theo Đề án 06"], query


def test_more_of_the_words_rank_above_fewer_even_in_the_title(client, world):
    make_model(world, title="Sổ điểm điện tử", achievements="Cha mẹ xem điểm.", now=DAY + timedelta(days=3))
    make_model(world, title="Thông báo cho cha mẹ học sinh", achievements="Gửi thông báo qua sổ liên lạc điện tử.",
               now=DAY)
    # "sổ", "liên lạc", "điện tử": all five words in the second's text; three in the first's title.
    found = titles(client, "q=so lien lac dien tu")
    assert found == ["Thông báo cho cha mẹ học sinh"]  # 3 of 5 words are not enough (4 are needed)
    found = titles(client, "q=so lien dien tu")
    assert found == ["Thông báo cho cha mẹ học sinh", "Sổ điểm điện tử"]  # 4 of 4 words above 3 of 4


def test_the_whole_phrase_ranks_above_the_same_words_apart_and_ties_show_the_newest_first(client, world):
    make_model(world, title="Tiếp nhận hồ sơ trực tuyến", achievements="Hồ sơ giấy giảm một nửa.", now=DAY)
    make_model(world, title="Hồ sơ học sinh, tiếp nhận trực tuyến", now=DAY + timedelta(days=1))
    make_model(world, title="Tiếp nhận hồ sơ trực tuyến tại bộ phận một cửa", now=DAY + timedelta(days=2))
    assert titles(client, "q=tiep nhan ho so") == ["Tiếp nhận hồ sơ trực tuyến tại bộ phận một cửa",
                                                   "Tiếp nhận hồ sơ trực tuyến",
                                                   "Hồ sơ học sinh, tiếp nhận trực tuyến"]
    # Another order when asked: the newest first, whatever matches best.
    assert titles(client, "q=tiep nhan ho so&sort=moi-nhat")[1] == "Hồ sơ học sinh, tiếp nhận trực tuyến"


def test_a_new_public_title_is_searched_at_once_and_the_old_one_no_more(client, world, areas):
    initiative = areas[0]
    services.publish_initiative(initiative, actor=world.secretariat, title="Tuyển sinh đầu cấp trực tuyến",
                                summary="Phụ huynh đăng ký tại nhà.", public_file_ids=[])
    from thidua.extensions import db

    db.session.commit()
    assert titles(client, "q=tuyen sinh truc tuyen") == ["Tuyển sinh đầu cấp trực tuyến"]
    assert "Tuyển sinh đầu cấp trực tuyến" not in titles(client, "q=cai cach quy trinh")


def test_the_page_lists_the_ranked_results_and_offers_the_ranking_as_the_default_order(client, areas):
    page = client.get("/thu-vien?q=cai+cach").get_data(as_text=True)
    assert "3 mô hình phù hợp với “cai cach”" in page
    assert page.index("Cải cách quy trình tuyển sinh") < page.index("Một cửa điện tử trong tiếp nhận")
    assert '<option value="phu-hop" selected>Phù hợp nhất</option>' in page
    assert "Ứng dụng chữ ký số" in page
    assert "Ứng dụng chữ ký số" not in client.get("/thu-vien?q=cai+cach+quy+trinh").get_data(as_text=True)
    assert "dòng" not in page  # what the list counts is models


def test_one_model_is_counted_as_a_model(client, world):
    make_model(world)
    page = client.get("/thu-vien").get_data(as_text=True)
    assert "1 mô hình" in page and "1 dòng" not in page


@pytest.mark.parametrize("query", ["a b c d e f g h i j k l", "' OR 1=1 --", "%_%", "đ" * 300, "x:* | !y"])
def test_odd_queries_are_answered_never_an_error(client, areas, query):
    assert client.get("/thu-vien", query_string={"q": query}).status_code == 200
    assert client.get("/thu-vien.json", query_string={"q": query}).status_code == 200


def test_words_needed_grow_with_the_query():
    assert [services.words_needed(n) for n in range(1, 9)] == [1, 2, 2, 3, 4, 4, 5, 6]
    assert [t.word for t in services.query_terms("Sở sổ số sơ! hồ")] == ["so", "ho"]
    assert {t.word: t.prefix for t in services.query_terms("so ho so")} == {"so": True, "ho": False}
