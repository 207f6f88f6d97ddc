"""Targets (chỉ tiêu) in the browser: the office applies the default set, a school's editor enters the
values, the head uploads the evidence and sends, the office returns one value with a reason, the school
corrects it and sends again, the office accepts, the board shows the school “Đạt” and the award list
proposes it among the collectives.

Screenshots of the unit's page, the check page and the board, desktop (1280) and phone (390), go to
/tmp/shots-targets/ (THIDUA_SHOTS overrides) besides the usual test-artifacts.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from thidua.extensions import db
from thidua.targets.defaults import SEED_001
from thidua.targets.models import Target, TargetValue

from thidua.workflow import State

from tests import factories
from tests.browser.helpers import accept_dialogs, fits_width

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("THIDUA_SHOTS", "/tmp/shots-targets"))
DE_AN_06, PAYMENTS, SIGNATURES = SEED_001[7][0], SEED_001[8][0], SEED_001[9][0]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
REASON = "Tử số chưa khớp sao kê ngân hàng quý III; đề nghị đơn vị rà soát lại số khoản thu."


WIDE = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' '
  + (e.textContent || '').slice(0, 40))"""


def _shoot(new_context, login, user, url: str, name: str, screenshot) -> None:
    """The page at `url` as `user` sees it on a desktop (the page given) and on a phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for phone in (False, True):
        page = new_context(phone=phone).new_page()
        login(page, user)
        page.goto(url)
        shot = f"{name}-{'phone' if phone else 'desktop'}.png"
        page.screenshot(path=str(SHOTS / shot), full_page=True)
        screenshot(page, f"targets-{shot}")
        assert fits_width(page), (shot, page.evaluate(WIDE))
        page.context.close()


def _target_id(campaign_id: int, name: str) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(Target.id).where(Target.campaign_id == campaign_id, Target.name == name))


def test_the_office_sets_targets_the_school_reports_the_office_returns_and_accepts(world, new_context, login,
                                                                                   screenshot):
    campaign = world.campaign
    factories.initiative(campaign, world.school, actor=world.editor, status=State.REGISTERED)
    db.session.commit()
    unit_url, check_url = f"/phong-trao/{campaign.id}/chi-tieu-cua-don-vi", f"/phong-trao/{campaign.id}/chi-tieu/kiem-tra"

    # The secretariat applies the default targets of the Sở's plan.
    office = new_context().new_page()
    accept_dialogs(office)
    login(office, world.secretariat)
    office.goto(f"/phong-trao/{campaign.id}")
    office.get_by_role("link", name="Chỉ tiêu thi đua").first.click()
    office.get_by_role("button", name="Dùng bộ chỉ tiêu mặc định").click()
    expect(office.locator(".flash-success")).to_contain_text("Đã tạo 15 chỉ tiêu")
    payments, signatures, de_an = (_target_id(campaign.id, n) for n in (PAYMENTS, SIGNATURES, DE_AN_06))

    # The school's editor enters the values, one of them as numerator and denominator, and saves.
    editor = new_context().new_page()
    login(editor, world.editor)
    editor.goto("/don-vi")
    editor.get_by_role("link", name="Báo cáo chỉ tiêu thi đua").first.click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Báo cáo chỉ tiêu thi đua")
    row = editor.locator(f"#chi-tieu-{payments}")
    row.get_by_label("Tử số").fill("1.234")
    row.get_by_label("Mẫu số").fill("1.250")
    editor.locator(f"#chi-tieu-{signatures}").get_by_label("Tỷ lệ (%)").fill("100")
    editor.locator(f"#chi-tieu-{de_an}").get_by_label("Kết quả").select_option("1")
    editor.get_by_role("button", name="Lưu nháp").click()
    expect(editor.locator(".flash-success")).to_contain_text("Đã lưu 3 giá trị")
    expect(editor.locator(f"#chi-tieu-{payments}")).to_contain_text("98,72%")
    assert fits_width(editor)
    _shoot(new_context, login, world.editor, unit_url, "unit-draft", screenshot)

    # The head uploads the evidence the plan asks for (Đề án 06) and sends.
    head = new_context().new_page()
    login(head, world.head)
    head.goto(unit_url)
    expect(head.locator(".actions .hint")).to_contain_text(f"minh chứng của “{DE_AN_06}”")
    de_an_row = head.locator(f"#chi-tieu-{de_an}")
    de_an_row.get_by_label("Minh chứng").set_input_files(
        {"name": "ke-hoach-de-an-06.pdf", "mimeType": "application/pdf", "buffer": PDF})
    de_an_row.get_by_role("button", name="Tải lên").click()
    expect(head.locator(".flash-success")).to_contain_text("Đã tải lên ke-hoach-de-an-06.pdf")
    expect(head.locator(f"#chi-tieu-{de_an} .files")).to_contain_text("ke-hoach-de-an-06.pdf")
    head.get_by_role("button", name="Gửi Văn phòng").click()
    expect(head.locator(".flash-success")).to_contain_text("Đã gửi 3 giá trị")
    expect(head.locator(f"#chi-tieu-{payments} .badge")).to_have_text("Chờ kiểm tra")

    # The secretariat opens “Kiểm tra số liệu” and returns the payments value with a reason.
    office.goto(f"/phong-trao/{campaign.id}/chi-tieu/bang")
    office.locator("nav.subnav").get_by_role("link", name="Kiểm tra số liệu").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Kiểm tra số liệu chỉ tiêu")
    _shoot(new_context, login, world.secretariat, check_url, "check", screenshot)
    value_id = db.session.scalar(sa.select(TargetValue.id).where(TargetValue.target_id == payments))
    returned = office.locator(f"#gia-tri-{value_id}")
    expect(returned).to_contain_text("1.234/1.250")
    returned.locator("summary", has_text="Trả lại").click()
    returned.get_by_label("Lý do trả lại").fill(REASON)
    returned.get_by_role("button", name="Trả lại đơn vị").click()
    expect(office.locator(".flash-success")).to_have_text("Đã trả lại giá trị cho đơn vị, kèm lý do.")
    for _ in range(2):  # the other two are right
        office.locator("tbody tr").first.get_by_role("button", name="Xác nhận").click()
        expect(office.locator(".flash-success")).to_have_text("Đã xác nhận giá trị.")
    expect(office.locator(".empty")).to_contain_text("Không có giá trị nào chờ kiểm tra")

    # The editor reads the reason, corrects the figures; the head sends again.
    editor.goto(unit_url)
    row = editor.locator(f"#chi-tieu-{payments}")
    expect(row.locator(".return-reason")).to_have_text(f"Văn phòng trả lại: {REASON}")
    _shoot(new_context, login, world.editor, unit_url, "unit-returned", screenshot)
    row.get_by_label("Tử số").fill("1.250")
    row.get_by_label("Mẫu số").fill("1.250")
    editor.get_by_role("button", name="Lưu nháp").click()
    expect(editor.locator(".flash-success")).to_contain_text("Đã lưu 1 giá trị")
    expect(editor.locator(f"#chi-tieu-{payments}")).to_contain_text("100%")
    head.goto(unit_url)
    head.get_by_role("button", name="Gửi Văn phòng").click()
    expect(head.locator(".flash-success")).to_contain_text("Đã gửi 1 giá trị")

    # The secretariat accepts it; the board shows the school “Đạt” for that target.
    office.goto(check_url)
    accepted = office.locator(f"#gia-tri-{value_id}")
    expect(accepted).to_contain_text("1.250/1.250")
    accepted.get_by_role("button", name="Xác nhận").click()
    expect(office.locator(".flash-success")).to_have_text("Đã xác nhận giá trị.")
    office.goto(f"/phong-trao/{campaign.id}")
    office.get_by_role("link", name="Bảng kết quả chỉ tiêu").first.click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Bảng kết quả chỉ tiêu")
    school_row = office.locator("table.target-matrix tbody tr", has_text=world.school.short_name)
    position = [t.id for t in db.session.scalars(sa.select(Target).where(
        Target.campaign_id == campaign.id, Target.applies_to == "units").order_by(Target.position))].index(payments)
    cell = school_row.locator("td.cell").nth(position)
    expect(cell.locator(".badge")).to_have_text("Đạt")
    expect(cell).to_contain_text("100%")
    _shoot(new_context, login, world.secretariat, f"/phong-trao/{campaign.id}/chi-tieu/bang", "board", screenshot)

    # The award list follows: the school met every mandatory target (its registered initiative
    # answers the automatic one), so “I. Tập thể” proposes it, saying why; the other school is not.
    office.goto(f"/phong-trao/{campaign.id}/khen-thuong")
    office.get_by_role("button", name="Lập danh sách").click()
    expect(office.locator(".flash-success")).to_be_visible()
    collective = office.locator("table.awards tbody tr", has_text=world.school.name)
    expect(collective).to_contain_text("Chỉ tiêu thi đua:")
    expect(collective).to_contain_text("đạt cả")
    expect(office.locator("table.awards")).not_to_contain_text(world.other_school.name)
    _shoot(new_context, login, world.secretariat, f"/phong-trao/{campaign.id}/khen-thuong", "award-list",
           screenshot)
