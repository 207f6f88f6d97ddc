"""Đợt 2 as the unit clicks through it: the editor writes the results report and uploads a PDF,
the head sends it, and the secretariat's board shows the unit as reported."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import accept_dialogs, field, fits_width, status_badge
from thidua.extensions import db
from thidua.workflow import State

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACHIEVEMENTS = "Đã số hóa 1.245 hồ sơ tuyển sinh; 100% hồ sơ được tiếp nhận trực tuyến."


def test_unit_reports_results_with_evidence_and_the_board_shows_it(world, clock, new_context, login, screenshot):
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED)
    db.session.commit()
    clock.at(datetime(2024, 10, 5, 9, 0))  # Đợt 2: registration closed on 30/09/2024

    editor = new_context().new_page()
    login(editor, world.editor)
    editor.goto(f"/sang-kien/{initiative.id}")
    editor.get_by_role("link", name="Lập báo cáo kết quả").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Báo cáo kết quả thực hiện")
    field(editor, "Tiến độ thực hiện").select_option(label="Đã hoàn thành")
    field(editor, "Kết quả đạt được").fill(ACHIEVEMENTS)
    editor.get_by_label("Chỉ tiêu 1", exact=True).fill("Thời gian xử lý hồ sơ")
    editor.get_by_label("Đơn vị tính 1", exact=True).fill("ngày")
    editor.get_by_label("Trước khi áp dụng 1", exact=True).fill("5")
    editor.get_by_label("Sau khi áp dụng 1", exact=True).fill("2")
    editor.get_by_label("Chỉ tiêu 2", exact=True).fill("Tỷ lệ hồ sơ trực tuyến")
    editor.get_by_label("Đơn vị tính 2", exact=True).fill("%")
    editor.get_by_label("Trước khi áp dụng 2", exact=True).fill("31,5")
    editor.get_by_label("Sau khi áp dụng 2", exact=True).fill("100")
    field(editor, "Hiệu quả đối với người dân, tổ chức").fill("Phụ huynh không phải đến trường nộp hồ sơ giấy.")
    editor.get_by_role("radio", name="Hoàn thành tốt", exact=True).check()
    field(editor, "Người phụ trách").fill("Nguyễn Thúy Loan, Phó Hiệu trưởng")
    assert fits_width(editor)
    screenshot(editor, "report-form.png")
    editor.get_by_role("button", name="Lưu báo cáo").click()
    expect(editor.locator(".flash-success")).to_have_text("Đã lưu báo cáo kết quả.")
    section = editor.locator("#ket-qua")
    expect(section).to_contain_text("31,5")
    expect(section).to_contain_text("Minh chứng (tệp hoặc đường dẫn)")  # still missing

    editor.locator("#file").set_input_files(
        files=[{"name": "bien-ban-nghiem-thu.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    editor.get_by_label("Mô tả ngắn").fill("Biên bản nghiệm thu")
    editor.get_by_role("button", name="Tải lên", exact=True).click()
    expect(editor.locator(".flash-success")).to_have_text("Đã tải lên bien-ban-nghiem-thu.pdf.")
    expect(editor.get_by_role("link", name="bien-ban-nghiem-thu.pdf")).to_be_visible()
    expect(editor.get_by_role("button", name="Gửi báo cáo kết quả")).to_have_count(0)  # the head sends it

    head = new_context().new_page()
    login(head, world.head)
    head.goto(f"/sang-kien/{initiative.id}")
    asked = accept_dialogs(head)
    head.get_by_role("button", name="Gửi báo cáo kết quả").click()
    expect(status_badge(head)).to_have_text("Đã báo cáo kết quả")
    assert asked == ["Gửi báo cáo kết quả?"]
    screenshot(head, "report-detail.png")

    office = new_context().new_page()
    login(office, world.secretariat)
    office.goto(f"/phong-trao/{world.campaign.id}/tien-do?phase=report")
    row = office.locator("tr[data-unit]", has_text="THPT Chu Văn An")
    expect(row).to_have_class("unit-done")
    expect(row).to_contain_text("Hoàn thành")
    other = office.locator("tr[data-unit]", has_text="THPT Kim Liên")
    expect(other).to_contain_text("Chưa báo cáo")
    screenshot(office, "board-report.png")
