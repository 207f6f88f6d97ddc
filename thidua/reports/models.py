"""The report to UBND Thành phố: the office's editable draft and the versions generated from it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from thidua.extensions import db
from thidua.timeutil import utcnow

# The narrative sections the office writes (Markdown), in the order the report prints them.
NARRATIVE_SECTIONS = {
    "intro": "Mở đầu (căn cứ, mục đích)",
    "deployment": "I. Công tác triển khai",
    "assessment": "III.1. Đánh giá chung: ưu điểm",
    "limitations": "III.2. Tồn tại, hạn chế và nguyên nhân",
    "proposals": "IV. Phương hướng, đề xuất, kiến nghị",
}


class SignedDraft:
    """What every report the office edits before printing carries: its number, recipients and signer,
    who saved it last, and a version so that a save based on an old one is refused."""

    version: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(sa.String(80), default="")  # "Số: 125/BC-SGDĐT" without "Số: "
    recipients: Mapped[str] = mapped_column(sa.Text, default="")  # one per line
    signer_title: Mapped[str] = mapped_column(sa.String(160), default="")  # lines, e.g. "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    signer_name: Mapped[str] = mapped_column(sa.String(160), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class ReportDraft(SignedDraft, db.Model):
    """What the office may edit before generating: the number, the narrative, the recipients, the signer."""

    __tablename__ = "report_draft"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    intro: Mapped[str] = mapped_column(sa.Text, default="")
    deployment: Mapped[str] = mapped_column(sa.Text, default="")
    assessment: Mapped[str] = mapped_column(sa.Text, default="")
    limitations: Mapped[str] = mapped_column(sa.Text, default="")
    proposals: Mapped[str] = mapped_column(sa.Text, default="")

    def snapshot(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in
                ("number", *NARRATIVE_SECTIONS, "recipients", "signer_title", "signer_name")}


class CityReport(db.Model):
    """One generated version of the report: its files, when its data were taken, and its job."""

    __tablename__ = "city_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()  # 1, 2, 3 … within the campaign
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))
    draft: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # the draft as it was when asked for
    headline: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)  # the main figures, for the versions list
    data_taken_at: Mapped[datetime | None]
    docx_key: Mapped[str | None] = mapped_column(sa.String(120))
    docx_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    xlsx_key: Mapped[str | None] = mapped_column(sa.String(120))
    xlsx_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    job = relationship("Job", lazy="raise")
    created_by = relationship("User", lazy="raise")

    __table_args__ = (sa.UniqueConstraint("campaign_id", "number"),)

    @property
    def ready(self) -> bool:
        return bool(self.docx_key and self.xlsx_key)


PERIOD_SECTIONS = {
    "assessment": "V. Đánh giá chung",
    "proposals": "VI. Phương hướng, đề xuất, kiến nghị",
}


class PeriodDraft(SignedDraft, db.Model):
    """What the office edits on the period summary before printing it: number, narrative, recipients, signer."""

    __tablename__ = "period_draft"

    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(40), primary_key=True)  # "2023–2025", as the campaigns say
    assessment: Mapped[str] = mapped_column(sa.Text, default="")
    proposals: Mapped[str] = mapped_column(sa.Text, default="")
