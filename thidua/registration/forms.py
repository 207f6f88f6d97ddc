import re

from wtforms import (FieldList, FormField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField, ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import Length, Optional

from thidua.forms import Form, NumberField, SubForm, VnDateField, choices, no_control_characters, required, strip_filter, text_area, text_line
from thidua.registration.models import AREA_LABELS, AUTHOR_TYPE_LABELS, KIND_LABELS, NOVELTY_LABELS, SOLUTION_TYPE_LABELS

PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")


def _choices(labels: dict, blank: str | None = None):
    return choices(labels.items(), blank)


class AuthorForm(SubForm):
    full_name = text_line("Họ và tên", 160)
    job_title = text_line("Chức vụ", 160)
    contribution = NumberField(
        "Tỷ lệ đóng góp (%)", validators=[Optional()], whole=True, minimum=1, maximum=100, allow_percent=True,
        message="Tỷ lệ đóng góp là một số nguyên từ 1 đến 100%.")


class AreaField(SelectMultipleField):
    """The CCHC areas as check boxes; a stored initiative's one code reads as a list of one."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_data(self, value):
        super().process_data([value] if isinstance(value, str) else value)


class InitiativeForm(Form):
    """Every registration field. A draft may be incomplete; registering checks completeness."""

    version = HiddenField()
    kind = RadioField("Loại", choices=_choices(KIND_LABELS), validators=[required("Chọn loại: mô hình, giải pháp hay sáng kiến.")])
    title = StringField(
        "Tên mô hình, giải pháp, sáng kiến",
        validators=[required("Vui lòng nhập tên mô hình, giải pháp, sáng kiến."),
                    Length(max=500, message="Tên dài quá 500 ký tự."), no_control_characters],
        filters=[strip_filter],
    )
    area = AreaField("Lĩnh vực CCHC", choices=_choices(AREA_LABELS),
                     validators=[required("Chọn ít nhất một lĩnh vực cải cách hành chính.")],
                     description="Chọn mọi lĩnh vực mà mô hình, giải pháp đóng góp vào.")
    area_other = text_line("Lĩnh vực khác (ghi rõ)", 255)
    solution_type = SelectField("Loại giải pháp", choices=_choices(SOLUTION_TYPE_LABELS, "— Chọn —"),
                                validators=[Optional()])
    novelty = RadioField("Tính mới", choices=_choices(NOVELTY_LABELS), default="moi")
    improves_on = text_area("Mô hình, giải pháp đã có được cải tiến", 2000)
    need = text_area("Sự cần thiết (thực trạng và hạn chế)")
    objectives = text_area("Mục tiêu")
    content = text_area("Nội dung và các bước thực hiện")
    scope = text_area("Phạm vi và đối tượng phục vụ", 4000)
    start_date = VnDateField("Thời gian bắt đầu", validators=[Optional()])
    end_date = VnDateField("Thời gian hoàn thành", validators=[Optional()])
    first_applied_date = VnDateField("Ngày áp dụng lần đầu", validators=[Optional()])
    budget = text_line("Kinh phí dự kiến và nguồn", 255)
    expected_results = text_area("Kết quả dự kiến (chỉ tiêu, số liệu ban đầu)")
    author_type = RadioField("Tác giả", choices=_choices(AUTHOR_TYPE_LABELS), default="tap_the")
    collective_name = text_line("Tên tập thể thực hiện", 255)
    authors = FieldList(FormField(AuthorForm), min_entries=3, max_entries=30)
    people_in_charge = text_area("Người phụ trách thực hiện", 2000)
    contact_name = text_line("Người đầu mối liên hệ", 160)
    contact_position = text_line("Chức vụ người đầu mối", 160)
    contact_phone = text_line("Số điện thoại liên hệ", 40)
    submit = SubmitField("Lưu bản nháp")

    def validate_area_other(self, field):
        if field.data and "khac" not in (self.area.data or []):
            raise ValidationError("Đánh dấu ô “Khác” ở Lĩnh vực CCHC khi ghi lĩnh vực khác.")

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("Thời gian hoàn thành phải sau thời gian bắt đầu.")

    def validate_contact_phone(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError("Số điện thoại không hợp lệ.")

    def validate_improves_on(self, field):
        if self.novelty.data == "cai_tien" and not field.data:
            raise ValidationError("Nêu mô hình, giải pháp đã có mà sáng kiến này cải tiến.")

    def validate_authors(self, field):
        if self.author_type.data != "ca_nhan":
            return
        named = [entry for entry in field.entries if entry.form.full_name.data]
        if not named:
            raise ValidationError("Nhập ít nhất một tác giả.")
        unshared = [e for e in named if e.form.contribution.data is None and not e.form.contribution.errors]
        for entry in unshared:
            entry.form.contribution.errors.append("Nhập tỷ lệ đóng góp của tác giả này.")
        if unshared:
            raise ValidationError("Nhập tỷ lệ đóng góp cho từng tác giả.")
        shares = [entry.form.contribution.data for entry in named]
        if all(isinstance(s, int) for s in shares):
            total = sum(shares)
            if total != 100:
                raise ValidationError(f"Tổng tỷ lệ đóng góp phải bằng 100% (hiện là {total}%).")

    def author_rows(self) -> list[dict]:
        if self.author_type.data != "ca_nhan":
            return []
        return [
            {"full_name": e.form.full_name.data, "job_title": e.form.job_title.data or "",
             "contribution": e.form.contribution.data}
            for e in self.authors.entries if e.form.full_name.data
        ]


class TransitionForm(Form):
    target = HiddenField(validators=[required()])
    reason = TextAreaField("Lý do", validators=[Optional(), Length(max=2000, message="Lý do dài quá 2000 ký tự.")],
                           filters=[strip_filter])
    submit = SubmitField("Xác nhận")
