"""One reader and one writer of Vietnamese numbers: nothing typed is silently re-read."""
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from thidua.numbers import NumberError, format_fixed, format_number, format_percent, parse_number


@pytest.mark.parametrize("text, value", [
    ("1.245,5", "1245.5"),      # Vietnamese
    ("1,245.5", "1245.5"),      # pasted from an English-locale sheet: the last mark is the decimal one
    ("95,6", "95.6"),           # a lone comma is the decimal mark
    ("1.245", "1245"),          # a lone dot groups thousands
    ("1.245.500", "1245500"),
    ("1,245,500.25", "1245500.25"),
    ("-3", "-3"), ("−3,5", "-3.5"), (" 1 245,5 ", "1245.5"), ("0", "0"), ("0,05", "0.05"),
])
def test_accepted_numbers_read_as_meant(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text, shown", [
    ("25.5", "25,5"),            # a dot that cannot group thousands: the message shows the decimal form
    ("1,245,500", "1.245.500"),  # commas that group: the message shows the Vietnamese form
])
def test_ambiguous_numbers_are_refused_with_how_to_write_them(text, shown):
    with pytest.raises(NumberError) as refused:
        parse_number(text)
    assert shown in refused.value.message and text in refused.value.message


@pytest.mark.parametrize("text", ["abc", "1.24.5", "1,2,3", "1e5", ".5", "5.", "1.245,5,6", "1,245.5.6", "12 ngày",
                                  "NaN", "Infinity", "99999999999999999", "--1", "1.2,3.4"])
def test_anything_else_is_refused_in_vietnamese(text):
    with pytest.raises(NumberError) as refused:
        parse_number(text)
    assert refused.value.message.startswith("“")


def test_empty_box_is_no_number_and_percent_sign_only_where_allowed():
    assert parse_number("") is None and parse_number("  ") is None and parse_number(None) is None
    assert parse_number("95,6%", allow_percent=True) == Decimal("95.6")
    with pytest.raises(NumberError):
        parse_number("95,6%")


def test_numbers_are_shown_the_vietnamese_way():
    assert format_number(Decimal("1245.5")) == "1.245,5"
    assert format_number(1234567) == "1.234.567"
    assert format_fixed(85) == "85,00"
    assert format_fixed(Decimal("89.3333")) == "89,33"
    assert format_percent(95.56) == "95,6%"
    assert format_number(None) == ""


@given(st.decimals(min_value=Decimal("-99999999999999"), max_value=Decimal("99999999999999"),
                   places=4, allow_nan=False, allow_infinity=False))
def test_every_number_shown_reads_back_as_the_same_value(value):
    assert parse_number(format_number(value)) == value


@given(st.decimals(min_value=Decimal("-99999999999999"), max_value=Decimal("99999999999999"),
                   places=4, allow_nan=False, allow_infinity=False))
def test_every_accepted_text_is_shown_back_as_the_same_value(value):
    """Whatever way of writing a value the reader accepts, the writer shows that same value."""
    shown = format_number(value)
    english = shown.replace(".", "\0").replace(",", ".").replace("\0", ",")
    for text in {shown, shown.replace(".", "")}:
        assert parse_number(format_number(parse_number(text))) == value
    if "," in shown and "." in shown:  # both marks: the English-locale form reads the same
        assert parse_number(english) == value
