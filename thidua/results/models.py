"""Đợt 2: the results report of an initiative, its indicators and its evidence files."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db
from thidua.registration.models import Initiative
from thidua.timeutil import utcnow

SELF_ASSESSMENT_LABELS = {
    "xuat_sac": "Hoàn thành xuất sắc",
    "tot": "Hoàn thành tốt",
    "hoan_thanh": "Hoàn thành",
    "chua_hoan_thanh": "Chưa hoàn thành",
}

PROGRESS_LABELS = {
    "hoan_thanh": "Đã hoàn thành",
    "dang_thuc_hien": "Đang thực hiện, đúng tiến độ",
    "cham_tien_do": "Chậm tiến độ",
}


class ResultReport(db.Model):
    """The unit's report on what an initiative achieved (the plan's "mẫu báo cáo kết quả")."""

    __tablename__ = "result_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    progress: Mapped[str] = mapped_column(sa.String(20), default="")
    achievements: Mapped[str] = mapped_column(sa.Text, default="")
    effect_citizens: Mapped[str] = mapped_column(sa.Text, default="")
    effect_unit: Mapped[str] = mapped_column(sa.Text, default="")
    novelty: Mapped[str] = mapped_column(sa.Text, default="")
    replication_within: Mapped[str] = mapped_column(sa.Text, default="")
    replication_units: Mapped[str] = mapped_column(sa.Text, default="")
    difficulties: Mapped[str] = mapped_column(sa.Text, default="")
    proposals: Mapped[str] = mapped_column(sa.Text, default="")
    actual_budget: Mapped[str] = mapped_column(sa.String(255), default="")
    self_assessment: Mapped[str] = mapped_column(sa.String(20), default="")
    people_in_charge: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_links: Mapped[str] = mapped_column(sa.Text, default="")  # one address per line
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]

    initiative: Mapped[Initiative] = relationship(lazy="raise")
    indicators: Mapped[list[ReportIndicator]] = relationship(
        back_populates="report", order_by="ReportIndicator.position", cascade="all, delete-orphan", lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def self_assessment_label(self) -> str:
        return SELF_ASSESSMENT_LABELS.get(self.self_assessment, "")

    @property
    def progress_label(self) -> str:
        return PROGRESS_LABELS.get(self.progress, "")


class ReportIndicator(db.Model):
    """One measured result: before and after, in a unit of measure, so figures can be summed and charted."""

    __tablename__ = "report_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("result_report.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(255))
    unit_of_measure: Mapped[str] = mapped_column(sa.String(60), default="")
    before: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    after: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    source: Mapped[str] = mapped_column(sa.String(255), default="")

    report: Mapped[ResultReport] = relationship(back_populates="indicators", lazy="raise")


class EvidenceFile(db.Model):
    """A file of evidence (minh chứng), stored under a generated key outside the web root."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by = relationship("User", lazy="raise")
