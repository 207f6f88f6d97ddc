"""Dates are typed and shown as dd/mm/yyyy whatever the browser's language (thidua.forms.VnDateField)."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from thidua.forms import SubForm, VnDateField, parse_vn_date, required


class _DateForm(SubForm):
    day = VnDateField("Ngày", validators=[required("Nhập ngày.")])


def _form(text):
    return _DateForm(formdata=MultiDict({"day": text}))


@pytest.mark.parametrize("typed, read", [
    ("25/08/2024", date(2024, 8, 25)), ("5/8/2024", date(2024, 8, 5)), ("05.08.2024", date(2024, 8, 5)),
    (" 29/02/2024 ", date(2024, 2, 29)), ("2024-08-25", date(2024, 8, 25)), ("", None),
])
def test_a_date_is_read_as_day_month_year_or_iso(typed, read):
    assert parse_vn_date(typed) == read


@pytest.mark.parametrize("typed", ["31/02/2024", "29/02/2023", "12/13/2024", "08/25/2024", "25/08/24", "hôm qua",
                                   "0/1/2024", "1/1/0024"])
def test_an_impossible_date_is_refused_in_vietnamese_with_an_example(typed):
    form = _form(typed)
    assert not form.validate()
    message = form.day.errors[0]
    assert message.startswith(f"Ngày không hợp lệ: {typed}")
    assert message.endswith("vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 25/08/2024.")
    assert form.day.data is None
    assert f'value="{typed}"' in form.day()  # what was typed stays in the box


def test_a_day_past_the_end_of_its_month_says_how_long_the_month_is():
    form = _form("31/02/2024")
    form.validate()
    assert form.day.errors == ["Ngày không hợp lệ: 31/02/2024 (tháng 2/2024 chỉ có 29 ngày), vui lòng nhập theo "
                               "dạng ngày/tháng/năm, ví dụ 25/08/2024."]


def test_the_box_is_plain_text_showing_day_month_year_never_the_browsers_own_date_input():
    form = _form("2024-8-5")
    assert form.validate() and form.day.data == date(2024, 8, 5)
    box = form.day()
    assert 'type="text"' in box and 'value="05/08/2024"' in box and 'placeholder="dd/mm/yyyy"' in box
    assert "data-date" in box
    assert 'value="25/12/2024"' in _DateForm(data={"day": date(2024, 12, 25)}).day()


def test_a_box_of_spaces_is_empty_and_a_required_date_asks_for_it():
    form = _form("   ")
    assert not form.validate()
    assert form.day.errors == ["Nhập ngày."]


def test_a_campaign_form_refuses_31_february_in_vietnamese_and_keeps_the_text(client, world):
    client.login(world.secretariat)
    response = client.post("/phong-trao/moi", data={
        "name": "Phong trào thử", "year": "2025", "launch_date": "31/02/2025", "registration_deadline": "15/03/2025",
        "report_deadline": "2025-10-31", "min_initiatives_per_unit": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ngày không hợp lệ: 31/02/2025 (tháng 2/2025 chỉ có 28 ngày)" in html
    assert 'value="31/02/2025"' in html and 'value="15/03/2025"' in html and 'value="31/10/2025"' in html
    assert 'type="date"' not in html
