"""What the office and the operator need to see of the job machinery, on one page.

Read from the database (jobs by state, the lost ones) and, when REDIS_URL is set, from RQ
itself: whether Redis answers, the workers and what each is doing, whether a scheduler holds
the lock that runs RQ's retries and the timed reminders, the queue's length and RQ's registry
of failed jobs. Nothing here changes anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import QUEUE_NAME, WEB_DATABASE_KEY, _identity, _queue


@dataclass
class WorkerInfo:
    name: str
    state: str
    last_heartbeat: datetime | None
    current_job: str | None


@dataclass
class FailedInfo:
    rq_id: str
    ended_at: datetime | None
    error: str


@dataclass
class Health:
    jobs_by_status: dict[str, int]
    redis_configured: bool
    redis_error: str | None = None
    workers: list[WorkerInfo] = field(default_factory=list)
    scheduler: str | None = None
    queued_in_redis: int = 0
    failed_in_redis: int = 0
    failures: list[FailedInfo] = field(default_factory=list)
    database: str = ""
    web_database: str | None = None

    @property
    def problems(self) -> list[str]:
        """What is wrong, in words for the office; empty when all is well."""
        found = []
        if self.redis_error:
            found.append("Không kết nối được Redis: công việc đang chạy ngay trong tiến trình web.")
        elif self.redis_configured:
            if not self.workers:
                found.append("Không có worker nào đang chạy: công việc sẽ chờ mãi trong hàng đợi.")
            if self.scheduler is None:
                found.append("Không có bộ lập lịch (rq worker --with-scheduler): RQ sẽ không tự chạy lại "
                             "công việc lỗi.")
            if self.failed_in_redis:
                found.append(f"Có {self.failed_in_redis} công việc lỗi trong sổ của RQ.")
        if self.jobs_by_status.get(JobStatus.FAILED, 0):
            found.append(f"Có {self.jobs_by_status[JobStatus.FAILED]} công việc lỗi chờ chạy lại.")
        return found


def system_health(*, failures: int = 10) -> Health:
    counts = dict(db.session.execute(sa.select(Job.status, sa.func.count()).group_by(Job.status)).all())
    health = Health(jobs_by_status={status: counts.get(status.value, 0) for status in JobStatus},
                    redis_configured=bool(current_app.config.get("REDIS_URL")), database=_identity())
    if not health.redis_configured:
        return health
    from rq import Worker
    from rq.registry import FailedJobRegistry
    from rq.scheduler import RQScheduler

    try:
        queue = _queue(current_app.config["REDIS_URL"])
        connection = queue.connection
        health.workers = [
            WorkerInfo(worker.name, worker.get_state(), worker.last_heartbeat,
                       worker.get_current_job_id())
            for worker in Worker.all(queue=queue)
        ]
        holder = connection.get(RQScheduler.get_locking_key(QUEUE_NAME))
        health.scheduler = holder.decode() if holder else None
        health.queued_in_redis = queue.count
        registry = FailedJobRegistry(queue=queue)
        health.failed_in_redis = registry.count
        for rq_job in queue.job_class.fetch_many(registry.get_job_ids(0, failures - 1), connection=connection):
            if rq_job is None:
                continue
            result = rq_job.latest_result()
            text = (result.exc_string if result is not None else "") or ""
            last = text.strip().splitlines()[-1] if text.strip() else ""
            health.failures.append(FailedInfo(rq_job.id, rq_job.ended_at, last[:300]))
        web = connection.get(WEB_DATABASE_KEY)
        health.web_database = web.decode() if web else None
    except Exception as error:  # noqa: BLE001 - Redis away: say so on the page
        health.redis_error = str(error)[:300]
    return health
