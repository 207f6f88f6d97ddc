from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import Email, Length, Optional, Regexp

from thidua.forms import Form, no_control_characters, required, strip_filter


class UnitForm(Form):
    code = StringField(
        "Mã đơn vị",
        validators=[required(), Length(max=80),
                    Regexp(r"^[a-z0-9][a-z0-9-]*$", message="Mã đơn vị chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")],
        filters=[strip_filter],
    )
    name = StringField("Tên đơn vị", validators=[required(), Length(max=255), no_control_characters],
                       filters=[strip_filter])
    short_name = StringField("Tên thường dùng", validators=[Optional(), Length(max=120), no_control_characters],
                             filters=[strip_filter])
    block = StringField("Khối", validators=[Optional(), Length(max=120)], filters=[strip_filter])
    unit_type = SelectField("Loại đơn vị", validators=[required("Chọn loại đơn vị.")])
    district = StringField("Địa bàn", validators=[Optional(), Length(max=120)], filters=[strip_filter])
    email = EmailField("Thư điện tử", validators=[Optional(), Email(message="Địa chỉ thư điện tử không hợp lệ.")],
                       filters=[strip_filter])
    parent_id = SelectField("Đơn vị cấp trên", coerce=int, validate_choice=False)
    is_organiser = BooleanField("Tổ chức phong trào thi đua riêng (có Bộ phận Thường trực, Lãnh đạo, Hội đồng)")
    submit = SubmitField("Lưu")


class ImportForm(Form):
    file = FileField("Tệp danh mục (XLSX hoặc CSV)", validators=[FileRequired("Chọn tệp để nhập.")])
    submit = SubmitField("Kiểm tra tệp")
