"""The levels below: each lower organiser's campaigns of the year, in figures, on the dashboard and in the report.

The expected figures are counted here from the test's own records, not with thidua.reports.rollup.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from tests import factories
from tests.conftest import assert_few_statements
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.nominations.models import Nomination
from thidua.reports.documents import build_report_docx, build_report_workbook, default_draft
from thidua.reports.figures import campaign_figures
from thidua.reports.rollup import levels_total, lower_levels
from thidua.workflow import State


def _ward(parent, name, code):
    return factories.unit(code=code, name=name, block="", unit_type="ubnd_phuong_xa", parent=parent,
                          is_organiser=True)


def _schools(ward, count, prefix):
    return [factories.unit(code=f"{prefix}-{n}", name=f"Trường Tiểu học {prefix.title()} {n}", block="Khối Tiểu học",
                           unit_type="th", parent=ward) for n in range(count)]


@pytest.fixture
def levels(world):
    """Under the Sở: ward A (4 schools, a 2024 campaign and a 2023 one), ward B under a plain grouping node
    (2 schools, a 2024 campaign), ward D with no campaign; under ward A, commune C runs its own (not direct)."""
    w = world
    ward_a = _ward(w.root, "UBND phường Cầu Giấy", "phuong-cau-giay")
    grouping = factories.unit(code="cum-tay", name="Cụm thi đua phía Tây", block="", unit_type="cum", parent=w.root)
    ward_b = _ward(grouping, "UBND phường Nghĩa Đô", "phuong-nghia-do")
    _ward(w.root, "UBND phường Ba Đình", "phuong-ba-dinh")
    commune = _ward(ward_a, "UBND xã Thượng Cát", "xa-thuong-cat")
    schools_a, schools_b, schools_c = _schools(ward_a, 4, "cau-giay"), _schools(ward_b, 2, "nghia-do"), \
        _schools(commune, 2, "thuong-cat")
    office_a = factories.user(Role.SECRETARIAT, ward_a)
    office_b = factories.user(Role.SECRETARIAT, ward_b)
    office_c = factories.user(Role.SECRETARIAT, commune)
    c_a = factories.campaign(ward_a, name="Phong trào của phường Cầu Giấy năm 2024", participants=schools_a,
                             feeds_campaign_id=w.campaign.id)
    c_a_2023 = factories.campaign(ward_a, name="Phong trào của phường Cầu Giấy năm 2023", year=2023,
                                  participants=schools_a)
    c_b = factories.campaign(ward_b, name="Phong trào của phường Nghĩa Đô năm 2024", participants=schools_b,
                             feeds_campaign_id=w.campaign.id)
    c_c = factories.campaign(commune, name="Phong trào của xã Thượng Cát năm 2024", participants=schools_c)
    make = factories.initiative
    # Ward A: school 0 registered two, both awarded (one proposed to the Sở); school 1 registered one, reported;
    # school 2 registered two, one reported only; school 3 only a draft.
    a1 = make(c_a, schools_a[0], actor=office_a, status=State.AWARDED, title="Thu học phí không dùng tiền mặt")
    make(c_a, schools_a[0], actor=office_a, status=State.AWARDED, title="Học bạ số")
    make(c_a, schools_a[1], actor=office_a, status=State.REPORTED, title="Tuyển sinh trực tuyến lớp 1")
    make(c_a, schools_a[2], actor=office_a, status=State.SCORED, title="Một cửa tại trường")
    make(c_a, schools_a[2], actor=office_a, status=State.REGISTERED, title="Công khai thu chi")
    make(c_a, schools_a[3], actor=office_a, title="Bản nháp")
    for school in schools_a:  # the 2023 campaign: everything awarded, another year
        make(c_a_2023, school, actor=office_a, status=State.AWARDED, title="Sổ liên lạc điện tử")
    # Ward B: one school registered (not reported), the other withdrew.
    make(c_b, schools_b[0], actor=office_b, status=State.REGISTERED, title="Sổ điểm điện tử")
    make(c_b, schools_b[1], actor=office_b, status=State.WITHDRAWN, title="Đã rút")
    # Commune C (below ward A): its awards are ward A's business, not the Sở's.
    make(c_c, schools_c[0], actor=office_c, status=State.AWARDED, title="Số hóa văn bản")
    db.session.add(Nomination(campaign_id=w.campaign.id, source_id=a1.id, state="proposed",
                              proposed_by_id=office_a.id))
    db.session.commit()
    return {"A": c_a, "B": c_b, "C": c_c}


def test_lower_levels_counts_each_direct_lower_organisers_campaign_of_the_year(world, levels):
    rows = {row.name: row for row in lower_levels(world.campaign)}

    # Only the organisers directly below the Sở (through a plain grouping node too), never the commune.
    assert list(rows) == ["UBND phường Ba Đình", "UBND phường Cầu Giấy", "UBND phường Nghĩa Đô"]
    a, b, d = rows["UBND phường Cầu Giấy"], rows["UBND phường Nghĩa Đô"], rows["UBND phường Ba Đình"]
    assert a.campaigns == ["Phong trào của phường Cầu Giấy năm 2024"]  # not its 2023 campaign
    assert (a.participants, a.registered_units, a.reported_units, a.initiatives, a.awarded, a.proposed) == (
        4, 3, 2, 5, 2, 1)
    assert (a.registration_rate, a.reporting_rate) == (75.0, 50.0)
    assert (b.participants, b.registered_units, b.reported_units, b.initiatives, b.awarded, b.proposed) == (
        2, 1, 0, 1, 0, 0)
    assert d.campaigns == [] and (d.participants, d.awarded) == (0, 0)
    total = levels_total(list(rows.values()))
    assert (total.participants, total.registered_units, total.reported_units, total.awarded) == (6, 4, 2, 2)


def test_a_lower_organiser_sees_its_own_lower_levels_only(world, levels):
    rows = lower_levels(levels["A"])
    assert [(r.name, r.participants, r.awarded) for r in rows] == [("UBND xã Thượng Cát", 2, 1)]
    assert lower_levels(levels["C"]) == []
    assert lower_levels(levels["B"]) == []


def test_lower_levels_costs_a_few_statements_no_more_for_many_lower_organisers_than_for_one(world, statements):
    ward = _ward(world.root, "UBND phường Số 0", "phuong-0")
    office = factories.user(Role.SECRETARIAT, ward)
    school, = _schools(ward, 1, "so-0")
    campaign = factories.campaign(ward, participants=[school])
    factories.initiative(campaign, school, actor=office, status=State.AWARDED)
    db.session.commit()
    db.session.refresh(world.campaign)  # (the campaign itself read before counting)
    with statements() as one:
        assert len(lower_levels(world.campaign)) == 1

    for n in range(1, 8):
        ward = _ward(world.root, f"UBND phường Số {n}", f"phuong-{n}")
        office = factories.user(Role.SECRETARIAT, ward)
        schools = _schools(ward, 3, f"so-{n}")
        campaign = factories.campaign(ward, participants=schools)
        for school in schools:
            factories.initiative(campaign, school, actor=office, status=State.REPORTED)
    db.session.commit()
    db.session.refresh(world.campaign)
    with statements() as many:
        rows = lower_levels(world.campaign)
    assert len(rows) == 8 and sum(r.participants for r in rows) == 22
    assert_few_statements(one, many, about=4, what="lower levels, 1 lower organiser then 8")


def test_the_dashboard_and_the_city_report_page_show_the_lower_levels(world, levels, make_client):
    leader = make_client()
    leader.login(world.leader)
    html = leader.get("/lanh-dao").get_data(as_text=True)
    assert "Các cấp dưới" in html
    assert "UBND phường Cầu Giấy" in html and "UBND xã Thượng Cát" not in html
    assert "Chưa có phong trào năm này" in html  # ward D
    assert f'href="/phong-trao/{levels["A"].id}"' in html  # its campaign, read only

    office = make_client()
    office.login(world.secretariat)
    html = office.get(f"/phong-trao/{world.campaign.id}/bao-cao-ubnd").get_data(as_text=True)
    assert "Các cấp dưới" in html and "UBND phường Nghĩa Đô" in html


def test_a_ward_leader_dashboard_shows_its_own_campaign_not_the_sos(world, levels, make_client):
    ward_leader = factories.user(Role.LEADER, db.session.get(type(world.root), levels["A"].organiser_id))
    db.session.commit()
    client = make_client()
    client.login(ward_leader)
    html = client.get("/lanh-dao").get_data(as_text=True)
    assert "Phong trào của phường Cầu Giấy năm 2024" in html
    assert world.campaign.name not in html
    assert "UBND xã Thượng Cát" in html  # its own lower level
    # Another organiser's campaign named in the address is not shown either.
    html = client.get(f"/lanh-dao?campaign={world.campaign.id}").get_data(as_text=True)
    assert world.campaign.name not in html


def test_the_word_and_excel_reports_have_a_section_on_the_lower_levels(world, levels):
    figures = campaign_figures(world.campaign)
    document = Document(io.BytesIO(build_report_docx(figures, default_draft(world.campaign), day=date(2024, 12, 1))))
    texts = [p.text for p in document.paragraphs]
    assert "5. Kết quả phong trào ở các cấp dưới" in texts
    assert any(t.startswith("Cấp dưới trực thuộc gồm 3 đơn vị tổ chức thi đua, trong đó 2 đơn vị đã phát động "
                            "phong trào năm 2024 với 6 đơn vị tham gia; 2 mô hình") for t in texts)
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Cấp dưới")
    cells = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert cells["UBND phường Cầu Giấy"][2:] == ["4", "3 (75,0%)", "2 (50,0%)", "5", "2", "1"]
    assert cells["Tổng cộng"][2:] == ["6", "4 (66,7%)", "2 (33,3%)", "6", "2", "1"]

    with build_report_workbook(figures).saved() as xlsx:
        sheet = load_workbook(xlsx)["Các cấp dưới"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    ward = next(r for r in rows if r[1] == "UBND phường Cầu Giấy")
    assert ward[2:] == ["Phong trào của phường Cầu Giấy năm 2024", 4, 3, 75.0, 2, 50.0, 5, 2, 1]
    assert next(r for r in rows if r[1] == "UBND phường Ba Đình")[2] == "Chưa có phong trào năm này"


def test_a_report_without_lower_organisers_has_no_such_section(world):
    figures = campaign_figures(world.campaign)
    document = Document(io.BytesIO(build_report_docx(figures, default_draft(world.campaign), day=date(2024, 12, 1))))
    assert not any("cấp dưới" in p.text for p in document.paragraphs)
    with build_report_workbook(figures).saved() as xlsx:
        assert "Các cấp dưới" not in load_workbook(xlsx).sheetnames
