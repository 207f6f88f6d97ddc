from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import Email, Length, Optional, Regexp

from thidua.auth.roles import ROLE_LABELS, Role
from thidua.forms import Form, choices, no_control_characters, required, strip_filter

PASSWORD_RULE = "Mật khẩu cần ít nhất 8 ký tự, gồm cả chữ và số."


def password_policy(form, field):
    value = field.data or ""
    if len(value) < 8 or not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        raise ValidationError(PASSWORD_RULE)


class LoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[required("Vui lòng nhập tên đăng nhập.")],
                           filters=[strip_filter])
    password = PasswordField("Mật khẩu", validators=[required("Vui lòng nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập trên máy này")
    submit = SubmitField("Đăng nhập")


class ChangePasswordForm(Form):
    current_password = PasswordField("Mật khẩu hiện tại", validators=[required()])
    new_password = PasswordField("Mật khẩu mới", validators=[required(), password_policy])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[required()])
    submit = SubmitField("Đổi mật khẩu")

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError("Mật khẩu nhập lại không khớp.")


class UserForm(Form):
    username = StringField(
        "Tên đăng nhập",
        validators=[required(), Length(min=3, max=80, message="Tên đăng nhập dài từ 3 đến 80 ký tự."),
                    Regexp(r"^[a-z0-9._-]+$", message="Chỉ dùng chữ thường không dấu, số, dấu chấm, gạch ngang.")],
        filters=[strip_filter, lambda v: v.lower() if isinstance(v, str) else v],
    )
    full_name = StringField("Họ và tên", validators=[required(), Length(max=160), no_control_characters],
                            filters=[strip_filter])
    job_title = StringField("Chức vụ", validators=[Optional(), Length(max=160), no_control_characters],
                            filters=[strip_filter])
    email = EmailField("Thư điện tử", validators=[Optional(), Email(message="Địa chỉ thư điện tử không hợp lệ."),
                                                   Length(max=255)], filters=[strip_filter])
    phone = StringField("Số điện thoại", validators=[Optional(), Length(max=40)], filters=[strip_filter])
    role = SelectField("Vai trò", choices=choices((r.value, ROLE_LABELS[r]) for r in Role))
    unit_id = SelectField("Đơn vị", coerce=int, validate_choice=False)
    organiser_id = SelectField("Làm việc cho cấp", coerce=int, validate_choice=False)
    password = PasswordField("Mật khẩu ban đầu", validators=[Optional(), password_policy])
    is_active = BooleanField("Đang hoạt động", default=True)
    submit = SubmitField("Lưu")


class ResetPasswordForm(Form):
    new_password = PasswordField("Mật khẩu mới", validators=[required(), password_policy])
    submit = SubmitField("Đặt lại mật khẩu")


class BulkAccountsForm(Form):
    head = BooleanField("Thủ trưởng đơn vị", default=True)
    editor = BooleanField("Cán bộ đầu mối", default=True)
    block = SelectField("Khối", validate_choice=False)
    submit = SubmitField("Tạo tài khoản còn thiếu và tải danh sách")

    def validate_editor(self, field):
        if not field.data and not self.head.data:
            raise ValidationError("Chọn ít nhất một loại tài khoản.")


class ForgotPasswordForm(Form):
    login = StringField("Tên đăng nhập hoặc thư điện tử",
                        validators=[required("Vui lòng nhập tên đăng nhập hoặc thư điện tử."), Length(max=255),
                                    no_control_characters], filters=[strip_filter])
    submit = SubmitField("Gửi liên kết đặt lại mật khẩu")


class LinkResetPasswordForm(Form):
    new_password = PasswordField("Mật khẩu mới", validators=[required(), password_policy])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[required()])
    submit = SubmitField("Đặt mật khẩu mới")

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError("Mật khẩu nhập lại không khớp.")
