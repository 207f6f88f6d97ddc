"""The office imports the target values it collected by e-mail: dry run, then apply as sent values."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from thidua.audit import ACTION_LABELS, AuditLog
from thidua.extensions import db
from thidua.targets.models import Target, TargetValue

PAYMENTS = "Ứng dụng thanh toán điện tử trong cung ứng dịch vụ"
SIGNATURES = "Văn bản trao đổi với Sở có chữ ký số (trừ văn bản mật)"
PROJECT06 = "Tuyên truyền, triển khai Đề án 06"
ON_TIME = "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn (từng lĩnh vực)"


def _setup(client, world):
    client.login(world.secretariat)
    assert client.post(f"/phong-trao/{world.campaign.id}/chi-tieu/mac-dinh").status_code == 302
    return {t.name: t for t in db.session.scalars(sa.select(Target).where(Target.campaign_id == world.campaign.id))}


def _url(world, tail=""):
    return f"/phong-trao/{world.campaign.id}/chi-tieu/nhap{tail}"


def _csv(*rows) -> bytes:
    return "\n".join(";".join(row) for row in rows).encode("utf-8-sig")


def _dry_run(client, world, data: bytes, filename="so-lieu.csv"):
    return client.post(_url(world), {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _token(page: str) -> str:
    return re.search(r'name="tep" value="([^"]+)"', page).group(1)


def _values():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(TargetValue)))


def test_a_dry_run_shows_every_cell_and_changes_nothing_then_apply_creates_sent_values(client, world):
    targets = _setup(client, world)
    data = _csv(
        ["STT", "Đơn vị", "ung dung thanh toan dien tu trong cung ung dich vu", SIGNATURES.upper(), PROJECT06,
         "Chỉ tiêu không có"],
        ["1", "thpt-chu-van-an", "1.234/1.250", "98,5%", "Có", "5"],
        ["2", "THPT Kim Liên", "25.5", "1.300/1.250", "", ""],
        ["3", "Trường THPT Không Tồn Tại", "90", "90", "", ""],
    )
    response = _dry_run(client, world, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _values() == []  # the dry run writes nothing
    assert "Cột “Chỉ tiêu không có” không khớp tên chỉ tiêu nào" in page
    assert "98,72%" in page and "1.234/1.250" in page and "98,5%" in page and "Tạo mới" in page
    assert "“25.5” không đọc được" in page
    assert "tử số phải từ 0 đến mẫu số (1.250)" in page
    assert "Không tìm thấy đơn vị “Trường THPT Không Tồn Tại”" in page
    assert "Trường THPT Kim Liên" in page

    response = client.post(_url(world, "/ap-dung"), {"tep": _token(page)}, follow_redirects=True)
    assert "Đã nhập số liệu từ “so-lieu.csv”: 3 giá trị mới" in response.get_data(as_text=True)
    values = {(v.unit_id, v.target_id): v for v in _values()}
    assert set(values) == {(world.school.id, targets[PAYMENTS].id), (world.school.id, targets[SIGNATURES].id),
                           (world.school.id, targets[PROJECT06].id)}
    payments = values[(world.school.id, targets[PAYMENTS].id)]
    assert payments.state == "sent" and payments.sent_by_id == world.secretariat.id
    assert payments.value == Decimal("98.72") and payments.numerator == 1234 and payments.denominator == 1250
    assert values[(world.school.id, targets[SIGNATURES].id)].value == Decimal("98.5")
    assert values[(world.school.id, targets[PROJECT06].id)].value == 1
    log = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "targets.imported")).all()
    assert len(log) == 1 and log[0].details["created"] == 3 and log[0].details["errors"] == 2
    assert ACTION_LABELS["targets.imported"]
    # the same form sent twice: the file is gone once applied, nothing is written twice
    response = client.post(_url(world, "/ap-dung"), {"tep": _token(page)}, follow_redirects=True)
    assert "Không còn tệp đã kiểm tra" in response.get_data(as_text=True)
    assert len(_values()) == 3


def test_a_value_the_unit_already_sent_is_skipped_and_a_draft_is_updated(client, world):
    targets = _setup(client, world)
    db.session.add_all([
        TargetValue(campaign_id=world.campaign.id, target_id=targets[PAYMENTS].id, unit_id=world.school.id,
                    value=Decimal("97"), state="sent"),
        TargetValue(campaign_id=world.campaign.id, target_id=targets[SIGNATURES].id, unit_id=world.school.id,
                    value=Decimal("50"), state="draft"),
    ])
    db.session.commit()
    page = _dry_run(client, world, _csv(["Mã đơn vị", PAYMENTS, SIGNATURES], ["thpt-chu-van-an", "99", "100"])) \
        .get_data(as_text=True)
    assert "Bỏ qua" in page and "Đơn vị đã gửi giá trị 97%" in page and "không ghi đè" in page
    assert "Cập nhật" in page
    client.post(_url(world, "/ap-dung"), {"tep": _token(page)})
    values = {v.target_id: v for v in _values()}
    assert values[targets[PAYMENTS].id].value == 97 and values[targets[PAYMENTS].id].sent_by_id is None
    assert values[targets[SIGNATURES].id].value == 100 and values[targets[SIGNATURES].id].state == "sent"


def test_a_target_that_does_not_apply_to_the_unit_is_refused_for_that_cell(client, world):
    _setup(client, world)
    page = _dry_run(client, world, _csv(["Đơn vị", ON_TIME], ["Trường THPT Chu Văn An", "99"])).get_data(as_text=True)
    assert "Chỉ tiêu này không áp dụng cho đơn vị." in page and "Tệp không có giá trị nào nhập được." in page


def test_an_xlsx_file_with_numbers_and_percent_cells(client, world):
    targets = _setup(client, world)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tên đơn vị", PAYMENTS, SIGNATURES])
    sheet.append(["THPT Chu Văn An", 0.985, "1.234/1.250"])
    sheet["B2"].number_format = "0.0%"
    sheet.append(["Trường THPT Kim Liên", 96, "100%"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = _dry_run(client, world, buffer.getvalue(), "so-lieu.xlsx").get_data(as_text=True)
    assert "98,5%" in page and "98,72%" in page
    client.post(_url(world, "/ap-dung"), {"tep": _token(page)})
    values = {(v.unit_id, v.target_id): v.value for v in _values()}
    assert values == {(world.school.id, targets[PAYMENTS].id): Decimal("98.5"),
                      (world.school.id, targets[SIGNATURES].id): Decimal("98.72"),
                      (world.other_school.id, targets[PAYMENTS].id): Decimal("96"),
                      (world.other_school.id, targets[SIGNATURES].id): Decimal("100")}


def test_other_files_are_refused_in_vietnamese(client, world):
    _setup(client, world)
    response = _dry_run(client, world, b"%PDF-1.4\n", "so-lieu.pdf")
    assert response.status_code == 400
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (UTF-8)" in response.get_data(as_text=True)
    response = _dry_run(client, world, b"PK\x03\x04 not a workbook", "so-lieu.docx")
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (UTF-8)" in response.get_data(as_text=True)
    response = _dry_run(client, world, b"PK\x03\x04 broken", "so-lieu.xlsx")
    assert "Không đọc được tệp Excel" in response.get_data(as_text=True)
    response = _dry_run(client, world, "Đơn vị;x\n".encode("utf-16-le").replace(b"\x00", b""), "so-lieu.csv")
    assert "không dùng bảng mã UTF-8" in response.get_data(as_text=True)
    response = _dry_run(client, world, _csv(["Ghi chú", "Cột lạ"], ["a", "b"]))
    assert "Không tìm thấy cột đơn vị" in response.get_data(as_text=True)


def test_apply_stops_when_a_unit_sent_a_value_after_the_dry_run(client, world):
    targets = _setup(client, world)
    page = _dry_run(client, world, _csv(["Đơn vị", PAYMENTS], ["thpt-chu-van-an", "99"])).get_data(as_text=True)
    db.session.add(TargetValue(campaign_id=world.campaign.id, target_id=targets[PAYMENTS].id,
                               unit_id=world.school.id, value=Decimal("80"), state="sent"))
    db.session.commit()
    response = client.post(_url(world, "/ap-dung"), {"tep": _token(page)})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "đã thay đổi kể từ lúc kiểm tra" in text and "Bỏ qua" in text
    assert [v.value for v in _values()] == [80]
    assert not db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "targets.imported")).all()


def test_a_forged_or_foreign_token_is_refused(client, world):
    _setup(client, world)
    response = client.post(_url(world, "/ap-dung"), {"tep": "gia-mao"}, follow_redirects=True)
    assert "Phiên nhập tệp đã hết hạn hoặc không hợp lệ" in response.get_data(as_text=True)
    assert _values() == []


def test_units_cannot_import(client, world):
    _setup(client, world)
    client.logout()
    client.login(world.head)
    assert client.get(_url(world)).status_code == 403
    response = _dry_run(client, world, _csv(["Đơn vị", PAYMENTS], ["thpt-chu-van-an", "99"]))
    assert response.status_code == 403
    assert client.post(_url(world, "/ap-dung"), {"tep": "x"}).status_code == 403
    assert _values() == []


def test_the_nav_links_the_import_for_the_office(client, world):
    _setup(client, world)
    page = client.get(f"/phong-trao/{world.campaign.id}/chi-tieu").get_data(as_text=True)
    assert "Nhập số liệu từ Excel" in page
    assert client.get(_url(world)).status_code == 200


def test_the_boards_own_xlsx_filled_in_is_read_back(client, world):
    targets = _setup(client, world)
    exported = client.get(f"/phong-trao/{world.campaign.id}/chi-tieu/bang.xlsx")
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.data))
    sheet = book.active
    header_row = next(row for row in sheet.iter_rows() if any(c.value == "Đơn vị" for c in row))
    columns = {c.value: c.column for c in header_row if c.value}
    school_row = None
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        names = [c.value for c in row]
        if world.school.name in names:
            school_row = row[0].row
    payments = next(column for header, column in columns.items() if header.startswith(PAYMENTS))
    project06 = next(column for header, column in columns.items() if header.startswith(PROJECT06))
    sheet.cell(school_row, payments, "97,5%")
    sheet.cell(school_row, project06, "Không")
    buffer = io.BytesIO()
    book.save(buffer)
    page = _dry_run(client, world, buffer.getvalue(), "bang-chi-tieu.xlsx").get_data(as_text=True)
    assert "Tạo mới" in page and "không khớp tên chỉ tiêu nào" not in page
    client.post(_url(world, "/ap-dung"), {"tep": _token(page)})
    values = {v.target_id: v.value for v in _values()}
    assert values == {targets[PAYMENTS].id: Decimal("97.5"), targets[PROJECT06].id: 0}


def test_a_unit_outside_the_campaign_and_a_unit_twice_are_errors_of_their_rows(client, world):
    _setup(client, world)
    page = _dry_run(client, world, _csv(["Đơn vị", PAYMENTS], ["so-gddt", "99"], ["THPT Chu Văn An", "99"],
                                        ["thpt-chu-van-an", "98"])).get_data(as_text=True)
    assert "Sở Giáo dục và Đào tạo Hà Nội không tham gia phong trào này." in page
    assert "Trường THPT Chu Văn An đã có ở dòng 3; mỗi đơn vị một dòng." in page
    assert _values() == []
