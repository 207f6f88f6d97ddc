"""A lower level's initiative proposed to the campaign of the level above, and what became of it."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow


class NominationState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return NOMINATION_STATE_LABELS[self]


NOMINATION_STATE_LABELS = {
    NominationState.PROPOSED: "Chờ xem xét",
    NominationState.ACCEPTED: "Đã tiếp nhận",
    NominationState.DECLINED: "Không tiếp nhận",
}


class Nomination(db.Model):
    """One initiative of a lower campaign proposed to the upper campaign it feeds.

    `source` is the lower level's initiative, with its committee's scores and decision; once the
    upper secretariat accepts it, `initiative` is its registration in the upper campaign, reviewed
    there like the upper level's own.
    """

    __tablename__ = "nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=NominationState.PROPOSED)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    initiative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("initiative.id"), unique=True)

    campaign = relationship("Campaign", lazy="raise")
    source = relationship("Initiative", foreign_keys=[source_id], lazy="raise")
    initiative = relationship("Initiative", foreign_keys=[initiative_id], lazy="raise")

    __table_args__ = (one_of("state", NominationState), sa.UniqueConstraint("campaign_id", "source_id"),)

    @property
    def state_label(self) -> str:
        return NominationState(self.state).label
