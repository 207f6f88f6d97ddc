"""Campaigns, their participants, and per-unit extensions."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db
from thidua.phases import Phase
from thidua.text import campaign_phrase
from thidua.timeutil import DEFAULT_TZ, end_of_day_utc, utcnow
from thidua.units.models import Unit


class Campaign(db.Model):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    year: Mapped[int] = mapped_column(index=True)
    period: Mapped[str] = mapped_column(sa.String(40), default="")  # "2023–2025"
    plan_reference: Mapped[str] = mapped_column(sa.String(255), default="")  # "Kế hoạch số .../KH-SGDĐT"
    description: Mapped[str] = mapped_column(sa.Text, default="")
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # The campaign of the level above that this one feeds ("trình lên cấp trên"), and, on the
    # upper campaign, which of the lower levels' initiatives it takes: awarded or shortlisted.
    feeds_campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    nominations_from: Mapped[str] = mapped_column(sa.String(20), default="awarded", server_default="awarded")
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TZ)
    launch_date: Mapped[date]
    registration_deadline: Mapped[date]
    report_deadline: Mapped[date]
    # By when the committee scores (its reviewers' home pages count the days); None: the city report's.
    review_deadline: Mapped[date | None]
    city_report_deadline: Mapped[date | None]
    min_initiatives_per_unit: Mapped[int] = mapped_column(default=1)
    # How collectives are judged for the award list's "I. Tập thể" (thidua.targets.judging), and the
    # deadline by which units propose their outstanding persons (None: not asked).
    collective_rule: Mapped[str] = mapped_column(sa.String(20), default="targets", server_default="targets")
    individuals_deadline: Mapped[date | None]
    # Review settings: reviewers per initiative, blind review, and the spread of totals
    # (points) above which the committee discusses an initiative.
    reviewers_per_initiative: Mapped[int] = mapped_column(default=3, server_default="3")
    blind_review: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    disagreement_threshold: Mapped[int] = mapped_column(default=15, server_default="15")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organiser: Mapped[Unit] = relationship(lazy="joined")
    feeds: Mapped[Campaign | None] = relationship(remote_side=[id], lazy="raise")

    __table_args__ = (
        sa.CheckConstraint("launch_date <= registration_deadline", name="registration_after_launch"),
        sa.CheckConstraint("registration_deadline <= report_deadline", name="report_after_registration"),
    )

    def deadline(self, phase: Phase) -> date:
        return self.registration_deadline if phase is Phase.REGISTRATION else self.report_deadline

    def is_late(self, phase: Phase, moment: datetime | None) -> bool:
        """Sent (a naive UTC moment) after the end of the phase's deadline day, in the campaign's zone.

        An extension lets a unit send late; it does not make what it sent on time.
        """
        return moment is not None and moment >= end_of_day_utc(self.deadline(phase), self.timezone)

    @property
    def in_sentence(self) -> str:
        """The campaign named inside a sentence: "trong {campaign.in_sentence}" (thidua.text.campaign_phrase)."""
        return campaign_phrase(self.name)

    def __repr__(self) -> str:
        return f"<Campaign {self.year} {self.name!r}>"


class CampaignUnit(db.Model):
    """A unit that takes part in a campaign (and so must register and report), with its progress.

    The progress columns are kept by `thidua.progress` from the unit's initiatives after
    every flush that changes them; nothing else writes them.
    """

    __tablename__ = "campaign_unit"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), primary_key=True, index=True)

    registered_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reported_count: Mapped[int] = mapped_column(default=0, server_default="0")
    draft_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_activity_at: Mapped[datetime | None]
    # When the unit reached the campaign's minimum of registered initiatives (the minimum-th one's
    # registration), and when it had sent the results report of every registered initiative (the
    # last report's submission); None while the phase is not done.
    registration_done_at: Mapped[datetime | None]
    report_done_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(lazy="raise")
