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


# --- every number box of every form -------------------------------------------------------------

def _number_boxes():
    """(form, field name, UnboundField) of every NumberField the product declares."""
    import thidua  # noqa: F401  (create_app has imported every stage's forms by now)
    from wtforms import Form as WtfForm
    from wtforms.fields.core import UnboundField

    from thidua.forms import NumberField

    found, classes = [], [WtfForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for name, value in vars(cls).items():
            if cls.__module__.startswith("thidua.") and isinstance(value, UnboundField) and issubclass(value.field_class, NumberField):
                found.append((f"{cls.__module__}.{cls.__name__}", name, value))
    return sorted(found, key=lambda item: (item[0], item[1]))


def test_the_forms_declare_their_numbers_as_number_boxes(app):
    names = {f"{form}.{name}" for form, name, _ in _number_boxes()}
    for expected in ("thidua.registration.forms.AuthorForm.contribution", "thidua.results.forms.IndicatorForm.after",
                     "thidua.review.forms.LevelForm.min_score", "thidua.review.forms.SettingsForm.disagreement_threshold",
                     "thidua.campaigns.forms.CampaignForm.min_initiatives_per_unit"):
        assert expected in names


def _box(unbound):
    from werkzeug.datastructures import MultiDict

    from thidua.forms import SubForm

    form_class = type("Box", (SubForm,), {"x": unbound})
    return lambda **kwargs: form_class(**kwargs), MultiDict


@given(data=st.data())
def test_every_number_a_form_accepts_is_shown_back_as_the_same_value(app, data):
    for form, name, unbound in _number_boxes():
        make, MultiDict = _box(unbound)
        probe = make().x
        low = Decimal(probe.minimum if probe.minimum is not None else -10**9)
        high = Decimal(probe.maximum if probe.maximum is not None else 10**9)
        places = 0 if probe.whole else min(probe.places, 4)
        value = data.draw(st.decimals(min_value=low, max_value=high, places=places, allow_nan=False,
                                      allow_infinity=False), label=f"{form}.{name}")
        typed = format_number(value, places=places)
        filled = make(formdata=MultiDict({"x": typed}))
        assert filled.validate(), (form, name, typed, filled.x.errors)
        assert filled.x.data == value, (form, name, typed)
        shown = make(data={"x": filled.x.data}).x._value()   # as the saved value is shown on the page again
        assert shown == typed and parse_number(shown) == value, (form, name, shown)


def test_a_refused_number_stays_in_its_box_as_typed_with_the_reason(app):
    from thidua.forms import NumberField

    make, MultiDict = _box(NumberField("Số", whole=True, minimum=1, maximum=100))
    for typed, reason in (("25.5", "hãy viết 25,5"), ("33,5", "số nguyên"), ("120", "từ 1 đến 100"),
                          ("-20", "từ 1 đến 100"), ("abc", "không phải là một số")):
        box = make(formdata=MultiDict({"x": typed}))
        assert not box.validate()
        assert box.x._value() == typed and reason in " ".join(box.x.errors), (typed, box.x.errors)


# --- a campaign's name inside a sentence ---------------------------------------------------------

@pytest.mark.parametrize("name, phrase", [
    ("Phong trào thi đua “Cải cách hành chính” năm 2024", "Phong trào thi đua “Cải cách hành chính” năm 2024"),
    ('Phong trào thi đua "Cải cách hành chính" năm 2024', "Phong trào thi đua “Cải cách hành chính” năm 2024"),
    ("phong trào CCHC 2025", "phong trào CCHC 2025"),
    ("Thi đua CCHC năm 2025", "phong trào “Thi đua CCHC năm 2025”"),
    ('Thi đua "Dân vận khéo" 2025', "phong trào “Thi đua ‘Dân vận khéo’ 2025”"),
])
def test_a_campaign_is_named_once_in_a_sentence_with_curly_quotes_nested_right(name, phrase):
    from thidua.text import campaign_phrase

    assert campaign_phrase(name) == phrase
