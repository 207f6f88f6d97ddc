"""In Chromium: the head's sending and the office's return reach the editor's header and notifications page."""
from __future__ import annotations

from playwright.sync_api import expect

from thidua.extensions import db
from thidua.registration.models import Initiative

from tests import factories
from tests.browser.helpers import accept_dialogs, fits_width
from tests.factories import State


def test_the_editor_is_told_of_the_heads_sending_and_of_a_return_with_its_reason(world, new_context, login,
                                                                                 screenshot):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor, title="Sổ liên lạc điện tử")
    reported = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REPORTED,
                                    title="Tra cứu văn bằng trực tuyến")
    db.session.commit()

    head = new_context().new_page()
    accept_dialogs(head)
    login(head, world.head)
    head.goto(f"/sang-kien/{draft.id}")
    head.get_by_role("button", name="Gửi đăng ký").click()
    expect(head.locator(".page-head .badge")).to_have_text("Đã đăng ký")

    office = new_context().new_page()
    login(office, world.secretariat)
    office.goto(f"/sang-kien/{reported.id}")
    office.get_by_text("Trả lại để bổ sung…").click()
    office.get_by_label("Lý do (trả lại để bổ sung)").fill("Bổ sung ảnh chụp biên bản nghiệm thu")
    office.get_by_role("button", name="Xác nhận: trả lại để bổ sung").click()
    expect(office.locator(".page-head .badge")).to_have_text("Trả lại để bổ sung")

    editor = new_context(phone=True).new_page()
    login(editor, world.editor)
    editor.goto("/don-vi")
    editor.locator(".nav-toggle-label").click()  # the phone's menu
    notices = editor.get_by_role("link", name="Thông báo, 2 chưa đọc")
    expect(notices).to_be_visible()
    notices.click()
    expect(editor.get_by_role("heading", name="Thông báo của tôi")).to_be_visible()
    expect(editor.get_by_text("Đã gửi đăng ký: “Sổ liên lạc điện tử”")).to_be_visible()
    expect(editor.get_by_text("Bổ sung ảnh chụp biên bản nghiệm thu")).to_be_visible()
    assert fits_width(editor)
    screenshot(editor, "notifications-phone.png")

    editor.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    expect(editor.get_by_text("Đã đánh dấu 2 thông báo là đã đọc.")).to_be_visible()
    expect(editor.locator(".nav-notices .notice-count")).to_have_count(0)

    editor.get_by_label("Gửi các thông báo này đến thư điện tử của tôi").uncheck()
    editor.get_by_role("button", name="Lưu lựa chọn").click()
    expect(editor.get_by_text("từ nay các thông báo chỉ hiện trên trang này")).to_be_visible()
    expect(editor.get_by_label("Gửi các thông báo này đến thư điện tử của tôi")).not_to_be_checked()
    db.session.expire_all()
    assert db.session.get(type(world.editor), world.editor.id).email_notifications is False
    assert db.session.get(Initiative, reported.id).status == State.RETURNED
