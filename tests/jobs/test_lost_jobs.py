"""A job is never lost silently: not when no worker takes it, not on a worker of another database.

Real RQ worker processes (the README's command, `-w thidua.jobs.worker.Worker`) on a real Redis.
"""
from __future__ import annotations

import subprocess
import time
from datetime import timedelta

import sqlalchemy as sa

from thidua.extensions import db
from thidua.jobs import services
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import QUEUE_NAME, WEB_DATABASE_KEY, dispatch, execute, start_job
from thidua.notifications.jobs import SEND_REMINDERS
from thidua.timeutil import utcnow

from tests.jobs.conftest import ROOT, WORKER_CLASS, rq_command, run_burst_worker, worker_env


def _queued_job(world, *, waited: int) -> Job:
    moment = utcnow() - timedelta(seconds=waited)
    job = Job(kind=SEND_REMINDERS, title="Nhắc việc", status=JobStatus.QUEUED.value, campaign_id=world.campaign.id,
              params={"campaign_id": world.campaign.id, "phase": "registration"}, created_at=moment, queued_at=moment)
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_no_process_started_in_time_shows_failed_with_the_retry_button(app, world, client):
    job = _queued_job(world, waited=app.config["JOB_START_SECONDS"] + 5)
    client.login(world.secretariat)
    page = client.get(f"/cong-viec/{job.id}").get_data(as_text=True)
    assert "Chưa có tiến trình nào nhận chạy công việc này" in page
    assert f'action="/cong-viec/{job.id}/chay-lai"' in page
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.FAILED


def test_a_job_queued_a_moment_ago_keeps_waiting(app, world, client):
    job = _queued_job(world, waited=5)
    client.login(world.secretariat)
    assert "Đang chờ" in client.get(f"/cong-viec/{job.id}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.QUEUED


def test_a_retried_job_waits_from_its_retry_not_from_its_creation(app, world, client):
    job = _queued_job(world, waited=app.config["JOB_START_SECONDS"] + 5)
    job.status = JobStatus.FAILED.value
    db.session.commit()
    services.retry_job(job)
    db.session.commit()
    assert services.sweep_stale_jobs(job_id=job.id) == []


def test_a_job_running_in_another_process_is_not_started_again(app, world):
    job = _queued_job(world, waited=1)
    job.status, job.attempts = JobStatus.RUNNING.value, 1
    db.session.commit()
    execute(job.id)  # a late second copy of the same job
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.RUNNING and job.attempts == 1


def test_a_worker_without_database_url_refuses_to_start(redis_url):
    env = worker_env(redis_url)
    del env["DATABASE_URL"]
    result = subprocess.run([*rq_command(), "worker", "-w", WORKER_CLASS, "--burst", "-u", redis_url, QUEUE_NAME],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr + result.stdout


def test_a_worker_on_another_database_than_the_web_refuses_to_start(world, redis_url, redis_client, tmp_path):
    job = start_job(SEND_REMINDERS, actor=world.secretariat, title="Nhắc việc", campaign_id=world.campaign.id,
                    phase="registration")
    db.session.commit()
    dispatch(job)  # the web records its database in Redis
    assert redis_client.get(WEB_DATABASE_KEY).decode() == services.database_identity()
    env = worker_env(redis_url) | {"DATABASE_URL": f"sqlite:///{tmp_path}/other.sqlite"}
    result = subprocess.run([*rq_command(), "worker", "-w", WORKER_CLASS, "--burst", "-u", redis_url, QUEUE_NAME],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "is not the web's" in result.stderr + result.stdout
    assert redis_client.llen(f"rq:queue:{QUEUE_NAME}") == 1  # the job is still there for the right worker


def test_a_job_of_another_database_fails_in_rqs_registry_and_the_health_page_says_so(world, client, redis_url,
                                                                                      redis_client):
    from redis import Redis
    from rq import Queue

    job = _queued_job(world, waited=1)
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    queue.enqueue("thidua.jobs.runner.run_job", job.id, database="postgresql:0/elsewhere")
    run_burst_worker(redis_url)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.QUEUED  # never run against the wrong rows

    client.login(world.secretariat)
    page = client.get("/he-thong").get_data(as_text=True)
    assert "Có 1 công việc lỗi trong sổ của RQ." in page and "WrongDatabase" in page
    assert "Không có worker nào đang chạy" in page


def test_the_health_page_lists_a_running_worker_and_its_scheduler(world, client, redis_url):
    worker = subprocess.Popen([*rq_command(), "worker", "-w", WORKER_CLASS, "--with-scheduler", "-u", redis_url,
                               QUEUE_NAME], cwd=ROOT, env=worker_env(redis_url),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client.login(world.secretariat)
        deadline = time.monotonic() + 60
        while True:
            page = client.get("/he-thong").get_data(as_text=True)
            if "Rảnh" in page and "bộ lập lịch: <strong>không có" not in page:
                break
            assert time.monotonic() < deadline, page
            time.sleep(0.3)
        assert "Không có worker nào" not in page
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_health_page_without_redis_says_jobs_run_in_the_web_process(world, client):
    client.login(world.secretariat)
    page = client.get("/he-thong").get_data(as_text=True)
    assert "Chưa cấu hình" in page and "REDIS_URL" in page


def test_jobs_counts_on_the_health_page_come_from_the_database(world, client):
    _queued_job(world, waited=1)
    client.login(world.secretariat)
    page = client.get("/he-thong").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1
    assert 'data-label="Đang chờ">1</td>' in page
