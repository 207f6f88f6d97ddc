"""Đợt 1 as the unit clicks through it: the editor drafts, the head registers, the deadline closes.

The world's campaign opened on 10/09/2024 and takes registrations until 30/09/2024; the clock
stands at 20/09/2024 09:00 (see conftest.NOW).
"""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import accept_dialogs, field, fits_width, status_badge
from thidua.extensions import db

pytestmark = pytest.mark.browser

TITLE = "Số hóa hồ sơ tuyển sinh lớp 10: tiếp nhận trực tuyến, trả kết quả qua ứng dụng"
NEED = "Phụ huynh phải đến trường nộp hồ sơ giấy 2–3 lần; mùa tuyển sinh xếp hàng đông, dễ thất lạc hồ sơ."
OBJECTIVES = "100% hồ sơ tuyển sinh lớp 10 được tiếp nhận trực tuyến; giảm thời gian xử lý từ 5 ngày xuống 2 ngày."
CONTENT = ("Bước 1: Xây dựng biểu mẫu trực tuyến.\n"
           "Bước 2: Tập huấn cán bộ tiếp nhận.\n"
           "Bước 3: Thông báo kết quả qua Zalo OA của trường.")
EXPECTED = "Giảm 80% lượt phụ huynh đến trường; không còn thất lạc hồ sơ."
COLLECTIVE = "Tổ Văn phòng – Trường THPT Chu Văn An"
IN_CHARGE = "Nguyễn Thúy Loan, Phó Hiệu trưởng; Đặng Quốc Việt, tổ trưởng Tổ Văn phòng"
AREA = "Xây dựng và phát triển chính quyền điện tử, chính quyền số"
TITLE_REQUIRED = "Vui lòng nhập tên mô hình, giải pháp, sáng kiến."


def test_editor_drafts_an_initiative(world, page, login, screenshot):
    login(page, world.editor)
    expect(page).to_have_url(re.compile(r"/don-vi$"))
    expect(page.get_by_role("link", name="Đơn vị của tôi")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trường THPT Chu Văn An")
    card = page.locator(".campaign-card")
    expect(card.get_by_role("heading", name="Phong trào thi đua CCHC năm 2024")).to_be_visible()
    registration = card.locator(".deadline", has_text="Đợt 1 — Đăng ký")
    expect(registration).to_contain_text("Hạn 30/09/2024")
    expect(registration.locator(".deadline-left")).to_have_text("Còn 10 ngày")
    expect(card).to_contain_text("Đơn vị chưa có đề xuất nào trong phong trào này.")
    assert fits_width(page)
    screenshot(page, "dashboard-desktop.png")

    page.get_by_role("link", name="+ Đăng ký mô hình, giải pháp, sáng kiến").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký mô hình, giải pháp, sáng kiến")
    # The form starts with the editor as contact and the unit as the collective author.
    expect(field(page, "Người đầu mối liên hệ")).to_have_value("Phạm Thu Trang")
    expect(field(page, "Tên tập thể thực hiện")).to_have_value("Trường THPT Chu Văn An")
    expect(page.get_by_role("radio", name="Tập thể", exact=True)).to_be_checked()
    screenshot(page, "registration-form-desktop.png")

    # First try: everything but the title.
    page.get_by_role("radio", name="Giải pháp", exact=True).check()
    page.get_by_role("checkbox", name=AREA, exact=True).check()
    field(page, "Sự cần thiết (thực trạng và hạn chế)").fill(NEED)
    field(page, "Mục tiêu").fill(OBJECTIVES)
    field(page, "Thời gian bắt đầu").fill("01/09/2024")
    page.get_by_role("button", name="Lưu bản nháp").click()

    title = field(page, "Tên mô hình, giải pháp, sáng kiến")
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu được")
    expect(page.locator("#title-error")).to_have_text(TITLE_REQUIRED)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(TITLE_REQUIRED)
    expect(page.locator(".field.has-error")).to_have_count(1)
    # What was typed is still there.
    expect(page.get_by_role("radio", name="Giải pháp", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=AREA, exact=True)).to_be_checked()
    expect(field(page, "Sự cần thiết (thực trạng và hạn chế)")).to_have_value(NEED)
    expect(field(page, "Mục tiêu")).to_have_value(OBJECTIVES)
    expect(field(page, "Thời gian bắt đầu")).to_have_value("01/09/2024")
    screenshot(page, "registration-form-errors.png")

    # Second try: every field of the registration.
    page.get_by_role("radio", name="Mô hình", exact=True).check()
    title.fill(TITLE)
    page.get_by_role("checkbox", name="Đề án 06", exact=True).check()  # a model may serve several areas
    field(page, "Nội dung và các bước thực hiện").fill(CONTENT)
    field(page, "Thời gian hoàn thành").fill("31/05/2025")
    field(page, "Kết quả dự kiến (chỉ tiêu, số liệu ban đầu)").fill(EXPECTED)
    page.get_by_role("radio", name="Tập thể", exact=True).check()
    field(page, "Tên tập thể thực hiện").fill(COLLECTIVE)
    field(page, "Người phụ trách thực hiện").fill(IN_CHARGE)
    field(page, "Số điện thoại liên hệ").fill("024 3823 4567")
    page.get_by_role("button", name="Lưu bản nháp").click()

    expect(page).to_have_url(re.compile(r"/sang-kien/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu bản nháp")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(status_badge(page)).to_have_text("Bản nháp")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(f"{AREA}; Đề án 06")
    expect(facts).to_contain_text("01/09/2024 – 31/05/2025")
    expect(facts).to_contain_text(f"Tập thể: {COLLECTIVE}")
    expect(facts).to_contain_text("Phạm Thu Trang · 024 3823 4567")
    expect(page.locator("p.pre", has_text="Bước 2: Tập huấn")).to_contain_text("Bước 3: Thông báo kết quả")
    expect(page.get_by_text("Hồ sơ chưa đủ để gửi đăng ký")).to_have_count(0)  # complete: the head can register it
    # Only the head registers.
    expect(page.get_by_role("button", name="Gửi đăng ký")).to_have_count(0)
    expect(page.get_by_text("Thủ trưởng đơn vị là người gửi đăng ký chính thức.")).to_be_visible()
    expect(page.get_by_role("link", name="Sửa nội dung")).to_be_visible()

    page.get_by_role("link", name="Đơn vị của tôi").first.click()
    row = page.locator(".campaign-card tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Bản nháp")


def test_named_authors_must_share_one_hundred_percent(world, page, login):
    login(page, world.editor)
    page.get_by_role("link", name="+ Đăng ký mô hình, giải pháp, sáng kiến").click()
    page.get_by_role("radio", name="Sáng kiến", exact=True).check()
    field(page, "Tên mô hình, giải pháp, sáng kiến").fill("Sổ liên lạc điện tử giữa nhà trường và phụ huynh")
    page.get_by_role("checkbox", name="Cải cách thủ tục hành chính", exact=True).check()
    page.get_by_role("radio", name="Cá nhân", exact=True).check()
    field(page, "Họ và tên tác giả 1").fill("Nguyễn Thúy Loan")
    field(page, "Chức vụ tác giả 1").fill("Phó Hiệu trưởng")
    field(page, "Tỷ lệ đóng góp tác giả 1").fill("60")
    field(page, "Họ và tên tác giả 2").fill("Đặng Quốc Việt")
    field(page, "Tỷ lệ đóng góp tác giả 2").fill("30")
    page.get_by_role("button", name="Lưu bản nháp").click()

    authors = page.locator("fieldset.authors")
    expect(authors).to_have_class(re.compile(r"\bhas-error\b"))
    expect(authors.locator(".error")).to_have_text("Tổng tỷ lệ đóng góp phải bằng 100% (hiện là 90%).")
    expect(page.get_by_role("radio", name="Cá nhân", exact=True)).to_be_checked()
    expect(field(page, "Họ và tên tác giả 1")).to_have_value("Nguyễn Thúy Loan")
    expect(field(page, "Chức vụ tác giả 1")).to_have_value("Phó Hiệu trưởng")
    expect(field(page, "Họ và tên tác giả 2")).to_have_value("Đặng Quốc Việt")
    expect(field(page, "Tỷ lệ đóng góp tác giả 2")).to_have_value("30")

    rows = page.locator("#author-rows tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="+ Thêm tác giả").click()
    expect(rows).to_have_count(4)
    fourth = rows.nth(3)
    expect(fourth.locator("td").first).to_have_text("4")
    expect(field(page, "Họ và tên tác giả 4")).to_have_attribute("name", "authors-3-full_name")
    expect(field(page, "Họ và tên tác giả 4")).to_have_value("")
    expect(field(page, "Tỷ lệ đóng góp tác giả 4")).to_have_attribute("name", "authors-3-contribution")

    field(page, "Tỷ lệ đóng góp tác giả 1").fill("70")
    page.get_by_role("button", name="Lưu bản nháp").click()

    expect(page).to_have_url(re.compile(r"/sang-kien/\d+$"))
    expect(status_badge(page)).to_have_text("Bản nháp")
    listed = page.locator("dl.facts ul.plain li")
    expect(listed).to_have_text(["Nguyễn Thúy Loan, Phó Hiệu trưởng — 70%", "Đặng Quốc Việt — 30%"])


def test_head_registers_and_reopens(world, page, new_context, login, screenshot):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    title, campaign_id = draft.title, world.campaign.id

    login(page, world.head)
    page.get_by_role("link", name=title).click()
    expect(status_badge(page)).to_have_text("Bản nháp")
    asked = accept_dialogs(page)
    page.get_by_role("button", name="Gửi đăng ký").click()

    expect(page.get_by_role("status").first).to_have_text("Đề xuất đã chuyển sang trạng thái “Đã đăng ký”.")
    expect(status_badge(page)).to_have_text("Đã đăng ký")
    assert asked == ["Gửi đăng ký chính thức của đơn vị?"]
    history = page.locator(".timeline li")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Phạm Thu Trang: Tạo bản nháp")
    expect(history.nth(1)).to_contain_text("Nguyễn Văn Hiền: Bản nháp → Đã đăng ký")
    expect(history.nth(1).locator("time")).to_have_text("20/09/2024 09:00")
    expect(page.get_by_role("button", name="Gửi đăng ký")).to_have_count(0)
    expect(page.get_by_role("link", name="Sửa nội dung")).to_have_count(0)  # registered: reopen first
    assert fits_width(page)
    screenshot(page, "initiative-detail.png")

    # The secretariat, on another computer, sees it in the campaign's list.
    office = new_context().new_page()
    login(office, world.secretariat)
    office.goto(f"/phong-trao/{campaign_id}/sang-kien")
    expect(office.get_by_role("heading", level=1)).to_have_text("Danh sách đề xuất")
    row = office.locator("table tbody tr", has=office.get_by_role("link", name=title))
    expect(row).to_have_count(1)
    expect(row.locator("td[data-label='Đơn vị']")).to_have_text("THPT Chu Văn An")
    expect(row.locator(".badge")).to_have_text("Đã đăng ký")
    expect(row.locator("td[data-label='Gửi đăng ký']")).to_have_text("20/09/2024 09:00")
    office.get_by_label("Trạng thái").select_option("draft")
    office.get_by_role("button", name="Lọc").click()
    expect(office.get_by_text("Không có đề xuất nào phù hợp.")).to_be_visible()
    office.get_by_label("Trạng thái").select_option("registered")
    office.get_by_role("button", name="Lọc").click()
    expect(office.get_by_role("link", name=title)).to_be_visible()
    assert fits_width(office)
    screenshot(office, "campaign-initiatives.png")

    # The head takes it back to change something.
    page.get_by_role("button", name="Mở lại để sửa").click()
    expect(status_badge(page)).to_have_text("Bản nháp")
    assert asked[-1] == "Mở lại để sửa?"
    expect(history).to_have_count(3)
    expect(history.nth(2)).to_contain_text("Nguyễn Văn Hiền: Đã đăng ký → Bản nháp")
    expect(page.get_by_role("button", name="Gửi đăng ký")).to_be_visible()
    expect(page.get_by_role("link", name="Sửa nội dung")).to_be_visible()

    office.goto(f"/phong-trao/{campaign_id}/sang-kien")
    expect(row.locator(".badge")).to_have_text("Bản nháp")


def test_after_the_deadline_the_head_cannot_register(world, page, login, clock):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    initiative_id = draft.id
    clock.at(datetime(2024, 10, 1, 0, 0))  # the first minute after 30/09/2024

    login(page, world.head)
    registration = page.locator(".deadline", has_text="Đợt 1 — Đăng ký")
    expect(registration.locator(".deadline-left")).to_have_text("Đã hết hạn")
    expect(page.get_by_role("link", name="+ Đăng ký mô hình, giải pháp, sáng kiến")).to_have_count(0)

    page.get_by_role("link", name=draft.title).click()
    expect(status_badge(page)).to_have_text("Bản nháp")
    expect(page.get_by_text("Hạn đăng ký của đơn vị: 30/09/2024.")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi đăng ký")).to_have_count(0)
    expect(page.get_by_role("link", name="Sửa nội dung")).to_have_count(0)

    # A POST made anyway (an old tab, a crafted request) is refused by the server.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    with page.expect_navigation():
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [f"/sang-kien/{initiative_id}/trang-thai", {"csrf_token": token, "target": "registered"}],
        )
    refusal = page.get_by_role("alert")
    expect(refusal).to_have_text(re.compile(r"^Đã hết hạn đăng ký"))
    expect(refusal).to_have_text(
        "Đã hết hạn đăng ký (ngày 30/09/2024); đơn vị cần được Bộ phận Thường trực CCHC gia hạn."
    )
    expect(status_badge(page)).to_have_text("Bản nháp")
    expect(page.locator(".timeline li")).to_have_count(1)


def test_pages_fit_a_phone(world, phone_page, new_context, login, screenshot):
    page = phone_page
    draft = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    initiative_id, campaign_id = draft.id, world.campaign.id

    login(page, world.editor)
    expect(page.get_by_role("heading", level=1)).to_have_text("Trường THPT Chu Văn An")
    # The menu folds behind a button on a phone.
    menu_link = page.get_by_role("link", name="Đơn vị của tôi")
    expect(menu_link).to_be_hidden()
    page.get_by_text("☰ Menu").click()
    expect(menu_link).to_be_visible()
    page.get_by_text("☰ Menu").click()
    expect(menu_link).to_be_hidden()

    card = page.locator(".campaign-card")
    expect(card.locator(".deadline-left").first).to_have_text("Còn 10 ngày")
    expect(card.locator("td[data-label='Tên']")).to_have_text(factories.COMPLETE["title"])
    expect(card.get_by_role("link", name="+ Đăng ký mô hình, giải pháp, sáng kiến")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "dashboard-phone.png")

    card.get_by_role("link", name="+ Đăng ký mô hình, giải pháp, sáng kiến").click()
    # The author rows keep their column headings: the inputs have no visible label of their own.
    expect(page.locator("#author-rows thead")).to_be_visible()
    expect(page.locator("#author-rows th")).to_have_text(["#", "Họ và tên", "Chức vụ", "Đóng góp (%)"])
    assert fits_width(page)

    page.goto(f"/sang-kien/{initiative_id}")
    expect(status_badge(page)).to_have_text("Bản nháp")
    assert fits_width(page)

    # The secretariat's list has a select whose options are long (the areas of reform).
    office = new_context(phone=True).new_page()
    login(office, world.secretariat)
    office.goto(f"/phong-trao/{campaign_id}/sang-kien")
    expect(office.locator("td[data-label='Trạng thái']")).to_have_text("Bản nháp")
    assert fits_width(office)
    office.goto(f"/phong-trao/{campaign_id}")
    expect(office.get_by_role("heading", level=1)).to_have_text("Phong trào thi đua CCHC năm 2024")
    assert fits_width(office)
