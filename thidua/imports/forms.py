from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField

from thidua.forms import Form, choices
from thidua.imports.parsing import KIND_CHOICES


class UploadForm(Form):
    kind = SelectField("Tệp chứa", choices=choices(KIND_CHOICES.items()), default="registration")
    file = FileField("Tệp CSV tải từ Google Biểu mẫu", validators=[FileRequired("Chọn tệp CSV để tải lên.")])
    submit = SubmitField("Tải lên và kiểm tra")
