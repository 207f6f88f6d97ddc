"""Extension objects, bound to the app in create_app()."""
import sqlite3

import sqlalchemy as sa
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


# --- States ---------------------------------------------------------------------------------

def one_of(column: str, states) -> sa.CheckConstraint:
    """The database refuses in `column` any value that is not one of the StrEnum `states` (NULL passes, as in SQL):
    a state machine's column holds only its states, whoever writes to it."""
    values = ", ".join(f"'{state.value}'" for state in states)
    return sa.CheckConstraint(f"{column} IN ({values})", name=f"{column}_known",
                              info={"column": column, "states": states})


def state_columns() -> dict[sa.Column, type]:
    """Every column held to its states by one_of, with its StrEnum (models imported, as create_app does)."""
    return {table.c[constraint.info["column"]]: constraint.info["states"]
            for table in db.metadata.tables.values() for constraint in table.constraints
            if isinstance(constraint, sa.CheckConstraint) and "states" in constraint.info}


# --- Vietnamese order -------------------------------------------------------------------------
# Names are sorted with the collation "vi" on both databases: PostgreSQL's ICU collation (made by a
# migration, and by create_all in tests), and on SQLite the same order from thidua.text.vietnamese_key.
COLLATION = "vi"
CREATE_COLLATION = f"CREATE COLLATION IF NOT EXISTS {COLLATION} (provider = icu, locale = 'vi-VN')"

sa.event.listen(Base.metadata, "before_create", sa.DDL(CREATE_COLLATION).execute_if(dialect="postgresql"))


def in_vietnamese_order(column):
    """`column` for ORDER BY in Vietnamese alphabetical order: order_by(in_vietnamese_order(Unit.name))."""
    return column.collate(COLLATION)


def _compare_vietnamese(left: str, right: str) -> int:
    from thidua.text import vietnamese_key

    a, b = vietnamese_key(left), vietnamese_key(right)
    return (a > b) - (a < b)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite, the embedded default, enforces foreign keys, lets readers work during a write, sorts Vietnamese."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_collation(COLLATION, _compare_vietnamese)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # How long a writer waits for another one comes from connect_args["timeout"] (30 s, see config.resolve).
        # With WAL, NORMAL keeps the database consistent after a crash and commits without an fsync each.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# --- ending a request that only read ----------------------------------------------------------
# psycopg forgets its prepared statements on every ROLLBACK (PostgreSQL objects might have changed),
# and a request's session ends with one whenever it did not commit: every page that only reads made
# PostgreSQL parse and plan each of its statements again, on every request. A transaction that sent
# nothing but SELECTs ends the same with COMMIT (row locks of SELECT ... FOR UPDATE are released
# either way), so the statements stay prepared. The flag below is per connection and per
# transaction; any statement that does not begin with SELECT counts as a write.

_WROTE = "thidua_wrote"


@sa.event.listens_for(sa.engine.Engine, "begin")
def _transaction_begins(connection) -> None:
    connection.info[_WROTE] = False


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if not connection.info.get(_WROTE) and statement.lstrip()[:6].upper() != "SELECT":
        connection.info[_WROTE] = True


def end_read_only_transaction(error: BaseException | None = None) -> None:
    """At the end of an application context: commit the session's transaction if it only read.

    Anything else is left to Flask-SQLAlchemy's teardown, which rolls back: an error, objects added
    or changed and not flushed, a statement that was not a plain SELECT, or a failing COMMIT.
    """
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if session.connection().info.get(_WROTE, True):
        return
    session.expire_on_commit = False  # it is closed right after: nothing to mark for reloading
    try:
        session.commit()
    except sa.exc.SQLAlchemyError:
        session.rollback()
