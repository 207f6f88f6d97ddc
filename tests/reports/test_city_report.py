"""The report to UBND Thành phố: its figures equal the database's, in the Word file and in the workbook.

Every expected figure here is counted with SQL of the test's own (not with thidua.reports.figures), then
compared with what the generated documents print.
"""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tests import factories
from tests.conftest import assert_few_statements
from tests.documents.rendering import embedded_fonts, needs_libreoffice, page_texts, render_pdfs
from thidua import timeutil
from thidua.audit import AuditLog
from thidua.campaigns.models import CampaignUnit
from thidua.extensions import db
from thidua.registration.models import AREA_LABELS, Initiative
from thidua.reports.models import CityReport, ReportDraft
from thidua.results.models import ReportIndicator, ResultReport
from thidua.workflow import COUNTS_AS_REGISTERED, COUNTS_AS_REPORTED, State

REGISTERED = [s.value for s in COUNTS_AS_REGISTERED]
REPORTED = [s.value for s in COUNTS_AS_REPORTED]


def _report(initiative, indicators, achievements="Rút ngắn thời gian giải quyết hồ sơ."):
    report = ResultReport(initiative_id=initiative.id, achievements=achievements, progress="hoan_thanh")
    report.indicators = [ReportIndicator(position=i, name=name, unit_of_measure=unit, before=Decimal(before),
                                         after=Decimal(after)) for i, (name, unit, before, after) in enumerate(indicators)]
    db.session.add(report)


@pytest.fixture
def campaign_data(world):
    """Five participating units in two blocks; initiatives in every state the report tells apart."""
    w = world
    gdtx = factories.unit(code="gdtx-dong-da", name="Trung tâm GDNN-GDTX Đống Đa", unit_type="tt_gdnn_gdtx",
                          parent=w.root)
    phong = factories.unit(code="phong-gdtrh", name="Phòng Giáo dục Trung học", block="Khối các phòng thuộc Sở",
                           unit_type="phong_thuoc_so", parent=w.root)
    for unit in (gdtx, phong):
        db.session.add(CampaignUnit(campaign_id=w.campaign.id, unit_id=unit.id))
    make = factories.initiative
    a = make(w.campaign, w.school, actor=w.editor, status=State.AWARDED, title="Tra cứu văn bằng trực tuyến",
             area="chinh_quyen_so", kind="giai_phap")
    b = make(w.campaign, w.school, actor=w.editor, status=State.REPORTED, title="Một cửa liên thông tuyển sinh",
             area="tthc", kind="mo_hinh")
    c = make(w.campaign, w.other_school, actor=w.other_editor, status=State.SHORTLISTED,
             title="Số hóa hồ sơ học sinh", area="tthc", kind="sang_kien")
    make(w.campaign, w.other_school, actor=w.other_editor, status=State.REGISTERED, title="Quy chế nội bộ mới",
         area="the_che", kind="giai_phap")
    make(w.campaign, w.office_unit, actor=w.secretariat, title="Bản nháp chưa đăng ký", area="cong_vu")
    make(w.campaign, gdtx, actor=w.secretariat, status=State.WITHDRAWN, title="Đã rút", area="cong_vu")
    _report(a, [("Thời gian xử lý", "ngày", 5, 2), ("Tỷ lệ hồ sơ trực tuyến", "%", 40, 90)])
    _report(b, [("thoi gian xu ly", "Ngày", 10, 4), ("Tỷ lệ hồ sơ trực tuyến", "%", 20, 60)])
    _report(c, [("Số hồ sơ số hóa", "hồ sơ", 100, 300)], achievements="Số hóa 100% hồ sơ học sinh lớp 10.")
    factories.submitted_review(a, w.reviewer, total=92)
    factories.submitted_review(c, w.reviewer, total=85)
    db.session.commit()
    w.a, w.b, w.c = a, b, c
    return w


def _url(world, suffix=""):
    return f"/phong-trao/{world.campaign.id}/bao-cao-ubnd{suffix}"


def _generate(client, world) -> CityReport:
    client.login(world.secretariat)
    response = client.post(_url(world, "/tao"))
    assert response.status_code == 302
    return db.session.scalars(sa.select(CityReport).order_by(CityReport.id.desc())).first()


def expected(campaign_id: int) -> dict:
    """The figures counted straight from the tables."""
    participants = db.session.scalar(sa.select(sa.func.count()).select_from(CampaignUnit)
                                     .where(CampaignUnit.campaign_id == campaign_id))
    per_unit = db.session.execute(
        sa.select(Initiative.unit_id,
                  sa.func.sum(sa.case((Initiative.status.in_(REGISTERED), 1), else_=0)),
                  sa.func.sum(sa.case((Initiative.status.in_(REPORTED), 1), else_=0)))
        .where(Initiative.campaign_id == campaign_id).group_by(Initiative.unit_id)
    ).all()
    registered_units = sum(1 for _, registered, _ in per_unit if registered >= 1)
    reported_units = sum(1 for _, registered, reported in per_unit if registered and reported >= registered)
    initiatives = db.session.scalar(sa.select(sa.func.count()).where(Initiative.campaign_id == campaign_id,
                                                                     Initiative.status.in_(REGISTERED)))
    by_area = dict(db.session.execute(
        sa.select(Initiative.area, sa.func.count()).where(Initiative.campaign_id == campaign_id,
                                                          Initiative.status.in_(REGISTERED))
        .group_by(Initiative.area)).all())
    highlights = db.session.scalar(sa.select(sa.func.count()).where(
        Initiative.campaign_id == campaign_id,
        Initiative.status.in_([State.SHORTLISTED.value, State.AWARDED.value, State.PUBLISHED.value])))
    return {"participants": participants, "registered_units": registered_units, "reported_units": reported_units,
            "initiatives": initiatives, "by_area": by_area, "highlights": highlights}


def _table_with(document, header: str):
    return next(t for t in document.tables if t.rows and header in [c.text for c in t.rows[0].cells])


def _vn_percent(done: int, total: int) -> str:
    return f"{round(100 * done / total, 1):.1f}".replace(".", ",") + "%"


def test_generated_word_report_prints_the_databases_figures(client, campaign_data):
    w = campaign_data
    report = _generate(client, w)
    assert report.ready and report.data_taken_at is not None
    response = client.get(_url(w, f"/{report.id}.docx"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(response.data))
    figures = expected(w.campaign.id)
    assert figures == {"participants": 5, "registered_units": 2, "reported_units": 1, "initiatives": 4,
                       "by_area": {"chinh_quyen_so": 1, "tthc": 2, "the_che": 1}, "highlights": 2}

    blocks = _table_with(document, "Khối")
    total = [c.text for c in blocks.rows[-1].cells]
    assert total == ["Tổng cộng", "5", "2", _vn_percent(2, 5), "1", _vn_percent(1, 5), "4"]
    by_block = {row.cells[0].text: [c.text for c in row.cells] for row in blocks.rows[1:-1]}
    assert by_block["Khối trực thuộc"][1:4] == ["3", "2", "66,7%"]  # THPT Chu Văn An, Kim Liên; GDTX Đống Đa
    assert by_block["Khối các phòng thuộc Sở"][1:3] == ["2", "0"]

    areas = _table_with(document, "Lĩnh vực cải cách hành chính")
    printed = {row.cells[1].text: row.cells[-1].text for row in areas.rows[1:-1]}
    assert printed == {AREA_LABELS[code]: str(count) for code, count in figures["by_area"].items()}
    assert areas.rows[-1].cells[-1].text == str(figures["initiatives"])

    # Indicators two initiatives share are combined across spelling: summed, and averaged for shares.
    indicators = _table_with(document, "Chỉ tiêu")
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in indicators.rows[1:]}
    assert rows["Thời gian xử lý"][2:] == ["ngày", "2", "15", "6", "-9", "Cộng"]
    assert rows["Tỷ lệ hồ sơ trực tuyến"][2:] == ["%", "2", "30", "75", "+45", "Bình quân"]
    assert "Số hồ sơ số hóa" not in rows  # reported by one initiative only: in the workbook, not the summary

    highlights = _table_with(document, "Kết quả nổi bật")
    titles = [row.cells[1].text for row in highlights.rows[1:]]
    assert titles == ["Tra cứu văn bằng trực tuyến", "Số hóa hồ sơ học sinh"]  # by the committee's score
    assert len(titles) == figures["highlights"]
    assert [row.cells[4].text for row in highlights.rows[1:]] == ["92,00", "85,00"]

    annex = _table_with(document, "Tình trạng")
    assert len(annex.rows) - 1 == figures["initiatives"]
    assert "Bản nháp chưa đăng ký" not in [row.cells[3].text for row in annex.rows]


def test_word_report_is_laid_out_as_an_administrative_document(client, campaign_data, clock):
    w = campaign_data
    clock.at(datetime(2024, 11, 5, 9, 0))
    client.login(w.secretariat)
    client.post(_url(w, "/noi-dung"), data={"number": "125/BC-SGDĐT", "intro": "Mở đầu **quan trọng**.",
                                            "recipients": "UBND Thành phố (để báo cáo)\nLưu: VT, VP.",
                                            "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
                                            "signer_name": "Trần Thế Cương"})
    report = _generate(client, w)
    document = Document(io.BytesIO(client.get(_url(w, f"/{report.id}.docx")).data))
    heading = "\n".join(c.text for c in document.tables[0].rows[0].cells)
    for text in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 125/BC-SGDĐT",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Hà Nội, ngày 05 tháng 11 năm 2024"):
        assert text in heading
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert "Kết quả thực hiện phong trào thi đua CCHC năm 2024" in texts
    for section in ("I. CÔNG TÁC TRIỂN KHAI", "II. KẾT QUẢ THỰC HIỆN", "III. ĐÁNH GIÁ CHUNG",
                    "IV. PHƯƠNG HƯỚNG, ĐỀ XUẤT, KIẾN NGHỊ", "PHỤ LỤC"):
        assert section in texts
    intro = next(p for p in document.paragraphs if p.text == "Mở đầu quan trọng.")
    assert [r.text for r in intro.runs if r.bold] == ["quan trọng"]  # Markdown bold kept as bold
    closing = "\n".join(c.text for c in document.tables[-2].rows[0].cells)
    assert "Nơi nhận:" in closing and "- UBND Thành phố (để báo cáo);" in closing and "- Lưu: VT, VP." in closing
    assert "KT. GIÁM ĐỐC" in closing and "Trần Thế Cương" in closing

    portrait, annex = document.sections
    assert [round(v.mm) for v in (portrait.page_width, portrait.page_height, portrait.top_margin,
                                  portrait.bottom_margin, portrait.left_margin, portrait.right_margin)] == \
        [210, 297, 20, 20, 30, 15]
    assert round(annex.page_width.mm) == 297  # the annex is landscape
    # Page numbers in the top margin from page 2: the first page has a header of its own, empty.
    assert portrait.different_first_page_header_footer
    assert not portrait.first_page_header.paragraphs[0].text
    assert "PAGE" in portrait.header._element.xml
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {"Times New Roman"}


def test_workbook_has_one_sheet_per_table_with_the_same_figures(client, campaign_data):
    w = campaign_data
    report = _generate(client, w)
    response = client.get(_url(w, f"/{report.id}.xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Tổng hợp", "Theo khối", "Theo lĩnh vực", "Chỉ tiêu kết quả",
                                   "Đề xuất khen thưởng", "Phụ lục"]
    figures = expected(w.campaign.id)
    summary = {row[0]: row[1] for row in workbook["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert summary["Số đơn vị tham gia"] == figures["participants"]
    assert summary["Số đơn vị đã đăng ký"] == figures["registered_units"]
    assert summary["Tỷ lệ đăng ký (%)"] == 40.0
    assert summary["Số đơn vị đã báo cáo kết quả"] == figures["reported_units"]
    assert summary["Số mô hình, giải pháp, sáng kiến đăng ký"] == figures["initiatives"]
    assert summary["Số đề xuất khen thưởng"] == figures["highlights"]
    blocks = list(workbook["Theo khối"].iter_rows(min_row=4, values_only=True))
    assert blocks[-1][:4] == ("Tổng cộng", 5, 2, 40.0)
    assert sum(row[1] for row in blocks[:-1]) == figures["participants"]
    indicators = {row[1]: row for row in workbook["Chỉ tiêu kết quả"].iter_rows(min_row=4, values_only=True)}
    assert indicators["Số hồ sơ số hóa"][3:7] == (1, 100, 300, 200)  # numbers, not text
    annex = list(workbook["Phụ lục"].iter_rows(min_row=4, values_only=True))
    assert len(annex) == figures["initiatives"]


def test_each_generation_is_a_new_version_and_earlier_ones_stay_downloadable(client, campaign_data, clock):
    w = campaign_data
    clock.at(datetime(2024, 11, 5, 9, 0))
    first = _generate(client, w)
    timeutil.freeze(None)  # registration is open in the real present of the factories' campaign
    factories.initiative(w.campaign, w.office_unit, actor=w.secretariat, status=State.REGISTERED,
                         title="Đăng ký sau bản thứ nhất")
    db.session.commit()
    clock.at(datetime(2024, 11, 6, 10, 30))
    second = _generate(client, w)
    assert (first.number, second.number) == (1, 2)
    assert first.data_taken_at < second.data_taken_at
    assert (first.headline["initiatives"], second.headline["initiatives"]) == (4, 5)
    page = client.get(_url(w)).get_data(as_text=True)
    assert "05/11/2024 09:00" in page and "06/11/2024 10:30" in page
    for report in (first, second):
        assert client.get(_url(w, f"/{report.id}.docx")).status_code == 200
        assert client.get(_url(w, f"/{report.id}.xlsx")).status_code == 200
    audit = db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "reports.requested"))
    assert audit == 2


def test_narrative_with_placeholders_is_filled_with_computed_figures(client, campaign_data):
    w = campaign_data
    client.login(w.secretariat)
    response = client.post(_url(w, "/noi-dung"), data={
        "assessment": "Có {so_don_vi_dang_ky}/{so_don_vi_tham_gia} đơn vị đăng ký ({ty_le_dang_ky}).",
        "limitations": "<script>alert(1)</script>Còn **chậm**.",
    })
    assert response.status_code == 302
    report = _generate(client, w)
    document = Document(io.BytesIO(client.get(_url(w, f"/{report.id}.docx")).data))
    texts = [p.text for p in document.paragraphs]
    assert "Có 2/5 đơn vị đăng ký (40,0%)." in texts
    assert "Còn chậm." in texts and not any("alert" in t for t in texts)


def test_unknown_placeholder_is_refused_and_what_was_typed_is_kept(client, campaign_data):
    w = campaign_data
    client.login(w.secretariat)
    typed = "Tỷ lệ là {ty_le_sai} theo khối."
    response = client.post(_url(w, "/noi-dung"), data={"assessment": typed, "number": "9/BC-SGDĐT"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Không có số liệu tên {ty_le_sai}" in page
    assert typed in page and "9/BC-SGDĐT" in page
    assert db.session.get(ReportDraft, w.campaign.id) is None  # nothing saved


def test_a_save_based_on_an_old_version_is_refused(client, campaign_data):
    w = campaign_data
    client.login(w.secretariat)
    assert client.post(_url(w, "/noi-dung"), data={"intro": "Bản một", "version": ""}).status_code == 302
    assert client.post(_url(w, "/noi-dung"), data={"intro": "Bản hai", "version": "1"}).status_code == 302
    stale = client.post(_url(w, "/noi-dung"), data={"intro": "Bản ba, mở từ bản một", "version": "1"})
    assert stale.status_code == 409
    assert "vừa được người khác sửa" in stale.get_data(as_text=True)
    assert "Bản ba, mở từ bản một" in stale.get_data(as_text=True)
    assert db.session.get(ReportDraft, w.campaign.id).intro == "Bản hai"


def test_leaders_read_the_report_page_but_cannot_change_or_generate(client, campaign_data):
    w = campaign_data
    client.login(w.leader)
    page = client.get(_url(w))
    assert page.status_code == 200
    assert "Tạo báo cáo (Word và Excel)" not in page.get_data(as_text=True)
    assert client.post(_url(w, "/tao")).status_code == 403
    assert client.post(_url(w, "/noi-dung"), data={"intro": "x"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CityReport)) == 0


def test_a_version_of_another_campaign_is_not_found(client, campaign_data):
    w = campaign_data
    report = _generate(client, w)
    other = factories.campaign(w.root, name="Phong trào khác")
    db.session.commit()
    assert client.get(f"/phong-trao/{other.id}/bao-cao-ubnd/{report.id}.docx").status_code == 404


def test_report_page_runs_a_few_statements_that_do_not_grow_with_the_size(client, world, statements):
    def count() -> int:
        with statements() as seen:
            assert client.get(_url(world)).status_code == 200
        return len(seen)

    client.login(world.secretariat)
    small = count()
    for n in range(30):
        unit = factories.unit(parent=world.root)
        db.session.add(CampaignUnit(campaign_id=world.campaign.id, unit_id=unit.id))
        factories.initiative(world.campaign, unit, actor=world.secretariat, status=State.REGISTERED,
                             area=list(AREA_LABELS)[n % 7])
    db.session.commit()
    assert_few_statements(small, count(), about=13, what="the city report page, then 30 more units")


@needs_libreoffice
def test_word_report_renders_to_pdf_with_libreoffice(client, campaign_data, tmp_path):
    w = campaign_data
    report = _generate(client, w)
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(client.get(_url(w, f"/{report.id}.docx")).data)
    pdf = render_pdfs([source], tmp_path)[source]
    text = "".join(page_texts(pdf))
    for expected_text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                          "Tra cứu văn bằng trực tuyến", "PHỤ LỤC", "Nơi nhận:"):
        assert expected_text in text
    # Times New Roman's metric twin and nothing else: no letter fell back to another font.
    assert embedded_fonts(pdf) == {"LiberationSerif"}


def test_report_job_fails_visibly_when_its_version_is_gone(client, campaign_data):
    from thidua.jobs.models import Job

    w = campaign_data
    report = _generate(client, w)
    job = db.session.get(Job, report.job_id)
    assert job.status == "done" and job.percent == 100
    db.session.delete(report)
    job.status = "failed"
    db.session.commit()
    client.login(w.secretariat)
    client.post(f"/cong-viec/{job.id}/chay-lai")
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and "không còn" in job.error



def test_the_page_says_the_version_is_ready_when_it_was_made_at_once(client, campaign_data):
    w = campaign_data
    _generate(client, w)
    page = client.get(_url(w)).get_data(as_text=True)
    assert "Đã tạo báo cáo phiên bản 1." in page and "Đang tạo báo cáo" not in page
