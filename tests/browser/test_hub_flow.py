"""The campaign page as its pipeline, in the browser: the office sees the step to do next highlighted, each
step's figures and what is missing, follows a step's link to the award list, and the page fits a phone.

The clock stands at 20/09/2024 09:00 (conftest.NOW): the world's campaign is in Đợt 1 until 30/09.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import fits_width
from thidua.extensions import db

pytestmark = pytest.mark.browser


def test_the_office_follows_the_campaign_from_its_pipeline(world, new_context, login, screenshot):
    w = world
    factories.initiative(w.campaign, w.school, actor=w.editor, status=factories.State.REGISTERED)
    db.session.commit()
    url = f"/phong-trao/{w.campaign.id}"

    page = new_context().new_page()
    login(page, w.secretariat)
    page.goto(url)
    steps = page.locator("ol.pipeline > li.step")
    expect(steps.locator("h3")).to_have_text([
        re.compile(r"Đợt 1\s+Đăng ký sáng kiến"), re.compile(r"Đợt 2\s+Báo cáo kết quả"),
        re.compile(r"Hội đồng\s+Chấm điểm"), re.compile(r"Khen thưởng"), re.compile(r"Báo cáo UBND"),
        re.compile(r"Thư viện\s+Mô hình công bố"),
    ])
    current = page.locator('li.step[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-step", "registration")
    expect(current).to_contain_text("Đang mở")
    expect(current).to_contain_text("hạn 30/09 · còn 10 ngày")
    expect(current).to_contain_text("1/3 đơn vị đã đăng ký")
    expect(current.locator(".step-missing")).to_have_text("2 đơn vị chưa đăng ký")
    # The highlighted step stands out from the others.
    border = current.evaluate("e => getComputedStyle(e).borderTopWidth")
    other = steps.nth(1).evaluate("e => getComputedStyle(e).borderTopWidth")
    assert border != other
    expect(page.locator('li.step[data-step="review"] .step-missing')).to_contain_text(["Chưa lập Hội đồng"])
    assert fits_width(page)
    screenshot(page, "hub-desktop.png")

    page.locator('li.step[data-step="awards"]').get_by_role("link", name="Danh sách khen thưởng").click()
    expect(page).to_have_url(re.compile(rf"/phong-trao/{w.campaign.id}/khen-thuong$"))

    phone = new_context(phone=True).new_page()
    login(phone, w.secretariat)
    phone.goto(url)
    expect(phone.locator('li.step[aria-current="step"]')).to_be_visible()
    # One step under the other on a phone.
    boxes = [phone.locator("ol.pipeline > li.step").nth(i).bounding_box() for i in range(2)]
    assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
    assert fits_width(phone)
    screenshot(phone, "hub-phone.png")
    phone.locator('li.step[data-step="city_report"]').get_by_role("link", name="Báo cáo UBND Thành phố").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Báo cáo gửi UBND Thành phố")
    assert fits_width(phone)
