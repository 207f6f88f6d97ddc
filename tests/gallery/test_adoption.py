"""A unit records that it adopted a model; the secretariat reads and exports the replication report."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from thidua.audit import AuditLog
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.gallery import services
from thidua.gallery.models import Adoption
from thidua.timeutil import local_today

from tests import factories
from tests.gallery.conftest import PDF, entry_of


def _adopt(client, entry, **extra):
    data = {"adopted_on": "2024-10-01", "note": "Áp dụng cho tuyển sinh lớp 10 của trường.", **extra}
    return client.post(f"/thu-vien/{entry.id}/nhan-rong", data, content_type="multipart/form-data")


def test_another_unit_records_its_adoption_with_a_file_and_the_page_counts_it(client, world, model):
    entry = entry_of(model)
    client.login(world.other_editor)
    assert "Đơn vị tôi đã áp dụng mô hình này" in client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(
        as_text=True)
    response = _adopt(client, entry, file=(io.BytesIO(PDF), "ke-hoach-ap-dung.pdf"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Đã ghi nhận đơn vị áp dụng mô hình" in page
    assert "Trường THPT Kim Liên" in page and "01/10/2024" in page
    assert entry_of(model).adoption_count == 1
    adoption = db.session.scalar(sa.select(Adoption))
    assert adoption.file_name == "ke-hoach-ap-dung.pdf"
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "gallery.adopted")).unit_id == \
        world.other_school.id
    client.logout()
    public = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    assert "1</strong> đơn vị đã nhân rộng" in public and "ke-hoach-ap-dung.pdf" not in public
    assert client.get(f"/thu-vien/nhan-rong/{adoption.id}/tep").status_code == 302  # a login is needed


def test_recording_twice_is_refused_with_a_clear_message(client, world, model):
    entry = entry_of(model)
    client.login(world.other_editor)
    _adopt(client, entry)
    client.logout()
    client.login(world.other_head)
    response = _adopt(client, entry, note="Lần hai")
    assert response.status_code == 302
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Đơn vị của bạn đã ghi nhận áp dụng mô hình này (ngày 01/10/2024)" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Adoption)) == 1
    assert entry_of(model).adoption_count == 1


def test_two_simultaneous_recordings_are_settled_by_the_unique_constraint(world, model, monkeypatch):
    entry = entry_of(model)
    services.record_adoption(entry, actor=world.other_editor, adopted_on=date(2024, 10, 1), note="Lần một")
    db.session.commit()
    # The second request checked before the first one committed: it saw no adoption yet.
    monkeypatch.setattr(services, "adoption_of", lambda entry_id, unit_id: None)
    with pytest.raises(services.AdoptionError, match="đã ghi nhận áp dụng mô hình này"):
        services.record_adoption(entry, actor=world.other_head, adopted_on=date(2024, 10, 2), note="Lần hai")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Adoption)) == 1


def test_a_unit_cannot_adopt_its_own_model(client, world, model):
    entry = entry_of(model)
    client.login(world.editor)
    page = client.get(f"/thu-vien/{entry.id}-{entry.slug}").get_data(as_text=True)
    assert "Đơn vị tôi đã áp dụng mô hình này" not in page
    response = _adopt(client, entry)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Adoption)) == 0
    with pytest.raises(services.AdoptionError, match="chính đơn vị bạn"):
        services.record_adoption(entry, actor=world.editor, adopted_on=date(2024, 10, 1), note="x")


def test_bad_input_is_refused_next_to_the_field_and_kept(client, world, model):
    entry = entry_of(model)
    client.login(world.other_editor)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = _adopt(client, entry, adopted_on=tomorrow, note="Ghi chú giữ lại")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "không được sau ngày hôm nay" in text and "Ghi chú giữ lại" in text
    response = _adopt(client, entry, file=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf"))
    assert response.status_code == 400 and "Loại tệp không được chấp nhận" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Adoption)) == 0


def test_an_unpublished_model_cannot_be_adopted(client, world, model):
    entry = entry_of(model)
    services.unpublish_initiative(model, actor=world.secretariat)
    db.session.commit()
    client.login(world.other_editor)
    assert _adopt(client, entry).status_code == 404


def test_the_adoption_file_is_for_the_two_units_and_the_office_only(make_client, world, model):
    entry = entry_of(model)
    adoption = services.record_adoption(entry, actor=world.other_editor, adopted_on=date(2024, 10, 1), note="x",
                                        stream=io.BytesIO(PDF), filename="ap-dung.pdf")
    third = factories.unit(code="thpt-thu-ba", name="Trường THPT Thứ Ba")
    outsider = factories.user(Role.UNIT_HEAD, third)
    db.session.commit()
    url = f"/thu-vien/nhan-rong/{adoption.id}/tep"
    for who, expected in [(world.other_editor, 200), (world.head, 200), (world.secretariat, 200),
                          (world.leader, 200), (outsider, 403), (world.reviewer, 403)]:
        client = make_client()
        client.login(who)
        assert client.get(url).status_code == expected, who.username


def test_the_replication_report_by_model_and_by_unit_with_xlsx(client, world, model):
    entry = entry_of(model)
    services.record_adoption(entry, actor=world.other_editor, adopted_on=date(2024, 10, 1), note="=HYPERLINK(1)")
    db.session.commit()
    client.login(world.secretariat)
    by_model = client.get("/quan-tri/nhan-rong").get_data(as_text=True)
    assert entry.title in by_model and "Trường THPT Kim Liên" in by_model
    by_unit = client.get("/quan-tri/nhan-rong?by=unit").get_data(as_text=True)
    assert "Trường THPT Kim Liên" in by_unit and entry.title in by_unit
    for by in ("model", "unit"):
        response = client.get(f"/quan-tri/nhan-rong?by={by}&format=xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).active
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
        assert entry.title in values and "Trường THPT Kim Liên" in values
        assert "'=HYPERLINK(1)" in values  # written as text, never run as a formula
