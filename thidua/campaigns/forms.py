from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Length, NumberRange, Optional

from thidua.forms import Form, NumberField, VnDateField, choices, no_control_characters, required, strip_filter
from thidua.phases import PHASE_LABELS, Phase
from thidua.timeutil import local_today


class CampaignForm(Form):
    name = StringField("Tên phong trào", validators=[required(), Length(max=255, message="Tên dài quá 255 ký tự."),
                                                     no_control_characters], filters=[strip_filter])
    year = IntegerField("Năm", validators=[required("Nhập năm của phong trào."),
                                            NumberRange(min=2000, max=2100, message="Năm không hợp lệ.")])
    period = StringField("Giai đoạn", validators=[Optional(), Length(max=40)], filters=[strip_filter],
                         description="Ví dụ: 2023–2025")
    plan_reference = StringField("Kế hoạch phát động", validators=[Optional(), Length(max=255)],
                                 filters=[strip_filter], description="Ví dụ: Kế hoạch số 2517/KH-SGDĐT ngày 01/8/2023")
    description = TextAreaField("Mô tả", validators=[Optional(), Length(max=5000)], filters=[strip_filter])
    launch_date = VnDateField("Ngày phát động", validators=[required("Nhập ngày phát động.")])
    registration_deadline = VnDateField("Hạn đăng ký (Đợt 1)", validators=[required("Nhập hạn đăng ký.")])
    report_deadline = VnDateField("Hạn báo cáo kết quả (Đợt 2)", validators=[required("Nhập hạn báo cáo kết quả.")])
    review_deadline = VnDateField("Hạn chấm điểm của Hội đồng", validators=[Optional()])
    city_report_deadline = VnDateField("Hạn báo cáo UBND Thành phố", validators=[Optional()])
    min_initiatives_per_unit = NumberField(
        "Số đề xuất tối thiểu mỗi đơn vị", default=1, validators=[required()], whole=True, minimum=1, maximum=20,
        message="Số đề xuất tối thiểu là một số nguyên từ 1 đến 20.")
    submit = SubmitField("Lưu")

    def validate_registration_deadline(self, field):
        if field.data and self.launch_date.data and field.data < self.launch_date.data:
            raise ValidationError("Hạn đăng ký phải từ ngày phát động trở đi.")

    def validate_report_deadline(self, field):
        if field.data and self.registration_deadline.data and field.data < self.registration_deadline.data:
            raise ValidationError("Hạn báo cáo kết quả phải sau hạn đăng ký.")

    def validate_review_deadline(self, field):
        if field.data and self.report_deadline.data and field.data < self.report_deadline.data:
            raise ValidationError("Hạn chấm điểm phải từ hạn báo cáo kết quả trở đi: Hội đồng chấm những gì đơn vị đã gửi.")
        if field.data and self.city_report_deadline.data and field.data > self.city_report_deadline.data:
            raise ValidationError("Hạn chấm điểm phải trước hạn báo cáo UBND Thành phố: báo cáo nêu kết quả chấm.")

    def validate_city_report_deadline(self, field):
        if field.data and self.report_deadline.data and field.data < self.report_deadline.data:
            raise ValidationError("Hạn báo cáo UBND Thành phố phải sau hạn báo cáo kết quả.")


def _chosen_id(value) -> int:
    """A chosen record's id; 0 when nothing is chosen yet (the list's blank first line)."""
    return int(value) if value not in (None, "") else 0


class ExtensionForm(Form):
    unit_id = SelectField("Đơn vị", coerce=_chosen_id, validate_choice=False, render_kw={"data-search": ""})
    phase = SelectField("Đợt", choices=choices((p.value, PHASE_LABELS[p]) for p in Phase))
    until = VnDateField("Gia hạn đến hết ngày", validators=[required("Nhập ngày gia hạn.")])
    reason = TextAreaField("Lý do gia hạn", validators=[required("Ghi rõ lý do gia hạn."), Length(max=2000)],
                           filters=[strip_filter])
    submit = SubmitField("Gia hạn")

    def validate_unit_id(self, field):
        if not field.data:
            raise ValidationError("Chọn đơn vị được gia hạn.")

    def validate_until(self, field):
        if field.data and field.data < local_today():
            raise ValidationError("Ngày gia hạn không được ở quá khứ.")
