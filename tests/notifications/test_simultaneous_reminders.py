"""Ten simultaneous clicks on "Gửi nhắc việc": the office's reminder runs of a phase never overlap (the
database refuses a second one), and every unit is reminded once. Real requests, a threaded server,
PostgreSQL."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from thidua.extensions import db
from thidua.jobs.models import Job
from thidua.notifications.jobs import SEND_REMINDERS
from thidua.notifications.models import Notification, ReminderLog

from tests.conftest import is_postgres
from tests.servers import Browser

CLICKS = 10


@pytest.mark.skipif(not is_postgres(), reason="concurrent writers need PostgreSQL (SQLite serialises them)")
def test_simultaneous_reminder_clicks_run_one_job_at_a_time_and_remind_each_unit_once(app, world):
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    page = f"{base}/phong-trao/{world.campaign.id}/nhac-viec?phase=registration"
    try:
        browsers = []
        for _ in range(CLICKS):  # the office's tabs, each with the reminder page open
            browser = Browser()
            browser.sign_in(base, world.secretariat.username)
            browsers.append((browser, browser.token(page)))
        barrier = threading.Barrier(CLICKS)
        answers: list[int] = []

        def click(browser, token):
            barrier.wait()
            status, _ = browser.post(f"{base}/phong-trao/{world.campaign.id}/nhac-viec",
                                     {"csrf_token": token, "phase": "registration"})
            answers.append(status)

        threads = [threading.Thread(target=click, args=pair) for pair in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.shutdown()

    assert len(answers) == CLICKS
    assert all(status < 500 for status in answers), sorted(set(answers))
    db.session.expire_all()
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == SEND_REMINDERS).order_by(Job.started_at)).all()
    assert jobs and all(job.status == "done" for job in jobs)
    for earlier, later in zip(jobs, jobs[1:]):  # one run at a time
        assert later.started_at >= earlier.finished_at
    units = db.session.scalars(sa.select(ReminderLog.unit_id).order_by(ReminderLog.unit_id)).all()
    assert units and len(units) == len(set(units))  # each unit once
    notified = db.session.scalars(sa.select(Notification.unit_id)).all()
    assert sorted(notified) == units
