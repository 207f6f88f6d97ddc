"""The audit log: who did what, when, from which state to which, and why."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db
from thidua.timeutil import utcnow

ACTION_LABELS = {
    "nomination.feeds_set": "Chọn phong trào cấp trên",
    "nomination.proposed": "Trình lên cấp trên",
    "nomination.accepted": "Tiếp nhận đề xuất của cấp dưới",
    "nomination.declined": "Không tiếp nhận đề xuất của cấp dưới",
    "initiative.created": "Tạo bản nháp",
    "account.mail_preference": "Đổi lựa chọn nhận thư thông báo",
    "initiative.nominated": "Tiếp nhận từ cấp dưới",
    "initiative.transition": "Chuyển trạng thái",
    "report.saved": "Lưu báo cáo kết quả",
    "evidence.added": "Thêm minh chứng",
    "evidence.replaced": "Thay minh chứng",
    "evidence.removed": "Xóa minh chứng",
    "extension.granted": "Gia hạn",
    "campaign.created": "Tạo phong trào",
    "campaign.updated": "Sửa phong trào",
    "campaign.participants": "Chọn đơn vị tham gia",
    "unit.created": "Thêm đơn vị",
    "unit.updated": "Sửa đơn vị",
    "unit.deactivated": "Ngừng hoạt động đơn vị",
    "unit.activated": "Kích hoạt lại đơn vị",
    "units.imported": "Nhập danh mục đơn vị",
    "user.created": "Tạo tài khoản",
    "user.updated": "Sửa tài khoản",
    "user.password_reset": "Đặt lại mật khẩu",
    "user.password_changed": "Tự đổi mật khẩu",
    "user.password_reset_requested": "Yêu cầu liên kết đặt lại mật khẩu",
    "user.password_reset_by_link": "Đặt lại mật khẩu qua liên kết",
    "review.member_added": "Thêm thành viên Hội đồng",
    "review.member_removed": "Đưa thành viên ra khỏi Hội đồng",
    "review.chair_set": "Chọn Chủ tịch Hội đồng",
    "review.settings": "Sửa thiết lập chấm điểm",
    "review.criterion_added": "Thêm tiêu chí chấm",
    "review.criterion_updated": "Sửa tiêu chí chấm",
    "review.criterion_removed": "Xóa tiêu chí chấm",
    "review.criterion_moved": "Đổi thứ tự tiêu chí",
    "review.rubric_replaced": "Thay bộ tiêu chí chấm",
    "review.level_added": "Thêm hình thức khen thưởng",
    "review.level_updated": "Sửa hình thức khen thưởng",
    "review.level_removed": "Xóa hình thức khen thưởng",
    "review.level_moved": "Đổi thứ tự hình thức khen thưởng",
    "review.auto_assigned": "Phân công chấm tự động",
    "review.assigned": "Phân công chấm",
    "review.unassigned": "Gỡ phân công chấm",
    "review.level_chosen": "Chọn hình thức khen thưởng đề xuất",
    "awards.compiled": "Lập/cập nhật danh sách đề nghị khen thưởng",
    "awards.entry_updated": "Sửa ghi chú, hình thức trong danh sách khen thưởng",
    "awards.submitted": "Trình Lãnh đạo duyệt danh sách đề nghị khen thưởng",
    "awards.returned": "Trả lại danh sách đề nghị khen thưởng",
    "awards.approved": "Duyệt danh sách đề nghị khen thưởng",
    "awards.reopened": "Mở lại danh sách đề nghị khen thưởng",
    "awards.decided": "Ghi nhận quyết định khen thưởng",
    "reports.draft_saved": "Sửa nội dung báo cáo gửi UBND Thành phố",
    "reports.period_draft_saved": "Sửa nội dung báo cáo tổng kết giai đoạn",
    "reports.requested": "Tạo báo cáo gửi UBND Thành phố",
    "gallery.saved": "Lưu nội dung công bố trên thư viện",
    "gallery.adopted": "Ghi nhận đơn vị áp dụng (nhân rộng) mô hình",
    "initiative.imported": "Nhập từ Google Forms",
    "imports.applied": "Nhập tệp Google Forms",
    "awards.collective_added": "Bổ sung tập thể vào danh sách khen thưởng",
    "awards.collective_removed": "Bỏ tập thể khỏi danh sách khen thưởng",
    "persons.saved": "Lưu đề nghị cá nhân xuất sắc",
    "persons.deleted": "Xóa đề nghị cá nhân xuất sắc",
    "persons.sent": "Gửi đề nghị cá nhân xuất sắc",
    "persons.accepted": "Tiếp nhận cá nhân xuất sắc vào danh sách",
    "persons.declined": "Không đưa cá nhân xuất sắc vào danh sách",
    "persons.evidence_added": "Thêm minh chứng cá nhân xuất sắc",
    "persons.evidence_removed": "Xóa minh chứng cá nhân xuất sắc",
    "initiative.deleted": "Xóa đề xuất đã rút",
    "targets.saved": "Lưu chỉ tiêu thi đua",
    "targets.deleted": "Xóa chỉ tiêu thi đua",
    "targets.defaults_applied": "Tạo bộ chỉ tiêu mặc định",
    "targets.copied": "Sao chép chỉ tiêu từ phong trào trước",
    "targets.round_saved": "Lưu đợt báo cáo chỉ tiêu",
    "targets.round_deleted": "Xóa đợt báo cáo chỉ tiêu",
    "targets.rule_saved": "Sửa cách xét tập thể, hạn đề nghị cá nhân",
    "targets.extension_granted": "Gia hạn báo cáo chỉ tiêu",
    "targets.values_saved": "Lưu giá trị chỉ tiêu",
    "targets.sent": "Gửi báo cáo chỉ tiêu",
    "targets.accepted": "Xác nhận giá trị chỉ tiêu",
    "targets.returned": "Trả lại giá trị chỉ tiêu",
    "targets.evidence_added": "Thêm minh chứng chỉ tiêu",
    "targets.evidence_removed": "Xóa minh chứng chỉ tiêu",
    "targets.imported": "Nhập số liệu chỉ tiêu từ tệp Excel/CSV",
}


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(sa.String(30))
    to_state: Mapped[str | None] = mapped_column(sa.String(30))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    actor = relationship("User", lazy="raise")
    unit = relationship("Unit", lazy="raise")

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def object_label(self) -> str:
        return OBJECT_LABELS.get(self.object_type, "Bản ghi")


# What each kind of record is called on the audit page.
OBJECT_LABELS = {
    "assignment": "Phân công chấm",
    "award_entry": "Dòng khen thưởng",
    "award_list": "Danh sách khen thưởng",
    "campaign": "Phong trào",
    "city_report": "Báo cáo UBND",
    "commendation_level": "Hình thức khen thưởng",
    "committee_member": "Thành viên Hội đồng",
    "criterion": "Tiêu chí chấm",
    "extension": "Gia hạn",
    "import_batch": "Lượt nhập dữ liệu",
    "initiative": "Đề xuất",
    "nomination": "Đề xuất trình lên cấp trên",
    "period_draft": "Báo cáo tổng kết giai đoạn",
    "target": "Chỉ tiêu thi đua",
    "target_round": "Đợt báo cáo chỉ tiêu",
    "target_value": "Giá trị chỉ tiêu",
    "outstanding_person": "Cá nhân xuất sắc",
    "unit": "Đơn vị",
    "user": "Tài khoản",
}


def record(
    action: str,
    *,
    actor=None,
    object_type: str,
    object_id: int | None,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        actor_id=actor.id if actor is not None else None,
        object_type=object_type,
        object_id=object_id,
        campaign_id=campaign_id,
        unit_id=unit_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details,
        at=at or utcnow(),
    )
    db.session.add(entry)
    return entry
