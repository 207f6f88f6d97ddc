"""The units directory through HTTP, as the secretariat uses it: import, create, edit, (de)activate, search."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.campaigns import services as campaign_services
from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.units.models import Unit

from tests import factories

IMPORT_URL = "/don-vi-truc-thuoc/nhap"

HEADER = "code,name,short_name,block,unit_type,district,parent_code,email\n"
# Rows 2 and 6 are correct; rows 3, 4 and 5 each have one mistake.
MALFORMED_CSV = (
    HEADER
    + "thpt-moi-mot,Trường THPT Mới Một,,Khối trực thuộc,thpt,Ba Đình,so-gddt,moimot@thidua-demo.edu.vn\n"
    + "THPT Sai Ma,Trường THPT Sai Mã,,Khối trực thuộc,thpt,Ba Đình,so-gddt,\n"
    + "thpt-thieu-ten,,,Khối trực thuộc,thpt,Ba Đình,so-gddt,\n"
    + "thpt-sai-email,Trường THPT Sai Email,,Khối trực thuộc,thpt,Ba Đình,so-gddt,khong-phai-email\n"
    + "thpt-moi-hai,Trường THPT Mới Hai,,Khối trực thuộc,thpt,Đống Đa,so-gddt,\n"
)
GOOD_CODES = {"thpt-moi-mot", "thpt-moi-hai"}
BAD_CODES = {"THPT Sai Ma", "thpt-thieu-ten", "thpt-sai-email"}

REFUSAL = (
    "Tệp còn 3 dòng có lỗi nên chưa nhập dòng nào. Hãy sửa các lỗi "
    "rồi tải lên lại, hoặc chọn chỉ nhập các dòng hợp lệ."
)
CODE_MESSAGE = "Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang."


@pytest.fixture(autouse=True)
def _pending_uploads_in_tmp(app, tmp_path, monkeypatch):
    """Pending uploads go to the instance folder; keep the test's out of the real one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))


def _codes() -> set[str]:
    return set(db.session.scalars(sa.select(Unit.code)))


def _audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _upload(client, data: bytes, filename: str = "danh-muc.csv"):
    return client.post(IMPORT_URL, {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _row_cells(page: str, number: int) -> str:
    """The HTML of the review table's row numbered `number` (as the spreadsheet numbers it)."""
    match = re.search(rf'<tr>\s*<td data-label="Dòng">{number}</td>(.*?)</tr>', page, re.S)
    assert match, f"row {number} is not listed on the review page"
    return match.group(1)


def _unit_form(**values) -> dict:
    form = {"code": "", "name": "", "short_name": "", "block": "Khối trực thuộc", "unit_type": "thpt",
            "district": "", "email": "", "parent_id": "0"}
    form.update(values)
    return form


def _form_of(unit: Unit, **changes) -> dict:
    values = dict(code=unit.code, name=unit.name, short_name=unit.short_name, block=unit.block,
                  unit_type=unit.unit_type, district=unit.district, email=unit.email,
                  parent_id=str(unit.parent_id or 0))
    values.update(changes)
    return _unit_form(**values)


# --------------------------------------------------------------------------- import


def test_malformed_upload_is_reviewed_with_row_errors_before_anything_is_written(client, world):
    before = _codes()
    client.login(world.secretariat)

    response = _upload(client, MALFORMED_CSV.encode("utf-8"))
    assert response.status_code == 302
    review_url = response.headers["Location"]
    assert re.fullmatch(r"/don-vi-truc-thuoc/nhap/[0-9a-f]{32}", review_url)

    page = client.get(review_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tệp có 3 dòng lỗi. Chưa có dòng nào được nhập." in html
    assert "Cột “code”: Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang" in _row_cells(html, 3)
    assert "Cột “name”: Thiếu tên đơn vị" in _row_cells(html, 4)
    assert "Cột “email”: Email “khong-phai-email” không hợp lệ" in _row_cells(html, 5)
    for good in (2, 6):
        cells = _row_cells(html, good)
        assert "Thêm mới" in cells and "report-error" not in cells
    assert "Chỉ nhập 2 dòng hợp lệ" in html

    db.session.expire_all()
    assert _codes() == before
    assert _audit("units.imported") == []


def test_applying_a_file_with_errors_in_full_is_refused_and_imports_nothing(client, world):
    before = _codes()
    client.login(world.secretariat)
    review_url = _upload(client, MALFORMED_CSV.encode("utf-8")).headers["Location"]

    response = client.post(review_url, {"mode": "all"})

    assert response.status_code == 400
    assert REFUSAL in response.get_data(as_text=True)
    db.session.expire_all()
    assert _codes() == before
    assert _audit("units.imported") == []
    # The upload is still pending: the user can still choose to import the good rows.
    assert client.get(review_url).status_code == 200


def test_applying_good_rows_only_imports_exactly_the_good_rows_with_one_audit_row(client, world):
    before = _codes()
    client.login(world.secretariat)
    review_url = _upload(client, MALFORMED_CSV.encode("utf-8")).headers["Location"]

    response = client.post(review_url, {"mode": "good_rows"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/don-vi-truc-thuoc"
    db.session.expire_all()
    assert _codes() - before == GOOD_CODES
    assert not (_codes() & BAD_CODES)
    created = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(GOOD_CODES)))}
    assert created["thpt-moi-mot"].name == "Trường THPT Mới Một"
    assert created["thpt-moi-mot"].email == "moimot@thidua-demo.edu.vn"
    assert created["thpt-moi-hai"].district == "Đống Đa"
    assert {u.parent_id for u in created.values()} == {world.root.id}
    [entry] = _audit("units.imported")
    assert entry.actor_id == world.secretariat.id
    assert entry.details == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 3, "filename": "danh-muc.csv"}

    flashed = client.get("/don-vi-truc-thuoc").get_data(as_text=True)
    assert "Đã nhập danh mục: 2 đơn vị mới, 0 cập nhật, 0 không đổi, bỏ qua 3 dòng lỗi." in flashed
    # Applied uploads are gone: the same token cannot be applied twice.
    assert client.get(review_url).status_code == 404
    assert client.post(review_url, {"mode": "good_rows"}).status_code == 404
    assert len(_audit("units.imported")) == 1


def test_a_correct_file_is_imported_in_full(client, world):
    client.login(world.secretariat)
    data = (HEADER + "thpt-moi-mot,Trường THPT Mới Một,,Khối trực thuộc,thpt,Ba Đình,so-gddt,\n").encode("utf-8")
    review_url = _upload(client, data).headers["Location"]
    html = client.get(review_url).get_data(as_text=True)
    assert "Nhập 1 dòng" in html

    assert client.post(review_url, {"mode": "all"}).status_code == 302
    db.session.expire_all()
    assert "thpt-moi-mot" in _codes()
    assert len(_audit("units.imported")) == 1


def test_a_non_utf8_file_gets_a_clear_message_and_cannot_be_applied(client, world):
    before = _codes()
    client.login(world.secretariat)
    data = (HEADER + "thpt-moi-mot,Trường THPT Mới Một,,Khối trực thuộc,thpt,Ba Đình,so-gddt,\n").encode("cp1258",
                                                                                                          "replace")
    review_url = _upload(client, data).headers["Location"]

    html = client.get(review_url).get_data(as_text=True)
    assert "Không nhập được tệp này." in html
    assert (
        "Tệp CSV không dùng bảng mã UTF-8 (có thể là Windows-1258, TCVN3 hoặc VNI; "
        "ký tự lỗi đầu tiên ở dòng 2), nên tiếng Việt sẽ bị sai."
    ) in html
    assert "CSV UTF-8 (Comma delimited)" in html

    response = client.post(review_url, {"mode": "good_rows"})
    assert response.status_code == 400
    assert "Không nhập được tệp: Tệp CSV không dùng bảng mã UTF-8" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _codes() == before


def test_an_empty_or_missing_upload_is_refused_on_the_upload_page(client, world):
    client.login(world.secretariat)
    response = _upload(client, b"")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Tệp rỗng." in html

    response = client.post(IMPORT_URL, {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Chọn tệp để nhập." in response.get_data(as_text=True)


def test_another_secretariat_user_cannot_review_or_apply_someone_elses_upload(client, make_client, world):
    before = _codes()
    client.login(world.secretariat)
    review_url = _upload(client, MALFORMED_CSV.encode("utf-8")).headers["Location"]
    colleague = factories.user(Role.SECRETARIAT, world.office_unit, username="vanphong2")
    db.session.commit()

    other = make_client()
    other.login(colleague)
    assert other.get(review_url).status_code == 404
    assert other.post(review_url, {"mode": "good_rows"}).status_code == 404

    db.session.expire_all()
    assert _codes() == before
    assert _audit("units.imported") == []
    # Still the owner's to apply.
    assert client.post(review_url, {"mode": "good_rows"}).status_code == 302


def test_unit_roles_cannot_open_the_import(client, world):
    client.login(world.head)
    assert client.get(IMPORT_URL).status_code == 403


# --------------------------------------------------------------------------- create and edit


def test_creating_a_unit_with_an_invalid_code_keeps_the_typed_values_and_explains_the_code(client, world):
    before = _codes()
    client.login(world.secretariat)

    response = client.post("/don-vi-truc-thuoc/moi", _unit_form(code="THPT Mới", name="Trường THPT Mới Thành Lập",
                                                                 district="Hoàn Kiếm"))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert CODE_MESSAGE in html
    assert 'value="Trường THPT Mới Thành Lập"' in html
    assert 'value="THPT Mới"' in html
    assert 'value="Hoàn Kiếm"' in html
    db.session.expire_all()
    assert _codes() == before
    assert _audit("unit.created") == []


def test_creating_a_unit_whose_name_is_only_spaces_is_refused(client, world):
    before = _codes()
    client.login(world.secretariat)
    response = client.post("/don-vi-truc-thuoc/moi", _unit_form(code="thpt-khong-ten", name="   "))
    assert response.status_code == 400
    assert "Vui lòng nhập thông tin này." in response.get_data(as_text=True)
    db.session.expire_all()
    assert _codes() == before


def test_creating_a_unit_writes_it_and_an_audit_row(client, world):
    client.login(world.secretariat)
    response = client.post("/don-vi-truc-thuoc/moi", _unit_form(code="thpt-moi-thanh-lap",
                                                                 name="Trường THPT Mới Thành Lập",
                                                                 parent_id=str(world.root.id)))
    assert response.status_code == 302
    db.session.expire_all()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "thpt-moi-thanh-lap"))
    assert unit is not None and unit.parent_id == world.root.id and unit.is_active
    [entry] = _audit("unit.created")
    assert entry.object_id == unit.id and entry.actor_id == world.secretariat.id


def test_creating_a_unit_with_a_code_already_in_the_directory_is_refused(client, world):
    client.login(world.secretariat)
    response = client.post("/don-vi-truc-thuoc/moi", _unit_form(code="thpt-chu-van-an", name="Trường THPT Trùng Mã"))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mã đơn vị này đã có trong danh mục." in html
    assert 'value="Trường THPT Trùng Mã"' in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.code == "thpt-chu-van-an")) == 1
    assert _audit("unit.created") == []


def test_editing_a_unit_to_take_a_code_of_another_unit_is_refused(client, world):
    client.login(world.secretariat)
    response = client.post(f"/don-vi-truc-thuoc/{world.other_school.id}",
                           _form_of(world.other_school, code="thpt-chu-van-an"))
    assert response.status_code == 400
    assert "Mã đơn vị này đã có trong danh mục." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, world.other_school.id).code == "thpt-kim-lien"


@pytest.mark.parametrize("new_parent", ["itself", "its child", "its grandchild"])
def test_editing_a_unit_so_that_it_becomes_its_own_ancestor_is_refused(client, world, new_parent):
    grandchild = factories.unit(code="to-van-phong", name="Tổ Hành chính", block="Khối các phòng thuộc Sở",
                                unit_type="to_thuoc_phong", parent=world.office_unit)
    db.session.commit()
    parent = {"itself": world.root, "its child": world.office_unit, "its grandchild": grandchild}[new_parent]
    client.login(world.secretariat)

    response = client.post(f"/don-vi-truc-thuoc/{world.root.id}", _form_of(world.root, parent_id=str(parent.id)))

    assert response.status_code == 400
    assert "Đơn vị cấp trên không thể là chính đơn vị này hoặc đơn vị cấp dưới của nó." in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, world.root.id).parent_id is None
    assert _audit("unit.updated") == []


def test_editing_a_unit_records_the_changed_fields(client, world):
    client.login(world.secretariat)
    response = client.post(f"/don-vi-truc-thuoc/{world.school.id}",
                           _form_of(world.school, name="Trường THPT Chu Văn An (Hà Nội)"))
    assert response.status_code == 302
    db.session.expire_all()
    [entry] = _audit("unit.updated")
    assert entry.details == {"name": ["Trường THPT Chu Văn An", "Trường THPT Chu Văn An (Hà Nội)"]}


# --------------------------------------------------------------------------- (de)activation


def test_deactivated_units_are_audited_and_left_out_of_new_campaigns_until_activated_again(client, world):
    client.login(world.secretariat)
    toggle = f"/don-vi-truc-thuoc/{world.other_school.id}/trang-thai"

    response = client.post(toggle)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, world.other_school.id).is_active is False
    [deactivated] = _audit("unit.deactivated")
    assert deactivated.object_id == world.other_school.id and deactivated.actor_id == world.secretariat.id

    new_campaign = factories.campaign(world.root, name="Phong trào mới", year=2025)
    db.session.commit()
    campaign_services.set_participants(new_campaign, {("Khối trực thuộc", "thpt")}, actor=world.secretariat)
    db.session.commit()
    participants = set(db.session.scalars(
        sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == new_campaign.id)))
    assert participants == {world.school.id}

    assert client.post(toggle).status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, world.other_school.id).is_active is True
    [activated] = _audit("unit.activated")
    assert activated.object_id == world.other_school.id
    campaign_services.set_participants(new_campaign, {("Khối trực thuộc", "thpt")}, actor=world.secretariat)
    db.session.commit()
    participants = set(db.session.scalars(
        sa.select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == new_campaign.id)))
    assert participants == {world.school.id, world.other_school.id}


def test_the_toggle_needs_the_csrf_token(client, world):
    client.login(world.secretariat)
    response = client.post(f"/don-vi-truc-thuoc/{world.other_school.id}/trang-thai", token=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Unit, world.other_school.id).is_active is True
    assert _audit("unit.deactivated") == []


# --------------------------------------------------------------------------- search


def test_searching_the_list_without_diacritics_finds_the_unit(client, world):
    client.login(world.secretariat)

    html = client.get("/don-vi-truc-thuoc", query_string={"q": "truong thpt chu van an"}).get_data(as_text=True)

    assert "Trường THPT Chu Văn An" in html
    assert "Trường THPT Kim Liên" not in html
    assert "Văn phòng</td>" not in html


def test_searching_with_diacritics_finds_the_same_unit(client, world):
    client.login(world.leader)
    html = client.get("/don-vi-truc-thuoc", query_string={"q": "Chu Văn An"}).get_data(as_text=True)
    assert "Trường THPT Chu Văn An" in html
    assert "Trường THPT Kim Liên" not in html


def test_the_review_counts_updates_and_names_each_changed_column_in_vietnamese(client, world):
    school = world.school
    client.login(world.secretariat)
    csv = HEADER + (f"{school.code},Trường THPT Chu Văn An (đổi tên),CVA,{school.block},{school.unit_type},"
                    f"{school.district},,moi@thidua-demo.edu.vn\n")
    page = client.get(_upload(client, csv.encode("utf-8")).headers["Location"]).get_data(as_text=True)
    assert "built-in method" not in page
    assert re.search(r'<span class="stat-value">1</span><span class="stat-label">cập nhật</span>', page)
    cells = _row_cells(page, 2)
    assert f"Tên đơn vị: “{school.name}” → “Trường THPT Chu Văn An (đổi tên)”" in cells
    assert "Email: “" in cells and "Tên viết tắt: “" in cells
    assert not re.search(r"\b(name|short_name|email):", cells)
