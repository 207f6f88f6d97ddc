"""Forms of the targets pages (CSRF through thidua.forms.Form). Choices are set by the views."""
from __future__ import annotations

from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from thidua.forms import Form, NumberField, VnDateField, choices, no_control_characters, required, strip_filter
from thidua.registration.models import AREA_LABELS
from thidua.targets.models import AppliesTo, Automatic, Comparison, Measure, RoundKind

RULE_LABELS = {
    "targets": "Xét theo chỉ tiêu: đạt mọi chỉ tiêu bắt buộc; xếp theo số chỉ tiêu đạt, rồi điểm sáng kiến",
    "initiatives": "Chỉ xét theo sáng kiến (không đề nghị tập thể theo chỉ tiêu)",
}


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TargetForm(Form):
    name = StringField("Tên chỉ tiêu", validators=[required("Nhập tên chỉ tiêu."),
                                                   Length(max=500, message="Tên dài quá 500 ký tự."),
                                                   no_control_characters], filters=[strip_filter])
    round_id = SelectField("Đợt báo cáo", coerce=str, validate_choice=False)
    area = SelectField("Lĩnh vực CCHC", choices=choices(AREA_LABELS.items(), blank="— Không ghi —"))
    measure = SelectField("Cách đo", choices=choices((m.value, m.label) for m in Measure))
    comparison = SelectField("Phép so sánh", choices=choices((c.value, c.label) for c in Comparison))
    threshold = NumberField("Ngưỡng đạt", allow_percent=True, minimum=0,
                            description="Ví dụ: 98 (tỷ lệ, %), 1 (số lượng). Chỉ tiêu Có/Không: bỏ trống.")
    applies_to = SelectField("Đối tượng", choices=choices([(AppliesTo.UNITS.value, "Tập thể (đơn vị)"),
                                                           (AppliesTo.INDIVIDUALS.value, "Cá nhân")]))
    unit_types = Checkboxes("Loại đơn vị áp dụng (không chọn: mọi đơn vị tham gia)", coerce=str,
                            validate_choice=False)
    blocks = Checkboxes("Khối áp dụng (không chọn: mọi khối)", coerce=str, validate_choice=False)
    mandatory = BooleanField("Chỉ tiêu bắt buộc (không đạt thì tập thể không được đề nghị khen thưởng)")
    evidence_required = BooleanField("Phải kèm minh chứng")
    automatic = SelectField("Cách lấy giá trị", choices=choices((a.value, a.label) for a in Automatic))
    guidance = TextAreaField("Hướng dẫn cách tính", validators=[Optional(), Length(max=2000), no_control_characters],
                             filters=[strip_filter])
    submit = SubmitField("Lưu chỉ tiêu")

    def values(self) -> dict:
        return {"name": self.name.data, "round_id": int(self.round_id.data) if (self.round_id.data or "").isdigit()
                else None, "area": self.area.data or "", "measure": self.measure.data,
                "comparison": self.comparison.data, "threshold": self.threshold.data,
                "applies_to": self.applies_to.data, "unit_types": self.unit_types.data or [],
                "blocks": self.blocks.data or [], "mandatory": self.mandatory.data,
                "evidence_required": self.evidence_required.data, "automatic": self.automatic.data or "",
                "guidance": self.guidance.data or ""}


class RoundForm(Form):
    name = StringField("Tên đợt báo cáo", validators=[required("Nhập tên đợt báo cáo."),
                                                      Length(max=160, message="Tên dài quá 160 ký tự."),
                                                      no_control_characters], filters=[strip_filter],
                       description="Ví dụ: Báo cáo quý I, Báo cáo cuối năm")
    kind = SelectField("Loại", choices=choices((k.value, k.label) for k in RoundKind))
    deadline = VnDateField("Hạn gửi", validators=[required("Nhập hạn gửi.")])
    submit = SubmitField("Lưu đợt báo cáo")


class CopyForm(Form):
    source = SelectField("Sao chép từ phong trào", coerce=str, validate_choice=False)


class RuleForm(Form):
    collective_rule = SelectField("Cách xét tập thể", choices=choices(RULE_LABELS.items()))
    individuals_deadline = VnDateField("Hạn đơn vị đề nghị cá nhân xuất sắc", validators=[Optional()])
    submit = SubmitField("Lưu cách xét")


class ReturnForm(Form):
    reason = TextAreaField("Lý do trả lại", validators=[required("Cần ghi lý do trả lại để đơn vị biết cần sửa gì."),
                                                        Length(max=2000, message="Lý do dài quá 2.000 ký tự."),
                                                        no_control_characters], filters=[strip_filter])


class ExtensionForm(Form):
    round_id = SelectField("Đợt báo cáo", coerce=str, validate_choice=False)
    unit_id = SelectField("Đơn vị", coerce=str, validate_choice=False, render_kw={"data-search": ""})
    until = VnDateField("Gia hạn đến hết ngày", validators=[required("Nhập ngày gia hạn.")])
    reason = TextAreaField("Lý do", validators=[required("Cần ghi lý do gia hạn."), Length(max=2000),
                                                no_control_characters], filters=[strip_filter])
    submit = SubmitField("Gia hạn")


class PersonForm(Form):
    full_name = StringField("Họ và tên", validators=[required("Nhập họ và tên."),
                                                     Length(max=160, message="Họ tên dài quá 160 ký tự."),
                                                     no_control_characters], filters=[strip_filter])
    job_title = StringField("Chức vụ", validators=[Optional(), Length(max=160, message="Chức vụ dài quá 160 ký tự."),
                                                   no_control_characters], filters=[strip_filter])
    rating = SelectField("Kết quả đánh giá, xếp loại")
    achievements = TextAreaField("Thành tích đối với các chỉ tiêu cá nhân",
                                 validators=[required("Ghi thành tích của cá nhân."),
                                             Length(max=5000, message="Thành tích dài quá 5.000 ký tự."),
                                             no_control_characters], filters=[strip_filter])
    targets_met = Checkboxes("Các chỉ tiêu đối với cá nhân đã đạt", coerce=str, validate_choice=False)
    submit = SubmitField("Lưu")


class DecideForm(Form):
    reason = TextAreaField("Lý do", validators=[Optional(), Length(max=2000, message="Lý do dài quá 2.000 ký tự."),
                                                no_control_characters], filters=[strip_filter])
