"""Forms of the gallery: the secretariat's publication, a unit's adoption."""
from flask_wtf.file import FileField
from wtforms import (
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from thidua.forms import (
    Form,
    VnDateField,
    no_control_characters,
    required,
    strip_filter,
    text_area,
)
from thidua.timeutil import local_today


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PublishForm(Form):
    title = StringField("Tên mô hình trên thư viện", filters=[strip_filter],
                        validators=[required("Nhập tên mô hình."), Length(max=500, message="Tên dài quá 500 ký tự."),
                                    no_control_characters])
    summary = TextAreaField("Giới thiệu công khai (Markdown)", filters=[strip_filter],
                            validators=[required("Nhập phần giới thiệu công khai của mô hình."),
                                        Length(max=20000, message="Nội dung dài quá 20.000 ký tự."),
                                        no_control_characters],
                            description="Viết cho người đọc ngoài đơn vị: vấn đề, cách làm, kết quả. Có thể dùng **đậm**, "
                                    "*nghiêng*, danh sách (- ...), liên kết [tên](https://...).")
    public_files = CheckboxesField("Minh chứng được công khai", coerce=int, choices=[])
    submit = SubmitField("Lưu và công bố")


class UnpublishForm(Form):
    reason = text_area("Lý do gỡ khỏi thư viện", limit=1000)
    submit = SubmitField("Gỡ khỏi thư viện")


class AdoptionForm(Form):
    adopted_on = VnDateField("Ngày bắt đầu áp dụng", validators=[required("Nhập ngày đơn vị bắt đầu áp dụng.")])
    note = TextAreaField("Đơn vị đã áp dụng như thế nào", filters=[strip_filter],
                         validators=[required("Ghi ngắn gọn cách đơn vị đã áp dụng mô hình."),
                                     Length(max=2000, message="Nội dung dài quá 2.000 ký tự."), no_control_characters],
                         description="Ngắn gọn: áp dụng ở bộ phận nào, điều chỉnh gì, kết quả bước đầu.")
    file = FileField("Tệp minh chứng (không bắt buộc)",
                     description="PDF, Word, Excel, ảnh JPG hoặc PNG; người xem công khai không tải được tệp này.")
    submit = SubmitField("Ghi nhận áp dụng")

    def validate_adopted_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("Ngày bắt đầu áp dụng không được sau ngày hôm nay.")
