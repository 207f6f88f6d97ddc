"""The form of the report's editable parts (CSRF through thidua.forms.Form)."""
from __future__ import annotations

from wtforms import HiddenField, ValidationError

from thidua.forms import Form, text_area, text_line
from thidua.reports.figures import unknown_placeholders
from thidua.reports.models import NARRATIVE_SECTIONS, PERIOD_SECTIONS

NARRATIVE_LIMIT = 20_000


def known_placeholders(form, field):
    unknown = unknown_placeholders(field.data or "")
    if unknown:
        raise ValidationError("Không có số liệu tên " + ", ".join(f"{{{name}}}" for name in unknown)
                              + "; hãy dùng một trong các tên liệt kê ở cột bên.")


class DraftForm(Form):
    version = HiddenField()
    number = text_line("Số, ký hiệu", 80, description="Ví dụ: 125/BC-SGDĐT (để trống số nếu chưa lấy số).")
    intro = text_area(NARRATIVE_SECTIONS["intro"], NARRATIVE_LIMIT, validators=[known_placeholders])
    deployment = text_area(NARRATIVE_SECTIONS["deployment"], NARRATIVE_LIMIT, validators=[known_placeholders])
    assessment = text_area(NARRATIVE_SECTIONS["assessment"], NARRATIVE_LIMIT, validators=[known_placeholders])
    limitations = text_area(NARRATIVE_SECTIONS["limitations"], NARRATIVE_LIMIT, validators=[known_placeholders])
    proposals = text_area(NARRATIVE_SECTIONS["proposals"], NARRATIVE_LIMIT, validators=[known_placeholders])
    recipients = text_area("Nơi nhận (mỗi dòng một nơi)", 2000)
    signer_title = text_area("Chức danh người ký (mỗi dòng một dòng in)", 160)
    signer_name = text_line("Họ và tên người ký", 160)


class PeriodDraftForm(Form):
    version = HiddenField()
    number = text_line("Số, ký hiệu", 80, description="Ví dụ: 215/BC-SGDĐT (để trống số nếu chưa lấy số).")
    assessment = text_area(PERIOD_SECTIONS["assessment"], NARRATIVE_LIMIT)
    proposals = text_area(PERIOD_SECTIONS["proposals"], NARRATIVE_LIMIT)
    recipients = text_area("Nơi nhận (mỗi dòng một nơi)", 2000)
    signer_title = text_area("Chức danh người ký (mỗi dòng một dòng in)", 160)
    signer_name = text_line("Họ và tên người ký", 160)
