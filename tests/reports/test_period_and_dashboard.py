"""The period summary across yearly campaigns, and the leaders' dashboard."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from tests import factories
from tests.conftest import assert_few_statements
from tests.svg import drawings
from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.reports.dashboard import score_histogram
from thidua.workflow import COUNTS_AS_REGISTERED, State

REGISTERED = [s.value for s in COUNTS_AS_REGISTERED]
PERIOD = "2023–2025"


def _two_years(world):
    """2023 and 2024 of one period: Chu Văn An registers both years, Kim Liên only 2024, Văn phòng never."""
    w = world
    w.c2023 = factories.campaign(w.root, name="Phong trào thi đua CCHC năm 2023", year=2023,
                                 participants=[w.office_unit, w.school, w.other_school])
    for campaign, unit, actor, area in [(w.c2023, w.school, w.editor, "tthc"),
                                        (w.campaign, w.school, w.editor, "chinh_quyen_so"),
                                        (w.campaign, w.school, w.editor, "tthc"),
                                        (w.campaign, w.other_school, w.other_editor, "cong_vu")]:
        factories.initiative(campaign, unit, actor=actor, status=State.REGISTERED, area=area)
    factories.initiative(w.c2023, w.other_school, actor=w.other_editor, area="tthc")  # a draft: not registered
    awarded = factories.initiative(w.campaign, w.other_school, actor=w.other_editor, status=State.AWARDED,
                                   area="tthc")
    factories.submitted_review(awarded, w.reviewer, total=91)
    db.session.commit()
    return w


def _registered_units(campaign_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(Initiative.unit_id))).where(
        Initiative.campaign_id == campaign_id, Initiative.status.in_(REGISTERED)))


def _participants(campaign_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CampaignUnit)
                             .where(CampaignUnit.campaign_id == campaign_id))


def test_period_page_compares_the_years_and_names_who_always_and_never_registered(client, world):
    w = _two_years(world)
    client.login(w.leader)
    page = client.get("/tong-ket").get_data(as_text=True)
    assert f"Tổng kết giai đoạn {PERIOD}" in page
    assert page.count("<svg") >= 3  # rates, awards, areas
    for chart in drawings(page):
        chart.assert_text_fits()
    every = page.split("Đăng ký đủ 2 năm")[1].split("</section>")[0]
    never = page.split("Chưa đăng ký năm nào")[1].split("</section>")[0]
    assert "Trường THPT Chu Văn An" in every and "Kim Liên" not in every
    assert "Văn phòng" in never and "Chu Văn An" not in never and "Kim Liên" not in never


def test_period_workbook_and_word_file_carry_the_databases_figures(client, world):
    w = _two_years(world)
    client.login(w.secretariat)
    response = client.get("/tong-ket.xlsx", query_string={"giai-doan": PERIOD})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Theo năm", "Theo khối", "Theo lĩnh vực", "Đăng ký đủ các năm",
                                   "Chưa đăng ký năm nào"]
    years = {row[0]: row for row in workbook["Theo năm"].iter_rows(min_row=4, values_only=True)}
    for year, campaign in ((2023, w.c2023), (2024, w.campaign)):
        participants, registered = _participants(campaign.id), _registered_units(campaign.id)
        assert years[year][1:4] == (participants, registered, round(100 * registered / participants, 1))
    assert years[2024][8] == 1  # awarded
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert any(name.startswith("xl/charts/") for name in archive.namelist())  # a native Excel chart
    areas = {row[0]: row[1:] for row in workbook["Theo lĩnh vực"].iter_rows(min_row=4, values_only=True)}
    assert areas["Cải cách thủ tục hành chính"] == (1, 2, 3)
    never = [row[1] for row in workbook["Chưa đăng ký năm nào"].iter_rows(min_row=4, values_only=True)]
    assert never == ["Văn phòng"]

    document = Document(io.BytesIO(client.get("/tong-ket.docx", query_string={"giai-doan": PERIOD}).data))
    texts = [p.text for p in document.paragraphs]
    assert f"Tổng kết phong trào thi đua cải cách hành chính giai đoạn {PERIOD}" in texts
    first = document.tables[1]  # after the heading
    assert [c.text for c in first.rows[0].cells][:2] == ["Năm", "Đơn vị tham gia"]
    assert [c.text for c in first.rows[1].cells][:3] == ["2023", "3", "1"]


def test_unknown_period_is_not_found(client, world):
    client.login(world.leader)
    assert client.get("/tong-ket", query_string={"giai-doan": "1990–1992"}).status_code == 404


def test_leaders_land_on_the_dashboard_with_its_charts(client, world):
    w = _two_years(world)
    client.login(w.leader)
    home = client.get("/trang-chu")
    assert home.status_code == 302 and home.headers["Location"].endswith("/lanh-dao")
    page = client.get("/lanh-dao", query_string={"campaign": w.campaign.id}).get_data(as_text=True)
    assert "Tiến độ đăng ký so với chỉ tiêu 100%" in page
    assert page.count("<svg") >= 5  # progress (wide and narrow), areas, blocks, rates, scores
    assert "Phân bố điểm bình quân của Hội đồng" in page and "1 sáng kiến đã có điểm" in page
    assert "Cải cách thủ tục hành chính" in page


def test_dashboard_runs_a_few_statements_that_do_not_grow_with_the_size(client, world, statements):
    def count() -> int:
        with statements() as seen:
            assert client.get("/lanh-dao", query_string={"campaign": world.campaign.id}).status_code == 200
        return len(seen)

    scored = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED)
    factories.submitted_review(scored, world.reviewer, total=77)
    db.session.commit()
    client.login(world.leader)
    small = count()
    for n in range(25):
        unit = factories.unit(parent=world.root, block="Khối trực thuộc" if n % 2 else "Khối các phòng thuộc Sở")
        db.session.add(CampaignUnit(campaign_id=world.campaign.id, unit_id=unit.id))
        initiative = factories.initiative(world.campaign, unit, actor=world.secretariat, status=State.SCORED)
        factories.submitted_review(initiative, world.reviewer, total=50 + n)
    db.session.commit()
    assert_few_statements(small, count(), about=14, what="the dashboard, 1 scored initiative then 26")


def test_score_histogram_puts_every_score_in_one_of_ten_bins():
    labels, counts = score_histogram([Decimal(0), Decimal("9.99"), Decimal(10), Decimal("95.5"), Decimal(100)], 100)
    assert labels[0] == "0–10" and labels[-1] == "90–100"
    assert counts == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


PERIOD_DRAFT = {"number": "215/BC-SGDĐT", "assessment": "Phong trào được triển khai đồng bộ.\n\nCác đơn vị tích cực.",
                "proposals": "Tiếp tục nhân rộng mô hình hiệu quả.", "recipients": "UBND Thành phố\nLưu: VT, VP.",
                "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "signer_name": "Trần Thế Cương", "version": ""}


def test_the_office_gives_the_period_summary_its_number_narrative_and_signer_and_the_word_file_prints_them(
        client, world):
    w = _two_years(world)
    client.login(w.secretariat)
    response = client.post("/tong-ket/noi-dung?giai-doan=" + PERIOD, PERIOD_DRAFT)
    assert response.status_code == 302 and response.headers["Location"].endswith("#noi-dung")
    page = client.get("/tong-ket", query_string={"giai-doan": PERIOD}).get_data(as_text=True)
    assert 'value="215/BC-SGDĐT"' in page and "Trần Thế Cương" in page

    document = Document(io.BytesIO(client.get("/tong-ket.docx", query_string={"giai-doan": PERIOD}).data))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Số: 215/BC-SGDĐT" in text and "Số:      /BC-SGDĐT" not in text
    assert "V. ĐÁNH GIÁ CHUNG" in text and "Phong trào được triển khai đồng bộ." in text
    assert "Các đơn vị tích cực." in text and "VI. PHƯƠNG HƯỚNG, ĐỀ XUẤT, KIẾN NGHỊ" in text
    assert "Trần Thế Cương" in text and "PHÓ GIÁM ĐỐC" in text and "- UBND Thành phố;" in text
    opening = next(p.text for p in document.paragraphs if p.text.startswith("Năm 2023"))
    assert "năm 2024" in opening  # every year of the period, none skipped


def test_a_stale_period_draft_is_refused_and_keeps_what_was_typed(client, world):
    w = _two_years(world)
    client.login(w.secretariat)
    assert client.post("/tong-ket/noi-dung?giai-doan=" + PERIOD, PERIOD_DRAFT).status_code == 302
    response = client.post("/tong-ket/noi-dung?giai-doan=" + PERIOD,
                           {**PERIOD_DRAFT, "version": "7", "signer_name": "Người Khác"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "vừa được người khác sửa" in page and 'value="Người Khác"' in page


def test_leaders_read_the_period_summary_but_only_the_office_edits_it(client, world):
    w = _two_years(world)
    client.login(w.leader)
    page = client.get("/tong-ket", query_string={"giai-doan": PERIOD}).get_data(as_text=True)
    assert "Nội dung báo cáo tổng kết" in page and "Lưu nội dung" not in page
    assert client.post("/tong-ket/noi-dung?giai-doan=" + PERIOD, PERIOD_DRAFT).status_code == 403


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("top", [1, 3, 5, 7, 8, 10, 12, 30, 45, 47, 60, 99, 100, 120, 200, 1000])
@pytest.mark.parametrize("bins", [10, 5])
def test_score_bands_each_have_a_real_width_and_cover_zero_to_the_maximum(top, bins):
    labels, counts = score_histogram([Decimal(0), Decimal(top)], top, bins)
    assert 1 <= len(labels) <= bins and len(counts) == len(labels)
    edges = [tuple(map(_number, label.split("–"))) for label in labels]
    assert all(low < high for low, high in edges), labels  # never "0–0"
    assert edges[0][0] == 0 and edges[-1][1] == top
    assert all(edges[i][1] == edges[i + 1][0] for i in range(len(edges) - 1)), labels
    assert counts[0] == 1 and counts[-1] == 1  # 0 in the first band, the maximum in the last (closed)


def test_a_score_on_an_edge_falls_in_the_band_it_opens():
    labels, counts = score_histogram([Decimal("0.3"), Decimal("2.5"), Decimal(5)], 5)
    assert labels[:2] == ["0–0,5", "0,5–1"]
    assert counts == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]


def test_every_chart_of_the_dashboard_keeps_its_text_inside_and_apart(client, world):
    w = _two_years(world)
    for n, total in enumerate([3, 12, 45, 55, 58, 61, 77, 88, 95, 100]):
        unit = factories.unit(parent=w.root, block="Khối các trường Trung học phổ thông công lập và ngoài công lập")
        db.session.add(CampaignUnit(campaign_id=w.campaign.id, unit_id=unit.id))
        initiative = factories.initiative(w.campaign, unit, actor=w.secretariat, status=State.SCORED,
                                          area=["tthc", "cong_vu", "chinh_quyen_so"][n % 3])
        factories.submitted_review(initiative, w.reviewer, total=total)
    db.session.commit()
    client.login(w.leader)
    page = client.get("/lanh-dao", query_string={"campaign": w.campaign.id}).get_data(as_text=True)
    charts = drawings(page)
    assert len(charts) == 10  # progress, areas, blocks, rates, scores: each wide and for a phone
    for chart in charts:
        chart.assert_text_fits()
    bands = [[t.lines for t in chart.role("category")] for chart in charts
             if any(t.text == "0–10" or t.text == "0–20" for t in chart.role("category"))]
    assert len(bands) == 2
    assert ("90–100",) in bands[0] and ("80–100",) in bands[1]  # one line each; the phone's five bands of 20
