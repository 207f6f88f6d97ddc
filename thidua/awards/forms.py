"""Forms of the award list (CSRF through thidua.forms.Form)."""
from __future__ import annotations

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from thidua.forms import REQUIRED, Form


class EntryForm(Form):
    entry = HiddenField()
    note = TextAreaField("Ghi chú", validators=[Optional(), Length(max=2000)])
    level_id = SelectField("Hình thức khen thưởng", coerce=str, validate_choice=False)


class DecisionForm(Form):
    number = StringField("Số quyết định", validators=[InputRequired(REQUIRED), Length(max=80)])
    decided_on = DateField("Ngày ký", validators=[InputRequired(REQUIRED)])
    signer = StringField("Người ký", validators=[InputRequired(REQUIRED), Length(max=255)])


class ReopenForm(Form):
    reason = TextAreaField("Lý do mở lại", validators=[InputRequired(REQUIRED), Length(max=2000)])
