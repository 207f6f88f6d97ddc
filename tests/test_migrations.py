"""The Alembic migrations build exactly the schema the models describe, and can be undone and redone.

Each check runs on a database made for it: a fresh SQLite file, and, when the suite runs
on PostgreSQL, a fresh database created on the same server and dropped afterwards.
"""
from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from tests.conftest import Config, is_postgres
from thidua import create_app
from thidua.extensions import db, state_columns


@pytest.fixture(autouse=True)
def _logging_left_alone():
    """migrations/env.py calls logging.config.fileConfig, which disables every existing logger.

    Put the logging set-up back so that later tests still see the app's log records.
    """
    manager = logging.root.manager
    saved = {
        name: (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root = (logging.root.level, list(logging.root.handlers))
    yield
    for name, logger in list(manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if name in saved:
            logger.disabled, logger.level, handlers, logger.propagate = saved[name]
            logger.handlers[:] = handlers
        else:
            logger.disabled = False
    logging.root.setLevel(root[0])
    logging.root.handlers[:] = root[1]


def _app_on(uri: str):
    class MigrationConfig(Config):
        SQLALCHEMY_DATABASE_URI = uri

    return create_app(MigrationConfig)


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def _check_constraints(app) -> dict[str, str]:
    """{name: SQL} of every CHECK constraint in the database (autogenerate does not compare them)."""
    with app.app_context():
        inspector = sa.inspect(db.engine)
        return {c["name"]: c["sqltext"] for table in inspector.get_table_names()
                for c in inspector.get_check_constraints(table)}


def _assert_states_are_checked(app) -> None:
    """The migrated database has the models' CHECK constraints, and each state column's lists exactly the
    states of its enum: a state added to an enum, or a column put under one_of, without a migration fails here."""
    in_database = _check_constraints(app)
    in_models = {c.name for table in db.metadata.tables.values() for c in table.constraints
                 if isinstance(c, sa.CheckConstraint)}
    assert set(in_database) == in_models
    for column, states in state_columns().items():
        sql = in_database[f"ck_{column.table.name}_{column.name}_known"]
        assert set(re.findall(r"'([^']*)'", sql)) == {state.value for state in states}, column


def _check_migrations(app) -> None:
    model_tables = set(db.metadata.tables)
    with app.app_context():
        assert _tables(app) == set(), "the database for the migration test is not empty"
        flask_migrate.upgrade()
    assert _tables(app) == model_tables | {"alembic_version"}
    assert _differences(app) == []
    _assert_states_are_checked(app)

    with app.app_context():
        flask_migrate.downgrade(revision="base")
    assert _tables(app) == {"alembic_version"}

    with app.app_context():
        flask_migrate.upgrade()
    assert _tables(app) == model_tables | {"alembic_version"}
    assert _differences(app) == []
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    app = _app_on(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    yield app
    with app.app_context():
        db.engine.dispose()


# The gallery's full-text index exists on PostgreSQL only (and is compared there); SQLite cannot reflect it.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
def test_migrations_on_a_fresh_sqlite_file_build_exactly_the_models_schema_and_downgrade_cleanly(sqlite_app):
    _check_migrations(sqlite_app)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped at the end."""
    test_url = make_url(Config.SQLALCHEMY_DATABASE_URI)
    admin_url = make_url(os.environ.get("THIDUA_TEST_PG_ADMIN_URL") or test_url)
    name = f"thidua_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield test_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs TEST_DATABASE_URL pointing at PostgreSQL")
def test_migrations_on_a_fresh_postgresql_database_build_exactly_the_models_schema_and_downgrade_cleanly(
        postgres_url):
    app = _app_on(postgres_url)
    try:
        _check_migrations(app)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_gallery_summaries_saved_before_are_rendered_by_the_migration_as_the_app_renders_them(sqlite_app):
    """Revision 8f1e6b3c9a57 fills summary_html for the models already published; the page shows it as saved."""
    from thidua.markup import markdown_to_html

    summaries = ["**Một cửa** điện tử\n\n- [cổng](https://dichvucong.gov.vn)\n- <script>x</script>bước 2",
                 "[" * 5000, "", "## Kết quả\n\n| A | B |\n|---|---|\n| 1 | 2 |", "**Kết quả:**\n- một\n- hai"]
    with sqlite_app.app_context():
        flask_migrate.upgrade(revision="5d2a8c41f7e3")
        with db.engine.begin() as connection:  # each entry with the unit, campaign and initiative it refers to
            unit = _insert(connection, "unit", code="KL", name="Trường THPT Kim Liên")
            campaign = _insert(connection, "campaign", name="CCHC 2023", year=2023, organiser_id=unit)
            for n, summary in enumerate(summaries, start=1):
                initiative = _insert(connection, "initiative", campaign_id=campaign, unit_id=unit, status="published",
                                     kind="giai_phap", title=f"Mô hình {n}", area="khac")
                _insert(connection, "gallery_entry", initiative_id=initiative, unit_id=unit, title=f"Mô hình {n}",
                        summary=summary, is_public=True)
        db.engine.dispose()
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            stored = dict(connection.execute(sa.text("SELECT summary, summary_html FROM gallery_entry")).all())
            excerpts = dict(connection.execute(sa.text("SELECT summary, excerpt FROM gallery_entry")).all())
        db.engine.dispose()
    assert stored == {summary: markdown_to_html(summary) for summary in summaries}
    # Revision d8a3f5c2e1b9 renders them again: a list right under a line is a list, its items apart in the excerpt.
    assert "<li>một</li>" in stored["**Kết quả:**\n- một\n- hai"]
    assert excerpts["**Kết quả:**\n- một\n- hai"] == "Kết quả:\n• một\n• hai"


def test_the_published_models_of_before_are_found_by_their_area_kind_year_and_unit(sqlite_app):
    """Revision b7c4e1a9d2f6 fills the folded title and description of the models already published."""
    from datetime import datetime

    from thidua.gallery.services import Filters, public_entries

    with sqlite_app.app_context():
        flask_migrate.upgrade(revision="4937b010ccf3")
        with db.engine.begin() as connection:
            unit = _insert(connection, "unit", code="KL", name="Trường THPT Kim Liên")
            campaign = _insert(connection, "campaign", name="CCHC 2023", year=2023, organiser_id=unit)
            initiative = _insert(connection, "initiative", campaign_id=campaign, unit_id=unit, status="published",
                                 kind="sang_kien", title="Một cửa điện tử", area="tthc")
            _insert(connection, "gallery_entry", initiative_id=initiative, unit_id=unit, title="Một cửa điện tử",
                    area="tthc", kind="sang_kien", year=2023, unit_name="Trường THPT Kim Liên",
                    search_text="mot cua dien tu rut ngan thoi gian", is_public=True,
                    published_at=datetime(2023, 12, 1, 9, 0))
        db.engine.dispose()
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT search_title, search_meta, search_text FROM gallery_entry")).one()
        meta = "cai cach thu tuc hanh chinh cai cach hanh chinh cchc sang kien 2023 truong thpt kim lien"
        assert row == ("mot cua dien tu", meta, "mot cua dien tu rut ngan thoi gian " + meta)
        for query in ("cải cách", "sang kien", "2023", "kim lien", "rut ngan"):
            assert len(db.session.scalars(public_entries(Filters(q=query))).all()) == 1, query
        db.session.remove()
        db.engine.dispose()


def _insert(connection, table: str, **values) -> int:
    """A row with `values`, every other required column filled with a neutral value of its type."""
    from datetime import date, datetime

    fillers = {sa.String: "", sa.Text: "", sa.Integer: 0, sa.Boolean: False, sa.DateTime: datetime(2023, 11, 1),
               sa.Date: date(2023, 11, 1), sa.Numeric: 0, sa.JSON: "{}"}
    for column in sa.inspect(connection).get_columns(table):
        if column["name"] in values or column["nullable"] or column["name"] == "id":
            continue
        values[column["name"]] = next((v for kind, v in fillers.items() if isinstance(column["type"], kind)), "")
    names = ", ".join(values)
    connection.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"),
                       values)
    return connection.execute(sa.text(f"SELECT MAX(id) FROM {table}")).scalar()


def test_the_decided_list_of_before_becomes_one_decision_per_level_citing_its_authority(tmp_path):
    """Migration 5d2e8c41b7a3 on a campaign decided under one number for both its levels (as the demo's 2023
    campaign was): each level gets that decision with its own authority, the initiatives stay awarded, and the
    level named at shortlisting moves from the audit log to the initiative."""
    app = _app_on(f"sqlite:///{tmp_path / 'before.sqlite'}")
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="3b7c1d9e4a20")
            with db.engine.begin() as connection:
                organiser = _insert(connection, "unit", code="SGD", name="Sở Giáo dục và Đào tạo Hà Nội")
                school = _insert(connection, "unit", code="KL", name="Trường THPT Kim Liên")
                campaign = _insert(connection, "campaign", name="CCHC 2023", year=2023, organiser_id=organiser)
                high = _insert(connection, "commendation_level", campaign_id=campaign, position=1,
                               name="Bằng khen của Chủ tịch UBND Thành phố")
                low = _insert(connection, "commendation_level", campaign_id=campaign, position=2,
                              name="Giấy khen của Giám đốc Sở")
                first = _insert(connection, "initiative", campaign_id=campaign, unit_id=school, status="awarded",
                                kind="giai_phap", title="A", area="khac")
                second = _insert(connection, "initiative", campaign_id=campaign, unit_id=school, status="awarded",
                                 kind="giai_phap", title="B", area="khac")
                award_list = _insert(connection, "award_list", campaign_id=campaign, status="decided", version=3,
                                     decision_number="1234/QĐ-SGDĐT", decision_date="2023-11-30",
                                     decision_by="Trần Thế Cương", approved_at="2023-11-28 10:15:00")
                _insert(connection, "award_entry", award_list_id=award_list, initiative_id=first, level_id=high)
                _insert(connection, "award_entry", award_list_id=award_list, initiative_id=second, level_id=low)
                for level in (low, high):  # the latest wins
                    _insert(connection, "audit_log", action="review.level_chosen", object_type="initiative",
                            object_id=first, details=f'{{"level": "x", "level_id": {level}}}')
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                rows = connection.execute(sa.text(
                    "SELECT level_id, level_name, authority, number, decided_on, signer FROM award_decision "
                    "ORDER BY level_id")).all()
                assert [tuple(map(str, r)) for r in rows] == [
                    (str(high), "Bằng khen của Chủ tịch UBND Thành phố", "UBND Thành phố", "1234/QĐ-SGDĐT",
                     "2023-11-30", "Trần Thế Cương"),
                    (str(low), "Giấy khen của Giám đốc Sở", "Sở Giáo dục và Đào tạo Hà Nội", "1234/QĐ-SGDĐT",
                     "2023-11-30", "Trần Thế Cương")]
                upward = dict(connection.execute(sa.text("SELECT id, proposed_upward FROM commendation_level")).all())
                assert (bool(upward[high]), bool(upward[low])) == (True, False)
                assert set(connection.execute(sa.text("SELECT status FROM initiative")).scalars()) == {"awarded"}
                assert connection.execute(sa.text(
                    "SELECT status, submitted_at IS NOT NULL FROM award_list")).one() == ("decided", 1)
                chosen = dict(connection.execute(sa.text("SELECT id, shortlisted_level_id FROM initiative")).all())
                assert chosen == {first: high, second: None}
            db.engine.dispose()
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
def test_todays_single_organiser_and_its_staff_become_the_root_organisers_unchanged(tmp_path):
    """Migration c7d2e9f4a1b3: the organiser of today's campaigns becomes an organiser, every secretariat,
    leader and reviewer account acts for it, unit accounts act for none, and the period summary's draft
    is that organiser's."""
    app = _app_on(f"sqlite:///{tmp_path / 'before.sqlite'}")
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="b4c1e7d9a2f6")
            with db.engine.begin() as connection:
                organiser = _insert(connection, "unit", code="SGD", name="Sở Giáo dục và Đào tạo Hà Nội")
                school = _insert(connection, "unit", code="KL", name="Trường THPT Kim Liên", parent_id=organiser)
                _insert(connection, "campaign", name="CCHC 2023", year=2023, organiser_id=organiser)
                staff = {role: _insert(connection, "user_account", username=role, full_name=role, role=role,
                                       password_hash="x", unit_id=organiser)
                         for role in ("secretariat", "leader", "reviewer")}
                editor = _insert(connection, "user_account", username="editor", full_name="editor",
                                 role="unit_editor", password_hash="x", unit_id=school)
                connection.execute(sa.text(
                    "INSERT INTO period_draft (period, version, number, assessment, proposals, recipients, "
                    "signer_title, signer_name, updated_at) VALUES "
                    "('2023–2025', 2, '12/BC-SGDĐT', '', '', '', '', '', '2025-12-01 08:00:00')"))
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                organisers = dict(connection.execute(sa.text("SELECT id, is_organiser FROM unit")).all())
                assert (bool(organisers[organiser]), bool(organisers[school])) == (True, False)
                acting = dict(connection.execute(sa.text("SELECT id, organiser_id FROM user_account")).all())
                assert {acting[i] for i in staff.values()} == {organiser}
                assert acting[editor] is None
                assert connection.execute(sa.text(
                    "SELECT organiser_id, period, version, number FROM period_draft")).one() == (
                    organiser, "2023–2025", 2, "12/BC-SGDĐT")
            db.engine.dispose()
    finally:
        with app.app_context():
            db.engine.dispose()
