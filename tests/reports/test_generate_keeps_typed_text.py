""""Tạo báo cáo" never discards the narrative on the screen: the page's button sends the narrative form to the
generate route, which saves it first (as "Lưu nội dung" does) and builds the version from the saved text."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa
from docx import Document

from thidua.extensions import db
from thidua.reports.models import CityReport, ReportDraft
from tests.reports.test_city_report import campaign_data  # noqa: F401  (the fixture)


def _url(world, suffix=""):
    return f"/phong-trao/{world.campaign.id}/bao-cao-ubnd{suffix}"


def _versions() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CityReport))


def _paragraphs(client, world, report) -> list[str]:
    document = Document(io.BytesIO(client.get(_url(world, f"/{report.id}.docx")).data))
    return [p.text for p in document.paragraphs]


def test_the_generate_button_sends_the_narrative_form(client, campaign_data):  # noqa: F811
    w = campaign_data
    client.login(w.secretariat)
    page = client.get(_url(w)).get_data(as_text=True)
    generate = _url(w, "/tao")
    # The top button belongs to the narrative form and posts it to the generate route; so does the form's own.
    assert re.search(rf'<button[^>]*form="report-draft"[^>]*formaction="{generate}"', page)
    assert re.search(r'<form[^>]*id="report-draft"', page)
    assert re.search(rf'<button[^>]*formaction="{generate}"[^>]*>Lưu và tạo báo cáo', page)


def test_text_typed_and_not_saved_is_saved_and_used_by_generate(client, campaign_data):  # noqa: F811
    w = campaign_data
    client.login(w.secretariat)
    assert client.post(_url(w, "/noi-dung"), data={"assessment": "Nhận định cũ.", "version": ""}).status_code == 302
    response = client.post(_url(w, "/tao"), data={
        "version": "1", "number": "77/BC-SGDĐT",
        "assessment": "Nhận định mới: {so_don_vi_dang_ky}/{so_don_vi_tham_gia} đơn vị đăng ký.",
    })
    assert response.status_code == 302
    draft = db.session.get(ReportDraft, w.campaign.id)
    assert draft.assessment.startswith("Nhận định mới") and draft.number == "77/BC-SGDĐT"
    report = db.session.scalars(sa.select(CityReport)).one()
    texts = _paragraphs(client, w, report)
    assert "Nhận định mới: 2/5 đơn vị đăng ký." in texts
    assert not any("Nhận định cũ" in t for t in texts)


def test_generate_without_the_fields_builds_from_the_saved_text(client, campaign_data):  # noqa: F811
    w = campaign_data
    client.login(w.secretariat)
    client.post(_url(w, "/noi-dung"), data={"assessment": "Nhận định đã lưu.", "version": ""})
    assert client.post(_url(w, "/tao")).status_code == 302
    assert "Nhận định đã lưu." in _paragraphs(client, w, db.session.scalars(sa.select(CityReport)).one())


def test_an_invalid_edit_sent_to_generate_makes_no_version_and_keeps_the_text(client, campaign_data):  # noqa: F811
    w = campaign_data
    client.login(w.secretariat)
    typed = "Tỷ lệ là {ty_le_sai} theo khối."
    response = client.post(_url(w, "/tao"), data={"assessment": typed, "number": "9/BC-SGDĐT", "version": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chưa tạo báo cáo mới" in page and "Không có số liệu tên {ty_le_sai}" in page
    assert typed in page and "9/BC-SGDĐT" in page
    assert _versions() == 0
    assert db.session.get(ReportDraft, w.campaign.id) is None


def test_a_stale_edit_sent_to_generate_makes_no_version_and_keeps_the_text(client, campaign_data):  # noqa: F811
    w = campaign_data
    client.login(w.secretariat)
    assert client.post(_url(w, "/noi-dung"), data={"intro": "Bản một", "version": ""}).status_code == 302
    assert client.post(_url(w, "/noi-dung"), data={"intro": "Bản hai", "version": "1"}).status_code == 302
    stale = client.post(_url(w, "/tao"), data={"intro": "Bản ba, mở từ bản một", "version": "1"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "vừa được người khác sửa" in page and "Chưa tạo báo cáo mới" in page
    assert "Bản ba, mở từ bản một" in page
    assert _versions() == 0
    assert db.session.get(ReportDraft, w.campaign.id).intro == "Bản hai"


def test_leaders_cannot_save_through_generate(client, campaign_data):  # noqa: F811
    w = campaign_data
    client.login(w.leader)
    assert client.post(_url(w, "/tao"), data={"intro": "x", "version": ""}).status_code == 403
    assert db.session.get(ReportDraft, w.campaign.id) is None and _versions() == 0
