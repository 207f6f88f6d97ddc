"""What units are told: in-app notifications and the log of reminders sent."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow


class MailStatus(StrEnum):
    """Where a notification's e-mail is: only a person's notification has one."""

    PENDING = "pending"  # to be sent by the next delivery run
    SENDING = "sending"  # taken by a run; never sent again, even if that run died
    SENT = "sent"
    FAILED = "failed"


class ReminderStatus(StrEnum):
    """Where one reminder to one unit is (see thidua.notifications.services for the order of steps)."""

    PENDING = "pending"  # the row is written, nothing reached the unit yet
    SENDING = "sending"  # the notification is on the dashboard, the e-mail is on its way
    UNKNOWN = "unknown"  # a run died while sending: the e-mail may have left, never sent again
    SENT = "sent"
    IN_APP = "in_app"  # the notification only (no mail server, or no address)
    FAILED = "failed"

    @property
    def label(self) -> str:
        return REMINDER_STATUS_LABELS[self]


REMINDER_STATUS_LABELS = {
    ReminderStatus.PENDING: "Đang chờ gửi",
    ReminderStatus.SENDING: "Đang gửi thư",
    ReminderStatus.UNKNOWN: "Không rõ đã gửi thư hay chưa (cần kiểm tra)",
    ReminderStatus.SENT: "Đã gửi thư và thông báo",
    ReminderStatus.IN_APP: "Chỉ thông báo trên hệ thống",
    ReminderStatus.FAILED: "Gửi thư lỗi (đã có thông báo trên hệ thống)",
}


class Notification(db.Model):
    """A message on a unit's dashboard, or to one person of the unit about one event.

    A unit's notification (`user_id` empty: reminders, targets checked) shows to everyone of the unit.
    A person's (`user_id` set) says that something happened to one of the unit's initiatives; its
    `event_key` names that event, and the unique key makes a second notification of it impossible.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    event_key: Mapped[str | None] = mapped_column(sa.String(120))
    mail_status: Mapped[str | None] = mapped_column(sa.String(12))
    mail_error: Mapped[str | None] = mapped_column(sa.Text)
    mailed_at: Mapped[datetime | None]
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        sa.Index("ix_notification_unit_created", "unit_id", "created_at"),
        sa.Index("ix_notification_user_created", "user_id", "created_at"),
        sa.Index("ix_notification_mail_status", "mail_status"),
        sa.UniqueConstraint("user_id", "event_key", name="uq_notification_event_once"),
        one_of("mail_status", MailStatus),
    )


class ReminderLog(db.Model):
    """One reminder to one unit for one milestone; the unique key makes a second one impossible."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    phase: Mapped[str] = mapped_column(sa.String(20))
    # "d7:2024-08-25" (7 days before that deadline), "manual:<job id>", ...
    milestone: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(20), default=ReminderStatus.PENDING.value)
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    error: Mapped[str | None] = mapped_column(sa.Text)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        one_of("status", ReminderStatus),
        sa.UniqueConstraint("campaign_id", "unit_id", "phase", "milestone", name="uq_reminder_once"),
    )
