"""Pieces shared by the forms of every stage."""
import calendar
import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, StringField, SubmitField, TextAreaField, ValidationError
from wtforms import Form as WtfForm
from wtforms.validators import InputRequired, Length, Optional, StopValidation
from wtforms.widgets import TextInput

from thidua.numbers import NumberError, format_number, parse_number

REQUIRED = "Vui lòng nhập thông tin này."
TEXT_LIMIT = 20000

# WTForms ships no Vietnamese catalogue; its built-in messages are translated here.
VI_MESSAGES = {
    "This field is required.": REQUIRED,
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Not a valid date value.": "Ngày không hợp lệ (định dạng ngày/tháng/năm).",
    "Not a valid datetime value.": "Thời điểm không hợp lệ.",
    "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
    "Not a valid decimal value.": "Vui lòng nhập một số.",
    "Not a valid float value.": "Vui lòng nhập một số.",
    "Invalid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Number must be at least %(min)s.": "Giá trị phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Giá trị không được quá %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Giá trị phải từ %(min)s đến %(max)s.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Nội dung dài quá %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Nội dung dài quá %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Cần đúng %(max)d ký tự.",
    "Field must be exactly %(max)d characters long.": "Cần đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Cần từ %(min)d đến %(max)d ký tự.",
    "Field must be equal to %(other_name)s.": "Giá trị không khớp.",
    "The CSRF token is missing.": "Biểu mẫu đã hết hạn; vui lòng tải lại trang.",
    "The CSRF token is invalid.": "Biểu mẫu đã hết hạn; vui lòng tải lại trang.",
    "The CSRF token has expired.": "Biểu mẫu đã hết hạn; vui lòng tải lại trang.",
    "The CSRF tokens do not match.": "Biểu mẫu đã hết hạn; vui lòng tải lại trang.",
}


class VietnameseMessages:
    def gettext(self, message: str) -> str:
        return VI_MESSAGES.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


_MESSAGES = VietnameseMessages()


class VietnameseMeta:
    def get_translations(self, form):
        return _MESSAGES


class Form(FlaskForm):
    """The base of every form with CSRF: messages in Vietnamese."""

    class Meta(VietnameseMeta):
        pass


class SubForm(WtfForm):
    """A repeated part of a form (FormField); the outer form carries the CSRF token."""

    class Meta(VietnameseMeta):
        pass


class _Required(InputRequired):
    """InputRequired that also refuses input made only of spaces (strip_filter would save it empty)."""

    def __call__(self, form, field):
        super().__call__(form, field)
        if isinstance(field.data, str) and not field.data.strip():
            field.errors[:] = []
            raise StopValidation(self.message)


def required(message: str = REQUIRED):
    return _Required(message=message)


DATE_EXAMPLE = "25/08/2024"
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YEARS = range(1900, 2101)


def parse_vn_date(text: str) -> date | None:
    """A date typed as dd/mm/yyyy (d/m/yyyy, dots or dashes also) or ISO yyyy-mm-dd; None for an empty box.

    Raises ValueError with the message to show beside the box, whatever the browser's language is.
    """
    text = (text or "").strip()
    if not text:
        return None
    shown = text if len(text) <= 30 else text[:30] + "…"
    refusal = f"Ngày không hợp lệ: {shown}, vui lòng nhập theo dạng ngày/tháng/năm, ví dụ {DATE_EXAMPLE}."
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(refusal)
    if year not in _YEARS or not 1 <= month <= 12:
        raise ValueError(refusal)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"Ngày không hợp lệ: {shown} (tháng {month}/{year} chỉ có {last} ngày), vui lòng nhập "
                         f"theo dạng ngày/tháng/năm, ví dụ {DATE_EXAMPLE}.")
    return date(year, month, day)


class VnDateField(Field):
    """A date typed as dd/mm/yyyy in a text box, whatever the browser's or the computer's locale.

    `data` is a date, or None for an empty box. static/js/app.js adds a Vietnamese calendar to the box
    (data-date); without it the box is still typed in. Refused text is shown back as typed; an accepted
    date comes back as dd/mm/yyyy. ISO yyyy-mm-dd is read too (older links and scripts post it).
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"data-date": "", "placeholder": "dd/mm/yyyy", "autocomplete": "off", "spellcheck": "false",
                     "maxlength": 40, **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        self.raw_data = [text]  # a box of spaces counts as empty for the required check
        self.data = parse_vn_date(text)

    def _value(self):
        if self.raw_data and (self.process_errors or self.data is None):
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""


def choices(pairs, blank: str | None = None, blank_value="") -> list[SelectChoice]:
    """Options for a SelectField or RadioField from (value, label) pairs, with an optional blank first."""
    options = [SelectChoice(blank_value, blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in pairs]


def text_area(label: str, limit: int = TEXT_LIMIT, *, validators=(), **kwargs):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=limit, message=f"Nội dung dài quá {format_number(limit)} ký tự."),
                    no_control_characters, *validators],
        filters=[strip_filter],
        **kwargs,
    )


def text_line(label: str, limit: int, **kwargs):
    return StringField(
        label,
        validators=[Optional(), Length(max=limit, message=f"Nội dung dài quá {limit} ký tự."), no_control_characters],
        filters=[strip_filter],
        **kwargs,
    )


class NumberField(StringField):
    """A number typed the Vietnamese way and shown back the same way (thidua.numbers, one parser).

    `data` is a Decimal, an int when `whole`, or None for an empty box. A refusal keeps what was
    typed in the box and says how the text was read; bounds are given in Vietnamese too.
    """

    def __init__(self, label=None, validators=None, *, whole: bool = False, minimum=None, maximum=None,
                 places: int = 4, allow_percent: bool = False, message: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.whole, self.minimum, self.maximum = whole, minimum, maximum
        self.places, self.allow_percent, self.message = places, allow_percent, message

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            number = parse_number(valuelist[0], allow_percent=self.allow_percent)
        except NumberError as error:
            raise ValueError(error.message) from None
        if number is not None and self.whole:
            if number != number.to_integral_value():
                raise ValueError(self.message or f"Nhập một số nguyên (đã đọc là {format_number(number)}).")
            number = int(number)
        self.data = number

    def process_data(self, value):
        self.data = int(value) if self.whole and value is not None else value

    def pre_validate(self, form):
        if self.data is None or self.process_errors:
            return
        low, high = self.minimum, self.maximum
        if (low is not None and self.data < low) or (high is not None and self.data > high):
            if self.message:
                raise ValidationError(self.message)
            if low is not None and high is not None:
                raise ValidationError(f"Giá trị phải từ {format_number(low)} đến {format_number(high)}.")
            if low is not None:
                raise ValidationError(f"Giá trị phải từ {format_number(low)} trở lên.")
            raise ValidationError(f"Giá trị không được quá {format_number(high)}.")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None or self.data == "":
            return ""
        return format_number(self.data, places=self.places)


class ButtonForm(Form):
    """A form of one button, so that every state-changing POST carries a CSRF token."""

    submit = SubmitField("Xác nhận")


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(form, field):
    if field.data and any(ord(ch) < 32 and ch not in "\r\n\t" for ch in field.data):
        raise ValidationError("Nội dung chứa ký tự không hợp lệ.")
