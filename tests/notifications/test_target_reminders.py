"""Reminders for the rounds of targets: 7, 3 and 1 days before a unit's round deadline, once per milestone."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.jobs.services import dispatch, start_job
from thidua.notifications import target_reminders
from thidua.notifications.jobs import SEND_DUE_REMINDERS
from thidua.notifications.models import Notification, ReminderLog
from thidua.targets import services as targets
from thidua.targets.models import Target, TargetValue, ValueState

from tests import factories
from tests.conftest import assert_few_statements

LAUNCH = date(2024, 9, 3)
REGISTRATION_DEADLINE = date(2024, 9, 30)
ROUND_DEADLINE = date(2024, 12, 16)  # the default round takes the Đợt 2 deadline


@pytest.fixture
def term(world, clock):
    """A 2024 campaign with fixed dates and the default targets (one round, due 16/12/2024)."""
    clock.at(datetime(2024, 9, 10, 9, 0))
    world.term = factories.campaign(
        world.root, launch=LAUNCH, registration_deadline=REGISTRATION_DEADLINE, report_deadline=ROUND_DEADLINE,
        participants=[world.office_unit, world.school, world.other_school], name="Phong trào CCHC năm học 2024–2025",
    )
    targets.apply_default_targets(world.term, actor=world.secretariat)
    db.session.commit()
    world.round = targets.rounds_of(world.term.id)[0]
    assert world.round.deadline == ROUND_DEADLINE
    world.phase = f"targets:{world.round.id}"
    return world


def run_due() -> Job:
    job = start_job(SEND_DUE_REMINDERS, title="test")
    db.session.commit()
    dispatch(job)
    db.session.expire_all()
    return db.session.get(Job, job.id)


def reminded(phase: str, **where) -> list[int]:
    stmt = sa.select(ReminderLog.unit_id).where(ReminderLog.phase == phase).order_by(ReminderLog.unit_id)
    for key, value in where.items():
        stmt = stmt.where(getattr(ReminderLog, key) == value)
    return list(db.session.scalars(stmt))


def mandatory_of(world, unit) -> list[Target]:
    """The mandatory targets the unit reports itself (automatic ones are the product's)."""
    return [t for t in targets.targets_of(world.term.id) if t.mandatory and not t.automatic
            and t.applies_to_unit(unit.unit_type, unit.block)]


def set_values(world, unit, state: str, only: list[Target] | None = None) -> None:
    for target in only if only is not None else mandatory_of(world, unit):
        db.session.add(TargetValue(campaign_id=world.term.id, target_id=target.id, unit_id=unit.id,
                                   value=100 if target.measure != "yes_no" else 1, state=state))
    db.session.commit()


def everyone(world) -> list[int]:
    return sorted([world.office_unit.id, world.school.id, world.other_school.id])


def test_every_participant_has_mandatory_targets_of_its_own_to_send(term):
    for unit in (term.office_unit, term.school, term.other_school):
        assert mandatory_of(term, unit), unit.name


@pytest.mark.parametrize(("local_now", "days"), [
    (datetime(2024, 12, 9, 8, 0), 7),
    (datetime(2024, 12, 13, 8, 0), 3),
    (datetime(2024, 12, 15, 22, 30), 1),
    (datetime(2024, 12, 9, 0, 5), 7),  # just after midnight in Hà Nội (still 08/12 in UTC)
])
def test_units_with_values_to_send_are_reminded_7_3_and_1_days_before_the_round_deadline(term, clock, local_now,
                                                                                         days):
    clock.at(local_now)

    job = run_due()

    assert job.status == JobStatus.DONE, job.error
    assert job.total == job.done == 3
    assert reminded(term.phase, milestone=f"d{days}:2024-12-16") == everyone(term)
    note = db.session.scalar(sa.select(Notification).where(Notification.unit_id == term.school.id))
    assert note.title == f"Nhắc việc: gửi báo cáo chỉ tiêu “{term.round.name}” — hạn 16/12/2024, còn {days} ngày"
    assert note.body.startswith(f"Còn {days} ngày đến hạn gửi báo cáo chỉ tiêu “{term.round.name}” trong ")
    assert f"còn {len(mandatory_of(term, term.school))} chỉ tiêu bắt buộc chưa gửi" in note.body
    assert note.link == f"/phong-trao/{term.term.id}/chi-tieu-cua-don-vi#dot-{term.round.id}"
    assert note.campaign_id == term.term.id


@pytest.mark.parametrize("local_now", [
    datetime(2024, 12, 11, 8, 0),  # 5 days before
    datetime(2024, 12, 8, 23, 55),  # 8 days before, minutes before the 7-day mark (local date)
    datetime(2024, 12, 16, 10, 0),  # the day itself
    datetime(2024, 12, 17, 8, 0),  # after the deadline
])
def test_nobody_is_reminded_on_other_days(term, clock, local_now):
    clock.at(local_now)
    assert target_reminders.due_target_reminders() == []
    job = run_due()
    assert job.status == JobStatus.DONE
    assert reminded(term.phase) == []


def test_units_that_sent_or_had_accepted_every_mandatory_value_are_not_reminded(term, clock):
    set_values(term, term.school, ValueState.SENT.value)
    set_values(term, term.office_unit, ValueState.ACCEPTED.value)
    # The other school's values are all there, but one came back from the office: still to send.
    other = mandatory_of(term, term.other_school)
    set_values(term, term.other_school, ValueState.ACCEPTED.value, only=other[1:])
    set_values(term, term.other_school, ValueState.RETURNED.value, only=other[:1])
    clock.at(datetime(2024, 12, 13, 9, 0))

    run_due()

    assert reminded(term.phase) == [term.other_school.id]
    [note] = db.session.scalars(sa.select(Notification)).all()
    assert "còn 1 chỉ tiêu bắt buộc chưa gửi" in note.body and f"“{other[0].name}”" in note.body


def test_drafts_and_optional_or_automatic_targets_do_not_spare_a_reminder(term, clock):
    set_values(term, term.school, ValueState.DRAFT.value)
    clock.at(datetime(2024, 12, 13, 9, 0))
    assert term.school.id in {r.unit.unit_id for r in target_reminders.due_target_reminders()}

    # Only optional and automatic targets left: nothing to remind of.
    for target in db.session.scalars(sa.select(Target).where(Target.campaign_id == term.term.id)):
        if not target.automatic:
            target.mandatory = False
    db.session.commit()
    assert target_reminders.due_target_reminders() == []


def test_an_extension_moves_that_units_milestones(term, clock):
    targets.grant_round_extension(term.term, term.round, term.school, date(2024, 12, 18),
                                  "Trường đang tổ chức kiểm tra học kỳ", actor=term.secretariat)
    db.session.commit()

    clock.at(datetime(2024, 12, 13, 9, 0))  # 3 days before 16/12, 5 before the school's 18/12
    run_due()
    assert reminded(term.phase, milestone="d3:2024-12-16") == sorted([term.office_unit.id, term.other_school.id])
    assert term.school.id not in reminded(term.phase)

    clock.at(datetime(2024, 12, 15, 9, 0))  # 1 day before 16/12, 3 before the school's 18/12
    run_due()
    assert reminded(term.phase, milestone="d1:2024-12-16") == sorted([term.office_unit.id, term.other_school.id])
    assert reminded(term.phase, milestone="d3:2024-12-18") == [term.school.id]
    title = db.session.scalar(sa.select(Notification.title).where(Notification.unit_id == term.school.id))
    assert "hạn 18/12/2024" in title and "còn 3 ngày" in title

    clock.at(datetime(2024, 12, 17, 9, 0))  # after everyone else's deadline, 1 day before the school's
    assert [(r.unit.unit_id, r.milestone) for r in target_reminders.due_target_reminders()] == [
        (term.school.id, "d1:2024-12-18")]


def test_the_daily_job_run_twice_the_same_day_reminds_once(term, clock):
    clock.at(datetime(2024, 12, 13, 7, 0))
    first = run_due()
    clock.at(datetime(2024, 12, 13, 8, 0))  # the next hourly run
    second = run_due()

    assert first.result["details"]["notified"] == 3
    assert second.result["details"]["notified"] == 0
    assert second.result["details"]["skipped_already_reminded"] == 3
    assert len(reminded(term.phase)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3


def test_one_job_reminds_of_a_phase_and_of_a_round_the_same_day(term, clock):
    """The Đợt 2 deadline and the round's are the same day: one run, a reminder of each."""
    factories.initiative(term.term, term.school, actor=term.editor, status=factories.State.REGISTERED)
    db.session.commit()
    clock.at(datetime(2024, 12, 15, 9, 0))

    job = run_due()

    assert job.status == JobStatus.DONE, job.error
    assert reminded("report") == [term.school.id]
    assert reminded(term.phase) == everyone(term)
    assert job.result["details"]["notified"] == 4


def test_the_unit_receives_the_email_at_its_address(term, clock, smtp):
    set_values(term, term.office_unit, ValueState.SENT.value)
    set_values(term, term.other_school, ValueState.SENT.value)
    clock.at(datetime(2024, 12, 9, 9, 0))

    job = run_due()

    assert job.result["details"]["sent"] == 1
    [received] = smtp.collector.wait_for(1)
    assert received.rcpt_tos == [term.school.email]
    message = received.message
    assert message["Subject"] == (
        f"[Thi đua CCHC] Nhắc việc: gửi báo cáo chỉ tiêu “{term.round.name}” — hạn 16/12/2024 (còn 7 ngày)")
    text = message.get_content()
    assert "Kính gửi: Trường THPT Chu Văn An" in text
    assert f"/phong-trao/{term.term.id}/chi-tieu-cua-don-vi#dot-{term.round.id}" in text
    assert db.session.scalar(sa.select(ReminderLog.status).where(ReminderLog.phase == term.phase)) == "sent"


def test_the_reminder_log_phase_fits_its_column():
    assert ReminderLog.__table__.c.phase.type.length >= len(target_reminders.phase_key(2**31 - 1))


def test_the_statements_are_few_and_do_not_grow_with_the_units(term, clock, statements):
    clock.at(datetime(2024, 12, 13, 9, 0))
    with statements() as few:
        assert len(target_reminders.due_target_reminders()) == 3
    from thidua.campaigns.models import CampaignUnit

    for n in range(6):
        unit = factories.unit(parent=term.root, name=f"Trường THPT số {n}")
        db.session.add(CampaignUnit(campaign_id=term.term.id, unit_id=unit.id))
    db.session.commit()
    with statements() as more:
        assert len(target_reminders.due_target_reminders()) == 9
    assert_few_statements(few, more, about=5, what="due target reminders, 3 units then 9")


def test_the_reminders_page_lists_a_round_reminder_as_such(term, clock, client):
    clock.at(datetime(2024, 12, 13, 9, 0))
    run_due()
    client.login(term.secretariat)
    page = client.get(f"/phong-trao/{term.term.id}/nhac-viec").get_data(as_text=True)
    assert "Báo cáo chỉ tiêu" in page and "Tự động, 3 ngày trước hạn 16/12/2024" in page
