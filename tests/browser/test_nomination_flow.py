"""Nomination upward in the browser: the ward proposes its awarded initiative, the Sở accepts it, the Sở's
committee scores it, and the Sở's ranking shows where it came from."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from thidua.extensions import db
from thidua.review.models import CommitteeMember, Criterion

from tests.browser.helpers import accept_dialogs, fits_width
from tests.nominations.conftest import build_levels

pytestmark = pytest.mark.browser


def test_the_ward_proposes_the_so_accepts_scores_and_ranks_it(world, new_context, login, screenshot):
    levels = build_levels(world)
    so = levels.campaign
    so.reviewers_per_initiative = 1
    criteria = [Criterion(campaign_id=so.id, position=n, name=name, max_score=top)
                for n, (name, top) in enumerate([("Tính mới, sáng tạo", 50), ("Tính hiệu quả", 50)])]
    db.session.add_all(criteria)
    db.session.add(CommitteeMember(campaign_id=so.id, user_id=levels.reviewer.id, is_chair=True))
    db.session.commit()
    title = levels.awarded.title

    # The ward's secretariat names the Sở's campaign and proposes its awarded initiative.
    ward = new_context().new_page()
    asked = accept_dialogs(ward)
    login(ward, levels.ward_secretariat)
    ward.goto(f"/phong-trao/{levels.ward_campaign.id}")
    ward.get_by_role("link", name="Trình lên cấp trên").click()
    expect(ward.get_by_role("heading", level=1)).to_have_text("Trình lên cấp trên")
    ward.get_by_label("Phong trào cấp trên", exact=True).select_option(str(so.id))
    ward.get_by_role("button", name="Lưu phong trào cấp trên").click()
    expect(ward.locator(".flash-success")).to_contain_text(f"Phong trào trình lên: {so.name}.")
    ward.get_by_label(f"Chọn #{levels.awarded.id} {title}").check()
    ward.get_by_role("button", name="Trình lên cấp trên").click()
    expect(ward.locator(".flash-success")).to_have_text("Đã trình 1 sáng kiến lên cấp trên.")
    expect(ward.locator("#da-trinh")).to_contain_text("Chờ xem xét")
    assert asked
    assert fits_width(ward)

    # The Sở's secretariat reads the provenance and accepts.
    office = new_context().new_page()
    accept_dialogs(office)
    login(office, levels.secretariat)
    office.goto(f"/phong-trao/{so.id}")
    office.get_by_role("link", name="Đề xuất từ cấp dưới").click()
    proposal = office.locator("article.nomination")
    expect(proposal).to_contain_text(title)
    expect(office.locator("section[data-organiser] h2")).to_have_text("UBND phường Ba Đình")
    expect(proposal).to_contain_text("12/QĐ-UBND")
    expect(proposal).to_contain_text("bien-ban.pdf")
    screenshot(office, "nomination-incoming.png")
    proposal.get_by_role("button", name="Tiếp nhận").click()
    expect(office.locator(".flash-success")).to_contain_text("Đã tiếp nhận sáng kiến")
    expect(office.locator("article.nomination")).to_contain_text("Đã tiếp nhận")

    # ... assigns its own committee, whose reviewer scores it.
    office.goto(f"/phong-trao/{so.id}/hoi-dong/phan-cong")
    office.get_by_role("button", name="Phân công tự động phần còn thiếu").click()
    reviewer = new_context().new_page()
    accept_dialogs(reviewer)
    login(reviewer, levels.reviewer)
    reviewer.get_by_role("link", name=title).click()
    reviewer.locator(f"#score-{criteria[0].id}").fill("45")
    reviewer.locator(f"#score-{criteria[1].id}").fill("43")
    reviewer.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(reviewer.locator(".flash-success")).to_have_text("Đã gửi phiếu chấm. Cảm ơn thầy/cô.")

    # The Sở's ranking shows it, with where it came from, linked to the provenance.
    office.goto(f"/phong-trao/{so.id}")
    office.locator('li.step[data-step="review"]').get_by_role("link", name="Xếp hạng, đề xuất khen thưởng").click()
    row = office.locator("tr[data-initiative]", has_text=title)
    expect(row).to_contain_text("88")
    expect(row.locator(".origin")).to_have_text("Đề xuất từ: UBND phường Ba Đình")
    screenshot(office, "nomination-ranking.png")
    row.locator(".origin a").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Đề xuất từ cấp dưới")
    expect(office.locator("article.nomination")).to_contain_text("Giấy khen của Chủ tịch UBND phường")
