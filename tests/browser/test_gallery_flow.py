"""The public gallery as people use it: the secretariat publishes a model, anyone finds it without
typing diacritics (phone and desktop), and another unit records that it adopted it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from thidua.extensions import db
from thidua.workflow import State

from tests.browser.helpers import accept_dialogs, field, fits_width
from tests.gallery.conftest import make_model

pytestmark = pytest.mark.browser

TITLE = "Một cửa điện tử trong tiếp nhận hồ sơ tuyển sinh lớp 10"


def test_publish_find_without_diacritics_and_adopt(world, new_context, login, screenshot):
    initiative = make_model(world, title=TITLE, publish=False, files=("cong-khai-quy-trinh.pdf", "noi-bo.pdf"),
                            achievements="Rút ngắn thời gian xử lý hồ sơ từ 5 ngày xuống 2 ngày; "
                                         "100% hồ sơ tiếp nhận trực tuyến.")
    make_model(world, title="Ứng dụng chữ ký số cho hồ sơ chuyên môn của giáo viên", area="chinh_quyen_so",
               unit=world.other_school)
    make_model(world, title="Làm sạch dữ liệu dân cư học sinh theo Đề án 06", area="de_an_06")
    db.session.commit()

    office = new_context().new_page()
    login(office, world.secretariat)
    office.goto(f"/sang-kien/{initiative.id}")
    office.get_by_role("link", name="Công bố lên thư viện").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Công bố lên thư viện mô hình")
    field(office, "Giới thiệu công khai (Markdown)").fill(
        "Trường tiếp nhận **toàn bộ hồ sơ tuyển sinh** qua cổng trực tuyến.\n\n"
        "- Phụ huynh nộp hồ sơ tại nhà\n- Nhà trường trả kết quả qua tin nhắn\n\n<script>alert(1)</script>")
    office.get_by_label("cong-khai-quy-trinh.pdf").check()
    screenshot(office, "gallery-publish.png")
    office.get_by_role("button", name="Lưu và công bố").click()
    expect(office.locator(".flash-success")).to_have_text("Đã công bố mô hình trên thư viện.")
    expect(office.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(office.locator(".prose strong")).to_have_text("toàn bộ hồ sơ tuyển sinh")
    assert "<script>" not in office.locator(".prose").inner_html()

    for phone in (False, True):
        public = new_context(phone=phone).new_page()
        public.goto("/thu-vien")
        expect(public.locator(".model-card")).to_have_count(3)
        public.get_by_label("Tìm kiếm").fill("mot cua tuyen sinh")
        public.get_by_role("button", name="Tìm").click()
        expect(public.locator(".model-card")).to_have_count(1)
        expect(public.locator(".model-card h2")).to_have_text(TITLE)
        assert fits_width(public)
        screenshot(public, f"gallery-list-{'phone' if phone else 'desktop'}.png")
        public.get_by_role("link", name=TITLE).click()
        expect(public).to_have_url(re.compile(r"/thu-vien/\d+-mot-cua-dien-tu-trong-tiep-nhan-ho-so-tuyen-sinh-lop-10$"))
        expect(public.get_by_role("link", name="cong-khai-quy-trinh.pdf")).to_be_visible()
        expect(public.get_by_text("noi-bo.pdf")).to_have_count(0)
        expect(public.locator("table.indicators")).to_contain_text("Thời gian giải quyết thủ tục")
        assert fits_width(public)
        screenshot(public, f"gallery-detail-{'phone' if phone else 'desktop'}.png")

    unit = new_context(phone=True).new_page()
    login(unit, world.other_head)
    unit.goto("/thu-vien?q=một cửa")
    unit.get_by_role("link", name=TITLE).click()
    unit.get_by_role("link", name="Đơn vị tôi đã áp dụng mô hình này").click()
    field(unit, "Ngày bắt đầu áp dụng").fill("15/09/2024")
    field(unit, "Đơn vị đã áp dụng như thế nào").fill("Áp dụng quy trình cho tuyển sinh lớp 10 năm học 2024–2025.")
    unit.locator("#file").set_input_files(files=[{"name": "ke-hoach.pdf", "mimeType": "application/pdf",
                                                  "buffer": b"%PDF-1.4\n%%EOF\n"}])
    assert fits_width(unit)
    screenshot(unit, "gallery-adopt-phone.png")
    unit.get_by_role("button", name="Ghi nhận áp dụng").click()
    expect(unit.locator(".flash-success")).to_contain_text("Đã ghi nhận đơn vị áp dụng mô hình")
    expect(unit.locator("#so-nhan-rong")).to_have_text("1 đơn vị đã nhân rộng")
    expect(unit.locator("#nhan-rong")).to_contain_text("Trường THPT Kim Liên")
    expect(unit.get_by_role("link", name="Đơn vị tôi đã áp dụng mô hình này")).to_have_count(0)
    screenshot(unit, "gallery-adopted-phone.png")

    office.goto("/thu-vien/thong-ke")
    expect(office.locator(".top-models")).to_contain_text(TITLE)
    screenshot(office, "gallery-stats.png")
    office.goto("/quan-tri/nhan-rong?by=unit")
    expect(office.locator("table")).to_contain_text("Trường THPT Kim Liên")
    screenshot(office, "gallery-replications.png")

    office.goto(f"/sang-kien/{initiative.id}/cong-bo")
    asked = accept_dialogs(office)
    office.get_by_role("button", name="Gỡ khỏi thư viện").click()
    expect(office.locator(".flash-success")).to_contain_text("trở lại trạng thái “Được đề xuất khen thưởng”")
    assert asked == ["Gỡ mô hình khỏi thư viện công khai?"]
    db.session.expire_all()
    assert db.session.get(type(initiative), initiative.id).status == State.SHORTLISTED.value
    gone = new_context().new_page()
    response = gone.goto("/thu-vien?q=mot cua")
    assert response.status == 200
    expect(gone.locator(".model-card")).to_have_count(0)


def test_a_search_without_diacritics_finds_models_by_area_ranked_and_shows_lists_as_lists(world, new_context,
                                                                                          screenshot):
    from datetime import datetime, timedelta

    day = datetime(2024, 11, 1, 9, 0)
    first = "Cải cách quy trình tuyển sinh đầu cấp"
    make_model(world, title=first, area="khac", now=day,
               summary="**Kết quả:**\n- Giảm 3 ngày chờ kết quả\n- Phụ huynh không phải đến trường")
    make_model(world, title="Một cửa điện tử trong tiếp nhận hồ sơ", area="tthc", unit=world.other_school,
               now=day + timedelta(days=1))
    make_model(world, title="Ứng dụng chữ ký số cho giáo viên", area="chinh_quyen_so", now=day + timedelta(days=2))
    db.session.commit()

    for phone in (False, True):
        public = new_context(phone=phone).new_page()
        public.goto("/thu-vien")
        expect(public.locator(".model-card")).to_have_count(3)
        public.get_by_label("Tìm kiếm").fill("cai cach")
        public.get_by_role("button", name="Tìm").click()
        # The title that says it first although the oldest, then the models of the other CCHC areas, the newest
        # first: "Xây dựng … chính quyền số" is an area of administrative reform though its name does not say so.
        expect(public.locator(".model-card h2")).to_have_text(
            [first, "Ứng dụng chữ ký số cho giáo viên", "Một cửa điện tử trong tiếp nhận hồ sơ"])
        expect(public.get_by_role("status")).to_have_text("3 mô hình phù hợp với “cai cach”.")
        expect(public.get_by_label("Sắp xếp")).to_have_value("phu-hop")
        excerpt = public.locator(".model-card").first.locator(".model-excerpt")
        assert excerpt.inner_text() == "Kết quả:\n• Giảm 3 ngày chờ kết quả\n• Phụ huynh không phải đến trường"
        assert "dòng" not in public.locator("main").inner_text()
        assert fits_width(public)
        screenshot(public, f"gallery-search-{'phone' if phone else 'desktop'}.png")

        public.get_by_role("link", name=first).click()
        expect(public.locator(".prose li")).to_have_text(["Giảm 3 ngày chờ kết quả", "Phụ huynh không phải đến trường"])
        assert "- Giảm" not in public.locator(".prose").inner_text()
        screenshot(public, f"gallery-list-summary-{'phone' if phone else 'desktop'}.png")
