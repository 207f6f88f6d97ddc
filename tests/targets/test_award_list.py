"""Collectives judged on the targets and the outstanding persons, into the award list."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.awards.models import AwardEntry, AwardList
from thidua.awards.services import load_award_lines
from thidua.extensions import db
from thidua.review.models import CommendationLevel
from thidua.targets import services
from thidua.targets.models import OutstandingPerson, Target, TargetValue
from thidua.workflow import State

from tests import factories


def _meet(world, unit, *, except_names=()):
    """Accepted values meeting every manual target that applies to `unit` (but those named)."""
    for target in services.applicable(services.targets_of(world.campaign.id), unit):
        if target.automatic or target.applies_to != "units":
            continue
        value = target.threshold if target.name not in except_names else Decimal(0)
        db.session.add(TargetValue(campaign_id=world.campaign.id, target_id=target.id, unit_id=unit.id, value=value,
                                   state="accepted"))


@pytest.fixture
def judged(world):
    services.apply_default_targets(world.campaign, actor=world.secretariat)
    factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED)
    factories.initiative(world.campaign, world.other_school, actor=world.other_editor, status=State.REGISTERED)
    _meet(world, world.school)
    _meet(world, world.other_school, except_names=("Ứng dụng thanh toán điện tử trong cung ứng dịch vụ",))
    world.level = CommendationLevel(campaign_id=world.campaign.id, position=1, name="Giấy khen của Giám đốc Sở")
    db.session.add(world.level)
    db.session.commit()
    return world


def _lines(world):
    db.session.rollback()
    award_list = db.session.scalar(sa.select(AwardList).where(AwardList.campaign_id == world.campaign.id))
    return {line.recipient_name: line for line in load_award_lines(award_list.id)} if award_list else {}


def test_a_collective_meeting_every_mandatory_target_is_proposed_with_its_reason(client, judged):
    client.login(judged.secretariat)
    client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/lap")
    lines = _lines(judged)
    assert judged.school.name in lines and judged.other_school.name not in lines
    line = lines[judged.school.name]
    assert line.recipient_type == "tap_the" and line.initiative_id is None
    assert line.title == "Hoàn thành chỉ tiêu thi đua CCHC"
    assert line.level_name == "Giấy khen của Giám đốc Sở"  # the organiser's own form, changeable on the line
    assert "đạt cả" in line.achievements and "chỉ tiêu bắt buộc" in line.achievements
    page = client.get(f"/phong-trao/{judged.campaign.id}/khen-thuong").get_data(as_text=True)
    assert "Chỉ tiêu thi đua:" in page and "Bổ sung tập thể ngoài cách xét" in page
    # the one that missed a mandatory target is offered with why it is not proposed
    assert "chưa đạt chỉ tiêu bắt buộc: Ứng dụng thanh toán điện tử" in page


def test_a_value_awaiting_the_offices_check_does_not_count(client, judged):
    db.session.execute(sa.update(TargetValue).where(TargetValue.unit_id == judged.school.id)
                       .values(state="sent"))
    db.session.commit()
    client.login(judged.secretariat)
    client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/lap")
    assert judged.school.name not in _lines(judged)


def test_the_office_takes_a_collective_off_or_adds_one_with_a_note_and_it_holds(client, judged):
    client.login(judged.secretariat)
    base = f"/phong-trao/{judged.campaign.id}/khen-thuong"
    client.post(f"{base}/lap")
    entry = db.session.scalar(sa.select(AwardEntry).where(AwardEntry.unit_id == judged.school.id))
    refused = client.post(f"{base}/tap-the/bo", {"entry": entry.id, "note": ""}, follow_redirects=True)
    assert "Cần ghi lý do không đề nghị" in refused.get_data(as_text=True)
    client.post(f"{base}/tap-the/bo", {"entry": entry.id, "note": "Đơn vị đang bị thanh tra, chờ kết luận"})
    client.post(f"{base}/tap-the/them", {"unit": judged.other_school.id,
                                         "note": "Thanh toán điện tử đạt 99,5%, Sở chấp thuận"})
    client.post(f"{base}/lap")  # updating the list again keeps both adjustments
    lines = _lines(judged)
    assert judged.school.name not in lines
    assert lines[judged.other_school.name].note == "Văn phòng bổ sung: Thanh toán điện tử đạt 99,5%, Sở chấp thuận"
    actions = list(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("awards.collective%"))))
    assert sorted(actions) == ["awards.collective_added", "awards.collective_removed"]


def test_under_the_initiatives_rule_no_collective_is_proposed_on_targets(client, judged):
    judged.campaign.collective_rule = "initiatives"
    db.session.commit()
    client.login(judged.secretariat)
    client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/lap")
    assert _lines(judged) == {}


def test_an_outstanding_person_goes_from_the_unit_to_the_list_and_its_exports(client, judged, clock):
    judged.campaign.individuals_deadline = judged.campaign.report_deadline
    db.session.commit()
    base = f"/phong-trao/{judged.campaign.id}/ca-nhan-xuat-sac"
    rating = [t for t in services.targets_of(judged.campaign.id) if t.applies_to == "individuals"][0]
    client.login(judged.editor)
    refused = client.post(base, {"full_name": "", "rating": "tot", "achievements": "Chữ ký số"})
    assert refused.status_code == 400 and "Nhập họ và tên." in refused.get_data(as_text=True)
    client.post(base, {"full_name": "Lê Thị Hoa", "job_title": "Tổ trưởng Văn phòng", "rating": "xuat_sac",
                       "targets_met": [str(rating.id)], "achievements": "100% văn bản ký số; hướng dẫn 12 đơn vị."})
    person = db.session.scalar(sa.select(OutstandingPerson))
    assert person.targets_met == {str(rating.id): True} and person.state == "draft"
    editor_send = client.post(f"{base}/{person.id}/gui", follow_redirects=True)
    assert "Thủ trưởng đơn vị gửi" in editor_send.get_data(as_text=True)
    client.logout()
    client.login(judged.head)
    client.post(f"{base}/{person.id}/gui")
    client.logout()
    client.login(judged.secretariat)
    office = f"/phong-trao/{judged.campaign.id}/chi-tieu/ca-nhan"
    listed = client.get(office).get_data(as_text=True)
    assert "Lê Thị Hoa" in listed and ">1/4<" in listed  # the individual targets she meets, of four
    no_reason = client.post(f"{office}/{person.id}/khong-tiep-nhan", {"reason": ""}, follow_redirects=True)
    assert "Cần ghi lý do không đưa vào danh sách" in no_reason.get_data(as_text=True)
    client.post(f"{office}/{person.id}/tiep-nhan")
    client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/lap")
    line = _lines(judged)["Lê Thị Hoa"]
    assert line.recipient_type == "ca_nhan" and line.unit_name == judged.school.name
    assert line.achievements.startswith("Hoàn thành xuất sắc nhiệm vụ; đạt 1/4 chỉ tiêu đối với cá nhân.")
    # every line gets its form of commendation; the list goes to the leader, is approved and decided
    for entry in db.session.scalars(sa.select(AwardEntry)):
        client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/ghi-chu",
                    {"entry": entry.id, "level_id": judged.level.id, "note": ""})
    client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/trinh-duyet")
    xlsx = client.get(f"/phong-trao/{judged.campaign.id}/khen-thuong.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    texts = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Lê Thị Hoa" in texts and judged.school.name in texts and "Cá nhân xuất sắc trong phong trào" in texts
    docx = client.get(f"/phong-trao/{judged.campaign.id}/khen-thuong.docx")
    assert docx.status_code == 200
    client.logout()
    client.login(judged.leader)
    approve = client.get(f"/phong-trao/{judged.campaign.id}/khen-thuong/duyet").get_data(as_text=True)
    assert "Lê Thị Hoa" in approve and "Chỉ tiêu thi đua:" in approve
    version = db.session.scalar(sa.select(AwardList.version))
    client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/duyet", {"version": version})
    client.logout()
    client.login(judged.secretariat)
    response = client.post(f"/phong-trao/{judged.campaign.id}/khen-thuong/quyet-dinh", {
        "decision-level_id": judged.level.id, "decision-number": "15/QĐ-SGDĐT",
        "decision-decided_on": judged.campaign.report_deadline.isoformat(), "decision-signer": "Trần Thế Cương"},
        follow_redirects=True)
    assert "Đã ghi nhận" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(AwardList.status)) == "decided"


def test_after_the_deadline_a_person_can_no_longer_be_proposed(client, judged, clock):
    from datetime import datetime

    judged.campaign.individuals_deadline = judged.campaign.launch_date + timedelta(days=1)
    db.session.commit()
    clock.at(datetime.combine(judged.campaign.launch_date + timedelta(days=2), datetime.min.time()))
    client.login(judged.editor)
    response = client.post(f"/phong-trao/{judged.campaign.id}/ca-nhan-xuat-sac",
                           {"full_name": "Lê Thị Hoa", "rating": "tot", "achievements": "Chữ ký số"})
    assert response.status_code == 400 and "Đã hết hạn đề nghị cá nhân xuất sắc" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutstandingPerson)) == 0
