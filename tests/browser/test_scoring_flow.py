"""A reviewer scores an initiative: the list, the scoring page, a refused score, a draft, submission."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import accept_dialogs, fits_width
from tests.review import scoring_world

pytestmark = pytest.mark.browser


def test_reviewer_scores_an_initiative(world, new_context, login, screenshot):
    setup = scoring_world.build(world)
    criteria = setup.criteria
    page = new_context().new_page()
    login(page, world.reviewer)
    expect(page).to_have_url(re.compile(r"/hoi-dong$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Phiếu chấm của tôi")
    expect(page.locator(".review-progress")).to_contain_text("Đã gửi 0/1")
    expect(page.locator(".review-list")).to_contain_text("Chưa chấm")
    page.get_by_role("link", name=setup.initiative.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(setup.initiative.title)
    expect(page.locator("#phieu-cham")).to_contain_text("Tính mới, sáng tạo")
    expect(page.locator("#ket-qua")).to_contain_text("Thời gian xử lý hồ sơ")
    page.get_by_label("Điểm – Tính mới, sáng tạo", exact=True).fill("35")  # above the 30 allowed
    page.locator(f"#score-{criteria[1].id}").fill("24,5")
    page.locator(f"#comment-{criteria[0].id}").fill("Cách làm mới ở cấp trường.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(f"#score-{criteria[0].id}-error")).to_have_text("Điểm phải từ 0 đến 30.")
    expect(page.locator(f"#score-{criteria[1].id}")).to_have_value("24,5")  # kept
    expect(page.locator(f"#comment-{criteria[0].id}")).to_have_value("Cách làm mới ở cấp trường.")

    page.locator(f"#score-{criteria[0].id}").fill("27")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator(".flash-success")).to_have_text("Đã lưu bản nháp phiếu chấm.")
    expect(page.locator(".score-total")).to_contain_text("51,5")
    assert fits_width(page)
    screenshot(page, "scoring-page.png")

    phone = new_context(phone=True).new_page()
    login(phone, world.reviewer)
    phone.goto(f"/hoi-dong/phieu-cham/{setup.assignments[0].id}")
    expect(phone.locator(f"#score-{criteria[0].id}")).to_have_value("27")
    assert fits_width(phone)
    screenshot(phone, "scoring-phone.png")

    for criterion, value in zip(criteria[2:], ("20", "8", "4,5")):
        page.locator(f"#score-{criterion.id}").fill(value)
    asked = accept_dialogs(page)
    page.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(page.locator(".flash-success")).to_have_text("Đã gửi phiếu chấm. Cảm ơn thầy/cô.")
    assert asked and asked[0].startswith("Gửi phiếu chấm?")
    expect(page.locator(".review-progress")).to_contain_text("Đã gửi 1/1")
    expect(page.locator(".review-list")).to_contain_text("84")
