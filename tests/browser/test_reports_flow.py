"""The reports in the browser: the secretariat writes and generates the report to UBND Thành phố,
the leader reads the dashboard and the period summary.

The campaign is in Đợt 2 (15/10/2024): units registered in September, some reported in October,
the committee has scored a few (one shortlisted, one awarded); a 2023 campaign of the same period
gives the period summary a second year.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from docx import Document
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import chart_text_clashes, field, fits_width
from thidua.auth.roles import Role
from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.workflow import State, transition

pytestmark = pytest.mark.browser

DEPLOYMENT = (
    "Sở đã ban hành kế hoạch và hướng dẫn; đến nay **{ty_le_dang_ky}** đơn vị tham gia đã đăng ký "
    "mô hình, giải pháp, sáng kiến.\n\n- Tập huấn cán bộ đầu mối các đơn vị\n- Theo dõi tiến độ trên hệ thống"
)
UNKNOWN = "Đề nghị UBND Thành phố tặng Bằng khen cho {khong_co} tập thể có mô hình tiêu biểu."
DEPLOYMENT_LABEL = "I. Công tác triển khai"
PROPOSALS_LABEL = "IV. Phương hướng, đề xuất, kiến nghị"
PROPOSALS = "Đề nghị UBND Thành phố tặng Bằng khen cho các tập thể có mô hình tiêu biểu."
PERIOD = "2023–2025"
SERVED_AT = datetime(2024, 10, 15, 9, 0)


def _register(campaign, unit, people, *, area: str, title: str, when: datetime, clock):
    editor, head = people[unit.id]
    clock.at(when)
    initiative = factories.initiative(campaign, unit, actor=editor, area=area, title=title)
    transition(initiative, State.REGISTERED, actor=head)
    return initiative


def _campaign_with_results(w, clock):
    """Five participants (four registered), five areas, reports in October, four initiatives scored."""
    district = factories.unit(code="phong-gddt-ba-dinh", name="Phòng Giáo dục và Đào tạo quận Ba Đình",
                              short_name="Phòng GD&ĐT Ba Đình", block="Khối Phòng GD&ĐT", unit_type="phong_gddt",
                              parent=w.root)
    centre = factories.unit(code="gdnn-gdtx-dong-da", name="Trung tâm GDNN-GDTX quận Đống Đa",
                            short_name="TT GDNN-GDTX Đống Đa", unit_type="tt_gdnn_gdtx", parent=w.root,
                            district="Đống Đa")
    for unit in (district, centre):
        db.session.add(CampaignUnit(campaign_id=w.campaign.id, unit_id=unit.id))
    people = {w.school.id: (w.editor, w.head), w.other_school.id: (w.other_editor, w.other_head)}
    for unit in (w.office_unit, district, centre):
        people[unit.id] = (factories.user(Role.UNIT_EDITOR, unit), factories.user(Role.UNIT_HEAD, unit))
    second_reviewer = factories.user(Role.REVIEWER, w.root, username="hoidong2", full_name="Vũ Đức Thắng")

    plan = [  # unit, area, title, registered on (09/2024), reported on (10/2024), state after scoring, scores
        (w.school, "chinh_quyen_so", "Ứng dụng chữ ký số trong hồ sơ chuyên môn của giáo viên", 12, 7,
         State.AWARDED, (93, 90)),
        (w.school, "tthc", "Tiếp nhận hồ sơ tuyển sinh lớp 10 trực tuyến", 13, 8, State.SCORED, (74, 70)),
        (w.other_school, "tthc", "Một cửa điện tử cho thủ tục xác nhận học bạ", 16, 8, State.SHORTLISTED, (86, 84)),
        (w.other_school, "cong_vu", "Đánh giá viên chức theo sản phẩm công việc hằng tháng", 18, 10, None, None),
        (w.office_unit, "to_chuc_bo_may", "Sắp xếp tổ chuyên môn theo vị trí việc làm", 19, 11, State.SCORED,
         (66, 71)),
        (district, "the_che", "Quy chế phối hợp giữa Phòng GD&ĐT và các trường trên địa bàn", 24, None, None, None),
        (district, "chinh_quyen_so", "Số hóa hồ sơ phổ cập giáo dục của quận", 25, 14, None, None),
    ]
    made = []
    for unit, area, title, registered_on, *_ in plan:
        made.append(_register(w.campaign, unit, people, area=area, title=title,
                              when=datetime(2024, 9, registered_on, 8 + len(made), 15), clock=clock))
    for initiative, (unit, _, _, _, reported_on, after, scores) in zip(made, plan):
        if reported_on is None:
            continue
        editor, head = people[unit.id]
        clock.at(datetime(2024, 10, reported_on, 10, 30))
        factories.complete_report(initiative, actor=editor)
        transition(initiative, State.REPORTED, actor=head)
        if after is not None:
            # Set-up shortcut for the committee's work (the scoring tests drive it): two submitted reviews.
            factories.submitted_review(initiative, w.reviewer, total=scores[0])
            factories.submitted_review(initiative, second_reviewer, total=scores[1])
            initiative.status = after.value

    # 2023, the first year of the period: three units took part, two registered, one was awarded.
    clock.at(datetime(2023, 8, 10, 9, 0))
    c2023 = factories.campaign(w.root, name="Phong trào thi đua “Cải cách hành chính” năm 2023", year=2023,
                               launch=date(2023, 8, 1), registration_deadline=date(2023, 8, 25),
                               report_deadline=date(2023, 10, 31),
                               participants=[w.office_unit, w.school, w.other_school])
    _register(c2023, w.school, people, area="tthc", title="Tra cứu kết quả học tập qua ứng dụng",
              when=datetime(2023, 8, 10, 9, 0), clock=clock)
    awarded = _register(c2023, w.other_school, people, area="chinh_quyen_so",
                        title="Sổ điểm điện tử kết nối phụ huynh", when=datetime(2023, 8, 14, 9, 0), clock=clock)
    factories.submitted_review(awarded, w.reviewer, total=91)
    awarded.status = State.AWARDED.value
    db.session.commit()
    clock.at(SERVED_AT)


def test_secretariat_writes_and_generates_the_city_report_and_the_leader_reads_the_figures(
        world, clock, new_context, login, screenshot, tmp_path):
    w = world
    _campaign_with_results(w, clock)
    report_url = f"/phong-trao/{w.campaign.id}/bao-cao-ubnd"

    # 1. The secretariat opens the report from the committee's pages and writes a section.
    office = new_context().new_page()
    login(office, w.secretariat)
    office.goto(f"/phong-trao/{w.campaign.id}/hoi-dong/xep-hang")
    office.get_by_role("navigation", name="Hội đồng").get_by_role("link", name="Báo cáo UBND Thành phố").click()
    expect(office).to_have_url(re.compile(re.escape(report_url) + r"$"))
    expect(office.get_by_role("heading", level=1)).to_have_text("Báo cáo gửi UBND Thành phố")
    expect(office.get_by_text("Chưa tạo báo cáo nào.", exact=False)).to_be_visible()
    # Four of the five participating units registered.
    expect(office.locator(".placeholders")).to_contain_text("tỷ lệ đơn vị đăng ký — hiện nay: 80,0%")

    field(office, DEPLOYMENT_LABEL).fill(DEPLOYMENT)
    office.get_by_role("button", name="Lưu nội dung").click()
    expect(office.locator(".flash-success")).to_have_text("Đã lưu nội dung báo cáo.")
    expect(field(office, DEPLOYMENT_LABEL)).to_have_value(DEPLOYMENT)

    # An unknown placeholder is refused; what was typed stays in the box.
    proposals = field(office, PROPOSALS_LABEL)
    proposals.fill(UNKNOWN)
    office.get_by_role("button", name="Lưu nội dung").click()
    expect(office.get_by_role("alert").first).to_contain_text("Nội dung chưa lưu")
    proposals = field(office, PROPOSALS_LABEL)
    expect(proposals).to_have_attribute("aria-invalid", "true")
    expect(proposals).to_have_accessible_description(
        "Không có số liệu tên {khong_co}; hãy dùng một trong các tên liệt kê ở cột bên.")
    expect(proposals).to_have_value(UNKNOWN)
    expect(field(office, DEPLOYMENT_LABEL)).to_have_value(DEPLOYMENT)
    assert fits_width(office)
    screenshot(office, "city-report-refused.png")

    # 2. "Tạo báo cáo" sends what is on the screen: the refused text again refused, no version made.
    office.get_by_role("button", name="Tạo báo cáo (Word và Excel)").click()
    expect(office.locator(".flash-error").first).to_contain_text("Chưa tạo báo cáo mới")
    expect(field(office, PROPOSALS_LABEL)).to_have_value(UNKNOWN)
    expect(office.get_by_text("Chưa tạo báo cáo nào.", exact=False)).to_be_visible()

    # Corrected but not saved, it is saved and the version, in Word and Excel, is made from it (jobs run in the
    # request in tests).
    field(office, PROPOSALS_LABEL).fill(PROPOSALS)
    office.get_by_role("button", name="Tạo báo cáo (Word và Excel)").click()
    expect(office.locator(".flash-success")).to_have_text(
        "Đã tạo báo cáo phiên bản 1.")  # made at once: jobs run in-process in tests
    versions = office.locator("table.versions tbody tr")
    expect(versions).to_have_count(1)
    version = versions.first
    expect(version).to_have_attribute("data-version", "1")
    expect(version.locator("td").nth(0)).to_have_text("1")
    expect(version).to_contain_text("Đã xong")
    expect(version).to_contain_text("Nguyễn Thị Thu Hà")
    expect(version.locator('td[data-label="Đơn vị đăng ký"]')).to_have_text("4/5 (80,0%)")
    expect(version.locator('td[data-label="Sáng kiến"]')).to_have_text("7")
    word, excel = version.get_by_role("link", name="Word"), version.get_by_role("link", name="Excel")
    expect(excel).to_have_attribute("href", re.compile(r"\.xlsx$"))
    with office.expect_download() as info:
        word.click()
    download = info.value
    assert download.suggested_filename == f"bao-cao-ubnd-{w.campaign.id}-v1.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert "BÁO CÁO" in texts
    # The saved section, its placeholder filled with the figure of the moment; the refused text is not there.
    assert any("80,0% đơn vị tham gia đã đăng ký" in t for t in texts), texts
    assert not any("khong_co" in t for t in texts)
    assert PROPOSALS in texts  # typed, never saved with "Lưu nội dung"
    sheet = office.request.get(excel.get_attribute("href"))
    assert sheet.ok and sheet.body()[:2] == b"PK"
    assert fits_width(office)
    screenshot(office, "city-report-desktop.png")

    office_phone = new_context(phone=True).new_page()
    login(office_phone, w.secretariat)
    office_phone.goto(report_url)
    expect(office_phone.locator("table.versions tbody tr")).to_have_count(1)
    assert fits_width(office_phone)
    screenshot(office_phone, "city-report-phone.png")

    # 3. The leader lands on the dashboard: the figures and the charts.
    leader = new_context().new_page()
    login(leader, w.leader)
    expect(leader).to_have_url(re.compile(r"/lanh-dao$"))
    expect(leader.get_by_role("heading", level=1)).to_have_text("Tổng quan phong trào")
    cards = leader.locator(".stat-card")
    expect(cards).to_have_text([
        re.compile(r"^\s*5\s*đơn vị tham gia"),
        re.compile(r"^\s*80,0%\s*đã đăng ký \(4 đơn vị\)"),
        re.compile(r"^\s*60,0%\s*đã báo cáo kết quả \(3\)"),  # Ba Đình has one registration not reported
        re.compile(r"^\s*7\s*sáng kiến đăng ký"),
        re.compile(r"^\s*2\s*đề xuất khen thưởng"),
        re.compile(r"^\s*1\s*đã khen thưởng"),
    ])
    leader.wait_for_load_state("load")  # the stylesheet shows one of each chart's wide and narrow drawings
    for title in ("Sáng kiến đăng ký theo lĩnh vực CCHC", "Sáng kiến đăng ký theo khối",
                  "Tỷ lệ đơn vị đăng ký và báo cáo theo khối", "Phân bố điểm bình quân của Hội đồng"):
        chart = leader.get_by_role("img", name=title)
        expect(chart).to_be_visible()
        assert chart.locator("rect.bar").count() > 0, title
    expect(leader.locator("svg.chart-wide polyline.series")).not_to_have_count(0)
    expect(leader.get_by_text("4 sáng kiến đã có điểm", exact=False)).to_be_visible()
    assert leader.locator("svg").count() >= 5
    assert fits_width(leader)
    assert chart_text_clashes(leader) == []
    screenshot(leader, "leaders-dashboard-desktop.png")

    leader.get_by_role("link", name="Tổng kết", exact=True).click()
    expect(leader).to_have_url(re.compile(r"/tong-ket$"))
    expect(leader.get_by_role("heading", level=1)).to_have_text(f"Tổng kết giai đoạn {PERIOD}")
    years = leader.locator("table.years tbody tr")
    expect(years).to_have_count(2)
    expect(years.filter(has_text="2024").locator('td[data-label="Đã KT"]')).to_have_text("1")
    expect(years.filter(has_text="2023").locator('td[data-label="Tỷ lệ đăng ký"]')).to_have_text("66,7% (2)")
    assert leader.locator("svg rect.bar").count() > 0
    assert fits_width(leader)
    assert chart_text_clashes(leader) == []
    screenshot(leader, "period-summary-desktop.png")

    phone = new_context(phone=True).new_page()
    login(phone, w.leader)
    expect(phone).to_have_url(re.compile(r"/lanh-dao$"))
    phone.wait_for_load_state("load")  # before the stylesheet hides the wide drawing, both would match
    expect(phone.get_by_role("img", name="Sáng kiến đăng ký theo lĩnh vực CCHC")).to_be_visible()
    assert fits_width(phone)
    assert chart_text_clashes(phone) == []
    screenshot(phone, "leaders-dashboard-phone.png")
    phone.goto("/tong-ket")
    expect(phone.locator("table.years tbody tr")).to_have_count(2)
    assert fits_width(phone)
    assert chart_text_clashes(phone) == []
    screenshot(phone, "period-summary-phone.png")
