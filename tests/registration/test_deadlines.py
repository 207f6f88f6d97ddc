"""Deadlines at the boundary, in Asia/Ho_Chi_Minh, enforced by the server; extensions per unit."""
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from thidua.audit import AuditLog
from thidua.campaigns import services as campaign_services
from thidua.extensions import db
from thidua.phases import Phase
from thidua.registration.models import Initiative

DEADLINE = date(2024, 8, 25)
LAST_SECOND = datetime.combine(DEADLINE, time(23, 59, 59))
NEXT_DAY = datetime.combine(DEADLINE + timedelta(days=1), time(0, 0, 0))


@pytest.fixture
def setup(world, clock):
    world.campaign.launch_date = date(2024, 8, 1)
    world.campaign.registration_deadline = DEADLINE
    world.campaign.report_deadline = date(2024, 10, 31)
    clock.at(datetime(2024, 8, 10, 9, 0))
    draft = factories.initiative(world.campaign, world.school, actor=world.editor)
    other_draft = factories.initiative(world.campaign, world.other_school, actor=world.other_editor)
    db.session.commit()
    return world, draft, other_draft


def submit(client, initiative_id):
    return client.post(f"/sang-kien/{initiative_id}/trang-thai", {"target": "registered"}, follow_redirects=True)


def status_of(initiative_id) -> str:
    db.session.expire_all()
    return db.session.get(Initiative, initiative_id).status


def test_submission_at_23_59_59_on_the_deadline_day_is_accepted(setup, client, clock):
    world, draft, _ = setup
    client.login(world.head)
    clock.at(LAST_SECOND)
    page = submit(client, draft.id)
    assert "Đề xuất đã chuyển sang trạng thái “Đã đăng ký”." in page.get_data(as_text=True)
    assert status_of(draft.id) == "registered"


def test_submission_at_midnight_after_the_deadline_is_refused(setup, client, clock):
    world, draft, _ = setup
    client.login(world.head)
    clock.at(NEXT_DAY)
    page = submit(client, draft.id).get_data(as_text=True)
    assert "Đã hết hạn đăng ký (ngày 25/08/2024)" in page
    assert status_of(draft.id) == "draft"


def test_deadline_is_midnight_in_vietnam_not_in_utc(setup, client, clock):
    world, draft, _ = setup
    client.login(world.head)
    # 17:00 UTC on the deadline day is already 00:00 the next day in Hà Nội.
    clock.utc(datetime.combine(DEADLINE, time(17, 0)))
    submit(client, draft.id)
    assert status_of(draft.id) == "draft"


def test_extension_reopens_exactly_that_unit(setup, client, make_client, clock):
    world, draft, other_draft = setup
    clock.at(NEXT_DAY)
    campaign_services.grant_extension(world.campaign, world.school, Phase.REGISTRATION, DEADLINE + timedelta(days=3),
                                      "Đơn vị có văn bản đề nghị gia hạn", actor=world.secretariat)
    db.session.commit()
    client.login(world.head)
    submit(client, draft.id)
    assert status_of(draft.id) == "registered"

    other = make_client()
    other.login(world.other_head)
    page = submit(other, other_draft.id).get_data(as_text=True)
    assert "Đã hết hạn đăng ký" in page
    assert status_of(other_draft.id) == "draft"

    # The extension itself ends at midnight after its own last day.
    clock.at(datetime.combine(DEADLINE + timedelta(days=4), time(0, 0)))
    page = client.get(f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", follow_redirects=True)
    assert "Đã hết hạn đăng ký (ngày 28/08/2024)" in page.get_data(as_text=True)


def test_extension_for_the_report_phase_does_not_reopen_registration(setup, client, clock):
    world, draft, _ = setup
    clock.at(NEXT_DAY)
    campaign_services.grant_extension(world.campaign, world.school, Phase.REPORT, date(2024, 11, 10),
                                      "Gia hạn báo cáo", actor=world.secretariat)
    db.session.commit()
    client.login(world.head)
    submit(client, draft.id)
    assert status_of(draft.id) == "draft"


def test_after_the_deadline_nothing_can_be_drafted_edited_or_reopened(setup, client, make_client, clock):
    world, draft, _ = setup
    head = make_client()
    head.login(world.head)
    submit(head, draft.id)
    assert status_of(draft.id) == "registered"
    second = factories.initiative(world.campaign, world.school, actor=world.editor, title="Bản nháp thứ hai")
    db.session.commit()

    clock.at(NEXT_DAY)
    client.login(world.editor)
    new_page = client.get(f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", follow_redirects=True)
    assert "Đã hết hạn đăng ký" in new_page.get_data(as_text=True)

    edit = client.post(f"/sang-kien/{second.id}/sua", {**form_data(), "version": "1", "title": "Sửa sau hạn"})
    assert edit.status_code == 400
    assert "Đã hết hạn đăng ký" in edit.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Initiative, second.id).title == "Bản nháp thứ hai"

    reopen = head.post(f"/sang-kien/{draft.id}/trang-thai", {"target": "draft"}, follow_redirects=True)
    assert "Đã hết hạn đăng ký" in reopen.get_data(as_text=True)
    assert status_of(draft.id) == "registered"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 3


def test_registration_is_refused_before_the_launch(setup, client, clock):
    world, draft, _ = setup
    clock.at(datetime(2024, 7, 31, 23, 59, 59))
    client.login(world.editor)
    page = client.get(f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", follow_redirects=True)
    assert "Phong trào chưa bắt đầu nhận đăng ký" in page.get_data(as_text=True)


def test_granting_an_extension_is_in_the_audit_log_with_its_reason(setup, clock):
    world, _, _ = setup
    clock.at(NEXT_DAY)
    extension = campaign_services.grant_extension(world.campaign, world.school, Phase.REGISTRATION,
                                                  DEADLINE + timedelta(days=2), "Cán bộ đầu mối nghỉ ốm",
                                                  actor=world.secretariat)
    db.session.commit()
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "extension.granted"))
    assert entry.object_id == extension.id
    assert entry.unit_id == world.school.id and entry.actor_id == world.secretariat.id
    assert entry.reason == "Cán bộ đầu mối nghỉ ốm"
    assert entry.details["until"] == "2024-08-27"


def form_data(**overrides) -> dict:
    data = {
        "kind": "giai_phap",
        "title": "Số hóa hồ sơ tuyển sinh lớp 10",
        "area": "tthc",
        "solution_type": "",
        "novelty": "moi",
        "need": "Hồ sơ giấy, phụ huynh phải đến trường nhiều lần.",
        "objectives": "100% hồ sơ nhận trực tuyến.",
        "content": "Triển khai cổng tuyển sinh trực tuyến.",
        "start_date": "2024-09-01",
        "end_date": "2024-10-31",
        "expected_results": "Giảm 80% thời gian của phụ huynh.",
        "author_type": "tap_the",
        "collective_name": "Tổ Văn phòng",
        "people_in_charge": "Phó Hiệu trưởng phụ trách",
        "contact_name": "Phạm Thu Trang",
        "contact_phone": "0912 345 678",
    }
    data.update(overrides)
    return data


