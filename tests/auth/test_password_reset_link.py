"""Password reset by e-mail: a signed-in-nowhere user gets a single-use, expiring link."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from thidua.auth.models import PasswordResetToken
from thidua.extensions import db

from tests import factories
from tests.auth.test_auth import NEW_PASSWORD, fresh, is_sent_to_login, login

SENT = "một liên kết đặt lại mật khẩu vừa được gửi"
LINK = re.compile(r"https?://\S+/dat-lai-mat-khau/(\S+)")
T0 = datetime(2024, 9, 10, 2, 0)


def ask(client, value: str):
    return client.post("/quen-mat-khau", {"login": value}, follow_redirects=True)


def mailed_link(smtp) -> str:
    assert len(smtp.collector.messages) == 1
    match = LINK.search(smtp.collector.messages[0].body)
    assert match, smtp.collector.messages[0].body
    return "/dat-lai-mat-khau/" + match.group(1)


def test_the_link_goes_to_the_accounts_address_and_sets_a_new_password(client, make_client, smtp, world):
    world.editor.email = "trang@thidua-demo.edu.vn"
    db.session.commit()
    signed_in = make_client()
    signed_in.login(world.editor)
    page = ask(client, world.editor.username.upper()).get_data(as_text=True)
    assert SENT in page
    message = smtp.collector.messages[0]
    assert message.rcpt_tos == ["trang@thidua-demo.edu.vn"]
    assert "Đặt lại mật khẩu" in message.subject
    link = mailed_link(smtp)
    assert db.session.scalar(sa.select(PasswordResetToken.token_hash)) != link.rsplit("/", 1)[1]  # only a hash kept

    assert "Đặt mật khẩu mới" in client.get(link).get_data(as_text=True)
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert fresh(world.editor).check_password(NEW_PASSWORD)
    assert is_sent_to_login(signed_in.get("/tai-khoan"))  # every old session ended
    assert login(make_client(), world.editor.username, NEW_PASSWORD).status_code == 302
    # Single use.
    assert client.get(link).status_code == 404
    assert client.post(link, {"new_password": "khac12345", "confirm": "khac12345"}).status_code == 404
    assert fresh(world.editor).check_password(NEW_PASSWORD)


def test_the_address_itself_may_be_given(client, smtp, world):
    world.head.email = "Hieutruong@Thidua-Demo.edu.vn"
    db.session.commit()
    assert SENT in ask(client, "hieutruong@thidua-demo.edu.vn").get_data(as_text=True)
    assert smtp.collector.messages[0].rcpt_tos == ["Hieutruong@Thidua-Demo.edu.vn"]


def test_an_unknown_name_or_an_account_without_address_gets_the_same_answer_and_no_mail(client, smtp, world):
    world.editor.email = ""
    db.session.commit()
    for value in ("khong.ton.tai", world.editor.username):
        assert SENT in ask(client, value).get_data(as_text=True)
    assert smtp.collector.messages == []


def test_a_link_expires_after_an_hour(client, clock, smtp, world):
    world.editor.email = "trang@thidua-demo.edu.vn"
    db.session.commit()
    clock.utc(T0)
    ask(client, world.editor.username)
    link = mailed_link(smtp)
    clock.utc(T0 + timedelta(minutes=61))
    response = client.get(link)
    assert response.status_code == 404
    assert "đã hết hạn" in response.get_data(as_text=True)


def test_only_the_newest_link_opens(client, smtp, world):
    world.editor.email = "trang@thidua-demo.edu.vn"
    db.session.commit()
    ask(client, world.editor.username)
    first = mailed_link(smtp)
    smtp.collector.clear()
    ask(client, world.editor.username)
    assert client.get(first).status_code == 404
    assert client.get(mailed_link(smtp)).status_code == 200


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(client, smtp, world):
    world.editor.email = "trang@thidua-demo.edu.vn"
    db.session.commit()
    ask(client, world.editor.username)
    link = mailed_link(smtp)
    response = client.post(link, {"new_password": "12345678", "confirm": "12345678"})
    assert response.status_code == 200
    assert "Mật khẩu cần ít nhất 8 ký tự" in response.get_data(as_text=True)
    response = client.post(link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "Mật khẩu nhập lại không khớp." in response.get_data(as_text=True)
    assert fresh(world.editor).check_password(factories.PASSWORD)
    assert client.get(link).status_code == 200


def test_without_a_mail_server_the_page_says_whom_to_ask_and_keeps_the_name(client, world):
    response = client.post("/quen-mat-khau", {"login": "ten.da.go"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "chưa cấu hình gửi thư điện tử" in page
    assert 'value="ten.da.go"' in page
