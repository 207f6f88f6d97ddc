"""The secretariat sets a campaign up in the browser: dates, participants, an extension.

The clock stands at 20/09/2024 09:00 (conftest.NOW).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import field, fits_width, search_box
from thidua.extensions import db

pytestmark = pytest.mark.browser

NAME = "Phong trào thi đua “Cải cách hành chính” năm học 2024–2025"
REASON = "Trường tổ chức Hội khỏe Phù Đổng cấp trường trùng thời gian đăng ký."


def test_secretariat_creates_a_campaign_and_grants_an_extension(world, page, login, screenshot):
    # Units the secretariat will leave out: another block, and another type in the chosen block.
    factories.unit(code="phong-gddt-ba-dinh", name="Phòng Giáo dục và Đào tạo quận Ba Đình",
                   block="Khối Phòng GD&ĐT", unit_type="phong_gddt", parent=world.root)
    factories.unit(code="gdnn-gdtx-dong-da", name="Trung tâm GDNN-GDTX quận Đống Đa",
                   block="Khối trực thuộc", unit_type="tt_gdnn_gdtx", parent=world.root)
    db.session.commit()

    login(page, world.secretariat)
    expect(page).to_have_url(re.compile(r"/phong-trao$"))
    page.get_by_role("link", name="+ Tạo phong trào").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo phong trào")

    field(page, "Tên phong trào").fill(NAME)
    field(page, "Năm").fill("2025")
    field(page, "Giai đoạn").fill("2023–2025")
    field(page, "Kế hoạch phát động").fill("Kế hoạch số 2517/KH-SGDĐT ngày 01/8/2024")
    field(page, "Ngày phát động").fill("1/10/2024")
    field(page, "Hạn đăng ký (Đợt 1)").fill("25/09/2024")  # before the launch: refused
    field(page, "Hạn báo cáo kết quả (Đợt 2)").fill("2025-03-31")  # ISO is read too
    page.get_by_role("button", name="Lưu").click()

    deadline = field(page, "Hạn đăng ký (Đợt 1)")
    expect(deadline).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".field.has-error .error")).to_have_text("Hạn đăng ký phải từ ngày phát động trở đi.")
    expect(deadline).to_have_accessible_description("Hạn đăng ký phải từ ngày phát động trở đi.")
    expect(field(page, "Tên phong trào")).to_have_value(NAME)
    expect(field(page, "Kế hoạch phát động")).to_have_value("Kế hoạch số 2517/KH-SGDĐT ngày 01/8/2024")
    expect(field(page, "Ngày phát động")).to_have_value("01/10/2024")
    expect(field(page, "Hạn báo cáo kết quả (Đợt 2)")).to_have_value("31/03/2025")

    deadline.fill("15/11/2024")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("status").first).to_have_text("Đã tạo phong trào. Tiếp theo, chọn các đơn vị tham gia.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đơn vị tham gia")
    offices = page.get_by_role("group", name="Khối các phòng thuộc Sở")
    direct = page.get_by_role("group", name="Khối trực thuộc")
    districts = page.get_by_role("group", name="Khối Phòng GD&ĐT")
    expect(direct.get_by_role("checkbox")).to_have_count(2)
    expect(page.locator("input[type=checkbox]:checked")).to_have_count(0)
    expect(direct).to_contain_text("Trường THPT (2 đơn vị)")
    offices.get_by_label("Phòng thuộc Sở").check()
    direct.get_by_label("Trường THPT").check()
    page.get_by_role("button", name="Lưu danh sách").click()

    expect(page.get_by_role("status").first).to_have_text("Đã cập nhật danh sách: 3 đơn vị tham gia.")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator('li.step[data-step="registration"] .step-when')).to_contain_text("15/11/2024")
    blocks = page.locator("table").first.locator("tbody tr")
    expect(blocks).to_have_count(2)
    expect(blocks.nth(0).locator("td").nth(0)).to_have_text("Khối các phòng thuộc Sở")
    expect(blocks.nth(1).locator("td").nth(0)).to_have_text("Khối trực thuộc")
    expect(blocks.nth(1).locator("td").nth(1)).to_have_text("2")
    expect(page.get_by_text("Chưa gia hạn cho đơn vị nào.")).to_be_visible()

    # The choice is kept when the page is opened again.
    page.get_by_role("link", name="Đơn vị tham gia").click()
    expect(direct.get_by_label("Trường THPT")).to_be_checked()
    expect(direct.get_by_label("Trung tâm GDNN-GDTX")).not_to_be_checked()
    expect(districts.get_by_role("checkbox")).not_to_be_checked()
    page.go_back()

    page.locator("#buoc-registration").get_by_role("link", name="Gia hạn cho đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gia hạn cho đơn vị")
    unit = search_box(page, "Đơn vị")
    unit.click()
    expect(page.get_by_role("listbox", name="Đơn vị").get_by_role("option")).to_have_text(
        ["Văn phòng", "THPT Chu Văn An", "THPT Kim Liên"])
    unit.fill("kim lien")
    expect(page.get_by_role("listbox", name="Đơn vị").get_by_role("option")).to_have_text(["THPT Kim Liên"])
    unit.press("Enter")
    field(page, "Đợt").select_option(label="Đợt 1 — Đăng ký")
    field(page, "Gia hạn đến hết ngày").fill("22/11/2024")
    field(page, "Lý do gia hạn").fill(REASON)
    page.get_by_role("button", name="Gia hạn").click()

    expect(page.get_by_role("status").first).to_have_text(
        "Đã gia hạn đăng ký cho THPT Kim Liên đến hết ngày 22/11/2024."
    )
    extension = page.locator("section", has=page.get_by_role("heading", name="Gia hạn đã cấp")).locator("tbody tr")
    expect(extension).to_have_count(1)
    expect(extension.locator("td")).to_have_text(
        ["THPT Kim Liên", "Đợt 1 — Đăng ký", "22/11/2024", REASON, "Nguyễn Thị Thu Hà", "20/09/2024 09:00"]
    )
    assert fits_width(page)
    screenshot(page, "campaign-detail.png")
