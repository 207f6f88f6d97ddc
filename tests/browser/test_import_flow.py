"""The secretariat imports the 2023 registrations of the attached units from a Google Forms export."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import accept_dialogs, fits_width
from tests.imports import helpers as h

pytestmark = pytest.mark.browser


@pytest.fixture
def office(clock):
    from tests.browser.conftest import NOW

    clock.at(NOW)
    return h.office_2023()


def test_secretariat_imports_a_google_forms_export(office, page, phone_page, login, screenshot):
    login(page, office.secretariat)
    page.goto(f"/phong-trao/{office.campaign.id}")
    page.get_by_role("link", name="Nhập từ Google Forms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập câu trả lời từ Google Forms")
    page.get_by_label("Tệp chứa").select_option("registration")
    page.get_by_label("Tệp CSV tải từ Google Biểu mẫu").set_input_files(str(h.DATA / h.REGISTRATION_DIRECT))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Phiếu đăng ký: {h.REGISTRATION_DIRECT}")
    expect(page.locator('[data-count="create"]')).to_have_text("91")
    expect(page.locator('[data-count="waiting"]')).to_have_text("2")
    expect(page.locator("#blocked-message")).to_contain_text("Còn 2 tên đơn vị chưa xác định")
    expect(page.get_by_role("button", name=re.compile("^Nhập .* bản ghi$"))).to_be_disabled()
    # Each column's select is labelled by the question of the form, and shows the guess.
    expect(page.locator("#column-2")).to_have_accessible_name("Tên đơn vị")
    expect(page.locator("#column-2")).to_have_value("unit")
    expect(page.locator("#column-0")).to_have_value("timestamp")
    screenshot(page, "import-review-desktop.png")

    page.get_by_label("Đơn vị cho “THPT Nguyễn Trãi”").select_option(str(office.units["thpt-nguyen-trai-thuong-tin"].id))
    page.get_by_label("Đơn vị cho “Trường THCS Trưng Vương”").select_option("0")
    page.get_by_role("button", name="Lưu lựa chọn và kiểm tra lại").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã cập nhật cách ghép cột và đơn vị")
    expect(page.locator('[data-count="create"]')).to_have_text("92")
    expect(page.locator('[data-count="waiting"]')).to_have_text("0")
    expect(page.locator('#import-rows tr[data-row="31"]')).to_contain_text("Được thay bằng câu trả lời sau")

    asked = accept_dialogs(page)
    page.get_by_role("button", name="Nhập 92 bản ghi").click()
    expect(page.get_by_role("status").first).to_have_text(
        f"Đã nhập 92 đề xuất đã đăng ký từ {h.REGISTRATION_DIRECT}.")
    assert asked == [f"Nhập 92 bản ghi từ {h.REGISTRATION_DIRECT}?"]
    expect(page.locator('[data-count="already"]')).to_have_text("92")
    screenshot(page, "import-done-desktop.png")

    login(phone_page, office.secretariat)
    phone_page.goto(page.url)
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    assert fits_width(phone_page)
    screenshot(phone_page, "import-review-phone.png")


def test_the_import_page_follows_a_running_import_to_its_end_without_a_reload(app, office, page, login, monkeypatch,
                                                                              screenshot):
    """The job runs beside the web request (the embedded default); it is held until the page shows it running."""
    import threading

    from thidua.imports import services
    from thidua.jobs.services import HANDLERS

    release = threading.Event()
    real = HANDLERS[services.IMPORT_FORMS]

    def held(job, progress):
        progress.start(1, "Đang kiểm tra và ghi…")
        release.wait(30)
        return real(job, progress)

    monkeypatch.setitem(HANDLERS, services.IMPORT_FORMS, held)
    monkeypatch.setitem(app.config, "JOBS_IN_PROCESS", "thread")
    login(page, office.secretariat)
    page.goto(f"/phong-trao/{office.campaign.id}/nhap-google-forms")
    page.get_by_label("Tệp chứa").select_option("registration")
    page.get_by_label("Tệp CSV tải từ Google Biểu mẫu").set_input_files(str(h.DATA / h.REGISTRATION_OFFICES))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    accept_dialogs(page)
    page.get_by_role("button", name="Nhập 14 bản ghi").click()

    progress = page.locator("[data-job-progress]")
    expect(progress).to_contain_text("Đang nhập")
    expect(progress).to_contain_text("Đang kiểm tra và ghi")
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    release.set()
    expect(page.get_by_role("status").first).to_contain_text("Đã nhập lúc", timeout=15000)
    expect(page.locator("[data-job-progress]")).to_have_count(0)
    expect(page.locator('[data-count="already"]')).to_have_text("14")
    assert len(loads) == 1  # the page's own reload when the job ended, nobody pressed F5
