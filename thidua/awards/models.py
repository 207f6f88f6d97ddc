"""The award proposal list (danh sách đề nghị khen thưởng) of a campaign."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db
from thidua.timeutil import utcnow

AWARD_LIST_STATUS_LABELS = {
    "draft": "Đang lập",
    "approved": "Lãnh đạo đã duyệt",
    "decided": "Đã có quyết định khen thưởng",
}
RECIPIENT_LABELS = {"tap_the": "Tập thể", "ca_nhan": "Cá nhân"}


class AwardList(db.Model):
    __tablename__ = "award_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]
    decision_number: Mapped[str] = mapped_column(sa.String(80), default="")  # "1234/QĐ-SGDĐT"
    decision_date: Mapped[date | None]
    decision_by: Mapped[str] = mapped_column(sa.String(255), default="")  # who signed the decision
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries: Mapped[list[AwardEntry]] = relationship(
        back_populates="award_list", order_by="AwardEntry.position", cascade="all, delete-orphan", lazy="raise"
    )
    approved_by = relationship("User", lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return AWARD_LIST_STATUS_LABELS.get(self.status, self.status)


class AwardEntry(db.Model):
    """One line of the list: who is proposed, for which initiative, with which form of commendation."""

    __tablename__ = "award_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_list_id: Mapped[int] = mapped_column(sa.ForeignKey("award_list.id", ondelete="CASCADE"), index=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    recipient_type: Mapped[str] = mapped_column(sa.String(10), default="tap_the")  # tap_the, ca_nhan
    recipient_name: Mapped[str] = mapped_column(sa.String(255), default="")
    recipient_title: Mapped[str] = mapped_column(sa.String(160), default="")  # chức vụ, for a person
    level_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commendation_level.id", ondelete="SET NULL"))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    award_list: Mapped[AwardList] = relationship(back_populates="entries", lazy="raise")
    initiative = relationship("Initiative", lazy="raise")
    level = relationship("CommendationLevel", lazy="raise")
