"""The committee's work: members, the rubric, commendation levels, assignments and scores."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow
from thidua.workflow import State


class ReviewStatus(StrEnum):
    """A reviewer's scores: a draft until submitted; reopened (back to draft) only by the secretariat."""

    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return REVIEW_STATUS_LABELS[self]


REVIEW_STATUS_LABELS = {ReviewStatus.DRAFT: "Bản nháp", ReviewStatus.SUBMITTED: "Đã gửi"}


class CommitteeMember(db.Model):
    """A reviewer (thành viên Hội đồng) of one campaign; one of them chairs."""

    __tablename__ = "committee_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("campaign_id", "user_id", name="uq_committee_member"),)


class Criterion(db.Model):
    """One line of the rubric (tiêu chí), with its maximum and what earns low, middle and high marks."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(255))
    max_score: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text, default="")
    low: Mapped[str] = mapped_column(sa.Text, default="")
    middle: Mapped[str] = mapped_column(sa.Text, default="")
    high: Mapped[str] = mapped_column(sa.Text, default="")
    # [{"min": 27, "max": 30, "label": "Hoàn toàn mới"}, ...] shown beside the score box.
    bands: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)


class CommendationLevel(db.Model):
    """A form of commendation the campaign proposes (Bằng khen của Chủ tịch UBND Thành phố, Giấy khen ...)."""

    __tablename__ = "commendation_level"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(255))
    min_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    max_count: Mapped[int | None]
    # Who decides it: the campaign's organiser itself (Giấy khen của Giám đốc Sở), or a higher authority
    # the organiser proposes to (Bằng khen của Chủ tịch UBND Thành phố), whose decision comes back later.
    proposed_upward: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    authority: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")  # "UBND Thành phố"

    def authority_name(self, organiser_name: str) -> str:
        """The deciding body's name: the level's own, else the organiser's."""
        return self.authority or organiser_name


class Assignment(db.Model):
    """One reviewer asked to score one initiative."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    method: Mapped[str] = mapped_column(sa.String(10), default="auto")  # auto, manual
    # A declared conflict ends the assignment (and frees the initiative for someone else).
    conflict_reason: Mapped[str | None] = mapped_column(sa.Text)
    conflict_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewer = relationship("User", foreign_keys=[reviewer_id], lazy="raise")
    initiative = relationship("Initiative", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("initiative_id", "reviewer_id", name="uq_assignment_pair"),)

    @property
    def active(self) -> bool:
        return self.conflict_at is None


class Review(db.Model):
    """A reviewer's scores for one assignment: a draft until submitted; reopened only by the secretariat."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=ReviewStatus.DRAFT.value)
    total: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship(lazy="raise")
    scores: Mapped[list[CriterionScore]] = relationship(back_populates="review", cascade="all, delete-orphan",
                                                        lazy="raise")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (one_of("status", ReviewStatus),)


class CriterionScore(db.Model):
    __tablename__ = "criterion_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("review.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id", ondelete="CASCADE"))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("review_id", "criterion_id", name="uq_criterion_score"),)


class Standing(db.Model):
    """An initiative's place in the committee's ranking: its review counts and means, kept up to date.

    Kept by `thidua.review.standing` after every flush that changes an assignment, a review, a
    rubric or an initiative's state; a row exists while the initiative is in a ranked state. The
    ranking page reads a page of these rows in the ranking's order instead of averaging every score
    of the campaign on each request.
    """

    __tablename__ = "initiative_standing"

    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"),
                                               primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(20))
    registered_at: Mapped[datetime | None]
    assigned: Mapped[int] = mapped_column(default=0)  # active assignments
    reviews: Mapped[int] = mapped_column(default=0)  # submitted reviews of active assignments
    mean: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))  # mean total, rounded half up
    first_mean: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))  # mean of the rubric's first criterion
    low: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    high: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    criterion_means: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)  # {"criterion id": "12.50"}

    __table_args__ = (
        one_of("status", State),
        sa.Index("ix_initiative_standing_campaign_status", "campaign_id", "status"),
        # The ranking's order (see ranking.TIE_BREAK), so that a page of it is read from the index.
        # PostgreSQL only: SQLite cannot put NULLS LAST in an index (and sorts its small campaigns fast).
        sa.Index("ix_initiative_standing_rank", "campaign_id", sa.text("mean DESC NULLS LAST"),
                 sa.text("first_mean DESC NULLS LAST"), sa.text("low DESC NULLS LAST"),
                 sa.text("registered_at NULLS LAST"), "initiative_id").ddl_if(dialect="postgresql"),
    )
