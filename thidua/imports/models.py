"""Google Forms answers brought into a campaign: the uploaded file, and where each record came from."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow


class BatchStatus(StrEnum):
    CHECKED = "checked"
    IMPORTED = "imported"

    @property
    def label(self) -> str:
        return BATCH_STATUS_LABELS[self]


BATCH_STATUS_LABELS = {
    BatchStatus.CHECKED: "Đã kiểm tra, chưa nhập",
    BatchStatus.IMPORTED: "Đã nhập",
}


class ImportBatch(db.Model):
    """One uploaded export: what it holds, how its columns map, and which units the user chose."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # registration | report
    filename: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    day_first: Mapped[bool] = mapped_column(default=True)
    # The field of each column, by position ("" = not imported).
    mapping: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Typed unit name (exact_key) -> unit id chosen by the user, 0 for "skip these rows".
    unit_choices: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(20), default=BatchStatus.CHECKED.value)
    counts: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    imported_at: Mapped[datetime | None]
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))  # the latest import run

    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise")
    imported_by = relationship("User", foreign_keys=[imported_by_id], lazy="raise")

    __table_args__ = (one_of("status", BatchStatus),)

    @property
    def status_label(self) -> str:
        return BATCH_STATUS_LABELS.get(self.status, self.status)


class ImportedRecord(db.Model):
    """A record made from one answer: the file, the row, the moment it was sent.

    `source_key` makes importing idempotent: one registration per (unit, title) and one
    report per initiative, whatever file or row they come from.
    """

    __tablename__ = "imported_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    source_key: Mapped[str] = mapped_column(sa.String(80))
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    row_number: Mapped[int]
    submitted_at: Mapped[datetime]  # the form's timestamp, UTC
    # Earlier answers of the same unit for the same record, replaced by this one (row numbers).
    superseded_rows: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    answers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)  # question -> answer, as sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    batch: Mapped[ImportBatch] = relationship(lazy="raise")

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "kind", "source_key", name="uq_imported_record_source"),
    )
