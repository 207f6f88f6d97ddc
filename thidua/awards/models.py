"""The award proposal list (danh sách đề nghị khen thưởng) of a campaign."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow


class AwardListStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return AWARD_LIST_STATUS_LABELS[self]


AWARD_LIST_STATUS_LABELS = {
    AwardListStatus.DRAFT: "Đang lập",
    AwardListStatus.SUBMITTED: "Đã trình lãnh đạo duyệt",
    AwardListStatus.APPROVED: "Lãnh đạo đã duyệt",
    AwardListStatus.DECIDED: "Đã có quyết định khen thưởng",
}
# From submission on, the levels, their thresholds and the rubric the list rests on are frozen.
FROZEN_STATUSES = frozenset({AwardListStatus.SUBMITTED, AwardListStatus.APPROVED, AwardListStatus.DECIDED})
RECIPIENT_LABELS = {"tap_the": "Tập thể", "ca_nhan": "Cá nhân"}


class AwardList(db.Model):
    __tablename__ = "award_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=AwardListStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    # The leader's comments when returning the list to the secretariat (kept until it is submitted again).
    returned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    returned_at: Mapped[datetime | None]
    return_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Collectives the office took off the proposal of the campaign's rule, with its note: {unit id: note}.
    excluded_units: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries: Mapped[list[AwardEntry]] = relationship(
        back_populates="award_list", order_by="AwardEntry.position", cascade="all, delete-orphan", lazy="raise"
    )
    decisions: Mapped[list[AwardDecision]] = relationship(
        back_populates="award_list", order_by="AwardDecision.id", cascade="all, delete-orphan", lazy="raise"
    )
    approved_by = relationship("User", foreign_keys=[approved_by_id], lazy="raise")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id], lazy="raise")
    returned_by = relationship("User", foreign_keys=[returned_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (one_of("status", AwardListStatus),)

    @property
    def status_label(self) -> str:
        return AWARD_LIST_STATUS_LABELS.get(self.status, self.status)

    @property
    def reopenable(self) -> bool:
        """Back to a draft: a submitted or approved list before any decision (the decisions loaded)."""
        return self.status in (AwardListStatus.SUBMITTED, AwardListStatus.APPROVED) and not self.decisions


BASIS_LABELS = {"initiative": "Sáng kiến", "targets": "Chỉ tiêu thi đua", "person": "Cá nhân xuất sắc"}


class AwardEntry(db.Model):
    """One line of the list: who is proposed, on what basis, with which form of commendation.

    The basis is an initiative (its authors), a collective judged on the campaign's targets (a unit),
    or an outstanding person proposed by a unit; exactly one of the three is set.
    """

    __tablename__ = "award_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_list_id: Mapped[int] = mapped_column(sa.ForeignKey("award_list.id", ondelete="CASCADE"), index=True)
    basis: Mapped[str] = mapped_column(sa.String(12), default="initiative", server_default="initiative")
    initiative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"),
                                                      unique=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outstanding_person.id", ondelete="CASCADE"),
                                                  unique=True)
    # Why the line is proposed (the targets met, the person's achievements), as shown to the leader;
    # `manual`: a collective the office added beyond the rule (its note says why).
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    manual: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    position: Mapped[int] = mapped_column(default=0)
    recipient_type: Mapped[str] = mapped_column(sa.String(10), default="tap_the")  # tap_the, ca_nhan
    recipient_name: Mapped[str] = mapped_column(sa.String(255), default="")
    recipient_title: Mapped[str] = mapped_column(sa.String(160), default="")  # chức vụ, for a person
    level_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commendation_level.id", ondelete="SET NULL"))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    award_list: Mapped[AwardList] = relationship(back_populates="entries", lazy="raise")
    initiative = relationship("Initiative", lazy="raise")
    unit = relationship("Unit", lazy="raise")
    person = relationship("OutstandingPerson", lazy="raise")
    level = relationship("CommendationLevel", lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("award_list_id", "unit_id", name="uq_award_entry_unit"),
        sa.CheckConstraint("(CASE WHEN initiative_id IS NULL THEN 0 ELSE 1 END + CASE WHEN unit_id IS NULL THEN 0 "
                           "ELSE 1 END + CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) = 1", name="entry_basis_one"),
    )

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, self.basis)

    @property
    def unit_name(self) -> str:
        """The unit of the line (its initiative's, itself, or the person's), loaded by load_award_list."""
        if self.initiative_id is not None:
            return self.initiative.unit.name
        if self.unit_id is not None:
            return self.unit.name
        return self.person.unit.name


class AwardDecision(db.Model):
    """The decision (quyết định khen thưởng) for one form of commendation of an approved list.

    Each form has its own deciding authority: the organiser decides its own Giấy khen; a Bằng khen of
    UBND Thành phố is decided there, later. The level's name is kept as decided.
    """

    __tablename__ = "award_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_list_id: Mapped[int] = mapped_column(sa.ForeignKey("award_list.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("commendation_level.id"), index=True)
    level_name: Mapped[str] = mapped_column(sa.String(255))
    authority: Mapped[str] = mapped_column(sa.String(255))  # "Sở Giáo dục và Đào tạo Hà Nội", "UBND Thành phố"
    number: Mapped[str] = mapped_column(sa.String(80))  # "1234/QĐ-SGDĐT"
    decided_on: Mapped[date]
    signer: Mapped[str] = mapped_column(sa.String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    award_list: Mapped[AwardList] = relationship(back_populates="decisions", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("award_list_id", "level_id", name="uq_award_decision_level"),)

    @property
    def citation(self) -> str:
        return f"Quyết định số {self.number} ngày {self.decided_on:%d/%m/%Y} của {self.authority}"


def decided_initiatives():
    """Initiative ids whose line's form of commendation has a recorded decision (a subquery)."""
    return (sa.select(AwardEntry.initiative_id).where(AwardEntry.initiative_id.is_not(None))
            .join(AwardDecision, sa.and_(AwardDecision.award_list_id == AwardEntry.award_list_id,
                                         AwardDecision.level_id == AwardEntry.level_id)))
