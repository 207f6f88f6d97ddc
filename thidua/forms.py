"""Pieces shared by the forms of every stage."""
from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField, ValidationError
from wtforms.validators import InputRequired

REQUIRED = "Vui lòng nhập thông tin này."


def required(message: str = REQUIRED):
    return InputRequired(message=message)


class VnDateField(DateField):
    """A date field whose parse error speaks Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Ngày không hợp lệ (định dạng ngày/tháng/năm).") from error


class ButtonForm(FlaskForm):
    """A form of one button, so that every state-changing POST carries a CSRF token."""

    submit = SubmitField("Xác nhận")


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(form, field):
    if field.data and any(ord(ch) < 32 and ch not in "\r\n\t" for ch in field.data):
        raise ValidationError("Nội dung chứa ký tự không hợp lệ.")
