"""Background jobs the office starts (reminders, reports, imports), with their progress."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thidua.extensions import db, one_of
from thidua.timeutil import utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return JOB_STATUS_LABELS[self]


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: "Đang chờ",
    JobStatus.RUNNING: "Đang chạy",
    JobStatus.DONE: "Đã xong",
    JobStatus.FAILED: "Lỗi",
}


ACTIVE_CONDITION = "status IN ('queued', 'running') AND exclusive_key IS NOT NULL"


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), index=True)
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(20), default=JobStatus.QUEUED.value, index=True)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    rq_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it last went into the queue (created or retried): one waiting longer than
    # JOB_START_SECONDS was taken by no process and is marked failed.
    queued_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # Written every few seconds by the process running the job: a RUNNING job whose heartbeat has
    # stopped belongs to a process that died (SIGKILL, out of memory, a restart).
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Jobs sharing a key never wait or run at the same time (e.g. "send_reminders:12:registration"):
    # the database refuses a second one while one is queued or running (the partial unique index).
    exclusive_key: Mapped[str | None] = mapped_column(sa.String(120))

    created_by = relationship("User", lazy="raise")

    __table_args__ = (
        one_of("status", JobStatus),
        sa.Index("uq_job_exclusive_key_active", "exclusive_key", unique=True,
                 postgresql_where=sa.text(ACTIVE_CONDITION), sqlite_where=sa.text(ACTIVE_CONDITION)),
    )

    @property
    def status_enum(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
