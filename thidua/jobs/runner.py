"""What an RQ worker runs: `rq worker --with-scheduler -u $REDIS_URL thidua` imports this module.

(--with-scheduler lets RQ run its retries of failed jobs; `-w thidua.jobs.worker.Worker` builds the
app once before the first job and refuses a configuration that would lose jobs.)

The worker builds the app with the factory on first use (configuration from the
environment, as the web processes have it), never at import time.
"""
from __future__ import annotations

import os

from thidua.jobs import services

_app = None
_app_pid = None


def get_app():
    """The worker's app, built once per process (thidua.jobs.worker.Worker builds it before forking)."""
    global _app, _app_pid
    if _app is None:
        from thidua import create_app

        _app, _app_pid = create_app(), os.getpid()
    return _app


class WrongDatabase(RuntimeError):
    """The job was queued by a web process on another database: running it here would find no row."""


def run_job(job_id: int, database: str | None = None) -> None:
    from thidua.extensions import db

    app = get_app()
    with app.app_context():
        if os.getpid() != _app_pid:
            # A work horse forked from the worker: its pooled connections belong to the parent.
            db.engine.dispose(close=False)
        if database is not None and database != services.database_identity():
            raise WrongDatabase(f"job {job_id} belongs to the database {database}, "
                                f"this worker writes to {services.database_identity()}")
        try:
            services.execute(job_id)
        finally:
            db.session.remove()
