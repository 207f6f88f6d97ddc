"""What an RQ worker runs: `rq worker --with-scheduler -u $REDIS_URL thidua` imports this module.

(--with-scheduler lets RQ run its retries of failed jobs.)

The worker builds the app with the factory on first use (configuration from the
environment, as the web processes have it), never at import time.
"""
from __future__ import annotations

from thidua.jobs import services

_app = None


def get_app():
    global _app
    if _app is None:
        from thidua import create_app

        _app = create_app()
    return _app


def run_job(job_id: int) -> None:
    app = get_app()
    with app.app_context():
        try:
            services.execute(job_id)
        finally:
            from thidua.extensions import db

            db.session.remove()
