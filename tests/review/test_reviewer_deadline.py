"""The reviewer's home says, per campaign, how many sheets are still to score and how long is left."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from thidua.extensions import db
from thidua.review.models import Review

from tests.review import scoring_world


@pytest.fixture
def setup(world):
    world.campaign.city_report_deadline = date(2024, 11, 15)
    db.session.commit()
    return scoring_world.build(world)


def _due(client) -> str:
    page = client.get("/hoi-dong").get_data(as_text=True)
    match = re.search(r'<p class="review-due[^"]*">(.*?)</p>', page, re.S)
    assert match, "no line with the deadline"
    return " ".join(match.group(1).split())


def test_outstanding_sheets_and_days_left(client, setup, clock):
    clock.at(datetime(2024, 11, 5, 9, 0))
    client.login(setup.world.reviewer)
    line = _due(client)
    assert "Còn 1 phiếu chưa chấm" in line
    assert "Hạn chấm: 15/11/2024 · còn 10 ngày" in line


def test_past_the_deadline_says_by_how_many_days(client, setup, clock):
    clock.at(datetime(2024, 11, 18, 9, 0))
    client.login(setup.world.reviewer)
    page = client.get("/hoi-dong").get_data(as_text=True)
    assert 'class="review-due overdue"' in page
    assert "Hạn chấm: 15/11/2024 · đã quá hạn 3 ngày" in _due(client)


def test_the_last_day(client, setup, clock):
    clock.at(datetime(2024, 11, 15, 23, 0))
    client.login(setup.world.reviewer)
    assert "Hạn chấm: 15/11/2024 · hôm nay là hạn cuối" in _due(client)


def test_once_every_sheet_is_sent_no_countdown(client, setup, clock):
    clock.at(datetime(2024, 11, 18, 9, 0))
    db.session.add(Review(assignment_id=setup.assignments[0].id, status="submitted", total=80))
    db.session.commit()
    client.login(setup.world.reviewer)
    line = _due(client)
    assert "Đã gửi đủ phiếu chấm" in line and "Hạn chấm: 15/11/2024" in line
    assert "quá hạn" not in line and "chưa chấm" not in line


def test_a_campaign_without_a_deadline_shows_only_the_count(client, setup, clock):
    setup.world.campaign.city_report_deadline = None
    db.session.commit()
    client.login(setup.world.reviewer)
    line = _due(client)
    assert "Còn 1 phiếu chưa chấm" in line and "Hạn chấm" not in line


def test_the_campaigns_own_review_deadline_comes_before_the_city_reports(client, setup, clock):
    setup.world.campaign.review_deadline = date(2024, 11, 8)
    db.session.commit()
    clock.at(datetime(2024, 11, 5, 9, 0))
    client.login(setup.world.reviewer)
    assert "Hạn chấm: 08/11/2024 · còn 3 ngày" in _due(client)


@pytest.mark.parametrize(("days", "message"), [
    (-1, "Hạn chấm điểm phải từ hạn báo cáo kết quả trở đi"),  # days after the report deadline
    (16, "Hạn chấm điểm phải trước hạn báo cáo UBND Thành phố"),  # the city report is due 15 days after
])
def test_the_office_sets_the_review_deadline_between_the_reports_and_the_city_report(client, world, days, message):
    from tests.campaigns.test_views import _form_of

    campaign = world.campaign
    review = campaign.report_deadline + timedelta(days=days)
    client.login(world.secretariat)
    data = _form_of(campaign, review_deadline=f"{review:%d/%m/%Y}")
    response = client.post(f"/phong-trao/{campaign.id}/sua", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and f'value="{review:%d/%m/%Y}"' in page
    db.session.expire_all()
    assert db.session.get(type(campaign), campaign.id).review_deadline is None

    chosen = campaign.report_deadline + timedelta(days=7)
    data["review_deadline"] = f"{chosen:%d/%m/%Y}"
    assert client.post(f"/phong-trao/{campaign.id}/sua", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(campaign), campaign.id).review_deadline == chosen
