"""Sign-ins live on the server: signing out, a password change or reset, or the user ends them for good."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from thidua.auth.models import UserSession
from thidua.config import Config
from thidua.extensions import db

from tests.auth.test_auth import NEW_PASSWORD, is_sent_to_login

T0 = datetime(2024, 9, 10, 2, 0)


def copy_cookie(source, target, name: str) -> None:
    cookie = source.http.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.http.set_cookie(name, cookie.value)


def remember_login(client, user):
    token = client.csrf_token()
    response = client.http.post("/dang-nhap", data={"csrf_token": token, "username": user.username,
                                                    "password": "matkhau2024", "remember": "y"})
    assert response.status_code == 302
    return response


def sessions_of(user) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def test_a_copied_session_cookie_stops_working_once_its_owner_signs_out(client, make_client, world):
    client.login(world.editor)
    thief = make_client()
    copy_cookie(client, thief, "session")
    assert thief.get("/tai-khoan").status_code == 200  # the copy works while the sign-in lasts
    client.logout()
    assert is_sent_to_login(thief.get("/tai-khoan"))
    assert sessions_of(world.editor) == 0


def test_the_remember_cookie_alone_opens_pages_from_another_browser_until_sign_out(client, make_client, world):
    remember_login(client, world.editor)
    other = make_client()
    copy_cookie(client, other, "remember_token")
    assert other.get("/tai-khoan").status_code == 200
    client.logout()
    stale = make_client()
    stale.http.set_cookie("remember_token", other.http.get_cookie("remember_token").value)
    assert is_sent_to_login(stale.get("/tai-khoan"))


def test_the_remember_cookie_lasts_fourteen_days_by_default(app, client, world):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    response = remember_login(client, world.editor)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    assert timedelta(days=13, hours=23) < expires - datetime.utcnow() <= timedelta(days=14)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == world.editor.id))
    assert row.remember and timedelta(days=13, hours=23) < row.expires_at - row.created_at <= timedelta(days=14)


def test_a_remembered_sign_in_ends_on_the_server_when_its_days_are_over(client, make_client, clock, world):
    clock.utc(T0)
    remember_login(client, world.editor)
    other = make_client()
    copy_cookie(client, other, "remember_token")
    clock.utc(T0 + timedelta(days=13))
    assert other.get("/tai-khoan").status_code == 200
    clock.utc(T0 + timedelta(days=14, minutes=1))
    assert is_sent_to_login(client.get("/tai-khoan"))


def test_a_sign_in_without_remember_ends_after_eight_idle_hours_but_not_while_in_use(
        app, client, clock, monkeypatch, world):
    assert Config.SESSION_IDLE_SECONDS == 8 * 3600  # the production default
    monkeypatch.setitem(app.config, "SESSION_IDLE_SECONDS", Config.SESSION_IDLE_SECONDS)
    clock.utc(T0)
    client.login(world.editor)
    for hours in (3, 6, 9, 12):  # a page every three hours keeps it open
        clock.utc(T0 + timedelta(hours=hours))
        assert client.get("/tai-khoan").status_code == 200, hours
    clock.utc(T0 + timedelta(hours=12 + 8, minutes=1))
    assert is_sent_to_login(client.get("/tai-khoan"))


def test_a_reset_by_the_secretariat_ends_every_sign_in_remembered_ones_included(client, make_client, world):
    browsers = [make_client() for _ in range(2)]
    remember_login(browsers[0], world.editor)
    browsers[1].login(world.editor)
    only_remember = make_client()
    copy_cookie(browsers[0], only_remember, "remember_token")
    client.login(world.secretariat)
    assert client.post(f"/quan-tri/tai-khoan/{world.editor.id}/mat-khau",
                       {"new_password": NEW_PASSWORD}).status_code == 302
    for browser in (*browsers, only_remember):
        assert is_sent_to_login(browser.get("/tai-khoan"))
    assert sessions_of(world.editor) == 0


def test_the_account_page_lists_the_sign_ins_and_one_can_end_another(client, make_client, world):
    other = make_client()
    other.http.environ_base["HTTP_USER_AGENT"] = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                  "(KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0")
    other.login(world.editor)
    client.login(world.editor)
    page = client.get("/tai-khoan").get_data(as_text=True)
    assert "Các phiên đăng nhập" in page
    assert "Edge trên Windows" in page
    assert "Phiên này" in page
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_agent.like("%Edg/%")))
    response = client.post(f"/tai-khoan/phien/{row.id}/ket-thuc")
    assert response.status_code == 302
    assert "Đã kết thúc phiên đăng nhập đó." in client.get("/tai-khoan").get_data(as_text=True)
    assert is_sent_to_login(other.get("/tai-khoan"))
    assert client.get("/tai-khoan").status_code == 200


def test_ending_every_other_sign_in_keeps_this_one(client, make_client, world):
    others = [make_client() for _ in range(3)]
    for browser in others:
        browser.login(world.editor)
    client.login(world.editor)
    client.post("/tai-khoan/phien/ket-thuc-cac-phien-khac")
    assert "Đã kết thúc 3 phiên đăng nhập khác." in client.get("/tai-khoan").get_data(as_text=True)
    for browser in others:
        assert is_sent_to_login(browser.get("/tai-khoan"))
    assert sessions_of(world.editor) == 1


def test_nobody_can_end_a_sign_in_of_another_account(client, make_client, world):
    head = make_client()
    head.login(world.head)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == world.head.id))
    client.login(world.editor)
    assert client.post(f"/tai-khoan/phien/{row.id}/ket-thuc").status_code == 404
    assert head.get("/tai-khoan").status_code == 200


def test_the_session_cookie_holds_no_key_the_database_keeps(client, world):
    client.login(world.editor)
    row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == world.editor.id))
    # Only the key's hash is stored: a copy of the table opens no session.
    stolen = client.app.test_client()
    with stolen.session_transaction() as session:
        session["_user_id"] = f"{world.editor.id}:{row.key_hash}"
        session["_fresh"] = True
    assert is_sent_to_login(stolen.get("/tai-khoan"))
