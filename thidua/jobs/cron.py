"""RQ's cron scheduler configuration: the timed reminders (7, 3 and 1 days before each deadline).

    rq cron -u $REDIS_URL thidua/jobs/cron.py      # or the dotted path: thidua.jobs.cron

Every hour (and once when the scheduler starts) it enqueues, on the "thidua" queue,
`run_due_reminders_from_cron`, which a worker (`rq worker -w thidua.jobs.worker.Worker -u $REDIS_URL thidua`) runs: it
records a "send_due_reminders" Job and runs it there, so each run has its job page and its
result like a job the office starts. Reminders are idempotent per (unit, milestone), so
running hourly (or twice) never reminds a unit twice for the same milestone.

Without Redis, the same job runs from system cron with `flask --app thidua reminders run-due`.
"""
from rq import cron

from thidua.jobs.services import QUEUE_NAME
from thidua.notifications.jobs import run_due_reminders_from_cron

INTERVAL_SECONDS = 3600

cron.register(run_due_reminders_from_cron, queue_name=QUEUE_NAME, interval=INTERVAL_SECONDS, job_timeout=1800,
              name="thidua.send_due_reminders")
