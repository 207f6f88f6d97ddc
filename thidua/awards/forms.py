"""Forms of the award list (CSRF through thidua.forms.Form)."""
from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from thidua.forms import (
    Form,
    VnDateField,
    no_control_characters,
    required,
    strip_filter,
    text_area,
)


class EntryForm(Form):
    entry = HiddenField()
    note = text_area("Ghi chú", 2000)
    level_id = SelectField("Hình thức khen thưởng", coerce=str, validate_choice=False)


class DecisionForm(Form):
    level_id = SelectField("Hình thức khen thưởng", coerce=str, validate_choice=False,
                           validators=[InputRequired("Chọn hình thức khen thưởng của quyết định.")])
    number = StringField("Số quyết định", validators=[required(), Length(max=80), no_control_characters],
                         filters=[strip_filter])
    decided_on = VnDateField("Ngày ký", validators=[required("Nhập ngày ký quyết định.")])
    signer = StringField("Người ký", validators=[required(), Length(max=255), no_control_characters],
                         filters=[strip_filter])


class ReopenForm(Form):
    reason = TextAreaField("Lý do mở lại", validators=[required(), Length(max=2000), no_control_characters],
                           filters=[strip_filter])


class ApproveForm(Form):
    """The leader's confirmation: the version of the list the confirmation page showed."""

    version = HiddenField()


class ReturnForm(Form):
    version = HiddenField()
    comment = TextAreaField("Ý kiến của lãnh đạo", validators=[required("Cần ghi ý kiến để Văn phòng biết cần sửa gì."),
                                                                Length(max=2000), no_control_characters],
                            filters=[strip_filter])
