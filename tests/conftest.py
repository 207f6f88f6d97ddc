"""Shared fixtures.

The database is SQLite (a temporary file, so a live server thread sees it too) unless
TEST_DATABASE_URL names a PostgreSQL database; scripts/test.sh runs the suite on both.
Tables are made once per session with create_all and emptied after every test.
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from thidua import create_app, timeutil
from thidua.config import TestConfig
from thidua.extensions import db

from tests import factories

_TMP = tempfile.mkdtemp(prefix="thidua-tests-")


class Config(TestConfig):
    SQLALCHEMY_DATABASE_URI = (
        TestConfig.SQLALCHEMY_DATABASE_URI
        if os.environ.get("TEST_DATABASE_URL")
        else f"sqlite:///{_TMP}/test.sqlite"
    )
    UPLOAD_FOLDER = f"{_TMP}/files"
    # scripts/test.sh runs the PostgreSQL pass with the files in a real S3 API server (moto) on loopback.
    S3_ENDPOINT_URL = os.environ.get("THIDUA_TEST_S3_URL") if os.environ.get("TEST_FILES_IN_S3") == "1" else None
    S3_BUCKET = "thidua-test" if S3_ENDPOINT_URL else None
    S3_REGION = "us-east-1"


def is_postgres() -> bool:
    return Config.SQLALCHEMY_DATABASE_URI.startswith("postgresql")


@pytest.fixture(scope="session")
def app():
    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        if Config.S3_BUCKET:
            from thidua.storage import get_storage

            get_storage().client.create_bucket(Bucket=Config.S3_BUCKET)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _database(app):
    """Every test starts on empty tables, inside an application context."""
    with app.app_context():
        yield
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # DELETE beats TRUNCATE on tables this small (TRUNCATE rewrites files on PostgreSQL).
        with db.engine.begin() as connection:
            for name in tables:
                connection.execute(sa.text(f'DELETE FROM "{name}"'))
    timeutil.freeze(None)


@pytest.fixture
def clock():
    """Move the application's clock: clock.at(local datetime in Asia/Ho_Chi_Minh)."""

    class Clock:
        def at(self, local: datetime) -> datetime:
            moment = local.replace(tzinfo=timeutil.zone()).astimezone(timeutil.zone("UTC")).replace(tzinfo=None)
            timeutil.freeze(moment)
            return moment

        def utc(self, moment: datetime) -> datetime:
            timeutil.freeze(moment)
            return moment

    yield Clock()
    timeutil.freeze(None)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _FreshContextClient(FlaskClient):
    """Each request runs in an application context of its own, as it does in production.

    Without this, requests reuse the test's context: `g` (and Flask-WTF's cached CSRF
    token) and the database session would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class Client:
    """The test client with sign-in and CSRF tokens taken from real pages."""

    def __init__(self, app):
        self.app = app
        app.test_client_class = _FreshContextClient
        self.http = app.test_client()

    def get(self, url, **kwargs):
        return self.http.get(url, **kwargs)

    def csrf_token(self, url: str | None = None) -> str:
        page = self.http.get(url or "/dang-nhap")
        match = CSRF_RE.search(page.get_data(as_text=True))
        if match is None:  # signed in: the login page redirects; any page with the logout form has one
            page = self.http.get("/tai-khoan")
            match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post(self, url, data=None, *, token: bool = True, **kwargs):
        data = dict(data or {})
        if token and "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token()
        return self.http.post(url, data=data, **kwargs)

    def login(self, user, password: str = factories.PASSWORD):
        response = self.post("/dang-nhap", {"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.post("/dang-xuat")


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def make_client(app):
    return lambda: Client(app)


@pytest.fixture
def cli(app):
    """Run a `flask` command on the test database: cli("demo", "load")."""
    runner = app.test_cli_runner()

    def invoke(*args: str):
        db.session.commit()  # nothing of the test's own left open while the command writes
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return invoke


@pytest.fixture
def world():
    """A small Sở: two schools and a department, a secretariat, a leader, a reviewer, open campaign."""
    return factories.World.build()


@contextmanager
def count_statements():
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def statements():
    return count_statements


# The statements a page or an operation may run beyond those it runs today, before its test fails.
HEADROOM = 2


def assert_few_statements(small, large, *, about: int, growth: int = 1, what: str = "") -> None:
    """`small` and `large` statements (counts, or the lists count_statements gathers) for the same page or
    operation on a small and on a larger data set: at most `about` (what it runs today) + HEADROOM, and at most
    `growth` more for the larger data. A query per row shows as tens of statements more; `growth` leaves room
    for a branch that only the larger data takes, HEADROOM for a statement more when the code changes."""
    counts = [len(n) if isinstance(n, list) else n for n in (small, large)]
    shown = "\n".join([s[:100] for s in small] + ["----"] + [s[:100] for s in large]) \
        if isinstance(small, list) and isinstance(large, list) else ""
    assert counts[1] <= counts[0] + growth, (
        f"{what}: {counts[0]} statements for the small data, {counts[1]} for the larger (it grows)\n{shown}")
    limit = about + HEADROOM
    assert max(counts) <= limit, f"{what}: {counts[0]} and {counts[1]} statements (limit {limit})\n{shown}"
