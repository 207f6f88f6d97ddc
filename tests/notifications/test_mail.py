"""Reminder e-mails as a real SMTP server (aiosmtpd, started by the test) receives them."""
from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.factories import State
from tests.notifications.smtp import free_port
from thidua.extensions import db
from thidua.jobs.models import Job, JobStatus
from thidua.notifications import services
from thidua.notifications.mail import Mailer, MailError, clean_addresses
from thidua.notifications.models import Notification, ReminderLog
from thidua.phases import Phase
from thidua.timeutil import format_date


def _addresses(world):
    world.head.email = "hieutruong@chuvanan.edu.vn"
    world.editor.email = "CanBo@chuvanan.edu.vn"
    world.other_head.email = "hieutruong@kimlien.edu.vn"
    world.other_editor.email = "hieutruong@KIMLIEN.edu.vn"  # the same mailbox spelt differently: once
    db.session.commit()


def test_each_missing_unit_receives_one_message_at_its_own_and_its_accounts_addresses(world, smtp):
    _addresses(world)
    factories.initiative(world.campaign, world.office_unit, actor=world.secretariat, status=State.REGISTERED)
    db.session.commit()

    counts = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:mail")

    assert counts["sent"] == 2 and counts["failed"] == 0 and counts["notified"] == 2
    received = {tuple(sorted(a.lower() for a in m.rcpt_tos)): m for m in smtp.collector.wait_for(2)}
    assert len(smtp.messages) == 2
    assert set(received) == {
        tuple(sorted([world.school.email, "hieutruong@chuvanan.edu.vn", "canbo@chuvanan.edu.vn"])),
        tuple(sorted([world.other_school.email, "hieutruong@kimlien.edu.vn"])),  # once, whatever the spelling
    }
    for message in smtp.messages:
        assert message.mail_from == "vanphong@thidua-demo.edu.vn"
        assert len(message.message["To"].addresses) == len(message.rcpt_tos)


def test_the_message_is_utf8_vietnamese_with_the_campaign_and_the_deadline(world, smtp):
    factories.initiative(world.campaign, world.other_school, actor=world.other_editor, status=State.REGISTERED)
    factories.initiative(world.campaign, world.office_unit, actor=world.secretariat, status=State.REGISTERED)
    db.session.commit()
    deadline = format_date(world.campaign.registration_deadline)

    services.remind_units(world.campaign, Phase.REGISTRATION, "manual:mail")

    [received] = smtp.collector.wait_for(1)
    assert received.rcpt_tos == [world.school.email]
    assert received.data.isascii()  # headers RFC 2047-encoded, body transfer-encoded: any relay takes it
    message = received.message
    assert message["Subject"] == (
        f"[Thi đua CCHC] Nhắc việc: đăng ký mô hình, giải pháp, sáng kiến — hạn {deadline} (còn 10 ngày)"
    )
    assert message.get_content_charset() == "utf-8"
    assert "Văn phòng Sở" in str(message["From"]) and "<vanphong@thidua-demo.edu.vn>" in str(message["From"])
    assert message["Message-ID"] and message["Date"]
    body = received.body
    assert "Kính gửi: Trường THPT Chu Văn An" in body
    assert f"trong {world.campaign.name} (" in body and "phong trào “Phong trào" not in body
    assert f"hết ngày {deadline} (còn 10 ngày)" in body
    assert f"http://127.0.0.1:5000/don-vi#phong-trao-{world.campaign.id}" in body
    assert "Bộ phận Thường trực CCHC" in body

    entry = db.session.scalars(sa.select(ReminderLog)).one()
    assert entry.status == "sent" and entry.sent_at is not None and entry.recipients == world.school.email


def test_the_office_button_sends_the_mail_and_the_job_says_so(world, smtp, client):
    _addresses(world)
    client.login(world.secretariat)
    page = client.get(f"/phong-trao/{world.campaign.id}/nhac-viec?phase=registration").get_data(as_text=True)
    assert "MAIL_SERVER" not in page and "Gửi nhắc việc cho 3 đơn vị" in page

    response = client.post(f"/phong-trao/{world.campaign.id}/nhac-viec", {"phase": "registration"})

    job = db.session.get(Job, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert job.status == JobStatus.DONE
    assert job.result["details"]["sent"] == 3 and "mail" not in job.result
    assert len(smtp.collector.wait_for(3)) == 3
    page = client.get(f"/cong-viec/{job.id}").get_data(as_text=True)
    assert "3 thư điện tử đã gửi" in page
    statuses = db.session.scalars(sa.select(ReminderLog.status)).all()
    assert statuses == ["sent"] * 3


def test_a_unit_without_any_address_gets_the_notification_only(world, smtp):
    world.other_school.email = ""
    factories.initiative(world.campaign, world.school, actor=world.editor, status=State.REGISTERED)
    factories.initiative(world.campaign, world.office_unit, actor=world.secretariat, status=State.REGISTERED)
    db.session.commit()

    counts = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:mail")

    assert counts == {**services.empty_counts(), "notified": 1, "no_email": 1}
    assert smtp.messages == []
    entry = db.session.scalars(sa.select(ReminderLog)).one()
    assert entry.status == "in_app" and "chưa có địa chỉ" in entry.error


def test_an_unreachable_mail_server_fails_the_mail_not_the_reminder(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there

    counts = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:mail")

    assert counts["failed"] == 3 and counts["sent"] == 0 and counts["notified"] == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3
    entries = db.session.scalars(sa.select(ReminderLog)).all()
    assert {e.status for e in entries} == {"failed"} and all(e.error for e in entries)
    # Still once per milestone: a rerun does not retry (nor double) the reminder.
    again = services.remind_units(world.campaign, Phase.REGISTRATION, "manual:mail")
    assert again["skipped_already_reminded"] == 3


def test_without_mail_server_the_mailer_refuses_and_nothing_is_sent(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    with Mailer() as mailer:
        assert not mailer.enabled
        try:
            mailer.send(["a@example.org"], "x", "y")
        except MailError as error:
            assert "MAIL_SERVER" in str(error)
        else:
            raise AssertionError("sent without a server")


def test_addresses_are_cleaned_and_deduplicated():
    assert clean_addresses(["A@x.vn", "", None, "a@X.vn", "khong-phai-thu", "b@x.vn, c@x.vn", " c@x.vn "]) == [
        "A@x.vn", "c@x.vn"]


def test_one_connection_serves_many_messages(world, smtp, monkeypatch):
    connections = []
    original = Mailer._connect

    def counting(self):
        connections.append(1)
        return original(self)

    monkeypatch.setattr(Mailer, "_connect", counting)
    services.remind_units(world.campaign, Phase.REGISTRATION, "manual:mail")
    assert len(smtp.collector.wait_for(3)) == 3
    assert len(connections) == 1
