"""The campaign's collective targets in the report to UBND Thành phố and in the period summary.

The expected shares are the test's own: which units meet which target is decided here, by the values
written (accepted by the office), and the page, the Word file and the workbook must print it.
"""
from __future__ import annotations

import io
from decimal import Decimal

import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from tests import factories
from thidua.extensions import db
from thidua.reports.models import CityReport
from thidua.targets.models import Target, TargetValue

PAYMENTS = "Ứng dụng thanh toán điện tử trong cung ứng dịch vụ"  # schools only (Khối trực thuộc)
ON_TIME = "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn (từng lĩnh vực)"  # offices only
INDIVIDUAL = "Kết quả đánh giá, xếp loại từ “Hoàn thành tốt nhiệm vụ” trở lên"  # a person's: not in the table
HEADING = "Tỷ lệ đơn vị đạt chỉ tiêu thi đua"


def _default_targets(client, world, campaign) -> dict[str, Target]:
    client.login(world.secretariat)
    assert client.post(f"/phong-trao/{campaign.id}/chi-tieu/mac-dinh").status_code == 302
    client.logout()
    db.session.rollback()
    return {t.name: t for t in db.session.scalars(sa.select(Target).where(Target.campaign_id == campaign.id))}


def _accepted(campaign, target, unit, value) -> None:
    db.session.add(TargetValue(campaign_id=campaign.id, target_id=target.id, unit_id=unit.id, value=Decimal(value),
                               state="accepted"))


def _with_values(client, world):
    """Chu Văn An pays electronically everywhere (met), Kim Liên at 60% (not met); Văn phòng is on time."""
    targets = _default_targets(client, world, world.campaign)
    _accepted(world.campaign, targets[PAYMENTS], world.school, 100)
    _accepted(world.campaign, targets[PAYMENTS], world.other_school, 60)
    _accepted(world.campaign, targets[ON_TIME], world.office_unit, 99)
    db.session.commit()
    return targets


def _generate(client, world) -> CityReport:
    client.login(world.secretariat)
    assert client.post(f"/phong-trao/{world.campaign.id}/bao-cao-ubnd/tao").status_code == 302
    return db.session.scalars(sa.select(CityReport).order_by(CityReport.id.desc())).first()


def _files(client, world, report):
    base = f"/phong-trao/{world.campaign.id}/bao-cao-ubnd/{report.id}"
    return (Document(io.BytesIO(client.get(base + ".docx").data)),
            load_workbook(io.BytesIO(client.get(base + ".xlsx").data)))


def _table(document, first_header: str):
    return next(t for t in document.tables if t.rows[0].cells[1].text == first_header)


def _rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_report_page_shows_the_share_of_units_meeting_each_target_by_block(client, world):
    _with_values(client, world)
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/bao-cao-ubnd").get_data(as_text=True)
    assert HEADING in page
    table = page[page.index('class="table report-targets"'):]
    table = table[:table.index("</table>")]
    assert "<th class=\"num\">Khối các phòng thuộc Sở</th>" in table and "<th class=\"num\">Khối trực thuộc</th>" in table
    payments = table[table.index(PAYMENTS):]
    payments = payments[:payments.index("</tr>")]
    assert payments.count("50,0% (1/2)") == 2  # Khối trực thuộc and overall
    assert ">—<" in payments  # no office is asked to take payments
    on_time = table[table.index(ON_TIME):]
    assert "100,0% (1/1)" in on_time[:on_time.index("</tr>")]
    assert INDIVIDUAL not in table


def test_the_word_report_and_the_workbook_have_the_targets_table(client, world):
    _with_values(client, world)
    document, workbook = _files(client, world, _generate(client, world))

    texts = [p.text for p in document.paragraphs]
    assert "5. Kết quả thực hiện chỉ tiêu thi đua của các tập thể" in texts
    assert any(t.startswith("Phong trào đặt 11 chỉ tiêu đối với tập thể, trong đó 1 chỉ tiêu có 100% đơn vị")
               for t in texts)  # 15 of the default set, 4 of them for persons; only Văn phòng's on-time is met
    table = _table(document, "Chỉ tiêu")
    header = [c.text for c in table.rows[0].cells]
    assert header == ["STT", "Chỉ tiêu", "Mức đạt", "Khối các phòng thuộc Sở", "Khối trực thuộc", "Chung"]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert rows[PAYMENTS][2:] == ["≥ 100%", "—", "50,0% (1/2)", "50,0% (1/2)"]
    assert rows[ON_TIME][2:] == ["≥ 98%", "100,0% (1/1)", "—", "100,0% (1/1)"]
    assert [row[0] for row in rows.values()] == [str(n) for n in range(1, len(rows) + 1)]  # numbered
    assert INDIVIDUAL not in rows

    sheet = _rows(workbook["Chỉ tiêu thi đua"])
    assert sheet[2][:7] == ["STT", "Chỉ tiêu", "Mức đạt", "Bắt buộc", "Số đơn vị áp dụng", "Số đơn vị đạt",
                            "Tỷ lệ đạt (%)"]
    assert sheet[2][7:] == ["Tỷ lệ đạt (%) — Khối các phòng thuộc Sở", "Tỷ lệ đạt (%) — Khối trực thuộc"]
    payments = next(r for r in sheet if r[1] == PAYMENTS)
    assert payments[4:] == [2, 1, 50.0, None, 50.0]
    assert next(r for r in sheet if r[1] == ON_TIME)[4:] == [1, 1, 100.0, 100.0, None]


def test_a_campaign_without_targets_has_no_targets_section(client, world):
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/bao-cao-ubnd").get_data(as_text=True)
    assert HEADING not in page and "report-targets" not in page
    document, workbook = _files(client, world, _generate(client, world))
    assert not any("chỉ tiêu thi đua" in p.text for p in document.paragraphs)
    assert not any(t.rows[0].cells[-1].text == "Chung" for t in document.tables)
    assert "Chỉ tiêu thi đua" not in workbook.sheetnames


# --- the period summary -------------------------------------------------------------------------

def _two_years(client, world):
    """2023: one school of two meets the payments target; 2024: both do. Only 2024 asks offices to be on time."""
    w = world
    w.c2023 = factories.campaign(w.root, name="Phong trào thi đua CCHC năm 2023", year=2023,
                                 participants=[w.office_unit, w.school, w.other_school])
    db.session.commit()
    old = _default_targets(client, w, w.c2023)
    new = _default_targets(client, w, w.campaign)
    _accepted(w.c2023, old[PAYMENTS], w.school, 100)
    _accepted(w.c2023, old[PAYMENTS], w.other_school, 40)
    _accepted(w.campaign, new[PAYMENTS], w.school, 100)
    _accepted(w.campaign, new[PAYMENTS], w.other_school, 100)
    _accepted(w.campaign, new[ON_TIME], w.office_unit, 99)
    db.session.delete(old[ON_TIME])  # 2023 did not set it
    db.session.commit()
    return w


def test_the_period_summary_compares_the_share_meeting_each_target_year_by_year(client, world):
    w = _two_years(client, world)
    client.login(w.leader)
    page = client.get("/tong-ket").get_data(as_text=True)
    table = page[page.index('class="table period-targets"'):]
    table = table[:table.index("</table>")]
    assert '<th class="num">2023</th><th class="num">2024</th>' in table
    payments = table[table.index(PAYMENTS):]
    payments = payments[:payments.index("</tr>")]
    assert payments.index("50,0%") < payments.index("100,0%")
    assert "(1/2)" in payments and "(2/2)" in payments
    on_time = table[table.index(ON_TIME):]
    on_time = on_time[:on_time.index("</tr>")]
    assert "—" in on_time and "100,0%" in on_time and "(1/1)" in on_time
    assert INDIVIDUAL not in table

    document = Document(io.BytesIO(client.get("/tong-ket.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert "IV. TỶ LỆ ĐƠN VỊ ĐẠT CHỈ TIÊU THI ĐUA QUA CÁC NĂM" in texts
    assert "V. ĐƠN VỊ ĐĂNG KÝ ĐỦ CÁC NĂM VÀ ĐƠN VỊ CHƯA ĐĂNG KÝ" in texts
    table = _table(document, "Chỉ tiêu")
    assert [c.text for c in table.rows[0].cells] == ["STT", "Chỉ tiêu", "2023", "2024"]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert rows[PAYMENTS][2:] == ["50,0% (1/2)", "100,0% (2/2)"]
    assert rows[ON_TIME][2:] == ["—", "100,0% (1/1)"]
    assert list(rows).index(ON_TIME) < list(rows).index(PAYMENTS)  # in the latest campaign's order

    sheet = _rows(load_workbook(io.BytesIO(client.get("/tong-ket.xlsx").data))["Chỉ tiêu thi đua"])
    assert sheet[2] == ["STT", "Chỉ tiêu", "2023", "2024"]
    assert next(r for r in sheet if r[1] == PAYMENTS)[2:] == [50.0, 100.0]
    assert next(r for r in sheet if r[1] == ON_TIME)[2:] == [None, 100.0]


def test_a_period_without_targets_has_no_targets_section(client, world):
    client.login(world.leader)
    page = client.get("/tong-ket").get_data(as_text=True)
    assert "period-targets" not in page
    document = Document(io.BytesIO(client.get("/tong-ket.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert "IV. ĐƠN VỊ ĐĂNG KÝ ĐỦ CÁC NĂM VÀ ĐƠN VỊ CHƯA ĐĂNG KÝ" in texts
    assert not any("CHỈ TIÊU THI ĐUA" in t for t in texts)
    assert "Chỉ tiêu thi đua" not in load_workbook(io.BytesIO(client.get("/tong-ket.xlsx").data)).sheetnames
