"""A unit reports its targets, the office returns one value, the unit corrects, the board follows."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.targets import services
from thidua.targets.board import build_board
from thidua.targets.models import Target, TargetValue


def _setup(client, world):
    client.login(world.secretariat)
    response = client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/mac-dinh")
    assert response.status_code == 302
    client.logout()
    return {t.name: t for t in db.session.scalars(sa.select(Target).where(Target.campaign_id == world.campaign.id))}


def _board(world):
    db.session.rollback()  # what the requests committed, not the test's own snapshot
    return build_board(world.campaign)


def _sheet_url(world):
    return f"/phong-trao/{world.campaign.id}/chi-tieu-cua-don-vi"


def _round_id(world):
    return services.rounds_of(world.campaign.id)[0].id


def test_the_default_set_follows_the_plan_for_offices_schools_and_persons(client, world):
    targets = _setup(client, world)
    assert len(targets) == 15
    on_time = targets["Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn (từng lĩnh vực)"]
    assert on_time.threshold == 98 and on_time.type_list == ["phong_thuoc_so"] and on_time.evidence_required
    payments = targets["Ứng dụng thanh toán điện tử trong cung ứng dịch vụ"]
    assert payments.applies_to_unit("thpt", "Khối trực thuộc")
    assert not payments.applies_to_unit("phong_thuoc_so", "Khối các phòng thuộc Sở")
    assert sum(t.applies_to == "individuals" for t in targets.values()) == 4
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/chi-tieu").get_data(as_text=True)
    assert "≥ 98%" in page and "Chỉ tiêu đối với cá nhân" in page


def test_a_school_reports_is_returned_corrects_and_is_accepted(client, world):
    targets = _setup(client, world)
    payments = targets["Ứng dụng thanh toán điện tử trong cung ứng dịch vụ"]
    signatures = targets["Văn bản trao đổi với Sở có chữ ký số (trừ văn bản mật)"]
    project06 = targets["Tuyên truyền, triển khai Đề án 06"]
    client.login(world.editor)
    page = client.get(_sheet_url(world)).get_data(as_text=True)
    assert payments.name in page and "Tỷ lệ hồ sơ thủ tục hành chính" not in page  # offices' targets only
    response = client.post(_sheet_url(world), {
        "round": _round_id(world), f"n-{payments.id}": "1.234", f"d-{payments.id}": "1.250",
        f"v-{signatures.id}": "100", f"v-{project06.id}": "1"})
    assert response.status_code == 302
    value = db.session.scalar(sa.select(TargetValue).where(TargetValue.target_id == payments.id))
    assert value.value == Decimal("98.72") and value.numerator == 1234 and value.state == "draft"
    # an editor cannot send; the head can, once the evidence asked for is there
    response = client.post(f"{_sheet_url(world)}/dot/{_round_id(world)}/gui", follow_redirects=True)
    assert "Thủ trưởng đơn vị gửi" in response.get_data(as_text=True)
    client.logout()
    client.login(world.head)
    response = client.post(f"{_sheet_url(world)}/dot/{_round_id(world)}/gui", follow_redirects=True)
    assert "minh chứng của “Tuyên truyền, triển khai Đề án 06”" in response.get_data(as_text=True)
    pdf = (b"%PDF-1.4\n%test\n", "trien-khai-de-an-06.pdf")
    import io
    response = client.post(f"{_sheet_url(world)}/{project06.id}/minh-chung",
                           {"file": (io.BytesIO(pdf[0]), pdf[1])}, content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.post(f"{_sheet_url(world)}/dot/{_round_id(world)}/gui", follow_redirects=True)
    assert "Đã gửi 3 giá trị" in response.get_data(as_text=True)
    client.logout()

    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/chi-tieu/kiem-tra").get_data(as_text=True)
    assert "98,72%" in page and "1.234/1.250" in page
    db.session.expire_all()
    value = db.session.scalar(sa.select(TargetValue).where(TargetValue.target_id == payments.id))
    refused = client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/gia-tri/{value.id}/tra-lai", {"reason": ""},
                          follow_redirects=True)
    assert "Cần ghi lý do trả lại" in refused.get_data(as_text=True)
    client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/gia-tri/{value.id}/tra-lai",
                {"reason": "Mẫu số phải là tổng số khoản thu cả năm, không phải học kỳ I."})
    for other in db.session.scalars(sa.select(TargetValue).where(TargetValue.target_id != payments.id)):
        client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/gia-tri/{other.id}/xac-nhan")
    client.logout()

    board = _board(world)
    school = next(u for u in board.units if u.unit_id == world.school.id)
    assert school.cells[payments.id].status == "returned"
    assert school.cells[signatures.id].status == "met"

    client.login(world.editor)
    page = client.get(_sheet_url(world)).get_data(as_text=True)
    assert "Văn phòng trả lại: Mẫu số phải là tổng số khoản thu cả năm" in page
    dashboard = client.get("/don-vi").get_data(as_text=True)  # told on the dashboard, with the way there
    assert "Văn phòng trả lại giá trị chỉ tiêu “Ứng dụng thanh toán điện tử" in dashboard
    assert f"/chi-tieu-cua-don-vi#chi-tieu-{payments.id}" in dashboard
    client.post(_sheet_url(world), {"round": _round_id(world), f"n-{payments.id}": "2.500",
                                    f"d-{payments.id}": "2.500"})
    client.logout()
    client.login(world.head)
    client.post(f"{_sheet_url(world)}/dot/{_round_id(world)}/gui")
    client.logout()
    client.login(world.secretariat)
    db.session.expire_all()
    value = db.session.get(TargetValue, value.id)
    assert value.state == "sent" and value.value == Decimal("100.00")
    response = client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/gia-tri/{value.id}/xac-nhan",
                           follow_redirects=True)
    assert "Đã xác nhận giá trị." in response.get_data(as_text=True)
    board = _board(world)
    school = next(u for u in board.units if u.unit_id == world.school.id)
    assert school.cells[payments.id].status == "met"
    summary = board.summary(payments.id)
    assert (summary.total.met, summary.total.applicable) == (1, 2)
    actions = set(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("targets.%"))))
    assert {"targets.values_saved", "targets.sent", "targets.returned", "targets.accepted",
            "targets.evidence_added"} <= actions


def test_a_refused_number_keeps_what_was_typed_and_saves_nothing(client, world):
    targets = _setup(client, world)
    payments = targets["Ứng dụng thanh toán điện tử trong cung ứng dịch vụ"]
    signatures = targets["Văn bản trao đổi với Sở có chữ ký số (trừ văn bản mật)"]
    client.login(world.editor)
    response = client.post(_sheet_url(world), {"round": _round_id(world), f"n-{payments.id}": "1.300",
                                               f"d-{payments.id}": "1.250", f"v-{signatures.id}": "25.5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "tử số phải từ 0 đến mẫu số" in page and "“25.5”" in page
    assert 'value="1.300"' in page and 'value="25.5"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TargetValue)) == 0


def test_after_the_round_deadline_a_unit_cannot_send_until_extended(client, world, clock):
    targets = _setup(client, world)
    signatures = targets["Văn bản trao đổi với Sở có chữ ký số (trừ văn bản mật)"]
    round_ = services.rounds_of(world.campaign.id)[0]
    from datetime import datetime, timedelta
    clock.at(datetime.combine(round_.deadline + timedelta(days=1), datetime.min.time()).replace(hour=9))
    client.login(world.editor)
    response = client.post(_sheet_url(world), {"round": round_.id, f"v-{signatures.id}": "100"},
                           follow_redirects=True)
    assert "Đã hết hạn gửi" in response.get_data(as_text=True)
    client.logout()
    client.login(world.secretariat)
    response = client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/gia-han", {
        "round_id": round_.id, "unit_id": world.school.id,
        "until": (round_.deadline + timedelta(days=5)).isoformat(), "reason": "Hiệu trưởng đi công tác"})
    assert response.status_code == 302
    client.logout()
    client.login(world.editor)
    response = client.post(_sheet_url(world), {"round": round_.id, f"v-{signatures.id}": "100"})
    assert response.status_code == 302
