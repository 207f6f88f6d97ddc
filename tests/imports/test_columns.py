"""Exports of the same forms the project has not seen: reworded, translated, reordered, extra columns.

Every file here is built from the real samples, so the answers are the real ones; only the
questions, their order and the locale change.
"""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.imports import columns, parsing, services
from thidua.imports.parsing import ImportFileError
from thidua.registration.models import Initiative

from tests.imports import helpers as h


@pytest.fixture
def office():
    return h.office_2023()


def _table(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(h.sample(name).decode("utf-8"))))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _rework(name: str, headers: dict[str, str], *, order: list[int] | None = None, extra: bool = True,
            month_first: bool = False) -> bytes:
    rows = _table(name)
    rows[0] = [headers.get(header, header) for header in rows[0]]
    if month_first:  # an English-locale form: 9/8/2023 20:11:33 for 9 August
        for row in rows[1:]:
            if row[0].count("/") != 2:
                continue
            day, month, rest = row[0].split("/", 2)
            row[0] = f"{int(month)}/{int(day)}/{rest}"
    if order is not None:
        rows = [[row[i] for i in order] for row in rows]
    if extra:
        rows = [row + [value] for row, value in zip(rows, ["Ghi chú thêm", *["" if i % 2 else "x" for i in range(len(rows) - 1)]])]
    return _csv(rows)


def _fields(batch) -> dict[str, str]:
    plan = services.plan_batch(batch)
    return {field: header for header, field in zip(plan.headers, plan.mapping, strict=True) if field}


def _kinds_in_sample(name: str) -> Counter:
    rows = _table(name)
    column = next(i for i, header in enumerate(rows[0]) if header.startswith("Loại"))
    return Counter(parsing.parse_kind(row[column]) for row in rows[1:])


ENGLISH = {
    "Dấu thời gian": "Timestamp", "Địa chỉ email": "Email Address", "Tên đơn vị": "Unit name",
    "Họ và tên người đăng ký": "Full name", "Chức vụ": "Position", "Số điện thoại": "Phone number",
    "Tên mô hình, giải pháp, sáng kiến": "Name of the model, solution or initiative",
    "Loại (Mô hình/Giải pháp/Sáng kiến)": "Type", "Lĩnh vực CCHC": "Reform area",
    "Sự cần thiết": "Why is it needed?", "Mục tiêu": "Objectives", "Nội dung thực hiện": "Content and steps",
    "Thời gian bắt đầu": "Start date", "Thời gian hoàn thành": "End date",
    "Kết quả dự kiến": "Expected results", "Cá nhân/Tập thể thực hiện": "Authors",
}
REWORDED = {  # no diacritics, other words, and two questions whose header says nothing
    "Dấu thời gian": "Thoi diem gui", "Tên đơn vị": "Co quan, don vi", "Họ và tên người đăng ký": "Ho ten",
    "Tên mô hình, giải pháp, sáng kiến": "Ten de tai dang ky",
    "Loại (Mô hình/Giải pháp/Sáng kiến)": "Câu 7", "Lĩnh vực CCHC": "Câu 8 (chọn một hoặc nhiều)",
    "Sự cần thiết": "Ly do thuc hien", "Thời gian bắt đầu": "Tu ngay", "Thời gian hoàn thành": "Den ngay",
}
EXPECTED = {"timestamp", "unit", "title", "kind", "area", "contact_name", "need", "objectives", "content",
            "start_date", "end_date", "expected_results", "collective_name"}


@pytest.mark.parametrize("headers, month_first", [(ENGLISH, True), (REWORDED, False)], ids=["english", "reworded"])
def test_a_reworded_reordered_export_with_extra_columns_imports_as_the_original(office, headers, month_first):
    width = len(_table(h.REGISTRATION_DIRECT)[0])
    order = list(reversed(range(width)))  # the timestamp last, the unit after the title...
    batch = h.upload(office, "dk.csv", _rework(h.REGISTRATION_DIRECT, headers, order=order, month_first=month_first))
    assert batch.day_first is (not month_first)
    assert EXPECTED <= set(_fields(batch))
    plan = services.plan_batch(batch)
    assert not plan.problems
    assert "Ghi chú thêm" not in _fields(batch).values()
    confidence = dict(zip(plan.mapping, plan.confidence, strict=True))
    assert all(confidence[name][0] in columns.CONFIDENCE_LABELS.values() for name in EXPECTED)
    for row in plan.rows:  # no row's kind or area fell back to a default
        assert not any("ghi là Giải pháp" in note or "ghi là Khác" in note for note in row.notes), row.notes
    batch.unit_choices = {name.choice_key: 0 for name in plan.waiting_names}
    db.session.commit()
    created = [row.number for row in services.plan_batch(batch).rows if row.outcome == "create"]
    services.apply_batch(batch, actor=office.secretariat)
    db.session.commit()
    stored = Counter(db.session.scalars(sa.select(Initiative.kind)))
    original = _table(h.REGISTRATION_DIRECT)
    kind = next(i for i, header in enumerate(original[0]) if header.startswith("Loại"))
    assert stored == Counter(parsing.parse_kind(original[number - 1][kind]) for number in created)
    assert len(stored) > 1  # not every initiative a Giải pháp


def test_a_column_is_known_by_its_answers_whatever_its_header(office):
    batch = h.upload(office, "dk.csv", _rework(h.REGISTRATION_DIRECT, REWORDED))
    plan = services.plan_batch(batch)
    by_header = dict(zip(plan.headers, zip(plan.mapping, plan.confidence, strict=True), strict=True))
    assert by_header["Câu 7"] == ("kind", ("Khá chắc", "theo câu trả lời"))
    assert by_header["Câu 8 (chọn một hoặc nhiều)"][0] == "area"
    assert by_header["Thoi diem gui"][0] == "timestamp"
    assert by_header["Ten de tai dang ky"][0] == "title"


def test_a_unit_column_with_a_meaningless_header_is_known_by_its_unit_names(office):
    batch = h.upload(office, "dk.csv", _rework(h.REGISTRATION_OFFICES, {"Tên đơn vị": "Câu 3"}))
    assert _fields(batch)["unit"] == "Câu 3"


def test_a_required_column_left_unmapped_blocks_the_import_with_a_message(office, client):
    rows = _table(h.REGISTRATION_DIRECT)
    column = next(i for i, header in enumerate(rows[0]) if header.startswith("Loại"))
    without_kind = _csv([row[:column] + row[column + 1:] for row in rows])
    batch = h.upload(office, "dk.csv", without_kind)
    plan = services.plan_batch(batch)
    assert plan.blocked
    assert "Thiếu cột bắt buộc: “Loại”" in plan.blocking_message
    client.login(office.secretariat)
    response = client.post(f"/phong-trao/{office.campaign.id}/nhap-google-forms/{batch.id}/nhap")
    assert response.status_code == 400
    assert "Thiếu cột bắt buộc: “Loại”" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Initiative)) == 0
    page = client.get(f"/phong-trao/{office.campaign.id}/nhap-google-forms/{batch.id}").get_data(as_text=True)
    assert 'disabled aria-describedby="blocked-message"' in page


@pytest.mark.parametrize("sample, chosen, said", [
    (h.REPORTS, "registration", "Tệp này là phiếu báo cáo kết quả"),
    (h.REGISTRATION_DIRECT, "report", "Tệp này là phiếu đăng ký"),
    (h.REGISTRATION_OFFICES, "report", "Tệp này là phiếu đăng ký"),
])
def test_a_file_of_the_other_form_is_refused(office, sample, chosen, said):
    filename, data = services.read_upload(io.BytesIO(h.sample(sample)), sample)
    with pytest.raises(ImportFileError) as refused:
        services.create_batch(office.campaign, filename, data, kind=chosen, actor=office.secretariat)
    assert said in str(refused.value)
    assert "Chưa có dữ liệu nào được nhập" in str(refused.value)


def test_the_other_form_is_refused_on_the_upload_page(client, office):
    client.login(office.secretariat)
    response = client.post(f"/phong-trao/{office.campaign.id}/nhap-google-forms",
                           {"kind": "registration", "file": (io.BytesIO(h.sample(h.REPORTS)), "bckq.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Tệp này là phiếu báo cáo kết quả" in response.get_data(as_text=True)


def test_a_re_upload_of_the_same_file_keeps_the_unit_choices_made(office):
    data = h.sample(h.REGISTRATION_DIRECT)
    first = h.upload(office, h.REGISTRATION_DIRECT, data)
    first.unit_choices = {"some typed name": 0}
    db.session.commit()
    again = h.upload(office, h.REGISTRATION_DIRECT, data)
    assert again.unit_choices == {"some typed name": 0}
