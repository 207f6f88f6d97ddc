"""Forms of the secretariat's review pages."""
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from thidua.forms import Form, NumberField, no_control_characters, required, strip_filter, text_area


class SettingsForm(Form):
    reviewers_per_initiative = NumberField(
        "Số thành viên chấm mỗi sáng kiến", validators=[required()], whole=True, minimum=1, maximum=20)
    blind_review = BooleanField("Chấm ẩn danh (không hiện tên đơn vị cho thành viên Hội đồng)")
    disagreement_threshold = NumberField(
        "Ngưỡng chênh lệch điểm để đưa ra thảo luận", validators=[required()], whole=True, minimum=0, maximum=100,
        description="Sáng kiến có điểm cao nhất và thấp nhất chênh nhau hơn ngưỡng này được đánh dấu.")
    submit = SubmitField("Lưu thiết lập")


class CriterionForm(Form):
    name = StringField("Tên tiêu chí", validators=[required("Nhập tên tiêu chí."), Length(max=255)],
                       filters=[strip_filter])
    max_score = NumberField("Điểm tối đa", validators=[required("Nhập điểm tối đa.")], whole=True,
                            minimum=1, maximum=100)
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
    min_score = NumberField("Ngưỡng điểm tối thiểu", validators=[Optional()], places=2, minimum=0, maximum=100)
    max_count = NumberField("Số lượng tối đa", validators=[Optional()], whole=True, minimum=1, maximum=10000)
    proposed_upward = BooleanField("Đề nghị cấp trên quyết định")
    authority = StringField("Cơ quan quyết định", validators=[Optional(), Length(max=255), no_control_characters],
                            filters=[strip_filter], description="Ví dụ: UBND Thành phố")
    submit = SubmitField("Lưu")
