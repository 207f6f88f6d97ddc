"""The job paths through a real Redis server and real RQ worker processes.

The web side (the test client) records the job, commits, and enqueues it; a separate
`rq worker --burst` process, configured from the environment like a production worker,
runs it against the same database and sends its e-mail to a real local SMTP server.
"""
from __future__ import annotations

import re
import subprocess
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from thidua.campaigns.models import Campaign
from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import QUEUE_NAME, dispatch, start_job
from thidua.notifications.jobs import SEND_DUE_REMINDERS, SEND_REMINDERS
from thidua.notifications.models import Notification, ReminderLog
from thidua.timeutil import local_today
from thidua.timeutil import local_today

from tests import factories
from tests.factories import State
from tests.jobs.conftest import ROOT, rq_command, run_burst_worker, worker_env
from tests.notifications.smtp import free_port


def fresh(job_id: int) -> Job:
    db.session.rollback()  # expires everything: read what the worker process committed
    return db.session.get(Job, job_id)


def queue_length(redis_client) -> int:
    return redis_client.llen(f"rq:queue:{QUEUE_NAME}")


def job_id_from(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.fullmatch(r"/cong-viec/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def test_the_office_reminder_job_runs_on_an_rq_worker_process(world, client, redis_client, redis_url, smtp):
    world.head.email = "hieutruong@chuvanan.edu.vn"
    factories.initiative(world.campaign, world.office_unit, actor=world.secretariat, status=State.REGISTERED)
    db.session.commit()
    client.login(world.secretariat)

    job_id = job_id_from(client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"}))

    job = fresh(job_id)
    assert job.status == JobStatus.QUEUED and job.rq_job_id == f"thidua-job-{job_id}"
    assert queue_length(redis_client) == 1
    assert "Đang chờ" in client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 0  # nothing ran here

    run_burst_worker(redis_url, smtp)

    job = fresh(job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.total == job.done == 2 and job.attempts == 1
    assert job.result["details"]["sent"] == 2
    logs = db.session.scalars(sa.select(ReminderLog).order_by(ReminderLog.unit_id)).all()
    milestone = f"manual:{local_today(world.campaign.timezone, now=job.created_at):%Y-%m-%d}"
    assert [(e.unit_id, e.milestone, e.status, e.job_id) for e in logs] == [
        (world.school.id, milestone, "sent", job_id),
        (world.other_school.id, milestone, "sent", job_id),
    ]
    assert sorted(db.session.scalars(sa.select(Notification.unit_id))) == sorted([world.school.id,
                                                                                  world.other_school.id])
    received = smtp.collector.wait_for(2)
    assert sorted(sorted(m.rcpt_tos) for m in received) == sorted([
        sorted([world.school.email, "hieutruong@chuvanan.edu.vn"]), [world.other_school.email]])
    assert all("Nhắc việc" in m.subject for m in received)
    progress = client.get(f"/cong-viec/{job_id}/tien-do").get_json()
    assert progress["finished"] and progress["percent"] == 100 and progress["done"] == progress["total"] == 2
    page = client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert "Đã xong" in page and "2 thư điện tử đã gửi" in page
    assert queue_length(redis_client) == 0


def test_a_failed_job_shows_its_error_and_a_retry_button(world, client, redis_url):
    other = factories.campaign(world.root, name="Phong trào sẽ bị xoá", participants=[world.school])
    db.session.commit()
    client.login(world.secretariat)
    job_id = job_id_from(client.post(f"/phong-trao/{other.id}/nhac-viec", {"phase": "registration"}))
    # The campaign disappears before a worker picks the job up.
    db.session.execute(sa.delete(Campaign).where(Campaign.id == other.id))
    db.session.commit()

    run_burst_worker(redis_url)

    job = fresh(job_id)
    assert job.status == JobStatus.FAILED
    assert "Không tìm thấy phong trào" in job.error
    page = client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert "Lỗi" in page and "Công việc gặp lỗi" in page and "Không tìm thấy phong trào" in page
    assert f'action="/cong-viec/{job_id}/chay-lai"' in page and "Chạy lại" in page
    progress = client.get(f"/cong-viec/{job_id}/tien-do").get_json()
    assert progress["finished"] and progress["status"] == "failed" and "Không tìm thấy" in progress["error"]


def test_a_failed_job_retried_from_its_page_runs_again_on_the_worker(world, client, redis_client, redis_url):
    job = start_job(SEND_REMINDERS, actor=world.secretariat, title="Nhắc việc", campaign_id=world.campaign.id,
                    phase="khong-co-dot-nay")
    db.session.commit()
    dispatch(job)
    job_id = job.id
    run_burst_worker(redis_url)
    job = fresh(job_id)
    assert job.status == JobStatus.FAILED and "Đợt không hợp lệ" in job.error
    job.params = {**job.params, "phase": "registration"}  # what was wrong is put right
    db.session.commit()
    client.login(world.secretariat)

    response = client.post(f"/cong-viec/{job_id}/chay-lai")

    assert response.headers["Location"] == f"/cong-viec/{job_id}"
    assert fresh(job_id).status == JobStatus.QUEUED and queue_length(redis_client) == 1
    run_burst_worker(redis_url)
    job = fresh(job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2 and job.result["details"]["notified"] == 3


def test_with_redis_down_the_job_runs_in_the_web_process(world, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client.login(world.secretariat)

    job_id = job_id_from(client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"}))

    job = fresh(job_id)
    assert job.status == JobStatus.DONE and job.rq_job_id is None
    assert job.total == job.done == 3
    page = client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert "Đã xong" in page and "3 thông báo trên hệ thống" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 3


def test_the_due_reminders_job_runs_on_the_worker_and_twice_reminds_once(world, redis_url):
    due = factories.campaign(world.root, name="Phong trào đến hạn", launch=local_today() - timedelta(days=20),
                             registration_deadline=local_today() + timedelta(days=7),
                             participants=[world.school, world.other_school])
    db.session.commit()
    ids = []
    for _ in range(2):
        job = start_job(SEND_DUE_REMINDERS, title="Nhắc việc tự động")
        db.session.commit()
        dispatch(job)
        ids.append(job.id)

    run_burst_worker(redis_url)

    first, second = fresh(ids[0]), fresh(ids[1])
    assert first.status == second.status == JobStatus.DONE
    assert first.result["details"]["notified"] == 2
    assert second.result["details"]["skipped_already_reminded"] == 2 and second.result["details"]["notified"] == 0
    milestone = f"d7:{(local_today() + timedelta(days=7)).isoformat()}"
    assert sorted(db.session.scalars(sa.select(ReminderLog.unit_id).where(ReminderLog.campaign_id == due.id,
                                                                          ReminderLog.milestone == milestone))) == \
        sorted([world.school.id, world.other_school.id])


def test_rq_cron_enqueues_the_due_reminders_and_a_worker_runs_them(world, redis_client, redis_url):
    """`rq cron -u $REDIS_URL thidua/jobs/cron.py`, the documented command, enqueues at once and then hourly."""
    factories.campaign(world.root, name="Phong trào đến hạn", launch=local_today() - timedelta(days=20),
                       registration_deadline=local_today() + timedelta(days=3), participants=[world.school])
    db.session.commit()
    scheduler = subprocess.Popen([*rq_command(), "cron", "-u", redis_url, "thidua/jobs/cron.py"], cwd=ROOT,
                                 env=worker_env(redis_url), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
    try:
        deadline = time.monotonic() + 30
        while queue_length(redis_client) == 0 and time.monotonic() < deadline and scheduler.poll() is None:
            time.sleep(0.1)
        assert queue_length(redis_client) == 1, "rq cron enqueued nothing"
    finally:
        scheduler.terminate()
        output, _ = scheduler.communicate(timeout=15)
    assert "Registered" in output and "run_due_reminders_from_cron" in output, output

    run_burst_worker(redis_url)

    job = db.session.scalars(sa.select(Job)).one()
    assert job.kind == SEND_DUE_REMINDERS and job.status == JobStatus.DONE, job.error
    assert job.result["details"]["notified"] == 1
    assert db.session.scalars(sa.select(ReminderLog.milestone)).one() == (
        f"d3:{(local_today() + timedelta(days=3)).isoformat()}")


@pytest.mark.parametrize("path", ["thidua/jobs/cron.py", "thidua.jobs.cron"])
def test_the_cron_configuration_registers_one_hourly_job_on_the_thidua_queue(redis_client, path):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=redis_client)
    scheduler.load_config_from_file(path)
    [job] = scheduler.get_jobs()
    assert job.queue_name == QUEUE_NAME and job.interval == 3600 and job.cron is None
    assert job.func_name == "thidua.notifications.jobs.run_due_reminders_from_cron"
