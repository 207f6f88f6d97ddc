"""The initiatives of a campaign as CSV, beside the workbook: the same rows and filters, opened by Excel in
Vietnamese, nothing that a spreadsheet would run, and streamed in a fixed number of statements."""
from __future__ import annotations

import csv
import re
import io

import pytest

from thidua.extensions import db
from thidua.workflow import State

from tests import factories
from tests.conftest import assert_few_statements, count_statements

BOM = "\ufeff".encode()


def url(world) -> str:
    return f"/phong-trao/{world.campaign.id}/sang-kien"


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(BOM)
    return list(csv.reader(io.StringIO(response.data[len(BOM):].decode("utf-8"))))


@pytest.fixture
def listed(world):
    draft = factories.initiative(world.campaign, world.school, actor=world.editor,
                                 title="Số hóa hồ sơ tuyển sinh đầu cấp")
    registered = factories.initiative(world.campaign, world.other_school, actor=world.other_editor,
                                      status=State.REGISTERED, title="Tra cứu văn bằng trực tuyến")
    db.session.commit()
    return draft, registered


def test_the_csv_has_the_workbooks_header_and_one_row_per_initiative_in_vietnamese(client, world, listed):
    client.login(world.secretariat)
    response = client.get(url(world), query_string={"format": "csv"})
    assert "Content-Length" not in response.headers  # streamed as the rows are read
    rows = rows_of(response)
    assert 'attachment; filename="dang-ky-2024.csv"' == response.headers["Content-Disposition"]
    assert rows[0] == ["STT", "Khối", "Đơn vị", "Loại", "Tên mô hình, giải pháp, sáng kiến", "Lĩnh vực CCHC",
                       "Tác giả", "Thời gian thực hiện", "Trạng thái", "Ngày gửi đăng ký"]
    by_title = {row[4]: row for row in rows[1:]}
    assert set(by_title) == {"Số hóa hồ sơ tuyển sinh đầu cấp", "Tra cứu văn bằng trực tuyến"}
    assert [row[0] for row in rows[1:]] == ["1", "2"]
    draft = by_title["Số hóa hồ sơ tuyển sinh đầu cấp"]
    assert (draft[2], draft[3], draft[8]) == ("Trường THPT Chu Văn An", "Giải pháp", "Bản nháp")
    assert by_title["Tra cứu văn bằng trực tuyến"][8] == "Đã đăng ký"


def test_the_csv_follows_the_filters_and_is_linked_beside_the_workbook(client, world, listed):
    client.login(world.secretariat)
    rows = rows_of(client.get(url(world), query_string={"format": "csv", "status": "registered"}))
    assert [row[4] for row in rows[1:]] == ["Tra cứu văn bằng trực tuyến"]
    page = client.get(url(world), query_string={"status": "registered"}).get_data(as_text=True)
    assert "format=xlsx" in page and "Xuất CSV" in page
    assert re.search(r"href=\"[^\"]*format=csv[^\"]*status=registered", page)


def test_a_formula_looking_title_is_exported_as_text(client, world):
    title = '=HYPERLINK("http://example.com","Bấm vào đây")'
    for text, unit, editor in ((title, world.school, world.editor), ("+1+2", world.other_school, world.other_editor),
                               ("@SUM(A1)", world.school, world.editor), ("-3", world.school, world.editor)):
        factories.initiative(world.campaign, unit, actor=editor, title=text)
    db.session.commit()
    client.login(world.secretariat)
    cells = {row[4] for row in rows_of(client.get(url(world), query_string={"format": "csv"}))[1:]}
    assert cells == {"'" + title, "'+1+2", "'@SUM(A1)", "'-3"}


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("editor", 403), ("head", 403), ("leader", 200),
                                             ("secretariat", 200)])
def test_only_the_office_and_the_leaders_download_the_csv(client, world, listed, who, status):
    if who:
        client.login(getattr(world, who))
    response = client.get(url(world), query_string={"format": "csv"})
    assert response.status_code == status
    if status == 302:
        assert "/dang-nhap" in response.headers["Location"]


def test_the_csv_runs_a_few_statements_no_more_for_60_initiatives_than_for_3(client, world):
    client.login(world.secretariat)

    def statements_for(count: int) -> int:
        for n in range(count):
            factories.initiative(world.campaign, world.school, actor=world.editor, title=f"Sáng kiến số {n}")
        db.session.commit()
        with count_statements() as statements:
            response = client.get(url(world), query_string={"format": "csv"})
            body = response.get_data()
        assert body.count(b"\n") > count
        return len(statements)

    small = statements_for(3)
    assert_few_statements(small, statements_for(57), about=6, what="the CSV, 3 initiatives then 60")
