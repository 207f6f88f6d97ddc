"""The database down, restarted or locked for a moment: a clear page, nothing half written, service resumes.

The lock tests hold a real lock from a second connection (SQLite: BEGIN EXCLUSIVE; PostgreSQL:
LOCK TABLE ... ACCESS EXCLUSIVE) against an app that gives up waiting after a fraction of a second.
"""
from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from thidua.audit import AuditLog
from thidua.extensions import db
from thidua.registration.models import Initiative

from tests import factories
from tests.conftest import Config, is_postgres
from tests.notifications.smtp import free_port
from tests.reliability.conftest import signed_in_client

UNAVAILABLE = "Hệ thống tạm thời gián đoạn"
NOT_SAVED = "Thao tác vừa rồi chưa được lưu"


def edit_payload(initiative: Initiative, title: str) -> dict:
    return {"version": str(initiative.version), "kind": "giai_phap", "title": title, "area": "chinh_quyen_so",
            "novelty": "moi", "author_type": "tap_the", "collective_name": "Tổ Văn phòng",
            "start_date": "2024-09-01", "end_date": "2024-10-31"}


def state(initiative_id: int):
    db.session.rollback()
    row = db.session.get(Initiative, initiative_id)
    return row.title, row.version, db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


@pytest.fixture
def draft(world):
    world.initiative = factories.initiative(world.campaign, world.school, actor=world.editor)
    db.session.commit()
    return world


def unreachable_uri() -> str:
    if is_postgres():
        return f"postgresql+psycopg://thidua@127.0.0.1:{free_port()}/thidua_khong_co"
    return "sqlite:////thu-muc-khong-ton-tai/thidua.sqlite"


def assert_unavailable_page(response):
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert UNAVAILABLE in page and NOT_SAVED in page
    assert response.headers["Retry-After"]
    assert "Traceback" not in page and "OperationalError" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_with_the_database_unreachable_pages_answer_503_with_a_clear_message(other_app, draft, client):
    client.login(draft.editor)
    down = other_app(SQLALCHEMY_DATABASE_URI=unreachable_uri(),
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}
                     if is_postgres() else {})
    anonymous = signed_in_client(down, client).http
    anonymous.delete_cookie("session")
    assert_unavailable_page(anonymous.get("/thu-vien"))
    token = client.csrf_token()
    signed_in = signed_in_client(down, client)
    assert_unavailable_page(signed_in.get(f"/sang-kien/{draft.initiative.id}"))
    response = signed_in.http.post(f"/sang-kien/{draft.initiative.id}/sua",
                                   data={**edit_payload(draft.initiative, "Không lưu được"), "csrf_token": token})
    assert_unavailable_page(response)


@pytest.mark.skipif(is_postgres(), reason="SQLite's own lock")
def test_a_write_while_sqlite_is_locked_gets_503_writes_nothing_and_the_retry_succeeds(other_app, draft, client):
    locked_app = other_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.3}})
    client.login(draft.editor)
    browser = signed_in_client(locked_app, client)
    before = state(draft.initiative.id)
    token = browser.csrf_token(f"/sang-kien/{draft.initiative.id}/sua")
    path = Config.SQLALCHEMY_DATABASE_URI.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE unit SET name = name")
        # Reading goes on during the lock (WAL): the page still serves.
        assert browser.get(f"/sang-kien/{draft.initiative.id}").status_code == 200
        response = browser.http.post(f"/sang-kien/{draft.initiative.id}/sua",
                                     data={**edit_payload(draft.initiative, "Sửa lúc khoá"), "csrf_token": token})
        assert_unavailable_page(response)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert state(draft.initiative.id) == before  # neither the title nor an audit row
    response = browser.http.post(f"/sang-kien/{draft.initiative.id}/sua",
                                 data={**edit_payload(draft.initiative, "Sửa sau khi mở khoá"), "csrf_token": token})
    assert response.status_code == 302
    assert state(draft.initiative.id)[0] == "Sửa sau khi mở khoá"


def _pg_dsn() -> str:
    return Config.SQLALCHEMY_DATABASE_URI.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's locks and backends")
def test_a_write_while_postgresql_holds_a_lock_gets_503_writes_nothing_and_the_retry_succeeds(other_app, draft,
                                                                                              client):
    options = {"pool_pre_ping": True, "connect_args": {"options": "-c lock_timeout=300"}}
    locked_app = other_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    client.login(draft.editor)
    browser = signed_in_client(locked_app, client)
    before = state(draft.initiative.id)
    token = browser.csrf_token(f"/sang-kien/{draft.initiative.id}/sua")
    url, payload = f"/sang-kien/{draft.initiative.id}/sua", edit_payload(draft.initiative, "Sửa lúc khoá")
    db.session.rollback()  # this test's own session holds no lock (and reads nothing until the end)
    with psycopg.connect(_pg_dsn()) as holder:
        holder.execute("LOCK TABLE initiative IN ACCESS EXCLUSIVE MODE")
        response = browser.http.post(url, data={**payload, "csrf_token": token})
        assert_unavailable_page(response)
        holder.rollback()
    assert state(draft.initiative.id) == before
    response = browser.http.post(f"/sang-kien/{draft.initiative.id}/sua",
                                 data={**edit_payload(draft.initiative, "Sửa sau khi mở khoá"), "csrf_token": token})
    assert response.status_code == 302
    assert state(draft.initiative.id)[0] == "Sửa sau khi mở khoá"


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL's backends")
def test_after_the_server_drops_every_connection_the_next_request_reconnects_by_itself(app, draft, client):
    client.login(draft.editor)
    assert client.get(f"/sang-kien/{draft.initiative.id}").status_code == 200
    db.session.rollback()
    with psycopg.connect(_pg_dsn(), autocommit=True) as killer:
        killed = killer.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()[0]
    assert killed >= 1  # the pool's idle connections, as after a database restart
    response = client.get(f"/sang-kien/{draft.initiative.id}")
    assert response.status_code == 200  # pool_pre_ping noticed the dead connection and opened a new one
    assert draft.initiative.title in response.get_data(as_text=True)
