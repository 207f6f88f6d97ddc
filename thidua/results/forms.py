from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, FormField, HiddenField, RadioField, SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import Length, Optional

from thidua.forms import Form, NumberField, SubForm, choices, no_control_characters, strip_filter, text_area, text_line
from thidua.results.models import PROGRESS_LABELS, SELF_ASSESSMENT_LABELS


class IndicatorForm(SubForm):
    name = text_line("Chỉ tiêu", 255)
    unit_of_measure = text_line("Đơn vị tính", 60)
    before = NumberField("Trước khi áp dụng", allow_percent=True)
    after = NumberField("Sau khi áp dụng", allow_percent=True)
    source = text_line("Nguồn số liệu", 255)

    def validate_name(self, field):
        if not field.data and (self.before.data or self.after.data):
            raise ValidationError("Ghi tên chỉ tiêu của số liệu này.")


class ReportForm(Form):
    version = HiddenField()
    progress = SelectField("Tiến độ thực hiện", choices=choices(PROGRESS_LABELS.items(), "— Chọn —"),
                           validators=[Optional()])
    achievements = text_area("Kết quả đạt được")
    effect_citizens = text_area("Hiệu quả đối với người dân, tổ chức")
    effect_unit = text_area("Hiệu quả đối với công tác của đơn vị")
    novelty = text_area("Điểm mới so với cách làm trước đây", 5000)
    replication_within = text_area("Nhân rộng trong đơn vị", 4000)
    replication_units = text_area("Nhân rộng tới đơn vị khác (tên đơn vị, điều kiện áp dụng)", 4000)
    difficulties = text_area("Khó khăn, vướng mắc", 5000)
    proposals = text_area("Đề xuất, kiến nghị", 5000)
    actual_budget = text_line("Kinh phí thực tế và nguồn", 255)
    self_assessment = RadioField("Tự đánh giá mức độ hoàn thành", choices=choices(SELF_ASSESSMENT_LABELS.items()),
                                 validators=[Optional()])
    people_in_charge = text_area("Người phụ trách", 2000)
    evidence_links = text_area("Đường dẫn minh chứng (mỗi dòng một đường dẫn)", 4000)
    indicators = FieldList(FormField(IndicatorForm), min_entries=3, max_entries=40)
    submit = SubmitField("Lưu báo cáo")

    def validate_evidence_links(self, field):
        for line in (field.data or "").splitlines():
            line = line.strip()
            if line and not line.lower().startswith(("http://", "https://")) and "." not in line:
                raise ValidationError(f"“{line[:60]}” không phải là một đường dẫn.")

    def indicator_rows(self) -> list[dict]:
        rows = []
        for entry in self.indicators.entries:
            sub = entry.form
            if sub.name.data:
                rows.append({"name": sub.name.data, "unit_of_measure": sub.unit_of_measure.data or "",
                             "before": sub.before.data, "after": sub.after.data, "source": sub.source.data or ""})
        return rows


class EvidenceForm(Form):
    file = FileField("Tệp minh chứng", validators=[FileRequired("Chọn tệp để tải lên.")])
    description = StringField("Mô tả ngắn", validators=[Optional(), Length(max=255), no_control_characters],
                              filters=[strip_filter])
    submit = SubmitField("Tải lên")
