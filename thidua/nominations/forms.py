"""Forms of the nomination pages (CSRF through thidua.forms.Form)."""
from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import Length

from thidua.forms import Form, no_control_characters, required, strip_filter


class FeedsForm(Form):
    """The upper campaign a lower campaign feeds; "" clears it. Choices are set by the view."""

    upper = SelectField("Phong trào cấp trên", coerce=str, validate_choice=False)


class ProposeForm(Form):
    initiative = SelectMultipleField("Sáng kiến trình lên", coerce=str, validate_choice=False)


class DeclineForm(Form):
    reason = TextAreaField("Lý do không tiếp nhận",
                           validators=[required("Cần ghi rõ lý do không tiếp nhận để cấp dưới biết."),
                                       Length(max=2000, message="Lý do dài quá 2.000 ký tự."), no_control_characters],
                           filters=[strip_filter])
