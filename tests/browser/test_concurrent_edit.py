"""Two browsers of the same unit edit one initiative: the second save is refused, never a silent overwrite."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thidua.extensions import db
from thidua.registration.models import Initiative

from tests import factories

pytestmark = pytest.mark.browser


def test_the_second_of_two_browsers_saving_the_same_initiative_is_refused_with_a_clear_message(
        world, new_context, login):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor, title="Tên ban đầu")
    db.session.commit()
    office_pc, home_laptop = new_context().new_page(), new_context().new_page()
    for page in (office_pc, home_laptop):
        login(page, world.editor)
        page.goto(f"/sang-kien/{draft.id}/sua")

    office_pc.locator("#title").fill("Bản sửa ở máy cơ quan")
    office_pc.get_by_role("button", name="Lưu bản nháp").click()
    expect(office_pc.get_by_text("Đã lưu thay đổi.")).to_be_visible()

    home_laptop.locator("#need").fill("Nội dung gõ ở nhà, chưa được lưu")
    home_laptop.locator("#title").fill("Bản sửa ở nhà")
    home_laptop.get_by_role("button", name="Lưu bản nháp").click()
    expect(home_laptop.get_by_text("vừa được người khác cập nhật")).to_be_visible()
    # What was typed at home is still on the form, to copy over after reloading.
    expect(home_laptop.locator("#title")).to_have_value("Bản sửa ở nhà")
    expect(home_laptop.locator("#need")).to_have_value("Nội dung gõ ở nhà, chưa được lưu")

    db.session.expire_all()
    saved = db.session.get(Initiative, draft.id)
    assert saved.title == "Bản sửa ở máy cơ quan" and saved.version == 2

    # Reloading shows the saved version; saving from there works.
    home_laptop.goto(f"/sang-kien/{draft.id}/sua")
    expect(home_laptop.locator("#title")).to_have_value("Bản sửa ở máy cơ quan")
    home_laptop.locator("#title").fill("Bản sửa ở nhà, sau khi tải lại")
    home_laptop.get_by_role("button", name="Lưu bản nháp").click()
    expect(home_laptop.get_by_text("Đã lưu thay đổi.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Initiative, draft.id).title == "Bản sửa ở nhà, sau khi tải lại"
