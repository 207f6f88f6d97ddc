"""Đợt 2: the unit fills its results report with indicators and evidence; the head submits it."""
import html
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.results.models import EvidenceFile, ReportIndicator, ResultReport

from tests.results.conftest import PDF, REPORT


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, initiative_id, data: bytes, name: str, **extra):
    return client.post(f"/sang-kien/{initiative_id}/minh-chung",
                       {"file": (io.BytesIO(data), name), **extra}, content_type="multipart/form-data",
                       follow_redirects=True)


def status_of(initiative_id):
    db.session.expire_all()
    return db.session.get(Initiative, initiative_id).status


def test_report_with_indicators_and_evidence_is_saved_then_submitted_by_the_head(reporting, client, make_client):
    world = reporting
    client.login(world.editor)
    response = client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""})
    assert response.status_code == 302
    report = db.session.scalar(sa.select(ResultReport))
    rows = db.session.scalars(sa.select(ReportIndicator).order_by(ReportIndicator.position)).all()
    assert [(r.name, r.before, r.after) for r in rows] == [
        ("Thời gian xử lý hồ sơ", Decimal("5"), Decimal("2")),
        ("Tỷ lệ hồ sơ trực tuyến", Decimal("31.5"), Decimal("100")),
        ("Số hồ sơ", Decimal("1245"), Decimal("2300")),
    ]
    assert report.self_assessment == "tot" and report.submitted_at is None

    page = text(upload(client, world.initiative.id, PDF, "bien-ban-nghiem-thu.pdf", description="Biên bản"))
    assert "Đã tải lên bien-ban-nghiem-thu.pdf." in page
    assert "1.245" in page and "31,5" in page  # figures shown the Vietnamese way

    head = make_client()
    head.login(world.head)
    page = text(head.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": "reported"},
                          follow_redirects=True))
    assert "Đề xuất đã chuyển sang trạng thái “Đã báo cáo kết quả”." in page
    assert status_of(world.initiative.id) == "reported"
    db.session.expire_all()
    assert db.session.scalar(sa.select(ResultReport)).submitted_at is not None


def test_an_incomplete_report_cannot_be_submitted_and_says_what_is_missing(reporting, client):
    world = reporting
    client.login(world.head)
    page = text(client.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": "reported"},
                            follow_redirects=True))
    assert "Báo cáo chưa đủ để gửi, còn thiếu: Báo cáo kết quả (chưa lập)." in page
    client.post(f"/sang-kien/{world.initiative.id}/bao-cao",
                {**REPORT, "version": "", "evidence_links": "", "self_assessment": ""})
    page = text(client.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": "reported"},
                            follow_redirects=True))
    assert "còn thiếu: Tự đánh giá mức độ hoàn thành; Minh chứng (tệp hoặc đường dẫn)." in page
    assert status_of(world.initiative.id) == "registered"


def test_bad_figures_are_refused_beside_the_cell_and_everything_typed_is_kept(reporting, client):
    world = reporting
    client.login(world.editor)
    response = client.post(f"/sang-kien/{world.initiative.id}/bao-cao",
                           {**REPORT, "version": "", "indicators-0-after": "hai ngày"})
    page = text(response)
    assert response.status_code == 400
    assert "“hai ngày” không phải là một số. Ví dụ: 1.245 hoặc 95,6." in page
    assert 'value="hai ngày"' in page and "Đã số hóa 1.245 hồ sơ" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultReport)) == 0


def test_the_report_cannot_be_written_before_the_report_phase_or_after_its_deadline(reporting, client, clock):
    world = reporting
    client.login(world.editor)
    clock.at(datetime.combine(world.campaign.registration_deadline, time(12, 0)))
    page = text(client.get(f"/sang-kien/{world.initiative.id}/bao-cao", follow_redirects=True))
    assert "Phong trào chưa bắt đầu nhận báo cáo kết quả" in page
    clock.at(datetime.combine(world.campaign.report_deadline + timedelta(days=1), time(0, 0)))
    response = client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""},
                           follow_redirects=True)
    assert "Đã hết hạn báo cáo kết quả" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultReport)) == 0


def test_another_unit_can_neither_read_write_nor_download(reporting, client, make_client):
    world = reporting
    client.login(world.editor)
    client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""})
    upload(client, world.initiative.id, PDF, "minh-chung.pdf")
    evidence = db.session.scalar(sa.select(EvidenceFile))
    other = make_client()
    other.login(world.other_editor)
    assert other.get(f"/sang-kien/{world.initiative.id}/bao-cao").status_code == 403
    assert other.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": "1"}).status_code == 403
    assert other.get(f"/minh-chung/{evidence.id}").status_code == 403
    assert upload(other, world.initiative.id, PDF, "x.pdf").status_code == 403
    assert other.post(f"/sang-kien/{world.initiative.id}/minh-chung/{evidence.id}/xoa").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 1


def test_download_is_an_attachment_that_cannot_run_in_the_browser(reporting, client, make_client):
    world = reporting
    client.login(world.editor)
    upload(client, world.initiative.id, PDF, "Báo cáo <script>.pdf")
    evidence = db.session.scalar(sa.select(EvidenceFile))
    office = make_client()
    office.login(world.secretariat)
    response = office.get(f"/minh-chung/{evidence.id}")
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "<" not in disposition and "filename*=UTF-8''" in disposition


def test_refused_uploads_store_nothing_and_say_why(reporting, client):
    world = reporting
    client.login(world.editor)
    cases = [
        (b"MZ\x90\x00" + b"\x00" * 100, "bao-cao.pdf", "Loại tệp không được chấp nhận"),  # a renamed executable
        (b"<html><script>alert(1)</script></html>", "anh.png", "Loại tệp không được chấp nhận"),
        (b"", "rong.pdf", "Tệp rỗng."),
        (b"PK\x03\x04 not really a zip", "bang.xlsx", "Tệp bị hỏng"),
    ]
    for data, name, message in cases:
        page = text(upload(client, world.initiative.id, data, name))
        assert message in page, name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 0


def test_an_oversized_file_is_refused(reporting, client, app, monkeypatch):
    world = reporting
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    client.login(world.editor)
    page = text(upload(client, world.initiative.id, PDF + b"0" * (1024 * 1024 + 10), "lon.pdf"))
    assert "Tệp lớn hơn 1 MB." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 0


def test_replacing_and_removing_evidence_is_audited_and_the_stored_file_goes(reporting, client):
    from thidua.storage import get_storage

    world = reporting
    client.login(world.editor)
    upload(client, world.initiative.id, PDF, "ban-dau.pdf")
    first = db.session.scalar(sa.select(EvidenceFile))
    first_key = first.storage_key
    upload(client, world.initiative.id, PDF + b"% v2\n", "ban-sua.pdf", replace=str(first.id))
    db.session.expire_all()
    files = db.session.scalars(sa.select(EvidenceFile)).all()
    assert [f.original_name for f in files] == ["ban-sua.pdf"]
    assert not get_storage().exists(first_key)
    client.post(f"/sang-kien/{world.initiative.id}/minh-chung/{files[0].id}/xoa")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 0
    assert not get_storage().exists(files[0].storage_key)
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("evidence.%"))
                                 .order_by(AuditLog.id)).all()
    assert actions == ["evidence.added", "evidence.replaced", "evidence.removed"]


def test_a_failed_upload_leaves_the_report_intact(reporting, client):
    world = reporting
    client.login(world.editor)
    client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""})
    upload(client, world.initiative.id, b"GIF89a", "anh.gif")
    db.session.expire_all()
    report = db.session.scalar(sa.select(ResultReport))
    assert report.achievements == REPORT["achievements"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportIndicator)) == 3


def test_a_submitted_report_is_locked_until_the_head_reopens_it(reporting, client, make_client):
    world = reporting
    client.login(world.editor)
    client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""})
    head = make_client()
    head.login(world.head)
    head.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": "reported"})
    assert status_of(world.initiative.id) == "reported"
    page = text(client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": "1"},
                            follow_redirects=True))
    assert "Báo cáo kết quả đã gửi; thủ trưởng đơn vị cần mở lại trước khi sửa." in page
    head.post(f"/sang-kien/{world.initiative.id}/trang-thai", {"target": "registered"})
    assert status_of(world.initiative.id) == "registered"
    db.session.expire_all()
    assert db.session.scalar(sa.select(ResultReport)).submitted_at is None


def test_two_people_saving_the_same_report_the_second_is_refused(reporting, client, make_client):
    world = reporting
    client.login(world.editor)
    client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""})
    head = make_client()
    head.login(world.head)
    assert client.post(f"/sang-kien/{world.initiative.id}/bao-cao",
                       {**REPORT, "version": "1", "achievements": "Bản của cán bộ"}).status_code == 302
    response = head.post(f"/sang-kien/{world.initiative.id}/bao-cao",
                         {**REPORT, "version": "1", "achievements": "Bản của hiệu trưởng"})
    assert response.status_code == 409
    assert "Bản của hiệu trưởng" in text(response)
    db.session.expire_all()
    assert db.session.scalar(sa.select(ResultReport)).achievements == "Bản của cán bộ"


def test_the_initiative_page_with_its_report_runs_a_few_statements_no_more_for_ten_files(reporting, client):
    from tests.conftest import assert_few_statements, count_statements

    world = reporting
    client.login(world.editor)
    client.post(f"/sang-kien/{world.initiative.id}/bao-cao", {**REPORT, "version": ""})
    upload(client, world.initiative.id, PDF, "mot.pdf")
    client.get(f"/sang-kien/{world.initiative.id}")
    with count_statements() as few:
        assert client.get(f"/sang-kien/{world.initiative.id}").status_code == 200
    for n in range(9):
        upload(client, world.initiative.id, PDF + str(n).encode(), f"tep-{n}.pdf")
    with count_statements() as many:
        page = text(client.get(f"/sang-kien/{world.initiative.id}"))
    assert "tep-8.pdf" in page
    # the page of the initiative (6) with its report, files and indicators
    assert_few_statements(few, many, about=10, what="the initiative page, 1 file then 10")


def test_a_figure_pasted_from_an_english_sheet_is_read_as_meant_and_shown_the_vietnamese_way(reporting, client):
    world = reporting
    client.login(world.editor)
    response = client.post(f"/sang-kien/{world.initiative.id}/bao-cao",
                           {**REPORT, "version": "", "indicators-2-before": "1,245.5", "indicators-2-after": "2.300,25"})
    assert response.status_code == 302
    row = db.session.scalar(sa.select(ReportIndicator).where(ReportIndicator.name == "Số hồ sơ"))
    assert (row.before, row.after) == (Decimal("1245.5"), Decimal("2300.25"))  # not 1,2455
    page = text(client.get(f"/sang-kien/{world.initiative.id}/bao-cao"))
    assert 'value="1.245,5"' in page and 'value="2.300,25"' in page


def test_a_dotted_decimal_is_refused_with_how_it_would_be_read_and_kept(reporting, client):
    world = reporting
    client.login(world.editor)
    response = client.post(f"/sang-kien/{world.initiative.id}/bao-cao",
                           {**REPORT, "version": "", "indicators-1-before": "31.5"})
    page = text(response)
    assert response.status_code == 400
    assert "hãy viết 31,5" in page and 'value="31.5"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultReport)) == 0
