"""The RQ worker class: `rq worker -w thidua.jobs.worker.Worker --with-scheduler -u $REDIS_URL thidua`.

It builds the app once, before it takes any job, so each job's forked work horse starts with the
app already made (a job starts in milliseconds instead of re-importing and building everything),
and it refuses to start on a configuration that would lose jobs silently:

- without DATABASE_URL it would make a SQLite file of its own and run every job against it;
- on a database other than the web's, its jobs would find no rows. The web records the identity
  of its database in Redis (`database_identity`) with every job it queues; the worker compares
  its own on start and before each job.
"""
from __future__ import annotations

import os

from rq import Worker as RQWorker

from thidua.jobs import runner
from thidua.jobs.services import WEB_DATABASE_KEY, database_identity


class WorkerMisconfigured(SystemExit):
    """The worker's configuration would lose or misdirect jobs: it stops with this message."""


class Worker(RQWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not os.environ.get("DATABASE_URL"):
            raise WorkerMisconfigured(
                "thidua worker: DATABASE_URL is not set. A worker must use the web's database "
                "(the same environment file as the web, see README 'Background jobs'); it will not start.")
        app = runner.get_app()  # built once here; every work horse inherits it
        with app.app_context():
            mine = database_identity()
        web = self.connection.get(WEB_DATABASE_KEY)
        if web is not None and web.decode() != mine:
            raise WorkerMisconfigured(
                f"thidua worker: its database ({mine}) is not the web's ({web.decode()}). "
                "Give the worker the web's DATABASE_URL; it will not start.")
