"""Forms of the secretariat's review pages."""
from wtforms import BooleanField, Field, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation
from wtforms.widgets import HiddenInput

from thidua.forms import Form, NumberField, no_control_characters, required, strip_filter, text_area
from thidua.paging import record_id


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


class RecordIdField(HiddenField):
    """An id sent by a hidden field or a select: `data` is a whole number from 1 to MAX_ID, else None."""

    def process_formdata(self, valuelist):
        self.data = record_id(valuelist[0]) if valuelist else None

    def _value(self):
        return str(self.data) if self.data is not None else ""


class RecordIdsField(Field):
    """Ids ticked in a list of checkboxes of one name: `data` holds the well-formed ones, each once, in order.

    At most `limit` are read, so a forged post of a million ids costs no more than a page's worth."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, *, limit: int = 500, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist):
        ids = (record_id(value) for value in valuelist[:self.limit])
        self.data = list(dict.fromkeys(i for i in ids if i is not None))

    def process_data(self, value):
        self.data = list(value or [])


def chosen(message: str):
    """The id (or ids) field holds something; else `message`, and no other check runs."""

    def check(form, field):
        if not field.data:
            raise StopValidation(message)

    return check


class AddMembersForm(Form):
    user_id = RecordIdsField(validators=[chosen("Chọn tài khoản để thêm vào Hội đồng.")])
    chair = BooleanField("Chủ tịch Hội đồng (khi chọn một tài khoản)")


class CopyRubricForm(Form):
    source_id = RecordIdField(validators=[chosen("Chọn phong trào để sao chép bộ tiêu chí.")])


class AssignForm(Form):
    initiative_id = RecordIdField(validators=[chosen("Chọn sáng kiến và thành viên Hội đồng.")])
    user_id = RecordIdField(validators=[chosen("Chọn sáng kiến và thành viên Hội đồng.")])


class RankingForm(Form):
    """The initiatives ticked on the ranking page, with the level and the reason the office gives."""

    initiative = RecordIdsField(validators=[chosen("Chọn ít nhất một sáng kiến.")])
    level_id = RecordIdField()
    reason = text_area("Lý do / ghi chú")
