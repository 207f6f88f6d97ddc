"""Heartbeats and the sweep of jobs whose process died; the reminder log's resume rules."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.jobs import services as job_services
from thidua.jobs.models import Job, JobStatus
from thidua.notifications import services
from thidua.notifications.models import Notification, ReminderLog
from thidua.phases import Phase
from thidua.timeutil import utcnow


def running_job(world, *, silent_for: int, kind="build_city_report") -> Job:
    moment = utcnow() - timedelta(seconds=silent_for)
    job = Job(kind=kind, title="Báo cáo gửi UBND Thành phố", status=JobStatus.RUNNING.value, attempts=1,
              campaign_id=world.campaign.id, started_at=moment, heartbeat_at=moment)
    db.session.add(job)
    db.session.commit()
    return job


def test_a_running_job_whose_heartbeat_stopped_shows_failed_with_the_retry_button(app, world, client):
    job = running_job(world, silent_for=app.config["JOB_STALE_SECONDS"] + 5)
    client.login(world.secretariat)
    page = client.get(f"/cong-viec/{job.id}").get_data(as_text=True)
    assert "Công việc bị gián đoạn" in page and "dừng đột ngột" in page
    assert f'action="/cong-viec/{job.id}/chay-lai"' in page
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.FAILED


def test_a_running_job_with_a_recent_heartbeat_is_left_running(app, world, client):
    job = running_job(world, silent_for=max(1, app.config["JOB_STALE_SECONDS"] // 4))
    client.login(world.leader)
    assert client.get(f"/cong-viec/{job.id}/tien-do").get_json()["status"] == "running"
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.RUNNING


def test_a_long_job_writes_its_heartbeat_while_it_runs(app, world, monkeypatch):
    beats = []

    def slow(job, progress):
        start = db.session.scalar(sa.select(Job.heartbeat_at).where(Job.id == job.id))
        time.sleep(1.2)
        db.session.rollback()
        beats.append((start, db.session.scalar(sa.select(Job.heartbeat_at).where(Job.id == job.id))))
        return {"summary": "xong"}

    monkeypatch.setitem(job_services.HANDLERS, "test_slow", slow)
    monkeypatch.setitem(app.config, "JOB_HEARTBEAT_SECONDS", 0.3)
    job = job_services.start_job("test_slow", title="Chậm")
    db.session.commit()
    job_services.execute(job.id)
    [(first, later)] = beats
    assert later > first
    assert db.session.get(Job, job.id).status == JobStatus.DONE


def test_the_sweep_would_catch_the_killed_job_only_after_the_stale_limit(app, world):
    job = running_job(world, silent_for=app.config["JOB_STALE_SECONDS"] - 10)
    assert job_services.sweep_stale_jobs() == []
    assert job_services.sweep_stale_jobs(now=utcnow() + timedelta(seconds=20)) == [job.id]


# --- resuming a reminder run that died part-way ---------------------------------------------------

@pytest.fixture
def dead_run(world):
    """A reminder job killed part-way: the school's row claimed ("pending"), the other school's e-mail in flight."""
    job = Job(kind="send_reminders", title="Nhắc việc", status=JobStatus.FAILED.value, campaign_id=world.campaign.id,
              params={"phase": "registration"})
    db.session.add(job)
    db.session.flush()
    milestone = f"manual:{job.id}"
    for unit, status in ((world.school, "pending"), (world.other_school, "sending")):
        db.session.add(ReminderLog(campaign_id=world.campaign.id, unit_id=unit.id, phase="registration",
                                   milestone=milestone, status=status, job_id=job.id))
    db.session.add(Notification(unit_id=world.other_school.id, campaign_id=world.campaign.id, kind="reminder",
                                title="Nhắc việc"))
    db.session.commit()
    world.dead_job, world.milestone = job, milestone
    return world


def statuses(world) -> dict[int, str]:
    db.session.expire_all()
    return {entry.unit_id: entry.status for entry in db.session.scalars(sa.select(ReminderLog))}


def test_the_retry_reminds_a_claimed_unit_and_marks_the_one_in_flight_unknown(dead_run):
    world = dead_run
    counts = services.remind_units(world.campaign, Phase.REGISTRATION, world.milestone, job=world.dead_job)
    assert counts["unknown"] == 1 and counts["notified"] == 2  # the school (claimed) and the office (new)
    assert statuses(world) == {world.school.id: "in_app", world.other_school.id: "unknown",
                               world.office_unit.id: "in_app"}
    notified = sorted(db.session.scalars(sa.select(Notification.unit_id)))
    assert notified == sorted([world.school.id, world.other_school.id, world.office_unit.id])  # one each


def test_a_second_retry_changes_nothing(dead_run):
    world = dead_run
    services.remind_units(world.campaign, Phase.REGISTRATION, world.milestone, job=world.dead_job)
    before = statuses(world)
    counts = services.remind_units(world.campaign, Phase.REGISTRATION, world.milestone, job=world.dead_job)
    assert counts["notified"] == 0 and counts["skipped_already_reminded"] == 3
    assert statuses(world) == before


def test_rows_of_a_run_still_going_are_left_alone(dead_run):
    world = dead_run
    world.dead_job.status = JobStatus.RUNNING.value  # alive: another worker is on it right now
    db.session.commit()
    other = Job(kind="send_reminders", title="Nhắc việc", status=JobStatus.RUNNING.value)
    db.session.add(other)
    db.session.commit()
    counts = services.remind_units(world.campaign, Phase.REGISTRATION, world.milestone, job=other)
    assert counts["skipped_already_reminded"] == 2 and counts["unknown"] == 0
    assert statuses(world)[world.school.id] == "pending" and statuses(world)[world.other_school.id] == "sending"


def test_the_summary_and_the_page_tell_the_office_about_the_unknown_unit(dead_run, client):
    world = dead_run
    counts = services.remind_units(world.campaign, Phase.REGISTRATION, world.milestone, job=world.dead_job)
    summary = services.summarise(counts, mail_enabled=True, units=3)["summary"]
    assert "1 đơn vị không rõ đã nhận thư hay chưa" in summary
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec").get_data(as_text=True)
    assert "Không rõ đã gửi thư hay chưa" in page and "gửi lại thủ công" in page
