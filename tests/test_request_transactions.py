"""How a request's transaction ends: COMMIT when it only read (psycopg keeps its prepared statements), ROLLBACK
for anything else, as before."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from thidua.extensions import db
from thidua.units.models import Unit

from tests import factories


@contextmanager
def endings():
    """The COMMITs and ROLLBACKs of connection transactions inside the block."""
    seen: list[str] = []
    engine = db.engine
    listeners = [("commit", lambda conn: seen.append("commit")), ("rollback", lambda conn: seen.append("rollback"))]
    for name, listener in listeners:
        sa.event.listen(engine, name, listener)
    try:
        yield seen
    finally:
        for name, listener in listeners:
            sa.event.remove(engine, name, listener)


def names() -> set[str]:
    with db.engine.connect() as connection:
        return set(connection.scalars(sa.select(Unit.name)))


@pytest.fixture
def school():
    unit = factories.unit(name="Trường THPT Kiểm Thử")
    db.session.commit()
    return unit.id


def test_a_context_that_only_read_commits(app, school):
    with endings() as seen, app.app_context():
        assert db.session.get(Unit, school).name == "Trường THPT Kiểm Thử"
    assert seen == ["commit"]


def test_a_page_that_only_reads_commits_its_transaction(world, client):
    client.login(world.editor)
    with endings() as seen:
        assert client.get("/don-vi").status_code == 200
    assert seen == ["commit"]


def test_a_write_left_uncommitted_is_rolled_back(app, school):
    with endings() as seen, app.app_context():
        db.session.get(Unit, school).name = "Đổi tên"
        db.session.flush()
    assert seen == ["rollback"]
    assert "Đổi tên" not in names()


def test_a_change_not_flushed_is_not_committed(app, school):
    with endings() as seen, app.app_context():
        db.session.get(Unit, school).name = "Đổi tên"
    assert seen == ["rollback"]
    assert "Đổi tên" not in names()


def test_a_bulk_statement_counts_as_a_write(app, school):
    with app.app_context():
        db.session.execute(sa.update(Unit).where(Unit.id == school).values(name="Đổi tên"))
    assert "Đổi tên" not in names()


def test_an_error_rolls_back(app, school):
    with endings() as seen, pytest.raises(RuntimeError), app.app_context():
        db.session.get(Unit, school)
        raise RuntimeError("the view failed")
    assert seen == ["rollback"]
