"""Reminders to the units still missing a phase: who gets them, when, and never twice per milestone."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import State
from thidua.campaigns.services import grant_extension
from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import dispatch, start_job
from thidua.notifications import services
from thidua.notifications.jobs import SEND_DUE_REMINDERS, SEND_REMINDERS
from thidua.notifications.models import Notification, ReminderLog
from thidua.phases import Phase
from thidua.timeutil import local_today

LAUNCH = date(2024, 9, 3)
REGISTRATION_DEADLINE = date(2024, 9, 30)
REPORT_DEADLINE = date(2024, 12, 16)


@pytest.fixture
def term(world, clock):
    """A 2024 campaign with fixed dates (registration until 30/09), the clock mid-registration."""
    clock.at(datetime(2024, 9, 10, 9, 0))
    world.term = factories.campaign(
        world.root, launch=LAUNCH, registration_deadline=REGISTRATION_DEADLINE, report_deadline=REPORT_DEADLINE,
        participants=[world.office_unit, world.school, world.other_school], name="Phong trào CCHC năm học 2024–2025",
    )
    db.session.commit()
    return world


def reminded_units(**where) -> list[int]:
    stmt = sa.select(ReminderLog.unit_id).order_by(ReminderLog.unit_id)
    for key, value in where.items():
        stmt = stmt.where(getattr(ReminderLog, key) == value)
    return list(db.session.scalars(stmt))


def notified_units() -> list[int]:
    return list(db.session.scalars(sa.select(Notification.unit_id).order_by(Notification.unit_id)))


def run(kind: str, *, campaign_id=None, **params) -> Job:
    """Start a job as the office does (commit, then dispatch; tests run jobs synchronously)."""
    job = start_job(kind, title="test", campaign_id=campaign_id, **params)
    db.session.commit()
    dispatch(job)
    db.session.expire_all()
    return db.session.get(Job, job.id)


def register(world, campaign, unit, actor):
    factories.initiative(campaign, unit, actor=actor, status=State.REGISTERED)
    db.session.commit()


# --- idempotence ------------------------------------------------------------------------------

def test_running_the_same_milestone_twice_reminds_nobody_the_second_time(world):
    units = {world.office_unit.id, world.school.id, world.other_school.id}

    first = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:test")
    second = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:test")

    assert first["notified"] == 3 and first["skipped_already_reminded"] == 0
    assert second == {**services.empty_counts(), "skipped_already_reminded": 3}
    assert set(reminded_units()) == units and len(reminded_units()) == 3
    assert sorted(notified_units()) == sorted(units)


def test_a_log_row_written_by_a_concurrent_run_makes_this_run_skip_that_unit(world):
    """The race: another run inserted the row after this one listed the missing units."""
    listed = services.units_to_remind(world.campaign, Phase.REGISTRATION)
    db.session.add(ReminderLog(campaign_id=world.campaign.id, unit_id=world.school.id, phase="registration",
                               milestone="d3:2024-09-30", status="sent"))
    db.session.commit()

    counts = services.remind_units(world.campaign, Phase.REGISTRATION, "d3:2024-09-30", units=listed)

    assert counts["skipped_already_reminded"] == 1
    assert counts["notified"] == 2
    assert world.school.id not in notified_units()
    assert reminded_units(unit_id=world.school.id) == [world.school.id]  # still the one row


def test_the_same_unit_is_reminded_again_at_a_different_milestone(world):
    services.remind_units(world.campaign, Phase.REGISTRATION, "d7:2024-09-30")
    counts = services.remind_units(world.campaign, Phase.REGISTRATION, "d3:2024-09-30")
    assert counts["notified"] == 3
    assert len(reminded_units(unit_id=world.school.id)) == 2


def test_a_manual_job_run_again_by_a_retry_reminds_nobody_twice(world):
    job = run(SEND_REMINDERS, campaign_id=world.campaign.id, phase="registration")
    assert job.status == JobStatus.DONE
    assert job.result["details"]["notified"] == 3
    # The retry of the same job (RQ's retry policy, or the retry button) runs the same milestone.
    job.status = JobStatus.FAILED.value
    db.session.commit()
    dispatch(job)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.DONE
    assert job.result["details"]["notified"] == 0
    assert job.result["details"]["skipped_already_reminded"] == 3
    assert len(notified_units()) == 3


def test_a_second_run_the_same_day_reminds_nobody_twice_and_runs_never_overlap(world, client):
    register(world, world.campaign, world.school, world.editor)
    client.login(world.secretariat)
    first = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})
    second = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})
    job_id = int(second.headers["Location"].rsplit("/", 1)[1])
    assert job_id != int(first.headers["Location"].rsplit("/", 1)[1])
    job = db.session.get(Job, job_id)
    assert job.result["details"]["notified"] == 0 and job.result["details"]["skipped_already_reminded"] == 2
    assert len(notified_units()) == 2
    # While a run of the phase is queued, the database refuses a second one, whoever asks.
    from sqlalchemy.exc import IntegrityError

    from thidua.notifications.jobs import manual_key

    start_job(SEND_REMINDERS, campaign_id=world.campaign.id, exclusive=manual_key(world.campaign, Phase.REGISTRATION),
              phase="registration")
    db.session.commit()
    with pytest.raises(IntegrityError):
        start_job(SEND_REMINDERS, campaign_id=world.campaign.id,
                  exclusive=manual_key(world.campaign, Phase.REGISTRATION), phase="registration")
        db.session.flush()
    db.session.rollback()
    # Another phase is another run.
    start_job(SEND_REMINDERS, campaign_id=world.campaign.id, exclusive=manual_key(world.campaign, Phase.REPORT),
              phase="report")
    db.session.commit()


# --- the automatic milestones -----------------------------------------------------------------

@pytest.mark.parametrize(("local_now", "days"), [
    (datetime(2024, 9, 23, 8, 0), 7),
    (datetime(2024, 9, 27, 8, 0), 3),
    (datetime(2024, 9, 29, 22, 30), 1),
    (datetime(2024, 9, 23, 0, 5), 7),  # just after midnight in Hà Nội (still 22/09 in UTC)
])
def test_units_missing_registration_are_reminded_7_3_and_1_days_before_the_deadline(term, clock, local_now, days):
    register(term, term.term, term.school, term.editor)
    clock.at(local_now)

    job = run(SEND_DUE_REMINDERS)

    assert job.status == JobStatus.DONE, job.error
    assert job.total == job.done == 2
    milestone = f"d{days}:2024-09-30"
    assert reminded_units(milestone=milestone, phase="registration") == sorted(
        [term.office_unit.id, term.other_school.id])
    assert term.school.id not in notified_units()  # it has registered
    title = db.session.scalars(sa.select(Notification.title)).first()
    assert "hạn 30/09/2024" in title and f"còn {days} ngày" in title


@pytest.mark.parametrize("local_now", [
    datetime(2024, 9, 25, 8, 0),  # 5 days before
    datetime(2024, 9, 22, 23, 55),  # 8 days before, minutes before the 7-day mark (local date)
    datetime(2024, 9, 30, 10, 0),  # the day itself
    datetime(2024, 10, 1, 8, 0),  # after the deadline
])
def test_nobody_is_reminded_on_other_days(term, clock, local_now):
    clock.at(local_now)
    assert [r for r in services.due_reminders() if r.campaign.id == term.term.id and r.phase is Phase.REGISTRATION] == []
    job = run(SEND_DUE_REMINDERS)
    assert job.status == JobStatus.DONE
    assert reminded_units(campaign_id=term.term.id, phase="registration") == []


def test_the_due_job_run_twice_on_the_same_day_reminds_once(term, clock):
    clock.at(datetime(2024, 9, 27, 7, 0))
    first = run(SEND_DUE_REMINDERS)
    clock.at(datetime(2024, 9, 27, 8, 0))  # the next hourly run
    second = run(SEND_DUE_REMINDERS)

    assert first.result["details"]["notified"] == 3
    assert second.result["details"]["notified"] == 0
    assert second.result["details"]["skipped_already_reminded"] == 3
    assert len(reminded_units()) == 3 and len(notified_units()) == 3


def test_an_extension_moves_that_units_milestones(term, clock):
    grant_extension(term.term, term.school, Phase.REGISTRATION, date(2024, 10, 4), "Trường đang tổ chức hội thảo",
                    actor=term.secretariat)
    db.session.commit()

    clock.at(datetime(2024, 9, 23, 9, 0))  # 7 days before 30/09: not the school's deadline any more
    run(SEND_DUE_REMINDERS)
    assert term.school.id not in reminded_units()
    assert set(reminded_units(milestone="d7:2024-09-30")) == {term.office_unit.id, term.other_school.id}

    clock.at(datetime(2024, 9, 27, 9, 0))  # 7 days before the school's 04/10
    run(SEND_DUE_REMINDERS)
    assert reminded_units(milestone="d7:2024-10-04") == [term.school.id]
    title = db.session.scalar(sa.select(Notification.title).where(Notification.unit_id == term.school.id))
    assert "hạn 04/10/2024" in title and "còn 7 ngày" in title

    clock.at(datetime(2024, 10, 3, 9, 0))  # after everyone else's deadline, 1 day before the school's
    assert [(r.unit.unit_id, r.milestone) for r in services.due_reminders()] == [(term.school.id, "d1:2024-10-04")]


def test_report_phase_reminds_units_whose_registered_initiatives_lack_a_report_and_no_others(term, clock):
    """The office unit registered nothing: it missed Đợt 1, and a report reminder is nothing it can act on."""
    register(term, term.term, term.school, term.editor)
    factories.initiative(term.term, term.other_school, actor=term.other_editor, status=State.REPORTED)
    db.session.commit()
    clock.at(datetime(2024, 12, 13, 9, 0))  # 3 days before 16/12

    due = [r for r in services.due_reminders() if r.campaign.id == term.term.id]

    assert {(r.unit.unit_id, r.phase, r.milestone) for r in due} == {(term.school.id, Phase.REPORT, "d3:2024-12-16")}


def test_units_that_have_registered_are_not_reminded(world):
    register(world, world.campaign, world.school, world.editor)
    factories.initiative(world.campaign, world.other_school, actor=world.other_editor)  # a draft does not count
    db.session.commit()

    counts = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:test")

    assert counts["notified"] == 2
    assert reminded_units() == sorted([world.office_unit.id, world.other_school.id])


# --- the secretariat's page -------------------------------------------------------------------

def test_the_reminder_page_lists_exactly_the_units_missing_the_phase(world, client):
    register(world, world.campaign, world.school, world.editor)
    world.other_head.email = "hieutruong.kimlien@thidua-demo.edu.vn"
    db.session.commit()
    client.login(world.secretariat)

    page = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec?phase=registration").get_data(as_text=True)

    listed = re.findall(r'<tr data-unit="([^"]+)">', page)
    assert sorted(listed) == sorted([world.office_unit.code, world.other_school.code])
    assert "Gửi nhắc việc cho 2 đơn vị" in page
    assert world.other_school.email in page and "hieutruong.kimlien@thidua-demo.edu.vn" in page
    assert world.school.email not in page
    assert "Chưa cấu hình máy chủ thư" in page


def test_the_reminder_page_of_the_report_phase(world, client):
    register(world, world.campaign, world.school, world.editor)
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec?phase=report").get_data(as_text=True)
    assert "Gửi nhắc việc cho 1 đơn vị" in page  # only the school has something to report


def test_the_campaign_page_links_to_the_reminder_page(world, client):
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}").get_data(as_text=True)
    assert f'href="/phong-trao/{world.campaign.id}/nhac-viec"' in page


def test_sending_from_the_page_runs_the_job_and_shows_its_result(world, client):
    register(world, world.campaign, world.school, world.editor)
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})

    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    job = db.session.get(Job, job_id)
    assert job.kind == SEND_REMINDERS and job.params == {"campaign_id": world.campaign.id, "phase": "registration"}
    assert job.status == JobStatus.DONE and job.total == job.done == 2
    assert job.created_by_id == world.secretariat.id
    page = client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert "Đã xong" in page and "2 thông báo trên hệ thống" in page and "MAIL_SERVER" in page
    today = local_today(world.campaign.timezone)
    assert reminded_units(milestone=f"manual:{today:%Y-%m-%d}") == sorted([world.office_unit.id,
                                                                          world.other_school.id])

    page = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec?phase=registration").get_data(as_text=True)
    assert f"Bộ phận Thường trực gửi ngày {today:%d/%m/%Y}" in page  # the log of reminders sent
    assert "Chỉ thông báo trên hệ thống" in page


def test_a_second_click_while_the_job_waits_does_not_start_another(world, client):
    waiting = start_job(SEND_REMINDERS, actor=world.secretariat, title="Nhắc việc", campaign_id=world.campaign.id,
                        phase="registration")
    db.session.commit()
    client.login(world.secretariat)

    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})

    assert response.headers["Location"] == f"/cong-viec/{waiting.id}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1
    assert reminded_units() == []


def test_nothing_is_sent_when_every_unit_has_registered(world, client):
    for unit, actor in [(world.office_unit, world.secretariat), (world.school, world.editor),
                        (world.other_school, world.other_editor)]:
        factories.initiative(world.campaign, unit, actor=actor, status=State.REGISTERED)
    db.session.commit()
    client.login(world.secretariat)

    page = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec").get_data(as_text=True)
    assert "không có đơn vị nào cần nhắc" in page and "Gửi nhắc việc cho" not in page
    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})
    assert response.status_code == 302 and "/nhac-viec" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_the_send_button_needs_a_csrf_token(world, client):
    client.login(world.secretariat)
    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"}, token=False)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_units_cannot_open_or_use_the_reminder_page(world, client):
    client.login(world.head)
    assert client.get(f"/phong-trao/{world.campaign.id}/nhac-viec").status_code == 403
    assert client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"}).status_code == 403
    assert reminded_units() == []


# --- the unit's dashboard ---------------------------------------------------------------------

def test_the_notification_shows_on_the_units_dashboard_and_not_on_another_units(world, client, make_client):
    register(world, world.campaign, world.other_school, world.other_editor)
    services.remind_units(world.campaign, Phase.REGISTRATION, "manual:test")
    db.session.commit()

    client.login(world.editor)
    page = client.get("/don-vi").get_data(as_text=True)
    assert "Nhắc việc: đăng ký mô hình, giải pháp, sáng kiến" in page
    assert 'class="notice unread"' in page and "1 chưa đọc" in page
    assert f'href="/don-vi#phong-trao-{world.campaign.id}"' in page

    other = make_client()
    other.login(world.other_head)
    other_page = other.get("/don-vi").get_data(as_text=True)
    assert "Nhắc việc" not in other_page and 'class="notice-list"' not in other_page


def test_mark_all_read_clears_the_units_unread_notifications_only(world, client):
    services.remind_units(world.campaign, Phase.REGISTRATION, "manual:one")
    services.remind_units(world.campaign, Phase.REGISTRATION, "manual:two")
    client.login(world.head)
    assert "2 chưa đọc" in client.get("/don-vi").get_data(as_text=True)

    response = client.post("/don-vi/thong-bao/da-doc")

    assert response.status_code == 302 and response.headers["Location"] == "/don-vi"
    page = client.get("/don-vi").get_data(as_text=True)
    assert "chưa đọc" not in page and 'class="notice unread"' not in page
    assert page.count('class="notice"') == 2  # still listed, as read
    db.session.expire_all()
    unread = dict(db.session.execute(
        sa.select(Notification.unit_id, sa.func.count()).where(Notification.read_at.is_(None))
        .group_by(Notification.unit_id)
    ).all())
    assert world.school.id not in unread
    assert unread[world.other_school.id] == 2 and unread[world.office_unit.id] == 2


def test_mark_all_read_needs_a_csrf_token(world, client):
    services.remind_units(world.campaign, Phase.REGISTRATION, "manual:one")
    client.login(world.head)
    assert client.post("/don-vi/thong-bao/da-doc", token=False).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.read_at.is_not(None))) == 0


# --- the command for system cron -------------------------------------------------------------

def test_the_cli_runs_the_due_reminders_as_a_job(app, term, clock):
    clock.at(datetime(2024, 9, 29, 9, 0))
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["reminders", "run-due", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert "3 lượt nhắc đến hạn." in listed.output and "d1:2024-09-30" in listed.output
    assert reminded_units() == []

    result = runner.invoke(args=["reminders", "run-due"])
    assert result.exit_code == 0, result.output
    assert "3 thông báo trên hệ thống" in result.output
    job = db.session.scalars(sa.select(Job)).one()
    assert job.kind == SEND_DUE_REMINDERS and job.status == JobStatus.DONE
    assert len(reminded_units(milestone="d1:2024-09-30")) == 3


def test_a_failed_run_retried_while_another_run_of_the_phase_waits_stays_failed_and_says_why(world, client):
    from thidua.jobs.services import execute
    from thidua.notifications.jobs import manual_key

    key = manual_key(world.campaign, Phase.REGISTRATION)
    failed = start_job(SEND_REMINDERS, campaign_id=world.campaign.id, exclusive=key, phase="registration")
    failed.status = JobStatus.FAILED.value
    db.session.commit()
    waiting = start_job(SEND_REMINDERS, campaign_id=world.campaign.id, exclusive=key, phase="registration")
    db.session.commit()
    execute(failed.id, reraise=False)  # RQ's retry of the failed one
    db.session.expire_all()
    assert db.session.get(Job, failed.id).status == JobStatus.FAILED
    assert "đang chạy" in db.session.get(Job, failed.id).message
    assert db.session.get(Job, waiting.id).status == JobStatus.QUEUED
    assert notified_units() == []
    # The retry button says the same, and changes nothing.
    client.login(world.secretariat)
    response = client.post(f"/cong-viec/{failed.id}/chay-lai", follow_redirects=True)
    assert "Một công việc cùng loại đang chờ hoặc đang chạy" in response.get_data(as_text=True)
    assert db.session.get(Job, failed.id).status == JobStatus.FAILED
