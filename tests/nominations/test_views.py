"""The pages of nomination upward: the lower secretariat proposes, the upper one accepts or declines."""
from __future__ import annotations

import sqlalchemy as sa
import pytest

from thidua.extensions import db
from thidua.nominations import services
from thidua.nominations.models import Nomination
from thidua.registration.models import Initiative

from tests.conftest import assert_few_statements, count_statements
from tests.nominations.conftest import awarded_initiative


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_lower_secretariat_chooses_the_upper_campaign_and_proposes(client, levels):
    client.login(levels.ward_secretariat)
    url = f"/phong-trao/{levels.ward_campaign.id}/trinh-cap-tren"
    page = _text(client.get(url))
    assert "Trình lên cấp trên" in page and levels.campaign.name in page
    assert levels.beside_campaign.name not in page  # only the organisers above
    response = client.post(url + "/cap-tren", {"upper": str(levels.campaign.id)}, follow_redirects=True)
    assert f"Phong trào trình lên: {levels.campaign.name}." in _text(response)
    assert levels.awarded.title in _text(response)
    response = client.post(url + "/de-xuat", {"initiative": str(levels.awarded.id)}, follow_redirects=True)
    page = _text(response)
    assert "Đã trình 1 sáng kiến lên cấp trên." in page
    assert "Chờ xem xét" in page
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"upper": str(10**6)}, "Không tìm thấy phong trào cấp trên"),
    ({"upper": "abc"}, "Phong trào cấp trên không hợp lệ."),
    ({"upper": "BESIDE"}, "Chỉ được trình lên phong trào của cấp trên"),
])
def test_a_refused_upper_campaign_says_why(client, levels, data, message):
    if data["upper"] == "BESIDE":
        data = {"upper": str(levels.beside_campaign.id)}
    client.login(levels.ward_secretariat)
    response = client.post(f"/phong-trao/{levels.ward_campaign.id}/trinh-cap-tren/cap-tren", data,
                           follow_redirects=True)
    assert message in _text(response)
    db.session.expire_all()
    assert levels.ward_campaign.feeds_campaign_id is None


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Chọn ít nhất một sáng kiến"),
    ({"initiative": "x"}, "Sáng kiến được chọn không hợp lệ."),
    ({"initiative": str(10**6)}, "Không tìm thấy sáng kiến đã chọn."),
])
def test_a_refused_proposal_says_why(client, feeding, data, message):
    client.login(feeding.ward_secretariat)
    response = client.post(f"/phong-trao/{feeding.ward_campaign.id}/trinh-cap-tren/de-xuat", data,
                           follow_redirects=True)
    assert message in _text(response)
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_a_proposal_without_a_fed_campaign_is_refused_on_the_page(client, levels):
    client.login(levels.ward_secretariat)
    response = client.post(f"/phong-trao/{levels.ward_campaign.id}/trinh-cap-tren/de-xuat",
                           {"initiative": str(levels.awarded.id)}, follow_redirects=True)
    assert "Phong trào chưa chọn phong trào cấp trên để trình lên." in _text(response)


@pytest.fixture
def proposed(feeding):
    [feeding.nomination] = services.propose(feeding.ward_campaign, [feeding.awarded], actor=feeding.ward_secretariat)
    db.session.commit()
    return feeding


def test_the_upper_secretariat_reads_the_proposals_with_their_provenance_and_accepts(client, proposed):
    client.login(proposed.secretariat)
    url = f"/phong-trao/{proposed.campaign.id}/de-xuat-cap-duoi"
    page = _text(client.get(url))
    assert "Đề xuất từ cấp dưới" in page and "UBND phường Ba Đình" in page
    assert "84,00" in page or "84.00" in page
    assert "12/QĐ-UBND" in page and "bien-ban.pdf" in page
    response = client.post(f"{url}/{proposed.nomination.id}/tiep-nhan", follow_redirects=True)
    assert "Đã tiếp nhận sáng kiến" in _text(response)
    copy = db.session.scalar(sa.select(Initiative).where(Initiative.campaign_id == proposed.campaign.id,
                                                         Initiative.unit_id == proposed.ward_school.id))
    assert copy.status == "reported"
    detail = _text(client.get(f"/sang-kien/{copy.id}"))
    assert "Đề xuất từ:" in detail and "UBND phường Ba Đình" in detail
    assert f"de-xuat-cap-duoi#de-xuat-{proposed.nomination.id}" in detail


def test_declining_needs_a_reason_on_the_page_and_the_lower_level_sees_it(client, make_client, proposed):
    client.login(proposed.secretariat)
    url = f"/phong-trao/{proposed.campaign.id}/de-xuat-cap-duoi/{proposed.nomination.id}/khong-tiep-nhan"
    response = client.post(url, {"reason": "  "}, follow_redirects=True)
    assert "Cần ghi rõ lý do không tiếp nhận" in _text(response)
    db.session.expire_all()
    assert db.session.get(Nomination, proposed.nomination.id).state == "proposed"
    client.post(url, {"reason": "Chưa có số liệu trước và sau."})
    lower = make_client()
    lower.login(proposed.ward_secretariat)
    page = _text(lower.get(f"/phong-trao/{proposed.ward_campaign.id}/trinh-cap-tren"))
    assert "Không tiếp nhận" in page and "Chưa có số liệu trước và sau." in page


def test_accepting_twice_is_refused_with_a_message(client, proposed):
    client.login(proposed.secretariat)
    url = f"/phong-trao/{proposed.campaign.id}/de-xuat-cap-duoi/{proposed.nomination.id}/tiep-nhan"
    client.post(url)
    response = client.post(url, follow_redirects=True)
    assert "Đề xuất này đã được xem xét" in _text(response)
    assert db.session.scalar(sa.select(sa.func.count(Initiative.id)).where(
        Initiative.campaign_id == proposed.campaign.id)) == 1


def test_a_nomination_of_another_campaign_is_not_found_under_this_one(client, proposed):
    other = __import__("tests.factories", fromlist=["campaign"]).campaign(proposed.root, name="Phong trào khác")
    db.session.commit()
    client.login(proposed.secretariat)
    response = client.post(f"/phong-trao/{other.id}/de-xuat-cap-duoi/{proposed.nomination.id}/tiep-nhan")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["beside_secretariat", "ward_secretariat"])
def test_the_secretariat_of_another_organiser_cannot_decide(client, proposed, who):
    client.login(getattr(proposed, who))
    url = f"/phong-trao/{proposed.campaign.id}/de-xuat-cap-duoi/{proposed.nomination.id}/tiep-nhan"
    assert client.post(url).status_code == 403
    db.session.expire_all()
    assert db.session.get(Nomination, proposed.nomination.id).state == "proposed"


def test_without_the_csrf_token_nothing_is_accepted(client, proposed):
    client.login(proposed.secretariat)
    url = f"/phong-trao/{proposed.campaign.id}/de-xuat-cap-duoi/{proposed.nomination.id}/tiep-nhan"
    assert client.post(url, token=False).status_code == 400
    db.session.expire_all()
    assert db.session.get(Nomination, proposed.nomination.id).state == "proposed"


def _statements_of_the_proposals_page(client, campaign_id) -> int:
    with count_statements() as statements:
        assert client.get(f"/phong-trao/{campaign_id}/de-xuat-cap-duoi").status_code == 200
    return len(statements)


def test_the_proposals_page_costs_a_few_statements_no_more_for_many_proposals_than_for_one(client, proposed):
    client.login(proposed.secretariat)
    one = _statements_of_the_proposals_page(client, proposed.campaign.id)
    more = [awarded_initiative(proposed, f"Sáng kiến thêm {n}") for n in range(3)]
    services.propose(proposed.ward_campaign, more, actor=proposed.ward_secretariat)
    db.session.commit()
    many = _statements_of_the_proposals_page(client, proposed.campaign.id)
    assert_few_statements(one, many, about=9, what="the proposals page, 1 proposal then 4")


def test_the_campaign_page_links_both_pages_for_the_secretariat(client, levels):
    client.login(levels.secretariat)
    page = _text(client.get(f"/phong-trao/{levels.campaign.id}"))
    assert f"/phong-trao/{levels.campaign.id}/trinh-cap-tren" in page
    assert f"/phong-trao/{levels.campaign.id}/de-xuat-cap-duoi" in page
