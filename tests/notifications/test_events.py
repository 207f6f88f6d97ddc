"""The unit's people are told what happened to their initiatives, and what waits for them: once per event."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import State
from thidua import workflow
from thidua.auth.roles import Role
from thidua.extensions import db
from thidua.notifications import delivery, events
from thidua.notifications.models import MailStatus, Notification
from thidua.notifications.services import remind_units
from thidua.phases import Phase


def told(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def kinds(user) -> list[str]:
    return [n.kind for n in told(user)]


@pytest.fixture
def people(world):
    """A second editor and head at the school, with addresses; the other school's people have them too."""
    world.editor.email = "trang@chuvanan.edu.vn"
    world.head.email = "hien@chuvanan.edu.vn"
    world.other_editor.email = "duc@kimlien.edu.vn"
    world.second_editor = factories.user(Role.UNIT_EDITOR, world.school, username="cvan.canbo2",
                                         full_name="Lê Thu Hà", email="ha@chuvanan.edu.vn")
    db.session.commit()
    return world


# --- the list of events is the workflow's ---------------------------------------------------------

def test_every_event_names_a_move_of_the_workflow_or_a_head_move_an_editor_prepares():
    moves = {move.name for move in workflow.TRANSITIONS.values()}
    head_moves = {workflow.get_transition(source, target).name for source, target in events.HEAD_MOVES.items()}
    for name in events.EVENTS:
        if name.startswith("ready:"):
            assert name.removeprefix("ready:") in head_moves, name
        else:
            assert name in moves, name
    # Every head move an editor prepares has its "ready" event, with a check to say when it is ready.
    for source, target in events.HEAD_MOVES.items():
        move = workflow.get_transition(source, target)
        assert move.requires and f"ready:{move.name}" in events.EVENTS
        assert events.EVENTS[f"ready:{move.name}"].audience is events.Audience.HEADS


def in_report_phase(world, clock) -> None:
    clock.at(datetime.combine(world.campaign.registration_deadline + timedelta(days=5), time(9)))


SETUPS = {
    # move: (starting state, who makes it, the state it goes to)
    "register": (State.DRAFT, "head", State.REGISTERED),
    "report": (State.REGISTERED, "head", State.REPORTED),
    "resubmit": (State.RETURNED, "head", State.REPORTED),
    "return": (State.REPORTED, "secretariat", State.RETURNED),
    "shortlist": (State.SCORED, "secretariat", State.SHORTLISTED),
    "publish": (State.SHORTLISTED, "secretariat", State.PUBLISHED),
}


@pytest.mark.parametrize("name", sorted(SETUPS))
def test_each_move_tells_the_right_people_of_the_unit_and_never_the_one_who_made_it(people, clock, name):
    world = people
    source, who, target = SETUPS[name]
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=source)
    if name in ("report", "resubmit"):
        in_report_phase(world, clock)
        factories.complete_report(initiative, actor=world.editor)
    actor = getattr(world, who)
    workflow.transition(initiative, target, actor=actor, reason="Thiếu minh chứng số liệu năm 2023")
    db.session.commit()

    audience = events.EVENTS[name].audience.value
    expected = {u.id for u in (world.editor, world.second_editor, world.head)
                if Role(u.role) in audience and u.id != actor.id}
    notified = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == f"event:{name}")))
    assert notified == expected
    assert told(world.other_editor) == [] and told(world.other_head) == []
    note = told(world.editor)[-1] if world.editor.id in expected else told(world.head)[-1]
    assert initiative.title in note.title and note.link == f"/sang-kien/{initiative.id}"
    assert note.unit_id == world.school.id and note.campaign_id == world.campaign.id


def test_a_return_says_why_and_reaches_editors_and_heads(people, client):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REPORTED)
    db.session.commit()
    workflow.transition(initiative, State.RETURNED, actor=world.secretariat, reason="Bổ sung ảnh chụp biên bản")
    db.session.commit()

    for person in (world.editor, world.second_editor, world.head):
        [note] = told(person)
        assert note.title.startswith("Trả lại để bổ sung") and "Bổ sung ảnh chụp biên bản" in note.body
    client.login(world.editor)
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "Trả lại để bổ sung" in page and "Bổ sung ảnh chụp biên bản" in page
    assert f'href="/sang-kien/{initiative.id}"' in page


def test_imported_answers_tell_nobody(people):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    workflow.transition(initiative, State.REGISTERED, actor=world.secretariat,
                        imported={"file": "form.csv", "row": 2, "at": "2024-09-01T08:00:00"})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_the_same_event_never_reaches_a_person_twice(people):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED)
    db.session.commit()
    assert events.notify(initiative, "shortlist", actor=world.secretariat, occurrence="7") == 3
    assert events.notify(initiative, "shortlist", actor=world.secretariat, occurrence="7") == 0
    db.session.commit()
    assert len(told(world.editor)) == 1
    # The database refuses a second row of the same event for the same person, whoever writes it.
    first = told(world.editor)[0]
    db.session.add(Notification(unit_id=first.unit_id, user_id=first.user_id, event_key=first.event_key,
                                kind=first.kind, title=first.title))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_award_recorded_on_a_published_model_still_tells_the_unit(people):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SHORTLISTED)
    db.session.commit()
    workflow.transition(initiative, State.PUBLISHED, actor=world.secretariat)
    factories.decided_award(world, initiative, decided=False)
    db.session.commit()
    from thidua.awards import services as awards
    from thidua.awards.models import AwardList
    from thidua.review.models import CommendationLevel

    award_list = awards.load_award_list(world.campaign.id)
    level = db.session.scalar(sa.select(CommendationLevel))
    awards.record_decision(award_list, level, "21/QĐ-SGDĐT", date(2024, 12, 20), "Trần Thế Cương",
                           actor=world.secretariat)
    db.session.commit()

    assert kinds(world.editor) == ["event:publish", "event:award"]
    note = told(world.head)[-1]
    assert "21/QĐ-SGDĐT" in note.body and "Giấy khen của Giám đốc Sở" in note.body


# --- what waits for the head --------------------------------------------------------------------

def edit_form(initiative, **changes) -> dict:
    values = {**factories.COMPLETE, "title": initiative.title, **changes}
    values["start_date"] = values["start_date"].isoformat()
    values["end_date"] = values["end_date"].isoformat()
    return {**values, "version": str(initiative.version)}


def test_an_editor_completing_a_draft_tells_the_heads_once_whatever_the_number_of_saves(people, client):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, title="Sổ liên lạc điện tử")
    db.session.commit()
    client.login(world.editor)

    first = client.post(f"/sang-kien/{initiative.id}/sua", data=edit_form(initiative))
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    db.session.expire_all()
    client.post(f"/sang-kien/{initiative.id}/sua", data=edit_form(db.session.get(type(initiative), initiative.id),
                                                                   need="Phụ huynh cần thông tin hằng ngày."))

    [note] = told(world.head)
    assert note.title == "Chờ thủ trưởng gửi đăng ký: “Sổ liên lạc điện tử”"
    assert "Phạm Thu Trang" in note.body
    assert told(world.editor) == [] and told(world.second_editor) == []  # the heads' move, not theirs

    # Registered, reopened, completed again: a new round, a new notification.
    workflow.transition(db.session.get(type(initiative), initiative.id), State.REGISTERED, actor=world.head)
    workflow.transition(db.session.get(type(initiative), initiative.id), State.DRAFT, actor=world.head)
    db.session.commit()
    db.session.expire_all()
    client.post(f"/sang-kien/{initiative.id}/sua", data=edit_form(db.session.get(type(initiative), initiative.id)))
    assert [n.kind for n in told(world.head)] == ["event:ready:register", "event:ready:register"]


def test_an_incomplete_draft_or_the_heads_own_save_tells_nobody(people, client, make_client):
    world = people
    client.login(world.editor)
    page = client.get(f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi")
    assert page.status_code == 200
    response = client.post(f"/don-vi/phong-trao/{world.campaign.id}/dang-ky-moi", data={
        "kind": "giai_phap", "title": "Chưa xong", "area": "tthc", "author_type": "tap_the"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert told(world.head) == []

    initiative = factories.initiative(world.campaign, world.school, actor=world.head)
    db.session.commit()
    head = make_client()
    head.login(world.head)
    head.post(f"/sang-kien/{initiative.id}/sua", data=edit_form(initiative))
    assert told(world.head) == [] and told(world.editor) == []


def test_a_report_completed_by_the_editor_waits_for_the_head(people, clock):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED)
    db.session.commit()
    in_report_phase(world, clock)
    assert events.ready_for_head(initiative, world.editor) == 0  # no report yet
    factories.complete_report(initiative, actor=world.editor)
    assert events.ready_for_head(initiative, world.editor) == 1
    db.session.commit()
    assert told(world.head)[0].title.startswith("Chờ thủ trưởng gửi báo cáo kết quả")


# --- e-mail ---------------------------------------------------------------------------------------

def test_each_person_gets_one_email_with_the_reason_and_a_link_to_stop_them(people, smtp, client, make_client):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REPORTED)
    db.session.commit()
    client.login(world.secretariat)
    response = client.post(f"/sang-kien/{initiative.id}/trang-thai",
                           data={"target": "returned", "reason": "Thiếu biên bản nghiệm thu"})
    assert response.status_code == 302

    received = {tuple(m.rcpt_tos): m for m in smtp.collector.messages}
    assert set(received) == {("trang@chuvanan.edu.vn",), ("ha@chuvanan.edu.vn",), ("hien@chuvanan.edu.vn",)}
    message = received[("trang@chuvanan.edu.vn",)]
    assert message.subject == f"[Thi đua CCHC] Trả lại để bổ sung: “{initiative.title}”"
    assert "Thiếu biên bản nghiệm thu" in message.body and f"/sang-kien/{initiative.id}" in message.body
    assert all(n.mail_status == MailStatus.SENT for n in told(world.editor))

    # A second delivery run (a retry, the hourly run) sends nothing again.
    assert delivery.deliver_pending() == {"sent": 0, "failed": 0, "stopped": 0}
    assert len(smtp.collector.messages) == 3

    # The link at the foot stops them, without signing in.
    stop_url = re.search(r"http\S+/thong-bao/dung-nhan-thu/\S+", message.body).group(0)
    path = stop_url.split("://", 1)[1].split("/", 1)[1]
    visitor = make_client()
    page = visitor.get("/" + path)
    assert page.status_code == 200 and "Dừng nhận thư thông báo" in page.get_data(as_text=True)
    assert visitor.post("/" + path, data={}).status_code == 200
    db.session.expire_all()
    assert db.session.get(type(world.editor), world.editor.id).email_notifications is False
    assert db.session.get(type(world.head), world.head.id).email_notifications is True

    smtp.collector.clear()
    scored = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED)
    workflow.transition(scored, State.SHORTLISTED, actor=world.secretariat)
    db.session.commit()
    delivery.deliver_pending()
    assert sorted(m.rcpt_tos[0] for m in smtp.collector.messages) == ["ha@chuvanan.edu.vn", "hien@chuvanan.edu.vn"]
    assert told(world.editor)[-1].kind == "event:shortlist" and told(world.editor)[-1].mail_status is None


def test_a_stop_link_that_was_altered_stops_nobody(people, client):
    world = people
    token = delivery.stop_token(world.editor)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/thong-bao/dung-nhan-thu/{forged}")
    assert response.status_code == 404 and "không hợp lệ" in response.get_data(as_text=True)
    assert client.post(f"/thong-bao/dung-nhan-thu/{forged}", data={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(type(world.editor), world.editor.id).email_notifications is True


def test_a_person_who_stopped_emails_still_sees_the_notification_and_gets_no_reminder_mail(people, smtp, client):
    world = people
    client.login(world.head)
    response = client.post("/thong-bao/thu-dien-tu", data={})  # the box unticked
    assert response.status_code == 302
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "chỉ hiện trên trang này" in page

    remind_units(world.campaign, Phase.REGISTRATION, "manual:test")
    addresses = {address for m in smtp.collector.messages for address in m.rcpt_tos}
    assert "hien@chuvanan.edu.vn" not in addresses and "trang@chuvanan.edu.vn" in addresses

    client.post("/thong-bao/thu-dien-tu", data={"email_notifications": "y"})
    db.session.expire_all()
    assert db.session.get(type(world.head), world.head.id).email_notifications is True


def test_a_mail_server_that_refuses_leaves_the_notification_and_records_the_failure(people, app, monkeypatch):
    world = people
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # nothing listens there
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED)
    workflow.transition(initiative, State.SHORTLISTED, actor=world.secretariat)
    db.session.commit()

    counts = delivery.deliver_pending()

    assert counts["failed"] == 3 and counts["sent"] == 0
    note = told(world.editor)[0]
    assert note.mail_status == MailStatus.FAILED and note.mail_error
    assert delivery.deliver_pending()["failed"] == 0  # a failed one is not retried behind the person's back


# --- what the person sees -------------------------------------------------------------------------

def test_the_header_counts_unread_notifications_until_they_are_read(people, client, make_client):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.SCORED)
    workflow.transition(initiative, State.SHORTLISTED, actor=world.secretariat)
    db.session.commit()
    remind_units(world.campaign, Phase.REGISTRATION, "manual:test")  # the other school has registered nothing
    db.session.add(Notification(unit_id=world.school.id, campaign_id=world.campaign.id, kind="targets",
                                title="Chỉ tiêu của đơn vị đã được kiểm tra"))  # the unit's own, for everyone there
    db.session.commit()

    client.login(world.editor)
    page = client.get("/don-vi").get_data(as_text=True)
    assert 'aria-label="Thông báo, 2 chưa đọc"' in page
    other = make_client()
    other.login(world.other_editor)
    assert 'aria-label="Thông báo, 1 chưa đọc"' in other.get("/don-vi").get_data(as_text=True)  # its reminder only

    assert client.post("/thong-bao/da-doc").status_code == 302
    page = client.get("/thong-bao").get_data(as_text=True)
    assert "chưa đọc" not in page and "Được đề xuất khen thưởng" in page and "Chỉ tiêu của đơn vị" in page
    assert "Nhắc việc" not in page  # the other school's
    # The other school's reminder is its own: still unread there.
    again = other.get("/don-vi").get_data(as_text=True)
    assert 'aria-label="Thông báo, 1 chưa đọc"' in again, again


def test_office_staff_have_a_notifications_page_too(world, client):
    client.login(world.secretariat)
    page = client.get("/thong-bao")
    assert page.status_code == 200 and "Chưa có thông báo nào" in page.get_data(as_text=True)


def test_after_publication_the_unit_still_sees_its_award(people, client):
    world = people
    initiative = factories.initiative(world.campaign, world.school, actor=world.editor, status=State.PUBLISHED)
    factories.decided_award(world, initiative, number="42/QĐ-SGDĐT")
    db.session.commit()
    client.login(world.editor)
    detail = client.get(f"/sang-kien/{initiative.id}").get_data(as_text=True)
    assert "Được khen thưởng: Giấy khen của Giám đốc Sở" in detail and "Quyết định số 42/QĐ-SGDĐT" in detail
    dashboard = client.get("/don-vi").get_data(as_text=True)
    assert "Đã công bố" in dashboard and "Khen thưởng: Giấy khen của Giám đốc Sở" in dashboard
