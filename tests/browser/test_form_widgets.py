"""The form widgets in a browser whose language is English: dates stay dd/mm/yyyy with a Vietnamese
calendar, long lists are searched with or without diacritics, the rubric page fits a phone.

An English Windows shows the browser's own <input type=date> as mm/dd/yyyy; the app's date boxes must not
follow it. The clock stands at 20/09/2024 09:00 (conftest.NOW).
"""
from __future__ import annotations

import os
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP, PHONE, TIMEOUT_MS
from tests.browser.helpers import field, fits_width, search_box
from thidua.auth.models import User
from thidua.auth.roles import Role
from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.phases import Extension
from thidua.review import rubric as rubric_setup
from thidua.review.models import CommitteeMember

pytestmark = pytest.mark.browser

INVALID = ("Ngày không hợp lệ: 31/02/2024 (tháng 2/2024 chỉ có 29 ngày), vui lòng nhập theo dạng ngày/tháng/năm, "
           "ví dụ 25/08/2024.")


@pytest.fixture(scope="module")
def english_browser(playwright_driver):
    executable = os.environ.get("THIDUA_CHROMIUM", "/usr/bin/chromium")
    browser = playwright_driver.chromium.launch(executable_path=executable, headless=True,
                                                args=[*CHROMIUM_ARGS, "--lang=en-US"])
    yield browser
    browser.close()


@pytest.fixture
def english_page(english_browser, base_url):
    """A page of an English-language browser (en-US), desktop or phone."""
    contexts = []

    def make(*, phone: bool = False):
        options = {"base_url": base_url, "locale": "en-US", "timezone_id": "Asia/Ho_Chi_Minh"}
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        else:
            options.update(viewport=DESKTOP)
        context = english_browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        return page

    yield make
    for context in contexts:
        context.close()


def _calendar(page):
    return page.locator(".flatpickr-calendar.open")


def _shown_month(page) -> str:
    return _calendar(page).locator(".flatpickr-monthDropdown-months").evaluate(
        "select => select.options[select.selectedIndex].text")


def _day(page, number: int):
    return _calendar(page).locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)",
                                   has_text=re.compile(rf"^{number}$"))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_an_english_browser_shows_and_takes_dates_as_day_month_year_with_a_vietnamese_calendar(
        world, english_page, login, screenshot, phone):
    page = english_page(phone=phone)
    assert page.evaluate("navigator.language") == "en-US"
    login(page, world.secretariat)
    page.goto(f"/phong-trao/{world.campaign.id}/sua")

    # The campaign's dates, as the secretariat wrote them: 10/09/2024 is the tenth of September.
    expect(field(page, "Ngày phát động")).to_have_value("10/09/2024")
    expect(field(page, "Hạn đăng ký (Đợt 1)")).to_have_value("30/09/2024")
    report = field(page, "Hạn báo cáo kết quả (Đợt 2)")
    expect(report).to_have_value("29/11/2024")
    expect(report).to_have_attribute("type", "text")
    expect(report).to_have_attribute("placeholder", "dd/mm/yyyy")

    # The calendar opens on the box's month, in Vietnamese, the week starting on Monday.
    report.click()
    expect(_calendar(page)).to_be_visible()
    assert _shown_month(page) == "Tháng mười một"
    expect(_calendar(page).locator(".flatpickr-weekday").first).to_have_text(re.compile("T2"))
    weekdays = _calendar(page).locator(".flatpickr-weekdaycontainer").first.inner_text().split()
    assert weekdays == ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
    _calendar(page).locator(".flatpickr-next-month").click()
    assert _shown_month(page) == "Tháng mười hai"
    screenshot(page, f"date-calendar-{'phone' if phone else 'desktop'}.png")
    _day(page, 2).click()
    expect(report).to_have_value("02/12/2024")
    expect(_calendar(page)).to_have_count(0)

    # A date typed without leading zeros is shown the same way once the box is left.
    city = field(page, "Hạn báo cáo UBND Thành phố")
    city.fill("9/1/2025")
    city.press("Tab")
    expect(city).to_have_value("09/01/2025")

    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status").first).to_have_text("Đã lưu phong trào.")
    db.session.expire_all()
    saved = db.session.get(Campaign, world.campaign.id)
    assert (saved.report_deadline, saved.city_report_deadline) == (date(2024, 12, 2), date(2025, 1, 9))

    # A day February does not have: refused in Vietnamese, and the box keeps what was typed.
    page.goto(f"/phong-trao/{world.campaign.id}/sua")
    launch = field(page, "Ngày phát động")
    launch.fill("31/02/2024")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".field.has-error .error")).to_have_text(INVALID)
    expect(launch).to_have_value("31/02/2024")
    expect(launch).to_have_attribute("aria-invalid", "true")
    expect(launch).to_have_accessible_description(INVALID)
    expect(field(page, "Hạn báo cáo kết quả (Đợt 2)")).to_have_value("02/12/2024")
    launch.click()  # the calendar opens on it without emptying the box
    expect(_calendar(page)).to_be_visible()
    heading = page.get_by_role("heading", level=1)  # and closes when the person taps or clicks elsewhere
    heading.tap() if phone else heading.click()
    expect(_calendar(page)).to_have_count(0)
    expect(launch).to_have_value("31/02/2024")
    assert fits_width(page)
    screenshot(page, f"date-invalid-{'phone' if phone else 'desktop'}.png")
    db.session.expire_all()
    assert db.session.get(Campaign, world.campaign.id).launch_date == date(2024, 9, 10)


SCHOOLS = ["Trường Tiểu học Đống Đa", "Trường Tiểu học Kim Đồng", "Trường Mầm non Hoa Sen",
           "Trường THCS Trưng Vương", "Trường Tiểu học Nguyễn Du"]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_extension_forms_unit_list_of_153_is_searched_with_or_without_diacritics(
        world, english_page, login, screenshot, phone):
    units = [factories.unit(code=f"truong-{n}", name=name) for n, name in enumerate(SCHOOLS)]
    units += [factories.unit(code=f"thcs-so-{n}", name=f"Trường THCS số {n}") for n in range(145)]
    from thidua.campaigns.models import CampaignUnit
    for unit in units:
        db.session.add(CampaignUnit(campaign_id=world.campaign.id, unit_id=unit.id))
    db.session.commit()

    page = english_page(phone=phone)
    login(page, world.secretariat)
    page.goto(f"/phong-trao/{world.campaign.id}/gia-han")
    picker = search_box(page, "Đơn vị")
    options = page.get_by_role("listbox", name="Đơn vị").get_by_role("option")
    picker.click()
    expect(options).to_have_count(153)  # every participant, none cut off

    picker.fill("truong tieu hoc")
    expect(options).to_have_text(["Trường Tiểu học Đống Đa", "Trường Tiểu học Kim Đồng",
                                   "Trường Tiểu học Nguyễn Du"])
    picker.fill("dong da")
    expect(options).to_have_text(["Trường Tiểu học Đống Đa"])
    picker.fill("Đống Đa")
    expect(options).to_have_text(["Trường Tiểu học Đống Đa"])
    picker.fill("dong")
    expect(options).to_have_text(["Trường Tiểu học Đống Đa", "Trường Tiểu học Kim Đồng"])
    picker.fill("khong co truong nay")
    expect(page.locator(".ts-dropdown .no-results")).to_have_text("Không tìm thấy — thử gõ ít chữ hơn.")
    picker.fill("tieu hoc dong da")
    expect(options).to_have_text(["Trường Tiểu học Đống Đa"])
    screenshot(page, f"extension-unit-search-{'phone' if phone else 'desktop'}.png")
    options.first.click()
    expect(page.locator(".ts-control .item")).to_have_text("Trường Tiểu học Đống Đa")
    assert fits_width(page)

    field(page, "Đợt").select_option(label="Đợt 1 — Đăng ký")
    field(page, "Gia hạn đến hết ngày").fill("07/10/2024")
    field(page, "Lý do gia hạn").fill("Trường đang sửa chữa phòng máy.")
    page.get_by_role("button", name="Gia hạn").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Đã gia hạn đăng ký cho Trường Tiểu học Đống Đa đến hết ngày 07/10/2024.")
    granted = db.session.scalars(sa.select(Extension).where(Extension.campaign_id == world.campaign.id)).all()
    assert [(e.unit_id, e.until) for e in granted] == [(units[0].id, date(2024, 10, 7))]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_committee_member_picker_finds_people_with_or_without_diacritics(
        world, english_page, login, screenshot, phone):
    district = factories.unit(code="th-dong-da", name="Trường Tiểu học Bế Văn Đàn - Đống Đa",
                              parent=world.root)
    factories.user(Role.REVIEWER, world.office_unit, username="dang.hong", full_name="Đặng Thị Hồng")
    factories.user(Role.REVIEWER, district, username="truong.an", full_name="Trương Văn An")
    factories.user(Role.REVIEWER, world.office_unit, username="ngo.binh", full_name="Ngô Thanh Bình")
    db.session.commit()

    page = english_page(phone=phone)
    login(page, world.secretariat)
    page.goto(f"/phong-trao/{world.campaign.id}/hoi-dong")
    picker = search_box(page, "Chọn tài khoản")
    options = page.get_by_role("listbox", name="Chọn tài khoản").get_by_role("option")
    picker.click()
    expect(options).to_have_count(4)  # the world's reviewer and the three above
    # All of them are in the box, so the page's own search (for long lists, and without scripts) steps aside.
    expect(page.get_by_role("searchbox", name="Tìm tài khoản Thành viên Hội đồng")).to_be_hidden()

    picker.fill("dang thi hong")
    expect(options).to_have_text(["Đặng Thị Hồng (dang.hong, Văn phòng)"])
    options.first.click()
    picker.fill("dong da")  # the unit's name
    expect(options).to_have_text(["Trương Văn An (truong.an, Trường Tiểu học Bế Văn Đàn - Đống Đa)"])
    options.first.click()
    picker.fill("binh")
    expect(options).to_have_text(["Ngô Thanh Bình (ngo.binh, Văn phòng)"])
    page.keyboard.press("Escape")
    expect(page.locator(".ts-control .item")).to_have_count(2)
    assert fits_width(page)
    screenshot(page, f"committee-picker-{'phone' if phone else 'desktop'}.png")

    page.get_by_role("button", name="Thêm vào Hội đồng").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Đã thêm Đặng Thị Hồng, Trương Văn An vào Hội đồng.")
    members = db.session.scalars(sa.select(User.username).join(CommitteeMember, CommitteeMember.user_id == User.id)
                                 .where(CommitteeMember.campaign_id == world.campaign.id)).all()
    assert sorted(members) == ["dang.hong", "truong.an"]


def test_without_scripts_the_date_box_and_the_lists_still_work(world, new_context, login):
    context = new_context()
    context.route(re.compile(r".*/static/js/app\.js.*"), lambda route: route.abort())
    page = context.new_page()
    login(page, world.secretariat)
    page.goto(f"/phong-trao/{world.campaign.id}/gia-han")
    field(page, "Đơn vị").select_option(label="THPT Kim Liên")
    field(page, "Đợt").select_option(label="Đợt 1 — Đăng ký")
    field(page, "Gia hạn đến hết ngày").fill("8/10/2024")
    field(page, "Lý do gia hạn").fill("Trường tổ chức hội thao.")
    page.get_by_role("button", name="Gia hạn").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Đã gia hạn đăng ký cho THPT Kim Liên đến hết ngày 08/10/2024.")

    page.goto(f"/phong-trao/{world.campaign.id}/hoi-dong")
    page.get_by_role("checkbox", name=re.compile("Lê Minh Tuấn")).check()
    page.get_by_role("button", name="Thêm vào Hội đồng").click()
    expect(page.get_by_role("status").first).to_have_text("Đã thêm Lê Minh Tuấn vào Hội đồng.")


def test_the_rubric_page_fits_a_phone(world, phone_page, page, login, screenshot):
    earlier = factories.campaign(world.root, name="Phong trào thi đua “Cải cách hành chính trong trường học” "
                                                  "năm học 2023–2024 của Sở Giáo dục và Đào tạo", year=2023)
    rubric_setup.apply_default_rubric(earlier, actor=world.secretariat)
    rubric_setup.apply_default_rubric(world.campaign, actor=world.secretariat)
    db.session.commit()

    for each, name in ((phone_page, "phone"), (page, "desktop")):
        login(each, world.secretariat)
        each.goto(f"/phong-trao/{world.campaign.id}/hoi-dong/tieu-chi")
        expect(each.get_by_role("heading", level=1)).to_have_text("Bộ tiêu chí chấm điểm")
        expect(each.get_by_role("button", name="Sao chép từ phong trào trước")).to_be_visible()
        each.get_by_text("Sửa tiêu chí").first.click()
        each.get_by_text("Thêm tiêu chí").click()
        expect(each.get_by_role("button", name="Lưu tiêu chí").first).to_be_visible()
        width = each.evaluate("document.documentElement.scrollWidth")
        assert width <= each.viewport_size["width"], f"{name}: {width}px wide"
        screenshot(each, f"rubric-{name}.png")
