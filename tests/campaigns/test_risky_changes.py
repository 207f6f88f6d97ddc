"""Changes that shut units out are asked about first, and those the award list rests on are refused."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from thidua.audit import AuditLog
from thidua.awards.models import AwardList
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.phases import Extension
from thidua.timeutil import local_today
from thidua.workflow import State


def _form(campaign, **changes):
    values = {"name": campaign.name, "year": campaign.year, "period": campaign.period,
              "plan_reference": campaign.plan_reference, "description": campaign.description,
              "launch_date": campaign.launch_date.isoformat(),
              "registration_deadline": campaign.registration_deadline.isoformat(),
              "report_deadline": campaign.report_deadline.isoformat(), "city_report_deadline": "",
              "min_initiatives_per_unit": campaign.min_initiatives_per_unit}
    return values | changes


def _deadline(campaign_id):
    db.session.rollback()
    return db.session.get(Campaign, campaign_id).registration_deadline


def test_moving_the_deadline_into_the_past_asks_first_saying_how_many_units_it_shuts_out(client, world):
    # of the three participants, the school has registered; the office and the other school have not
    factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED)
    db.session.commit()
    client.login(world.secretariat)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    url = f"/phong-trao/{world.campaign.id}/sua"
    before = _deadline(world.campaign.id)
    asked = client.post(url, _form(world.campaign, registration_deadline=yesterday,
                                   launch_date=(local_today() - timedelta(days=20)).isoformat()))
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409
    assert "<strong>2 đơn vị</strong> chưa hoàn thành đăng ký sẽ không gửi được nữa" in page
    # what was typed stays, shown the Vietnamese way
    assert f'value="{local_today() - timedelta(days=1):%d/%m/%Y}"' in page
    assert _deadline(world.campaign.id) == before
    saved = client.post(url, _form(world.campaign, registration_deadline=yesterday, confirm_close="1",
                                   launch_date=(local_today() - timedelta(days=20)).isoformat()))
    assert saved.status_code == 302 and _deadline(world.campaign.id).isoformat() == yesterday


def test_an_extension_keeps_its_unit_out_of_the_count(client, world):
    db.session.add(Extension(campaign_id=world.campaign.id, unit_id=world.other_school.id, phase="registration",
                             until=local_today() + timedelta(days=5), reason="Ốm", granted_by_id=world.secretariat.id))
    db.session.commit()
    client.login(world.secretariat)
    asked = client.post(f"/phong-trao/{world.campaign.id}/sua", _form(
        world.campaign, registration_deadline=(local_today() - timedelta(days=1)).isoformat(),
        launch_date=(local_today() - timedelta(days=20)).isoformat()))
    assert "<strong>2 đơn vị</strong>" in asked.get_data(as_text=True)  # the office and the school


def test_a_deadline_moved_within_the_future_saves_without_asking(client, world):
    client.login(world.secretariat)
    later = (world.campaign.registration_deadline + timedelta(days=3)).isoformat()
    assert client.post(f"/phong-trao/{world.campaign.id}/sua", _form(world.campaign,
                                                                     registration_deadline=later)).status_code == 302


def test_no_extension_once_the_award_list_rests_on_what_units_sent(client, world):
    db.session.add(AwardList(campaign_id=world.campaign.id, status="decided", excluded_units={}))
    db.session.commit()
    client.login(world.secretariat)
    url = f"/phong-trao/{world.campaign.id}/gia-han"
    page = client.get(url).get_data(as_text=True)
    assert "không gia hạn cho đơn vị được nữa" in page and 'name="reason"' not in page
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    refused = client.post(url, {"unit_id": world.school.id, "phase": "report", "reason": "Muộn",
                                "until": (world.campaign.report_deadline + timedelta(days=5)).isoformat()})
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before
