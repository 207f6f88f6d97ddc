"""The office defines the targets: its own, the plan's default set, or copied from an earlier campaign."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from thidua.extensions import db
from thidua.targets import services
from thidua.targets.models import Target, TargetRound, TargetValue

from tests import factories


def _base(world):
    return f"/phong-trao/{world.campaign.id}/chi-tieu"


def _round(world):
    return services.default_round(world.campaign)


def test_a_target_of_its_own_with_a_vietnamese_threshold_and_refusals_that_keep_the_input(client, world):
    round_ = _round(world)
    db.session.commit()
    client.login(world.secretariat)
    form = {"name": "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "round_id": round_.id, "area": "tthc", "measure": "percent",
            "comparison": "ge", "threshold": "150", "applies_to": "units", "unit_types": ["thpt"],
            "mandatory": "y", "automatic": ""}
    refused = client.post(f"{_base(world)}/moi", form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Ngưỡng của chỉ tiêu tỷ lệ phải từ 0 đến 100%." in page
    assert 'value="150"' in page and "Tỷ lệ hồ sơ tiếp nhận trực tuyến" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Target)) == 0
    refused = client.post(f"{_base(world)}/moi", form | {"threshold": "97.5"})
    assert refused.status_code == 400 and "“97.5”" in refused.get_data(as_text=True)
    assert client.post(f"{_base(world)}/moi", form | {"threshold": "97,5%"}).status_code == 302
    target = db.session.scalar(sa.select(Target))
    assert target.threshold == Decimal("97.5") and target.type_list == ["thpt"] and target.mandatory
    assert "≥ 97,5%" in client.get(_base(world)).get_data(as_text=True)
    yes_no = client.post(f"{_base(world)}/moi", form | {"name": "Có quy chế một cửa", "measure": "yes_no",
                                                        "threshold": "", "comparison": "lt"})
    assert yes_no.status_code == 302
    rule = db.session.scalar(sa.select(Target).where(Target.name == "Có quy chế một cửa"))
    assert (rule.threshold, rule.comparison) == (1, "eq")  # met by "Có", whatever was picked


def test_a_target_a_unit_has_sent_cannot_be_deleted_or_change_its_measure(client, world):
    services.apply_default_targets(world.campaign, actor=world.secretariat)
    target = db.session.scalar(sa.select(Target).where(Target.name.like("Văn bản trao đổi với Sở%")))
    db.session.add(TargetValue(campaign_id=world.campaign.id, target_id=target.id, unit_id=world.school.id,
                               value=100, state="sent"))
    db.session.commit()
    client.login(world.secretariat)
    deleted = client.post(f"{_base(world)}/{target.id}/xoa", follow_redirects=True)
    assert "không thể xóa" in deleted.get_data(as_text=True)
    changed = client.post(f"{_base(world)}/{target.id}/sua", {
        "name": target.name, "round_id": target.round_id, "measure": "count", "comparison": "ge", "threshold": "1",
        "applies_to": "units", "automatic": ""})
    assert changed.status_code == 400 and "không thể đổi cách đo" in changed.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Target, target.id).measure == "percent"


def test_the_default_set_applies_once_and_copies_into_the_next_year_with_its_rounds(client, world):
    client.login(world.secretariat)
    client.post(f"{_base(world)}/mac-dinh")
    again = client.post(f"{_base(world)}/mac-dinh", follow_redirects=True)
    assert "Phong trào đã có chỉ tiêu" in again.get_data(as_text=True)
    quarter = client.post(f"{_base(world)}/dot/moi", {"name": "Báo cáo quý IV", "kind": "quarter",
                                                       "deadline": world.campaign.report_deadline.isoformat()})
    assert quarter.status_code == 302
    year = world.campaign.year + 1
    later = factories.campaign(world.root, launch=date(year, 1, 10), registration_deadline=date(year, 3, 1),
                               report_deadline=date(year, 10, 31), participants=[world.school], name="Năm sau",
                               year=year)
    db.session.commit()
    page = client.get(f"/phong-trao/{later.id}/chi-tieu").get_data(as_text=True)
    assert "Sao chép" in page
    client.post(f"/phong-trao/{later.id}/chi-tieu/sao-chep", {"source": world.campaign.id})
    db.session.rollback()
    copied = services.targets_of(later.id)
    assert len(copied) == 15
    rounds = {r.name: r.deadline for r in services.rounds_of(later.id)}
    assert rounds["Báo cáo quý IV"] == world.campaign.report_deadline.replace(
        year=world.campaign.report_deadline.year + 1)  # the same day, a year on


def test_a_round_with_targets_is_not_deleted_and_an_empty_one_is(client, world):
    client.login(world.secretariat)
    client.post(f"{_base(world)}/mac-dinh")
    used = services.rounds_of(world.campaign.id)[0]
    refused = client.post(f"{_base(world)}/dot/{used.id}/xoa", follow_redirects=True)
    assert "còn chỉ tiêu" in refused.get_data(as_text=True)
    early = client.post(f"{_base(world)}/dot/moi", {"name": "Quý I", "kind": "quarter",
                                                     "deadline": (world.campaign.launch_date - timedelta(days=1)).isoformat()})
    assert early.status_code == 400 and "Hạn gửi phải sau ngày phát động" in early.get_data(as_text=True)
    client.post(f"{_base(world)}/dot/moi", {"name": "Quý I", "kind": "quarter",
                                            "deadline": world.campaign.report_deadline.isoformat()})
    empty = db.session.scalar(sa.select(TargetRound).where(TargetRound.name == "Quý I"))
    empty_id = empty.id
    client.post(f"{_base(world)}/dot/{empty_id}/xoa")
    db.session.rollback()
    assert db.session.get(TargetRound, empty_id) is None


def test_the_rule_and_the_persons_deadline_are_set_on_the_targets_page(client, world):
    client.login(world.secretariat)
    response = client.post(f"{_base(world)}/cach-xet", {"collective_rule": "initiatives",
                                                         "individuals_deadline": world.campaign.report_deadline.isoformat()})
    assert response.status_code == 302
    db.session.rollback()
    campaign = db.session.get(type(world.campaign), world.campaign.id)
    assert campaign.collective_rule == "initiatives" and campaign.individuals_deadline == campaign.report_deadline


def test_a_leader_reads_the_targets_but_has_no_buttons_and_cannot_change_them(client, world):
    services.apply_default_targets(world.campaign, actor=world.secretariat)
    db.session.commit()
    client.login(world.leader)
    page = client.get(_base(world)).get_data(as_text=True)
    assert "Tỷ lệ hồ sơ thủ tục hành chính" in page and "+ Thêm chỉ tiêu" not in page
    assert client.post(f"{_base(world)}/mac-dinh").status_code == 403


def test_once_the_award_list_is_submitted_the_targets_page_offers_no_change(client, world):
    from thidua.awards.models import AwardList

    services.apply_default_targets(world.campaign, actor=world.secretariat)
    db.session.add(AwardList(campaign_id=world.campaign.id, status="submitted", excluded_units={}))
    db.session.commit()
    client.login(world.secretariat)
    page = client.get(_base(world)).get_data(as_text=True)
    assert "chỉ tiêu, đợt báo cáo và cách xét được giữ nguyên" in page
    assert "+ Thêm chỉ tiêu" not in page and ">Sửa</a>" not in page
    refused = client.post(f"{_base(world)}/cach-xet", {"collective_rule": "initiatives"}, follow_redirects=True)
    assert "không thể thay đổi chỉ tiêu" in refused.get_data(as_text=True)
