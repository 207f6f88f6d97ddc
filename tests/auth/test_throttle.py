"""Sign-in throttling on a shared office address: nobody is stopped by other people's failures,
guessing across accounts from one address is still slowed, and a wrong username costs the same time."""
from __future__ import annotations

import statistics
import threading
import time
from datetime import datetime

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from thidua.auth.models import LoginFailure, User
from thidua.auth.services import INITIAL_HASH_METHOD
from thidua.extensions import db

from tests import factories
from tests.auth.test_auth import LOCKED, WRONG_LOGIN, login
from tests.conftest import is_postgres
from tests.servers import Browser

T0 = datetime(2024, 9, 10, 2, 0)


def fail_as(client, username: str) -> int:
    return login(client, username, "sai-mat-khau-9").status_code


def test_twenty_failures_from_an_address_do_not_stop_a_colleague_with_the_right_password(
        client, make_client, clock, world):
    clock.utc(T0)
    for n in range(25):  # a script behind the office's proxy, any usernames, some that do not exist
        fail_as(client, f"khong-co-{n}")
    colleague = make_client()  # the same address, as every client behind the proxy
    assert login(colleague, world.editor.username, factories.PASSWORD).status_code == 302
    assert login(make_client(), world.head.username, factories.PASSWORD).status_code == 302


def test_from_a_busy_address_each_username_gets_only_two_wrong_guesses(client, make_client, clock, world):
    clock.utc(T0)
    for n in range(20):
        fail_as(client, f"khong-co-{n}")
    assert fail_as(client, world.editor.username) == 200
    assert fail_as(client, world.editor.username) == 200
    response = login(client, world.editor.username, "doan-tiep-3")
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    # Only that username at that address: the head, who failed nowhere, still signs in.
    assert login(make_client(), world.head.username, factories.PASSWORD).status_code == 302


def test_from_a_quiet_address_a_username_locks_after_five_failures_as_before(client, clock, world):
    clock.utc(T0)
    for _ in range(4):
        assert fail_as(client, world.editor.username) == 200
    assert fail_as(client, world.editor.username) == 200
    assert login(client, world.editor.username, factories.PASSWORD).status_code == 429


def _timed_failures(client, username: str, times: int) -> float:
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        response = login(client, username, "sai-mat-khau-9")
        durations.append(time.perf_counter() - started)
        assert WRONG_LOGIN in response.get_data(as_text=True)
    return statistics.median(durations)


def test_an_unknown_username_takes_as_long_as_a_wrong_password(client, make_client, world):
    # Real password hashing (the default method), as accounts have it; the factories' hash is a fast one.
    db.session.execute(sa.update(User).where(User.id == world.editor.id).values(
        password_hash=generate_password_hash(factories.PASSWORD)))
    db.session.commit()
    existing = _timed_failures(make_client(), world.editor.username, 3)
    unknown = _timed_failures(make_client(), "khong.ton.tai", 3)
    assert existing > 0.02  # the hash does cost something
    assert 0.6 < unknown / existing < 1.6, (unknown, existing)


def test_an_initial_password_takes_as_long_to_refuse_as_any_other(client, make_client, world):
    db.session.execute(sa.update(User).where(User.id == world.editor.id).values(
        password_hash=generate_password_hash(factories.PASSWORD)))
    initial = factories.user(factories.Role.UNIT_HEAD, world.other_school, username="moi.tt",
                             must_change_password=True)
    initial.password_hash = generate_password_hash("khoidau12345", method=INITIAL_HASH_METHOD)
    db.session.commit()
    usual = _timed_failures(make_client(), world.editor.username, 3)
    fresh_account = _timed_failures(make_client(), "moi.tt", 3)
    assert 0.6 < fresh_account / usual < 1.8, (fresh_account, usual)


GUESSES = 40


@pytest.mark.skipif(not is_postgres(), reason="concurrent writers need PostgreSQL (SQLite serialises them)")
def test_forty_simultaneous_wrong_passwords_get_five_evaluated_and_the_rest_refused(app, world):
    username = world.editor.username
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        browsers = []
        for _ in range(GUESSES):
            browser = Browser()
            browsers.append((browser, browser.token(f"{base}/dang-nhap")))
        barrier = threading.Barrier(GUESSES)
        answers: list[tuple[int, str]] = []

        def guess(browser, token, n):
            barrier.wait()
            status, body = browser.post(f"{base}/dang-nhap", {"csrf_token": token, "username": username,
                                                              "password": f"doan-{n}"})
            answers.append((status, body.decode("utf-8")))

        threads = [threading.Thread(target=guess, args=(*pair, n)) for n, pair in enumerate(browsers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        # After the storm, the right password is still refused: the account stays locked.
        late = Browser()
        status, body = late.post(f"{base}/dang-nhap", {"csrf_token": late.token(f"{base}/dang-nhap"),
                                                       "username": username, "password": factories.PASSWORD})
    finally:
        server.shutdown()

    assert len(answers) == GUESSES
    assert all(code < 500 for code, _ in answers), sorted({code for code, _ in answers})
    evaluated = [body for code, body in answers if code == 200]
    assert len(evaluated) == 5 and all(WRONG_LOGIN in body for body in evaluated)
    assert sum(1 for code, body in answers if code == 429 and LOCKED in body) == GUESSES - 5
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username)) == 5
    assert status == 429 and LOCKED in body.decode("utf-8")
