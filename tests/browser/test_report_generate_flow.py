""""Tạo báo cáo" in the browser builds the report from the narrative on the screen, saved first; Enter in a field
of the narrative saves it and makes no version.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.helpers import field
from thidua.extensions import db
from thidua.reports.models import CityReport, ReportDraft

pytestmark = pytest.mark.browser

ASSESSMENT_LABEL = "III.1. Đánh giá chung: ưu điểm"


def _versions() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(CityReport))


def test_generate_saves_the_text_on_the_screen_and_enter_only_saves(world, page, login):
    w = world
    login(page, w.secretariat)
    page.goto(f"/phong-trao/{w.campaign.id}/bao-cao-ubnd")

    field(page, "Số, ký hiệu").fill("12/BC-SGDĐT")
    field(page, "Số, ký hiệu").press("Enter")
    expect(page.locator(".flash-success")).to_have_text("Đã lưu nội dung báo cáo.")
    assert _versions() == 0
    assert db.session.get(ReportDraft, w.campaign.id).number == "12/BC-SGDĐT"

    field(page, ASSESSMENT_LABEL).fill("Nhận định gõ rồi bấm tạo ngay, chưa lưu.")
    page.get_by_role("button", name="Tạo báo cáo (Word và Excel)").click()
    expect(page.locator(".flash-success")).to_have_text("Đã tạo báo cáo phiên bản 1.")
    expect(page.locator("table.versions tbody tr")).to_have_count(1)
    expect(field(page, ASSESSMENT_LABEL)).to_have_value("Nhận định gõ rồi bấm tạo ngay, chưa lưu.")
    report = db.session.scalars(sa.select(CityReport)).one()
    assert report.draft["assessment"] == "Nhận định gõ rồi bấm tạo ngay, chưa lưu."
