"""Targets of a campaign, the units' reported values and their evidence, the outstanding persons."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow
from thidua.units.models import Unit


class Measure(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    YES_NO = "yes_no"

    @property
    def label(self) -> str:
        return {"percent": "Tỷ lệ (%)", "count": "Số lượng", "yes_no": "Có/Không"}[self.value]


class Comparison(StrEnum):
    AT_LEAST = "ge"
    MORE_THAN = "gt"
    AT_MOST = "le"
    LESS_THAN = "lt"
    EQUAL = "eq"

    @property
    def sign(self) -> str:
        return {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}[self.value]

    @property
    def label(self) -> str:
        return {"ge": "Từ … trở lên (≥)", "gt": "Trên (>)", "le": "Không quá (≤)", "lt": "Dưới (<)",
                "eq": "Bằng (=)"}[self.value]

    def holds(self, value: Decimal, threshold: Decimal) -> bool:
        return {"ge": value >= threshold, "gt": value > threshold, "le": value <= threshold,
                "lt": value < threshold, "eq": value == threshold}[self.value]


class AppliesTo(StrEnum):
    UNITS = "units"
    INDIVIDUALS = "individuals"


class Automatic(StrEnum):
    """Targets the product fills itself from the unit's initiatives."""

    NONE = ""
    REGISTERED = "registered"  # the number of initiatives registered
    REPORTED = "reported"  # every registered initiative has its results report

    @property
    def label(self) -> str:
        return {"": "Đơn vị tự báo cáo", "registered": "Tự động: số mô hình, giải pháp, sáng kiến đã đăng ký",
                "reported": "Tự động: đã báo cáo kết quả mọi sáng kiến đã đăng ký"}[self.value]


class ValueState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return VALUE_STATE_LABELS[self]


# What can happen to a unit's value, by its state: the unit edits a draft or a returned one; the office accepts a
# sent one and returns a sent or accepted one (services.check_value; the pages show the same buttons).
VALUE_EDITABLE = frozenset({ValueState.DRAFT, ValueState.RETURNED})
VALUE_ACCEPTABLE = frozenset({ValueState.SENT})
VALUE_RETURNABLE = frozenset({ValueState.SENT, ValueState.ACCEPTED})
VALUE_STATE_LABELS = {
    ValueState.DRAFT: "Đang nhập",
    ValueState.SENT: "Đã gửi, chờ kiểm tra",
    ValueState.ACCEPTED: "Văn phòng đã xác nhận",
    ValueState.RETURNED: "Bị trả lại",
}


class RoundKind(StrEnum):
    REPORT = "report"
    YEAR = "year"
    QUARTER = "quarter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"report": "Cùng báo cáo Đợt 2", "year": "Báo cáo cuối năm", "quarter": "Báo cáo quý",
                "other": "Đợt báo cáo khác"}[self.value]


class TargetRound(db.Model):
    """A reporting round of the targets, with its own deadline (extensions per unit as for phases)."""

    __tablename__ = "target_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[str] = mapped_column(sa.String(20), default=RoundKind.REPORT.value)
    deadline: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("campaign_id", "name", name="uq_target_round_name"),)

    @property
    def kind_label(self) -> str:
        return RoundKind(self.kind).label


class Target(db.Model):
    """One chỉ tiêu: what is measured, the threshold that meets it, whom it applies to, in which round."""

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("target_round.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(500))
    area: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    measure: Mapped[str] = mapped_column(sa.String(12), default=Measure.PERCENT.value)
    comparison: Mapped[str] = mapped_column(sa.String(4), default=Comparison.AT_LEAST.value)
    threshold: Mapped[Decimal] = mapped_column(sa.Numeric(18, 4))
    applies_to: Mapped[str] = mapped_column(sa.String(12), default=AppliesTo.UNITS.value)
    # Comma-separated unit types and blocks the target applies to; empty: every participating unit.
    unit_types: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    blocks: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    mandatory: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    evidence_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    automatic: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    guidance: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    round: Mapped[TargetRound] = relationship(lazy="raise")

    @property
    def measure_enum(self) -> Measure:
        return Measure(self.measure)

    @property
    def comparison_enum(self) -> Comparison:
        return Comparison(self.comparison)

    @property
    def automatic_enum(self) -> Automatic:
        return Automatic(self.automatic)

    @property
    def type_list(self) -> list[str]:
        return [t for t in self.unit_types.split(",") if t]

    @property
    def block_list(self) -> list[str]:
        return [b for b in self.blocks.split(",") if b]

    def applies_to_unit(self, unit_type: str, block: str) -> bool:
        if self.applies_to != AppliesTo.UNITS.value:
            return False
        types, blocks = self.type_list, self.block_list
        return (not types or unit_type in types) and (not blocks or block in blocks)

    def is_met_by(self, value: Decimal | None) -> bool | None:
        """Whether `value` meets the target (None: no value)."""
        if value is None:
            return None
        return self.comparison_enum.holds(Decimal(value), Decimal(self.threshold))


class TargetValue(db.Model):
    """A unit's value for one target: drafted by the unit, sent by its head, checked by the office."""

    __tablename__ = "target_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("target.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    numerator: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    denominator: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    state: Mapped[str] = mapped_column(sa.String(12), default=ValueState.DRAFT.value)
    return_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    target: Mapped[Target] = relationship(lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("state", ValueState),
        sa.UniqueConstraint("target_id", "unit_id", name="uq_target_value_unit"),
        sa.Index("ix_target_value_campaign_unit", "campaign_id", "unit_id"),
    )

    @property
    def state_enum(self) -> ValueState:
        return ValueState(self.state)

    @property
    def editable(self) -> bool:
        return self.state in VALUE_EDITABLE

    @property
    def acceptable(self) -> bool:
        return self.state in VALUE_ACCEPTABLE

    @property
    def returnable(self) -> bool:
        return self.state in VALUE_RETURNABLE


class TargetEvidence(db.Model):
    """A file of evidence for a reported value or an outstanding person (the upload rules of Đợt 2)."""

    __tablename__ = "target_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    value_id: Mapped[int | None] = mapped_column(sa.ForeignKey("target_value.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outstanding_person.id", ondelete="CASCADE"),
                                                  index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("(value_id IS NULL) <> (person_id IS NULL)", name="evidence_of_one"),)


class RoundExtension(db.Model):
    """More time for one unit in one round of targets; the latest grant is the one in force."""

    __tablename__ = "round_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("target_round.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    until: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="raise")

    __table_args__ = (sa.Index("ix_round_extension_lookup", "round_id", "unit_id", "granted_at"),)


class PersonState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return PERSON_STATE_LABELS[self]


# What can happen to a proposed person, by its state: the unit edits a draft; the office takes in a sent (or once
# declined) one and declines a sent (or once taken) one (persons.decide_person; the pages show the same buttons).
PERSON_EDITABLE = frozenset({PersonState.DRAFT})
PERSON_ACCEPTABLE = frozenset({PersonState.SENT, PersonState.DECLINED})
PERSON_DECLINABLE = frozenset({PersonState.SENT, PersonState.ACCEPTED})
PERSON_STATE_LABELS = {
    PersonState.DRAFT: "Đang soạn",
    PersonState.SENT: "Đã gửi Văn phòng",
    PersonState.ACCEPTED: "Văn phòng đưa vào danh sách",
    PersonState.DECLINED: "Văn phòng không đưa vào danh sách",
}
RATING_LABELS = {
    "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
    "tot": "Hoàn thành tốt nhiệm vụ",
}


class OutstandingPerson(db.Model):
    """A person the unit proposes as outstanding (cá nhân xuất sắc, điển hình tiên tiến) to the office."""

    __tablename__ = "outstanding_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    job_title: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    rating: Mapped[str] = mapped_column(sa.String(20), default="tot")
    achievements: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # {target id (str): True/False}: the individual targets the person meets, as the unit states them.
    targets_met: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(sa.String(12), default=PersonState.DRAFT.value)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    unit: Mapped[Unit] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (one_of("state", PersonState), sa.Index("ix_outstanding_person_campaign", "campaign_id", "state"),)

    @property
    def editable(self) -> bool:
        return self.state in PERSON_EDITABLE

    @property
    def acceptable(self) -> bool:
        return self.state in PERSON_ACCEPTABLE

    @property
    def declinable(self) -> bool:
        return self.state in PERSON_DECLINABLE

    @property
    def state_label(self) -> str:
        return PERSON_STATE_LABELS.get(self.state, self.state)

    @property
    def rating_label(self) -> str:
        return RATING_LABELS.get(self.rating, self.rating)

    def targets_met_count(self, targets) -> int:
        """How many of the individual `targets` the unit states the person meets."""
        return sum(1 for t in targets if self.targets_met.get(str(t.id)))
