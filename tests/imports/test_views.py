"""The import pages: refusals in Vietnamese that import nothing, the secretariat's flow, the leader reads."""
from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.imports.models import ImportBatch
from thidua.registration.models import Initiative

from tests.imports import helpers as h


@pytest.fixture
def office():
    return h.office_2023()


def _url(office, suffix=""):
    return f"/phong-trao/{office.campaign.id}/nhap-google-forms{suffix}"


def _upload(client, office, data: bytes, name="dk.csv", kind="registration"):
    return client.post(_url(office), {"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _initiatives() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Initiative))


def test_a_file_in_a_legacy_encoding_is_refused_in_vietnamese(client, office):
    client.login(office.secretariat)
    text = h.sample(h.REGISTRATION_OFFICES).decode("utf-8")
    response = _upload(client, office, text.encode("cp1258", errors="replace"))
    assert response.status_code == 400
    assert "Tệp không dùng bảng mã UTF-8" in _text(response)
    assert "Chưa có dữ liệu nào được nhập" in _text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0


def test_a_file_without_the_unit_column_is_refused_and_imports_nothing(client, office):
    client.login(office.secretariat)
    rows = list(csv.reader(io.StringIO(h.sample(h.REGISTRATION_OFFICES).decode("utf-8"))))
    column = rows[0].index("Tên đơn vị")
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows([row[:column] + row[column + 1:] for row in rows])
    without_unit = out.getvalue().encode("utf-8")
    response = _upload(client, office, without_unit)
    assert response.status_code == 302
    review = client.get(response.headers["Location"])
    assert "Thiếu cột bắt buộc: “Tên đơn vị”" in _text(review)
    batch = db.session.scalar(sa.select(ImportBatch))
    response = client.post(_url(office, f"/{batch.id}/nhap"))
    assert response.status_code == 400
    assert "Thiếu cột bắt buộc" in _text(response)
    assert _initiatives() == 0


def test_an_unknown_unit_waits_for_a_choice_and_imports_nothing_until_then(client, office):
    client.login(office.secretariat)
    data = ('"Dấu thời gian","Tên đơn vị","Tên mô hình, giải pháp, sáng kiến","Loại (Mô hình/Giải pháp/Sáng kiến)",'
            '"Lĩnh vực CCHC"\r\n'
            '"20/08/2023 14:03:11","THPT Kim Liên","Học bạ số","Giải pháp","Cải cách thủ tục hành chính"\r\n'
            '"21/08/2023 09:00:00","Trường THPT Hoa Sen Xanh","Sổ điểm điện tử","Giải pháp","Cải cách thủ tục hành chính"\r\n'
            ).encode("utf-8")
    response = _upload(client, office, data)
    review_url = response.headers["Location"]
    page = _text(client.get(review_url))
    assert "Không tìm thấy trong danh mục" in page
    assert "Chờ chọn đơn vị" in page
    batch_id = int(review_url.rsplit("/", 1)[-1])
    response = client.post(_url(office, f"/{batch_id}/nhap"))
    assert response.status_code == 400
    assert "Còn 1 tên đơn vị chưa xác định được (“Trường THPT Hoa Sen Xanh”)" in _text(response)
    assert _initiatives() == 0

    # The user chooses to skip that name: the rest imports, in one go.
    page = _text(client.get(review_url))
    index = re.search(r'name="name-(\d+)" value="trường thpt hoa sen xanh"', page).group(1)
    response = client.post(review_url, {f"name-{index}": "trường thpt hoa sen xanh", f"unit-{index}": "0",
                                        "names": "2", "day_order": "dmy", "column-0": "timestamp",
                                        "column-1": "unit", "column-2": "title", "column-3": "kind",
                                        "column-4": "area"})
    assert response.status_code == 302
    response = client.post(_url(office, f"/{batch_id}/nhap"))
    assert response.status_code == 302
    page = _text(client.get(review_url))
    assert "Đã nhập 1 đề xuất đã đăng ký" in page
    assert _initiatives() == 1


def test_the_secretariat_imports_a_sample_and_a_second_upload_says_it_was_imported(client, office):
    client.login(office.secretariat)
    detail = _text(client.get(f"/phong-trao/{office.campaign.id}"))
    assert "Nhập từ Google Forms" in detail
    response = _upload(client, office, h.sample(h.REGISTRATION_OFFICES), name=h.REGISTRATION_OFFICES)
    review_url = response.headers["Location"]
    page = _text(client.get(review_url))
    assert 'data-count="create">14<' in page
    assert client.post(review_url.replace("/nhap-google-forms/", "/nhap-google-forms/") + "/nhap").status_code == 302
    assert _initiatives() == 14

    response = _upload(client, office, h.sample(h.REGISTRATION_OFFICES), name="ban-sao.csv")
    page = _text(client.get(response.headers["Location"]))
    assert "đã được nhập lúc" in page
    assert 'data-count="already">14<' in page
    assert client.post(response.headers["Location"] + "/nhap").status_code == 302
    assert _initiatives() == 14


def test_a_leader_reads_the_report_but_cannot_import(client, office):
    batch = h.upload(office, h.REGISTRATION_OFFICES)
    client.login(office.leader)
    page = client.get(_url(office, f"/{batch.id}"))
    assert page.status_code == 200
    assert "Nhập 14 bản ghi" not in _text(page)
    assert client.post(_url(office, f"/{batch.id}/nhap")).status_code == 403
    assert _initiatives() == 0


def test_a_batch_of_another_campaign_is_not_found(client, office):
    batch = h.upload(office, h.REGISTRATION_OFFICES)
    client.login(office.secretariat)
    assert client.get(f"/phong-trao/{office.campaign.id + 1}/nhap-google-forms/{batch.id}").status_code == 404


def test_the_import_runs_as_a_job_whose_result_the_page_reports(client, office):
    from thidua.jobs.models import Job

    client.login(office.secretariat)
    response = _upload(client, office, h.sample(h.REGISTRATION_OFFICES), name=h.REGISTRATION_OFFICES)
    review_url = response.headers["Location"]
    assert client.post(review_url + "/nhap").status_code == 302
    batch = db.session.scalar(sa.select(ImportBatch))
    job = db.session.get(Job, batch.job_id)
    assert (job.kind, job.status, job.percent) == ("imports.apply", "done", 100)
    assert job.result["details"]["create"] == 14 == _initiatives()
    page = _text(client.get(review_url))
    assert f"Đã nhập 14 đề xuất đã đăng ký từ {h.REGISTRATION_OFFICES}." in page
    assert "data-job-progress" not in page


@pytest.mark.parametrize("names, unit", [
    ("abc", "1"), ("-1", "1"), ("1.5", "1"), ("99999999999999999999999", "1"), ("²", "1"), ("10000000", "1"),
    ("1", "abc"), ("1", "²"), ("1", "99999999999999999999999"), ("1", "-3"), ("1", ""),
])
def test_malformed_review_values_get_a_message_never_a_500(client, office, names, unit):
    client.login(office.secretariat)
    batch = h.upload(office, h.REGISTRATION_OFFICES)
    response = client.post(_url(office, f"/{batch.id}"), {"names": names, "name-0": "x" * 5000, "unit-0": unit,
                                                          "day_order": "zzz", "column-0": "nonsense"})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "Dữ liệu gửi lên không hợp lệ" in _text(response)
    db.session.expire_all()
    assert all(isinstance(v, int) and 0 <= v < 2**31 for v in (db.session.get(ImportBatch, batch.id).unit_choices
                                                                 or {}).values())
