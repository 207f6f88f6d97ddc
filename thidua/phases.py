"""The two phases in which units submit (Đợt 1 registers, Đợt 2 reports), when each is open for a
unit, and the extensions that give one unit more time.

Below the workflow and the campaigns: the workflow checks a move against its phase's window, the
campaign pages show the windows, and neither needs the other for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.errors import DeadlinePassed
from thidua.extensions import db
from thidua.timeutil import end_of_day_utc, format_date, local_today, start_of_day_utc, to_local, utcnow

if TYPE_CHECKING:
    from thidua.campaigns.models import Campaign


class Phase(StrEnum):
    """The two phases in which units submit; each has its own deadline."""

    REGISTRATION = "registration"
    REPORT = "report"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]

    @property
    def noun(self) -> str:
        return PHASE_NOUNS[self]


PHASE_LABELS = {
    Phase.REGISTRATION: "Đợt 1 — Đăng ký",
    Phase.REPORT: "Đợt 2 — Báo cáo kết quả",
}
PHASE_NOUNS = {Phase.REGISTRATION: "đăng ký", Phase.REPORT: "báo cáo kết quả"}


class Extension(db.Model):
    """More time for one unit in one phase. The latest grant for a unit and phase is the one in force."""

    __tablename__ = "extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    phase: Mapped[str] = mapped_column(sa.String(20))
    until: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign = relationship("Campaign", lazy="raise")
    unit = relationship("Unit", lazy="raise")
    granted_by = relationship("User", lazy="raise")

    __table_args__ = (sa.Index("ix_extension_lookup", "campaign_id", "unit_id", "phase", "granted_at"),)

    @property
    def phase_enum(self) -> Phase:
        return Phase(self.phase)


@dataclass(frozen=True)
class PhaseWindow:
    """When one unit may act in one phase of a campaign."""

    campaign: Campaign
    phase: Phase
    opens_at: datetime  # UTC, inclusive
    deadline: date  # the campaign's deadline
    effective_deadline: date  # the deadline or this unit's extension, whichever is later
    extension: Extension | None

    @property
    def closes_at(self) -> datetime:
        """The first UTC moment at which the phase is closed for this unit."""
        return end_of_day_utc(self.effective_deadline, self.campaign.timezone)

    def is_open(self, now: datetime | None = None) -> bool:
        moment = now or utcnow()
        if moment < self.opens_at:
            return False
        return moment < self.closes_at

    def check(self, now: datetime | None = None) -> None:
        moment = now or utcnow()
        if moment < self.opens_at:
            starts = to_local(self.opens_at, self.campaign.timezone).date()
            raise DeadlinePassed(
                f"Phong trào chưa bắt đầu nhận {self.phase.noun} (bắt đầu từ ngày {format_date(starts)})."
            )
        if moment >= self.closes_at:
            raise DeadlinePassed(
                f"Đã hết hạn {self.phase.noun} (ngày {format_date(self.effective_deadline)}); "
                "đơn vị cần được Bộ phận Thường trực CCHC gia hạn."
            )

    def days_left(self, now: datetime | None = None) -> int:
        return (self.effective_deadline - local_today(self.campaign.timezone, now=now)).days


# The queries every form sent by a unit runs, built once per process (functools.cache) and run with their
# values as parameters: SQLAlchemy finds a reused statement's compiled form without rebuilding the statement
# and its cache key, which is about half the CPU of a small query.

@cache
def _extension_queries() -> tuple[sa.Select, sa.Select]:
    latest = (
        sa.select(Extension)
        .where(Extension.campaign_id == sa.bindparam("campaign_id"), Extension.unit_id == sa.bindparam("unit_id"),
               Extension.phase == sa.bindparam("phase"))
        .order_by(Extension.granted_at.desc(), Extension.id.desc())
        .limit(1)
    )
    in_force = (
        sa.select(Extension)
        .where(Extension.campaign_id.in_(sa.bindparam("campaign_ids", expanding=True)),
               Extension.unit_id == sa.bindparam("unit_id"))
        .order_by(Extension.granted_at, Extension.id)
    )
    return latest, in_force


def current_extension(campaign_id: int, unit_id: int, phase: Phase) -> Extension | None:
    latest, _ = _extension_queries()
    return db.session.scalar(latest, {"campaign_id": campaign_id, "unit_id": unit_id, "phase": phase.value})


def extensions_in_force(campaign_ids, unit_id: int) -> dict[tuple[int, str], Extension]:
    """The latest extension per (campaign, phase) for one unit, in one query."""
    campaign_ids = list(campaign_ids)
    if not campaign_ids:
        return {}
    _, in_force = _extension_queries()
    rows = db.session.scalars(in_force, {"campaign_ids": campaign_ids, "unit_id": unit_id})
    return {(ext.campaign_id, ext.phase): ext for ext in rows}


def make_window(campaign: Campaign, phase: Phase, extension: Extension | None) -> PhaseWindow:
    deadline = campaign.deadline(phase)
    effective = max(deadline, extension.until) if extension else deadline
    # Đợt 1 opens at the launch; Đợt 2 (carrying out and reporting) once Đợt 1 is over.
    if phase is Phase.REGISTRATION:
        opens_at = start_of_day_utc(campaign.launch_date, campaign.timezone)
    else:
        opens_at = end_of_day_utc(campaign.registration_deadline, campaign.timezone)
    return PhaseWindow(campaign, phase, opens_at, deadline, effective, extension)


def phase_window(campaign: Campaign | int, unit_id: int, phase: Phase) -> PhaseWindow:
    """The unit's window in one phase, with the extension in force.

    `campaign`: the campaign or its id; an id is read from the session's identity map when the
    campaign is already loaded (no query), as `Session.get` does.
    """
    if isinstance(campaign, int):
        campaign = db.session.get(Extension.campaign.property.mapper.class_, campaign)
    return make_window(campaign, phase, current_extension(campaign.id, unit_id, phase))
