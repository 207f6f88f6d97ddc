"""Campaigns through HTTP, as the secretariat runs them: create, edit, participants, extensions, lists, export."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from tests import factories
from thidua.audit import AuditLog
from thidua.campaigns.models import Campaign, CampaignUnit
from thidua.extensions import db
from thidua.phases import Extension
from thidua.timeutil import format_date, local_today
from thidua.workflow import State, transition

NEW_URL = "/phong-trao/moi"


def _audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _participants(campaign_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign_id)))


def _campaign_form(**values) -> dict:
    form = {
        "name": "Phong trào thi đua CCHC năm 2025", "year": "2025", "period": "2023–2025",
        "plan_reference": "Kế hoạch số 100/KH-SGDĐT", "description": "",
        "launch_date": "2025-08-01", "registration_deadline": "2025-08-25", "report_deadline": "2025-10-31",
        "city_report_deadline": "2025-11-15", "min_initiatives_per_unit": "1",
    }
    form.update(values)
    return form


def _form_of(campaign: Campaign, **changes) -> dict:
    values = {
        "name": campaign.name, "year": str(campaign.year), "period": campaign.period,
        "plan_reference": campaign.plan_reference, "description": campaign.description,
        "launch_date": campaign.launch_date.isoformat(),
        "registration_deadline": campaign.registration_deadline.isoformat(),
        "report_deadline": campaign.report_deadline.isoformat(),
        "city_report_deadline": campaign.city_report_deadline.isoformat() if campaign.city_report_deadline else "",
        "min_initiatives_per_unit": str(campaign.min_initiatives_per_unit),
    }
    values.update(changes)
    return values


def _titles(html: str) -> set[str]:
    """The initiative titles listed on the initiatives page."""
    return set(re.findall(r'<td data-label="Tên"><a href="[^"]+">([^<]*)</a></td>', html))


# --------------------------------------------------------------------------- create and edit


def test_creating_a_campaign_with_deadlines_out_of_order_shows_each_message_and_keeps_the_typed_values(
        client, world):
    campaigns_before = db.session.scalar(sa.select(sa.func.count()).select_from(Campaign))
    client.login(world.secretariat)

    response = client.post(NEW_URL, _campaign_form(
        name="Phong trào thử ngày sai", launch_date="10/09/2025", registration_deadline="1/9/2025",
        report_deadline="2025-08-15", city_report_deadline="",
    ))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Hạn đăng ký phải từ ngày phát động trở đi." in html
    assert "Hạn báo cáo kết quả phải sau hạn đăng ký." in html
    assert 'value="Phong trào thử ngày sai"' in html
    for shown in ("10/09/2025", "01/09/2025", "15/08/2025"):  # each read, and shown back the Vietnamese way
        assert f'value="{shown}"' in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == campaigns_before
    assert _audit("campaign.created") == []


def test_a_report_deadline_before_the_registration_deadline_alone_is_refused(client, world):
    client.login(world.secretariat)
    response = client.post(NEW_URL, _campaign_form(registration_deadline="2025-08-25", report_deadline="2025-08-24"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Hạn báo cáo kết quả phải sau hạn đăng ký." in html
    assert "Hạn đăng ký phải từ ngày phát động trở đi." not in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign).where(Campaign.year == 2025)) == 0


def test_a_campaign_name_of_only_spaces_is_refused(client, world):
    client.login(world.secretariat)
    response = client.post(NEW_URL, _campaign_form(name="   "))
    assert response.status_code == 400
    assert "Vui lòng nhập thông tin này." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign).where(Campaign.year == 2025)) == 0


def test_creating_a_valid_campaign_leads_to_choosing_participants(client, world):
    client.login(world.secretariat)

    response = client.post(NEW_URL, _campaign_form())

    assert response.status_code == 302
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.year == 2025))
    assert campaign is not None
    assert response.headers["Location"] == f"/phong-trao/{campaign.id}/don-vi-tham-gia"
    assert campaign.name == "Phong trào thi đua CCHC năm 2025"
    assert campaign.organiser_id == world.root.id
    assert (campaign.launch_date, campaign.registration_deadline, campaign.report_deadline,
            campaign.city_report_deadline) == (date(2025, 8, 1), date(2025, 8, 25), date(2025, 10, 31),
                                               date(2025, 11, 15))
    assert _participants(campaign.id) == set()
    [created] = _audit("campaign.created")
    assert created.object_id == campaign.id and created.actor_id == world.secretariat.id


def test_editing_a_campaign_records_only_the_changed_fields(client, world):
    campaign = world.campaign
    old_name, old_deadline = campaign.name, campaign.registration_deadline
    new_deadline = old_deadline + timedelta(days=5)
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{campaign.id}/sua", _form_of(
        campaign, name="Phong trào thi đua CCHC năm 2024 (sửa)", registration_deadline=new_deadline.isoformat()))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/phong-trao/{campaign.id}"
    db.session.expire_all()
    [entry] = _audit("campaign.updated")
    assert entry.campaign_id == campaign.id and entry.actor_id == world.secretariat.id
    assert entry.details == {
        "name": [old_name, "Phong trào thi đua CCHC năm 2024 (sửa)"],
        "registration_deadline": [old_deadline.isoformat(), new_deadline.isoformat()],
    }
    assert db.session.get(Campaign, campaign.id).registration_deadline == new_deadline


def test_saving_a_campaign_unchanged_writes_no_audit_row(client, world):
    client.login(world.secretariat)
    assert client.post(f"/phong-trao/{world.campaign.id}/sua", _form_of(world.campaign)).status_code == 302
    assert _audit("campaign.updated") == []


# --------------------------------------------------------------------------- participants


@pytest.fixture
def directory(world):
    """More units beside the world's: another THPT, an inactive one, a centre, a second "so" unit."""
    units = {
        "thpt": factories.unit(code="thpt-viet-duc", name="Trường THPT Việt Đức", parent=world.root),
        "inactive": factories.unit(code="thpt-da-giai-the", name="Trường THPT Đã Giải Thể", parent=world.root,
                                   is_active=False),
        "centre": factories.unit(code="gdnn-gdtx-ba-dinh", name="Trung tâm GDNN-GDTX Ba Đình",
                                 unit_type="tt_gdnn_gdtx", parent=world.root),
        "other_so": factories.unit(code="so-khac", name="Sở khác", block="", unit_type="so", parent=world.root),
        # Outside the organiser's tree: never offered, never a participant.
        "elsewhere": factories.unit(code="thpt-tinh-khac", name="Trường THPT Tỉnh Khác", unit_type="thpt"),
    }
    db.session.commit()
    return units


def test_participants_page_offers_the_groups_of_active_units(client, world, directory):
    client.login(world.secretariat)
    html = client.get(f"/phong-trao/{world.campaign.id}/don-vi-tham-gia").get_data(as_text=True)
    values = set(re.findall(r'name="group" value="([^"]*)"', html))
    assert values == {"Khối các phòng thuộc Sở|phong_thuoc_so", "Khối trực thuộc|thpt",
                      "Khối trực thuộc|tt_gdnn_gdtx", "|so"}
    # Two active THPT besides the world's own two; the inactive one is not counted.
    assert "(3 đơn vị)" in html


def test_choosing_groups_selects_exactly_their_active_units_without_the_organiser(client, world, directory):
    campaign = factories.campaign(world.root, name="Phong trào 2025", year=2025)
    db.session.commit()
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{campaign.id}/don-vi-tham-gia",
                           {"group": ["Khối trực thuộc|thpt", "|so", "Khối không có|thpt"]})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/phong-trao/{campaign.id}"
    db.session.expire_all()
    assert _participants(campaign.id) == {world.school.id, world.other_school.id, directory["thpt"].id,
                                          directory["other_so"].id}
    [entry] = _audit("campaign.participants")
    assert entry.details["added"] == 4 and entry.details["total"] == 4
    assert entry.details["groups"] == [["", "so"], ["Khối trực thuộc", "thpt"]]


def test_removing_a_group_keeps_the_units_that_already_have_initiatives(client, world, directory):
    campaign = world.campaign  # participants: the office, both schools
    factories.initiative(campaign, world.school, actor=world.editor)
    db.session.commit()
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{campaign.id}/don-vi-tham-gia",
                           {"group": ["Khối các phòng thuộc Sở|phong_thuoc_so"]})

    assert response.status_code == 302
    db.session.expire_all()
    assert _participants(campaign.id) == {world.office_unit.id, world.school.id}
    [entry] = _audit("campaign.participants")
    assert entry.details["removed"] == 1 and entry.details["kept_with_records"] == 1
    assert "Đã cập nhật danh sách: 2 đơn vị tham gia." in client.get(f"/phong-trao/{campaign.id}").get_data(
        as_text=True)


# --------------------------------------------------------------------------- extensions


def _extension_form(unit_id, until: date, reason="Cán bộ đầu mối nghỉ ốm, đơn vị đã có văn bản giải trình.",
                    phase="registration") -> dict:
    return {"unit_id": str(unit_id), "phase": phase, "until": until.isoformat(), "reason": reason}


def test_an_extension_not_after_the_phase_deadline_is_refused(client, world):
    campaign = world.campaign
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{campaign.id}/gia-han",
                           _extension_form(world.school.id, campaign.registration_deadline))

    assert response.status_code == 400
    expected = f"Ngày gia hạn phải sau hạn của đợt ({format_date(campaign.registration_deadline)})."
    assert expected in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0
    assert _audit("extension.granted") == []


def test_an_extension_for_the_report_phase_is_compared_with_the_report_deadline(client, world):
    campaign = world.campaign
    client.login(world.secretariat)
    response = client.post(f"/phong-trao/{campaign.id}/gia-han",
                           _extension_form(world.school.id, campaign.report_deadline - timedelta(days=1),
                                           phase="report"))
    assert response.status_code == 400
    assert f"Ngày gia hạn phải sau hạn của đợt ({format_date(campaign.report_deadline)})." in response.get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0


def test_an_extension_for_a_unit_not_taking_part_is_refused(client, world):
    outsider = factories.unit(code="thpt-ngoai", name="Trường THPT Ngoài Danh Sách", parent=world.root)
    db.session.commit()
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{world.campaign.id}/gia-han",
                           _extension_form(outsider.id, world.campaign.registration_deadline + timedelta(days=3)))

    assert response.status_code == 400
    assert "Đơn vị này không tham gia phong trào." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "only spaces"])
def test_an_extension_without_a_reason_is_refused(client, world, reason):
    client.login(world.secretariat)
    response = client.post(f"/phong-trao/{world.campaign.id}/gia-han",
                           _extension_form(world.school.id, world.campaign.registration_deadline + timedelta(days=3),
                                           reason=reason))
    assert response.status_code == 400
    assert "Ghi rõ lý do gia hạn." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0
    assert _audit("extension.granted") == []


def test_a_valid_extension_is_recorded_audited_and_shown_on_the_campaign_page(client, world):
    campaign = world.campaign
    until = campaign.registration_deadline + timedelta(days=3)
    reason = "Cán bộ đầu mối nghỉ ốm, đơn vị đã có văn bản giải trình."
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{campaign.id}/gia-han", _extension_form(world.school.id, until, reason))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/phong-trao/{campaign.id}"
    [extension] = db.session.scalars(sa.select(Extension)).all()
    assert (extension.campaign_id, extension.unit_id, extension.phase, extension.until, extension.reason,
            extension.granted_by_id) == (campaign.id, world.school.id, "registration", until, reason,
                                         world.secretariat.id)
    [entry] = _audit("extension.granted")
    assert entry.reason == reason
    assert (entry.object_id, entry.campaign_id, entry.unit_id, entry.actor_id) == (
        extension.id, campaign.id, world.school.id, world.secretariat.id)
    assert entry.details == {"phase": "registration", "until": until.isoformat(),
                             "deadline": campaign.registration_deadline.isoformat()}

    html = client.get(f"/phong-trao/{campaign.id}").get_data(as_text=True)
    assert f"Đã gia hạn đăng ký cho THPT Chu Văn An đến hết ngày {format_date(until)}." in html
    section = html.split("<h2>Gia hạn đã cấp</h2>", 1)[1]
    assert "THPT Chu Văn An" in section
    assert reason in section
    assert format_date(until) in section
    assert "Nguyễn Thị Thu Hà" in section


# --------------------------------------------------------------------------- the initiatives list


@pytest.fixture
def initiatives(world):
    """Four initiatives across two blocks, states, areas and kinds."""
    campaign = world.campaign
    items = {
        "school_registered": factories.initiative(
            campaign, world.school, actor=world.editor, status=State.REGISTERED, kind="giai_phap",
            area="chinh_quyen_so", title="Chữ ký số trong hồ sơ chuyên môn"),
        "school_draft": factories.initiative(
            campaign, world.school, actor=world.editor, kind="mo_hinh", area="tthc",
            title="Một cửa tiếp nhận hồ sơ học sinh"),
        "other_registered": factories.initiative(
            campaign, world.other_school, actor=world.other_editor, status=State.REGISTERED, kind="sang_kien",
            area="tthc", title="Tra cứu văn bằng trực tuyến"),
        "office_registered": factories.initiative(
            campaign, world.office_unit, actor=world.secretariat, status=State.REGISTERED, kind="giai_phap",
            area="the_che", title="Rà soát quy chế nội bộ"),
    }
    db.session.commit()
    return {key: item.title for key, item in items.items()}


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"school_registered", "school_draft", "other_registered", "office_registered"}),
    ({"status": "registered"}, {"school_registered", "other_registered", "office_registered"}),
    ({"status": "draft"}, {"school_draft"}),
    ({"block": "Khối trực thuộc"}, {"school_registered", "school_draft", "other_registered"}),
    ({"block": "Khối các phòng thuộc Sở"}, {"office_registered"}),
    ({"area": "tthc"}, {"school_draft", "other_registered"}),
    ({"kind": "giai_phap"}, {"school_registered", "office_registered"}),
    ({"kind": "sang_kien", "area": "tthc"}, {"other_registered"}),
    ({"q": "chu van an"}, {"school_registered", "school_draft"}),
    ({"q": "truong thpt kim lien"}, {"other_registered"}),
    ({"q": "Kim Liên"}, {"other_registered"}),
    ({"q": "Tra cứu văn bằng"}, {"other_registered"}),
    ({"status": "registered", "block": "Khối trực thuộc", "q": "chu van an"}, {"school_registered"}),
    ({"status": "not-a-state"}, {"school_registered", "school_draft", "other_registered", "office_registered"}),
    ({"q": "khong co don vi nay"}, set()),
])
def test_the_initiatives_list_filters_return_the_right_rows(client, world, initiatives, query, expected):
    client.login(world.leader)
    response = client.get(f"/phong-trao/{world.campaign.id}/sang-kien", query_string=query)
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == {initiatives[key] for key in expected}


def test_the_initiatives_list_finds_a_title_typed_without_diacritics(client, world, initiatives):
    client.login(world.leader)
    response = client.get(f"/phong-trao/{world.campaign.id}/sang-kien", query_string={"q": "tra cuu van bang"})
    assert _titles(response.get_data(as_text=True)) == {initiatives["other_registered"]}


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    return workbook.worksheets[0]


def test_the_xlsx_export_has_a_header_row_and_one_row_per_initiative(client, world, initiatives):
    client.login(world.secretariat)
    response = client.get(f"/phong-trao/{world.campaign.id}/sang-kien", query_string={"format": "xlsx"})

    sheet = _sheet(response)
    assert "attachment" in response.headers["Content-Disposition"]
    assert "dang-ky-2024.xlsx" in response.headers["Content-Disposition"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"Danh sách đăng ký — {world.campaign.name}"
    header = rows[2]
    assert header[:5] == ("STT", "Khối", "Đơn vị", "Loại", "Tên mô hình, giải pháp, sáng kiến")
    assert header[-2:] == ("Trạng thái", "Ngày gửi đăng ký")
    data = rows[3:]
    assert len(data) == 4
    assert [row[0] for row in data] == [1, 2, 3, 4]
    assert {row[4] for row in data} == set(initiatives.values())
    by_title = {row[4]: row for row in data}
    draft = by_title[initiatives["school_draft"]]
    assert draft[2] == "Trường THPT Chu Văn An" and draft[3] == "Mô hình" and draft[8] == "Bản nháp"
    assert by_title[initiatives["other_registered"]][8] == "Đã đăng ký"


def test_the_xlsx_export_follows_the_filters(client, world, initiatives):
    client.login(world.secretariat)
    response = client.get(f"/phong-trao/{world.campaign.id}/sang-kien",
                          query_string={"format": "xlsx", "status": "draft"})
    rows = list(_sheet(response).iter_rows(values_only=True))[3:]
    assert [row[4] for row in rows] == [initiatives["school_draft"]]


def test_a_title_starting_with_equals_is_exported_as_text_not_as_a_formula(client, world):
    title = '=HYPERLINK("http://example.com","Bấm vào đây")'
    factories.initiative(world.campaign, world.school, actor=world.editor, title=title)
    factories.initiative(world.campaign, world.other_school, actor=world.other_editor, title="+1+2")
    db.session.commit()
    client.login(world.secretariat)

    sheet = _sheet(client.get(f"/phong-trao/{world.campaign.id}/sang-kien", query_string={"format": "xlsx"}))

    cells = [row[4] for row in sheet.iter_rows(min_row=4)]
    assert len(cells) == 2
    assert all(cell.data_type == "s" for cell in cells)
    assert {cell.value for cell in cells} == {"'" + title, "'+1+2"}


# --------------------------------------------------------------------------- the audit log


def test_the_audit_log_lists_transitions_with_who_from_to_and_why(client, world):
    item = factories.initiative(world.campaign, world.school, actor=world.editor)
    transition(item, State.REGISTERED, actor=world.head)
    transition(item, State.WITHDRAWN, actor=world.head, reason="Trùng với đề xuất của tổ Văn phòng.")
    db.session.commit()
    client.login(world.secretariat)

    html = client.get("/nhat-ky", query_string={"campaign": world.campaign.id,
                                                "action": "initiative.transition"}).get_data(as_text=True)

    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]  # without the header
    assert len(rows) == 2
    withdrawn, registered = rows  # newest first
    for row in rows:
        assert "Nguyễn Văn Hiền" in row  # the unit head who made both moves
        assert "Chuyển trạng thái" in row
        assert f"Đề xuất #{item.id}" in row
        assert "THPT Chu Văn An" in row
    assert "Bản nháp → Đã đăng ký" in registered
    assert "Đã đăng ký → Đã rút" in withdrawn
    assert "Trùng với đề xuất của tổ Văn phòng." in withdrawn


def test_the_audit_log_is_closed_to_unit_accounts(client, world):
    client.login(world.editor)
    assert client.get("/nhat-ky").status_code == 403


def test_the_campaign_pages_are_closed_to_unit_accounts(client, world):
    client.login(world.head)
    assert client.get(f"/phong-trao/{world.campaign.id}").status_code == 403
    assert client.post(f"/phong-trao/{world.campaign.id}/gia-han",
                       _extension_form(world.school.id, local_today() + timedelta(days=30))).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0


def test_the_xlsx_export_names_each_author_with_position_and_share(client, world):
    from thidua.registration.models import InitiativeAuthor

    item = factories.initiative(world.campaign, world.school, actor=world.editor, title="Tra cứu điểm",
                                author_type="ca_nhan", collective_name="")
    item.authors.append(InitiativeAuthor(position=0, full_name="Phạm Thu Trang", job_title="Phó Hiệu trưởng",
                                         contribution=50))
    item.authors.append(InitiativeAuthor(position=1, full_name="Nguyễn Văn Đức", job_title="Giáo viên",
                                         contribution=50))
    db.session.commit()
    client.login(world.secretariat)

    rows = list(_sheet(client.get(f"/phong-trao/{world.campaign.id}/sang-kien",
                                  query_string={"format": "xlsx"})).iter_rows(values_only=True))
    assert rows[2][6] == "Tác giả"
    assert rows[3][6] == "Phạm Thu Trang (Phó Hiệu trưởng) – 50%\nNguyễn Văn Đức (Giáo viên) – 50%"


def test_a_campaign_draws_its_participants_from_its_organisers_subtree_only(world):
    """A ward organises its own campaign: its schools take part, the same kind of school elsewhere does not."""
    from thidua.campaigns import services as campaign_services
    from thidua.campaigns.models import CampaignUnit

    ward = factories.unit(code="ubnd-phuong-y", name="UBND phường Yên Hòa", parent=world.root, unit_type="so")
    inside = factories.unit(code="th-yen-hoa", name="Trường Tiểu học Yên Hòa", parent=ward, unit_type="th",
                            block="Khối tiểu học")
    outside = factories.unit(code="th-dich-vong", name="Trường Tiểu học Dịch Vọng", parent=world.root, unit_type="th",
                             block="Khối tiểu học")
    db.session.commit()
    campaign = factories.campaign(ward, name="Phong trào CCHC phường Yên Hòa 2024", year=2024)
    campaign_services.set_participants(campaign, {("Khối tiểu học", "th")}, actor=world.secretariat)
    db.session.commit()
    taking_part = set(db.session.scalars(sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id)))
    assert inside.id in taking_part and outside.id not in taking_part


@pytest.mark.parametrize("unit_id", ["", "0", "abc"], ids=["nothing chosen", "zero", "not a number"])
def test_an_extension_without_a_unit_chosen_asks_for_one_and_keeps_the_form(client, world, unit_id):
    client.login(world.secretariat)
    typed = f"{world.campaign.registration_deadline + timedelta(days=3):%d/%m/%Y}"
    response = client.post(f"/phong-trao/{world.campaign.id}/gia-han",
                           {**_extension_form("", world.campaign.registration_deadline), "unit_id": unit_id,
                            "until": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("Chọn đơn vị được gia hạn." if unit_id != "abc" else "Lựa chọn không hợp lệ.") in html
    assert f'value="{typed}"' in html  # the date typed stays, the Vietnamese way
    assert '<option value="">— Chọn đơn vị —</option>' in html or '<option selected value="">— Chọn đơn vị —' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Extension)) == 0
