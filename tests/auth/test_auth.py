"""Sign-in, throttling, sessions, passwords, security headers and account management."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.auth.forms import PASSWORD_RULE
from thidua.auth.models import LoginFailure, User
from thidua.extensions import db

from tests.factories import PASSWORD

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Đăng nhập sai quá nhiều lần"
NEW_PASSWORD = "matkhaumoi2025"


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def login(client, username: str, password: str, url: str = "/dang-nhap"):
    return client.post(url, {"username": username, "password": password})


def is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/dang-nhap")


# --- login -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "landing"), [
    ("editor", "/don-vi"),
    ("head", "/don-vi"),
    ("secretariat", "/phong-trao"),
    ("leader", "/lanh-dao"),
    ("reviewer", "/hoi-dong"),
])
def test_right_password_goes_home_then_to_the_landing_page_of_the_role(client, world, who, landing):
    user = getattr(world, who)
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/trang-chu"
    home = client.get("/trang-chu")
    if landing is None:
        assert home.status_code == 200
    else:
        assert home.status_code == 302
        assert home.headers["Location"] == landing
        assert client.get(landing).status_code == 200
    assert fresh(user).last_login_at is not None


def test_username_is_case_insensitive_and_trimmed(client, world):
    response = login(client, "  " + world.editor.username.upper() + " ", PASSWORD)
    assert response.status_code == 302


def test_wrong_password_shows_the_error_keeps_the_username_and_not_the_password(client, world):
    response = login(client, world.editor.username, "sai-mat-khau-9")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert WRONG_LOGIN in page
    assert f'value="{world.editor.username}"' in page
    assert "sai-mat-khau-9" not in page
    assert is_sent_to_login(client.get("/tai-khoan"))


def test_unknown_username_gets_the_same_message_as_a_wrong_password(client, world):
    response = login(client, "khong.ton.tai", PASSWORD)
    assert response.status_code == 200
    assert WRONG_LOGIN in response.get_data(as_text=True)


def test_deactivated_account_is_refused_even_with_the_right_password(client, world):
    world.editor.is_active_account = False
    db.session.commit()
    response = login(client, world.editor.username, PASSWORD)
    assert response.status_code == 200
    assert WRONG_LOGIN in response.get_data(as_text=True)
    assert is_sent_to_login(client.get("/tai-khoan"))


def test_deactivating_an_account_ends_its_open_session(client, make_client, world):
    editor = make_client()
    editor.login(world.editor)
    client.login(world.secretariat)
    response = client.post(f"/quan-tri/tai-khoan/{world.editor.id}", {
        "username": world.editor.username, "full_name": world.editor.full_name, "role": "unit_editor",
        "unit_id": str(world.school.id),  # is_active left unticked
    })
    assert response.status_code == 302
    assert fresh(world.editor).is_active_account is False
    assert is_sent_to_login(editor.get("/tai-khoan"))


@pytest.mark.parametrize("target", ["https://evil.example", "https://evil.example/phong-trao", "//evil.example",
                                    "javascript:alert(1)"])
def test_next_pointing_off_site_is_ignored(client, world, target):
    response = login(client, world.secretariat.username, PASSWORD, f"/dang-nhap?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/trang-chu"


def test_next_on_this_site_is_honoured(client, world):
    response = login(client, world.secretariat.username, PASSWORD, "/dang-nhap?next=/phong-trao")
    assert response.status_code == 302
    assert response.headers["Location"] == "/phong-trao"


def test_protected_page_sends_to_login_and_back_after_signing_in(client, world):
    response = client.get("/tai-khoan")
    assert is_sent_to_login(response)
    login_url = response.headers["Location"]
    assert "next=" in login_url
    response = login(client, world.editor.username, PASSWORD, login_url)
    assert response.headers["Location"] == "/tai-khoan"


# --- throttling ------------------------------------------------------------------------------

T0 = datetime(2024, 9, 10, 2, 0)


def _fail(client, username: str, times: int) -> None:
    for _ in range(times):
        response = login(client, username, "sai-mat-khau-9")
        assert response.status_code == 200
        assert WRONG_LOGIN in response.get_data(as_text=True)


def test_after_five_failures_even_the_right_password_is_refused_with_429(app, client, clock, world):
    assert app.config["LOGIN_MAX_FAILURES"] == 5
    clock.utc(T0)
    _fail(client, world.editor.username, 5)
    response = login(client, world.editor.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert is_sent_to_login(client.get("/tai-khoan"))


def test_four_failures_do_not_lock_the_account(client, clock, world):
    clock.utc(T0)
    _fail(client, world.editor.username, 4)
    assert login(client, world.editor.username, PASSWORD).status_code == 302


def test_the_lock_is_per_username_not_for_everyone(client, make_client, clock, world):
    clock.utc(T0)
    _fail(client, world.editor.username, 5)
    assert login(make_client(), world.head.username, PASSWORD).status_code == 302


def test_the_lock_holds_until_the_window_ends_then_the_right_password_works(app, client, clock, world):
    clock.utc(T0)
    _fail(client, world.editor.username, 5)
    window = timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"])
    clock.utc(T0 + window - timedelta(minutes=1))
    assert login(client, world.editor.username, PASSWORD).status_code == 429
    clock.utc(T0 + window + timedelta(seconds=1))
    assert login(client, world.editor.username, PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failure_count(client, clock, world):
    clock.utc(T0)
    _fail(client, world.editor.username, 4)
    assert login(client, world.editor.username, PASSWORD).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0
    client.logout()
    _fail(client, world.editor.username, 4)  # eight in the window had the count not been cleared
    assert login(client, world.editor.username, PASSWORD).status_code == 302


# --- sessions --------------------------------------------------------------------------------

def test_session_cookie_changes_at_login_and_the_old_session_data_is_dropped(client, world):
    token_before = client.csrf_token()  # also starts an anonymous session
    cookie_before = client.http.get_cookie("session").value
    client.login(world.editor)
    assert client.http.get_cookie("session").value != cookie_before
    # The anonymous session's CSRF token does not carry over into the signed-in one.
    response = client.post("/tai-khoan", {"csrf_token": token_before, "current_password": PASSWORD,
                                          "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert fresh(world.editor).check_password(PASSWORD)


def test_logout_by_get_is_not_allowed(client, world):
    client.login(world.editor)
    assert client.get("/dang-xuat").status_code == 405
    assert client.get("/tai-khoan").status_code == 200


def test_after_logout_protected_pages_send_to_login(client, world):
    client.login(world.editor)
    response = client.logout()
    assert is_sent_to_login(response)
    for url in ("/tai-khoan", "/trang-chu", "/don-vi"):
        assert is_sent_to_login(client.get(url)), url


# --- passwords -------------------------------------------------------------------------------

def test_password_reset_by_the_secretariat_ends_the_users_sessions_and_the_new_password_works(
        client, make_client, world):
    editor = make_client()
    editor.login(world.editor)
    assert editor.get("/tai-khoan").status_code == 200
    client.login(world.secretariat)
    response = client.post(f"/quan-tri/tai-khoan/{world.editor.id}/mat-khau", {"new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/quan-tri/tai-khoan/{world.editor.id}"

    assert is_sent_to_login(editor.get("/tai-khoan"))
    assert login(make_client(), world.editor.username, PASSWORD).status_code == 200
    assert login(make_client(), world.editor.username, NEW_PASSWORD).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "user.password_reset", AuditLog.object_id == world.editor.id,
        AuditLog.actor_id == world.secretariat.id)) == 1


@pytest.mark.parametrize("weak", ["12345678", "abcdefgh", "abc1234"])
def test_password_reset_refuses_a_weak_password(client, make_client, world, weak):
    editor = make_client()
    editor.login(world.editor)
    client.login(world.secretariat)
    response = client.post(f"/quan-tri/tai-khoan/{world.editor.id}/mat-khau", {"new_password": weak})
    assert response.status_code == 400
    assert PASSWORD_RULE in response.get_data(as_text=True)
    assert fresh(world.editor).check_password(PASSWORD)
    assert editor.get("/tai-khoan").status_code == 200


def test_changing_own_password_with_a_wrong_current_password_is_refused(client, make_client, world):
    other_browser = make_client()
    other_browser.login(world.editor)
    client.login(world.editor)
    response = client.post("/tai-khoan", {"current_password": "sai-mat-khau-9", "new_password": NEW_PASSWORD,
                                          "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    assert fresh(world.editor).check_password(PASSWORD)
    assert other_browser.get("/tai-khoan").status_code == 200


def test_changing_own_password_keeps_this_session_and_ends_the_others(client, make_client, world):
    other_browser = make_client()
    other_browser.login(world.editor)
    client.login(world.editor)
    response = client.post("/tai-khoan", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                          "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/tai-khoan").status_code == 200
    assert is_sent_to_login(other_browser.get("/tai-khoan"))
    assert fresh(world.editor).check_password(NEW_PASSWORD)


@pytest.mark.parametrize("weak", ["12345678", "abcdefgh"])
def test_changing_own_password_refuses_a_weak_one(client, world, weak):
    client.login(world.editor)
    response = client.post("/tai-khoan", {"current_password": PASSWORD, "new_password": weak, "confirm": weak})
    assert response.status_code == 200
    assert PASSWORD_RULE in response.get_data(as_text=True)
    assert fresh(world.editor).check_password(PASSWORD)


# --- security headers ------------------------------------------------------------------------

def _session_set_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_pages_send_the_security_headers(client):
    response = client.get("/dang-nhap")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_pages_carry_no_inline_script_that_the_policy_would_block(client, world):
    client.login(world.secretariat)
    for url in ("/dang-nhap", "/phong-trao", "/tai-khoan"):
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "<script>" not in page, url
        assert " onclick=" not in page and " onsubmit=" not in page and " onchange=" not in page, url


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    anonymous = _session_set_cookie(client.get("/dang-nhap"))
    assert "HttpOnly" in anonymous
    assert "SameSite=Lax" in anonymous
    signed_in = _session_set_cookie(client.login(world.editor))
    assert "HttpOnly" in signed_in
    assert "SameSite=Lax" in signed_in


def test_signed_in_pages_are_not_stored_in_caches(client, world):
    client.login(world.secretariat)
    for url in ("/tai-khoan", "/phong-trao", "/quan-tri/tai-khoan"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers.get("Cache-Control", ""), url


# --- account management by the secretariat ---------------------------------------------------

def _new_user(**overrides) -> dict:
    return {"username": "nguoimoi", "full_name": "Nguyễn Văn Mới", "job_title": "Giáo viên", "email": "",
            "phone": "", "role": "unit_editor", "unit_id": "0", "password": "matkhau2025", **overrides}


def _user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_unit_account_without_a_unit_is_refused_and_the_typed_values_are_kept(client, world):
    client.login(world.secretariat)
    before = _user_count()
    response = client.post("/quan-tri/tai-khoan/moi", _new_user())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tài khoản của đơn vị phải thuộc một đơn vị." in page
    assert 'value="Nguyễn Văn Mới"' in page
    assert 'value="nguoimoi"' in page
    assert _user_count() == before
    assert db.session.scalar(sa.select(User).where(User.username == "nguoimoi")) is None


def test_duplicate_username_is_refused(client, world):
    client.login(world.secretariat)
    before = _user_count()
    response = client.post("/quan-tri/tai-khoan/moi",
                           _new_user(username=world.editor.username, unit_id=str(world.school.id)))
    assert response.status_code == 200
    assert "Tên đăng nhập này đã có người dùng." in response.get_data(as_text=True)
    assert _user_count() == before
    assert fresh(world.editor).full_name == "Phạm Thu Trang"


def test_creating_an_account_writes_an_audit_row_and_the_account_can_sign_in(client, make_client, world):
    client.login(world.secretariat)
    response = client.post("/quan-tri/tai-khoan/moi", _new_user(unit_id=str(world.school.id)))
    assert response.status_code == 302
    assert response.headers["Location"] == "/quan-tri/tai-khoan"
    user = db.session.scalar(sa.select(User).where(User.username == "nguoimoi"))
    assert (user.role, user.unit_id, user.full_name) == ("unit_editor", world.school.id, "Nguyễn Văn Mới")
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.created"))
    assert (row.actor_id, row.object_type, row.object_id) == (world.secretariat.id, "user", user.id)
    assert login(make_client(), "nguoimoi", "matkhau2025").status_code == 302


def test_creating_an_account_without_an_initial_password_is_refused(client, world):
    client.login(world.secretariat)
    before = _user_count()
    response = client.post("/quan-tri/tai-khoan/moi", _new_user(unit_id=str(world.school.id), password=""))
    assert response.status_code == 200
    assert "Vui lòng đặt mật khẩu ban đầu." in response.get_data(as_text=True)
    assert _user_count() == before
