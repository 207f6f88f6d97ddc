"""Forms of the secretariat's review pages."""
from wtforms import BooleanField, DecimalField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from thidua.forms import Form, no_control_characters, required, strip_filter, text_area


class SettingsForm(Form):
    reviewers_per_initiative = IntegerField(
        "Số thành viên chấm mỗi sáng kiến", validators=[required(), NumberRange(min=1, max=20)])
    blind_review = BooleanField("Chấm ẩn danh (không hiện tên đơn vị cho thành viên Hội đồng)")
    disagreement_threshold = IntegerField(
        "Ngưỡng chênh lệch điểm để đưa ra thảo luận", validators=[required(), NumberRange(min=0, max=100)],
        description="Sáng kiến có điểm cao nhất và thấp nhất chênh nhau hơn ngưỡng này được đánh dấu.")
    submit = SubmitField("Lưu thiết lập")


class CriterionForm(Form):
    name = StringField("Tên tiêu chí", validators=[required("Nhập tên tiêu chí."), Length(max=255)],
                       filters=[strip_filter])
    max_score = IntegerField("Điểm tối đa", validators=[required("Nhập điểm tối đa."),
                                                         NumberRange(min=1, max=100)])
    description = text_area("Mô tả", 2000)
    low = text_area("Điểm thấp khi", 2000)
    middle = text_area("Điểm trung bình khi", 2000)
    high = text_area("Điểm cao khi", 2000)
    bands = TextAreaField("Các mức điểm (mỗi dòng một mức)", validators=[Optional(), Length(max=2000)],
                          filters=[strip_filter], description="Ví dụ: 27-30: Hoàn toàn mới")
    submit = SubmitField("Lưu tiêu chí")


class LevelForm(Form):
    name = StringField("Hình thức khen thưởng", validators=[required("Nhập tên hình thức khen thưởng."),
                                                          Length(max=255)], filters=[strip_filter],
                       description="Ví dụ: Bằng khen của Chủ tịch UBND Thành phố")
    min_score = DecimalField("Ngưỡng điểm tối thiểu", places=2, validators=[Optional(), NumberRange(min=0, max=100)])
    max_count = IntegerField("Số lượng tối đa", validators=[Optional(), NumberRange(min=1, max=10000)])
    proposed_upward = BooleanField("Đề nghị cấp trên quyết định")
    authority = StringField("Cơ quan quyết định", validators=[Optional(), Length(max=255), no_control_characters],
                            filters=[strip_filter], description="Ví dụ: UBND Thành phố")
    submit = SubmitField("Lưu")
