"""Starting jobs and running them.

A job is a row (`Job`) that records what was asked, its progress and its outcome, and a
handler registered under the job's kind. `start_job` creates the row; the caller
commits; `dispatch` then hands the job to RQ (REDIS_URL set) or runs it in this
process. Dispatching only after the commit means a worker never looks for a row that
is not there yet.

Handlers receive the job and a `Progress`; long handlers commit their work item by
item, so that a crash loses at most the item in hand and a rerun skips what is done.

A process that dies while running a job (SIGKILL, out of memory, a host restart) cannot
record anything. While a job runs, a thread of its process writes `heartbeat_at`;
`sweep_stale_jobs` marks a RUNNING job silent for JOB_STALE_SECONDS as failed, so its
page shows what happened and the retry button instead of "running" for ever. A job can also
be lost before it starts (a worker killed after taking it from Redis, no worker running, a
worker on another database): one still QUEUED JOB_START_SECONDS after it was queued is marked
failed the same way. A process starts a job only by claiming it (one UPDATE from queued or
failed to running), so a late copy of a job that was retried meanwhile never runs it twice at once.
"""
from __future__ import annotations

import logging
import os
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from flask import current_app

from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.timeutil import utcnow

log = logging.getLogger(__name__)

QUEUE_NAME = "thidua"
# Where the web records which database its jobs belong to (see database_identity).
WEB_DATABASE_KEY = "thidua:web-database"
Handler = Callable[[Job, "Progress"], dict[str, Any] | None]
# The function that does the work of each kind of job, filled by thidua.stages.wire() (create_app).
HANDLERS: dict[str, Handler] = {}


class JobRefused(Exception):
    """A handler's refusal, for people: recorded as its message alone, and not retried."""


class Progress:
    """Reports progress of a running job to its row (committed, so the page sees it)."""

    def __init__(self, job: Job):
        self.job = job

    def start(self, total: int, message: str = "") -> None:
        self.job.total = total
        self.job.done = 0
        if message:
            self.job.message = message[:500]
        db.session.commit()

    def advance(self, steps: int = 1, message: str | None = None) -> None:
        self.job.done = min(self.job.total or self.job.done + steps, self.job.done + steps)
        if message is not None:
            self.job.message = message[:500]
        db.session.commit()


def job_campaign(job: Job):
    """The campaign a job is about (params["campaign_id"], else the job's own), or LookupError."""
    from thidua.campaigns.models import Campaign

    campaign_id = (job.params or {}).get("campaign_id", job.campaign_id)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
    if campaign is None:
        raise LookupError(f"Không tìm thấy phong trào #{campaign_id} (có thể đã bị xoá).")
    return campaign


def start_job(kind: str, *, actor=None, title: str = "", campaign_id: int | None = None,
              exclusive: str | None = None, **params) -> Job:
    """Record a job to run; dispatch it after the caller's commit.

    `exclusive`: a key no other queued or running job may hold; the flush raises IntegrityError if one
    does (the database decides, however many requests start the job at once)."""
    if kind not in HANDLERS:
        raise KeyError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, title=title, params=params, campaign_id=campaign_id, exclusive_key=exclusive,
              created_by_id=actor.id if actor is not None else None, status=JobStatus.QUEUED.value)
    db.session.add(job)
    db.session.flush()
    return job


def database_identity() -> str:
    """Which database this process writes to, the same whatever host name or password reaches it:
    PostgreSQL's cluster identifier and database name; SQLite's absolute file path."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            cluster, name = connection.execute(sa.text(
                "SELECT (SELECT system_identifier FROM pg_control_system()), current_database()")).one()
        return f"postgresql:{cluster}/{name}"
    return f"{engine.dialect.name}:{os.path.realpath(engine.url.database or ':memory:')}"


def dispatch(job: Job) -> None:
    """Hand a committed job to the queue, or run it here when there is no queue (or it is down)."""
    job_id = job.id
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            queue = _queue(redis_url)
            identity = _identity()
            queue.connection.set(WEB_DATABASE_KEY, identity)
            rq_job = queue.enqueue(
                "thidua.jobs.runner.run_job", job_id, database=identity, job_id=f"thidua-job-{job_id}",
                job_timeout=current_app.config.get("JOB_TIMEOUT", 1800),
                retry=_retry(), failure_ttl=7 * 24 * 3600,
            )
        except Exception as error:  # noqa: BLE001 - any failure to reach Redis
            log.warning("queue unavailable (%s); running job %s in this process", error, job_id)
        else:
            job.rq_job_id = rq_job.id
            db.session.commit()
            return
    if current_app.config.get("JOBS_IN_PROCESS", "thread") == "sync":
        run_job_here(current_app._get_current_object(), job_id)
        # The job ran in a session of its own: end this session's transaction (the caller has committed),
        # so that what the job wrote is what the caller reads next.
        db.session.rollback()
    else:
        app = current_app._get_current_object()
        threading.Thread(target=run_job_here, args=(app, job_id), name=f"job-{job_id}", daemon=True).start()


def _identity() -> str:
    """database_identity(), asked once per process (it does not change while the process lives)."""
    identity = current_app.extensions.get("thidua.database_identity")
    if identity is None:
        identity = current_app.extensions["thidua.database_identity"] = database_identity()
    return identity


def _queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
    return Queue(QUEUE_NAME, connection=connection)


def _retry():
    from rq import Retry

    return Retry(max=2, interval=[10, 60])


def run_job_here(app, job_id: int) -> None:
    with app.app_context():
        execute(job_id, reraise=False)


def execute(job_id: int, *, reraise: bool = True) -> None:
    """Run one job: mark it running, call its handler, record the result or the error.

    A failure is recorded on the row (the page shows it, with a retry button); it is
    raised again for RQ, whose retry policy then runs the job once more.
    """
    now = utcnow()
    try:
        claimed = db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED.value, JobStatus.FAILED.value]))
            .values(status=JobStatus.RUNNING.value, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now,
                    error=None)
        ).rowcount
        db.session.commit()
    except IntegrityError:
        # A failed exclusive job run again while another job with its key is queued or running: that one
        # does the work; this one stays failed and says why.
        db.session.rollback()
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(
            status=JobStatus.FAILED.value, finished_at=now,
            message="Không chạy lại: một công việc cùng loại đang chạy.",
            error="Một công việc cùng loại của cùng phong trào và đợt đang chờ hoặc đang chạy."))
        db.session.commit()
        return
    if not claimed:
        return  # gone, finished by an earlier attempt, or running in another process
    job = db.session.get(Job, job_id)
    heartbeat = Heartbeat(current_app._get_current_object(), job_id)
    try:
        with heartbeat:
            result = HANDLERS[job.kind](job, Progress(job))
    except Exception as error:
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status = JobStatus.FAILED.value
        refused = isinstance(error, JobRefused)
        job.error = (str(error) if refused
                     else "".join(traceback.format_exception_only(type(error), error)).strip())[:4000]
        job.message = "Công việc không thực hiện được." if refused else "Công việc gặp lỗi và đã dừng."
        job.finished_at = utcnow()
        db.session.commit()
        if refused:
            log.info("job %s (%s) refused: %s", job_id, job.kind, error)
            return
        log.exception("job %s (%s) failed", job_id, job.kind)
        if reraise:
            raise
        return
    job.status = JobStatus.DONE.value
    job.result = result or {}
    job.done = job.total
    job.finished_at = utcnow()
    db.session.commit()


class Heartbeat:
    """While the block runs, write the job's heartbeat_at every JOB_HEARTBEAT_SECONDS (own connection)."""

    def __init__(self, app, job_id: int):
        self.app = app
        self.job_id = job_id
        self.interval = max(0.2, float(app.config.get("JOB_HEARTBEAT_SECONDS", 20)))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)
        return False

    def _beat(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                with self.app.app_context(), db.engine.begin() as connection:
                    connection.execute(
                        sa.update(Job).where(Job.id == self.job_id, Job.status == JobStatus.RUNNING.value)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception as error:  # noqa: BLE001 - a missed beat is not the job's failure
                log.warning("heartbeat of job %s not written: %s", self.job_id, error)


STALE_ERROR = ("Tiến trình chạy công việc đã dừng đột ngột (không còn tín hiệu hoạt động từ {since}). "
               "Bấm “Chạy lại” để tiếp tục: những phần đã làm xong sẽ được bỏ qua, không làm lại.")


NEVER_STARTED_ERROR = ("Chưa có tiến trình nào nhận chạy công việc này kể từ {since}: worker có thể chưa chạy, "
                       "đã dừng khi vừa nhận việc, hoặc đang nối tới một cơ sở dữ liệu khác. Kiểm tra trang "
                       "“Tình trạng hệ thống”, rồi bấm “Chạy lại”.")


def sweep_stale_jobs(*, job_id: int | None = None, now=None) -> list[int]:
    """Mark failed the jobs (or that one job) that are lost: RUNNING in a process that stopped
    beating, or QUEUED for longer than any process took to start them. The caller commits."""
    from thidua.timeutil import format_moment

    now = now or utcnow()
    silent_since = now - timedelta(seconds=current_app.config.get("JOB_STALE_SECONDS", 120))
    waiting_since = now - timedelta(seconds=current_app.config.get("JOB_START_SECONDS", 600))
    last_sign = sa.func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    query = sa.select(Job).where(sa.or_(
        sa.and_(Job.status == JobStatus.RUNNING.value, last_sign < silent_since),
        sa.and_(Job.status == JobStatus.QUEUED.value, sa.func.coalesce(Job.queued_at, Job.created_at) < waiting_since),
    ))
    if job_id is not None:
        query = query.where(Job.id == job_id)
    swept = []
    for job in db.session.scalars(query.with_for_update()):
        if job.status == JobStatus.RUNNING:
            since, error = job.heartbeat_at or job.started_at or job.created_at, STALE_ERROR
            job.message = "Công việc bị gián đoạn."
            log.warning("job %s (%s) had no heartbeat since %s: marked failed", job.id, job.kind, since)
        else:
            since, error = job.queued_at or job.created_at, NEVER_STARTED_ERROR
            job.message = "Công việc chưa được chạy."
            log.warning("job %s (%s) queued since %s was never started: marked failed", job.id, job.kind, since)
        job.status = JobStatus.FAILED.value
        job.error = error.format(since=format_moment(since, current_app.config["TIMEZONE"]))
        job.finished_at = now
        swept.append(job.id)
    return swept


def retry_job(job: Job) -> None:
    """Put a failed job back in the queue (the caller commits, then dispatches)."""
    job.status = JobStatus.QUEUED.value
    job.queued_at = utcnow()
    job.error = None
    job.message = "Đang chờ chạy lại."
