"""A worker SIGKILLed in the middle of a reminder run: the job is not lost and no unit is reminded twice.

A real `rq worker` process runs the office's reminder job against a real SMTP server that
holds the e-mail of one unit (the DATA command never answers) until the test has killed the
worker's whole process group with SIGKILL. Then:
- the job, silent since the kill, shows as failed with the retry button (its heartbeat stopped);
- the retry, on a fresh worker, reminds the units not reached, leaves the one whose e-mail
  was in flight as "unknown" (listed for the office) and e-mails nobody twice.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.notifications.models import Notification, ReminderLog

from tests.jobs.conftest import ROOT, WORKER_CLASS, redis_client, redis_server_url, redis_url, rq_command, run_burst_worker, worker_env  # noqa: F401
from tests.notifications.smtp import Collector, SmtpServer


class HoldingCollector(Collector):
    """Accepts every message except those to `hold_for`, whose DATA waits until `release` is set."""

    def __init__(self):
        super().__init__()
        self.hold_for: set[str] = set()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold_for & set(envelope.rcpt_tos):
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def holding_smtp():
    server = SmtpServer()
    server.collector = HoldingCollector()
    server.controller.handler = server.collector
    with server:
        yield server
        server.collector.release.set()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def fresh(model, key):
    db.session.rollback()
    return db.session.get(model, key)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def test_a_reminder_run_killed_mid_send_fails_visibly_and_its_retry_reminds_nobody_twice(
        app, world, client, redis_url, holding_smtp, monkeypatch, tmp_path):  # noqa: F811
    for unit in (world.office_unit, world.school, world.other_school):
        assert unit.email
    held = world.school.email
    holding_smtp.collector.hold_for = {held}
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 3)
    client.login(world.secretariat)
    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])

    env = {**worker_env(redis_url, holding_smtp), "THIDUA_JOB_HEARTBEAT_SECONDS": "1"}
    log = tmp_path / "worker.log"
    worker = subprocess.Popen([*rq_command(), "worker", "-w", WORKER_CLASS, "-u", redis_url, "thidua"], cwd=ROOT, env=env,
                              stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert holding_smtp.collector.holding.wait(90), f"the worker never reached the held e-mail:\n{log.read_text()[-3000:]}"
        assert fresh(Job, job_id).status == JobStatus.RUNNING
        assert children_of(worker.pid), "no work horse to kill"
        time.sleep(1.5)  # the worker is alive and stuck in SMTP: its heartbeat keeps the job running
        assert client.get(f"/cong-viec/{job_id}/tien-do").get_json()["status"] == "running"
    finally:
        # The worker and its work horse (RQ forks one per job, in a session of its own), mid-send.
        for pid in children_of(worker.pid):
            os.killpg(pid, signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    holding_smtp.collector.release.set()

    logs = {entry.unit_id: entry.status for entry in db.session.scalars(sa.select(ReminderLog))}
    assert logs[world.school.id] == "sending"  # the e-mail was in flight when the process died
    delivered_before = list(holding_smtp.collector.messages)

    # No heartbeat any more: within the stale limit the job page says it failed, with the retry button.
    progress = wait_until(lambda: (p := client.get(f"/cong-viec/{job_id}/tien-do").get_json())["status"] == "failed"
                          and p, 20, "the killed job to show as failed")
    assert "dừng đột ngột" in progress["error"]
    page = client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert "Công việc bị gián đoạn" in page and f'action="/cong-viec/{job_id}/chay-lai"' in page

    # The office retries: a fresh worker finishes the run.
    holding_smtp.collector.hold_for = set()
    assert client.post(f"/cong-viec/{job_id}/chay-lai").status_code == 302
    run_burst_worker(redis_url, holding_smtp)

    job = fresh(Job, job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2 and job.result["details"]["unknown"] == 1
    logs = {entry.unit_id: entry for entry in db.session.scalars(sa.select(ReminderLog))}
    assert len(logs) == 3
    assert logs[world.school.id].status == "unknown" and "gửi lại thủ công" in logs[world.school.id].error
    assert logs[world.office_unit.id].status == logs[world.other_school.id].status == "sent"
    # Every unit reached once at most: one in-app notification each, no address e-mailed twice.
    notified = list(db.session.scalars(sa.select(Notification.unit_id)))
    assert sorted(notified) == sorted({world.office_unit.id, world.school.id, world.other_school.id})
    received = [address for message in holding_smtp.collector.messages for address in message.rcpt_tos]
    assert len(received) == len(set(received)), received
    assert held not in received
    assert {world.office_unit.email, world.other_school.email} <= set(received)
    assert len(holding_smtp.collector.messages) == 2 and len(delivered_before) <= 2
    # The office sees the uncertain unit on the reminder page, to check and resend by hand.
    reminders = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec").get_data(as_text=True)
    assert "Không rõ đã gửi thư hay chưa" in reminders
