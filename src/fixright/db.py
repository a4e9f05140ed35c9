"""Engine, sessions and the declarative base shared by every domain.

Services take a `Session` and never commit; `session_scope` (used by one CLI
command or one HTTP request) owns the transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from fixright.errors import ConfigurationError

# Named constraints from the first migration on, so later migrations (and
# PostgreSQL and SQLite alike) can refer to them by a predictable name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now, the one clock every table uses."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as UTC and always read back timezone-aware (UTC).

    PostgreSQL keeps the zone (`timestamptz`); SQLite stores text without one
    and handed back naive datetimes, so API bodies, CSV and pages showed
    times with no offset on SQLite only. Every DateTime column uses this type.
    A naive value written by the code is taken as UTC, the house clock.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    Raises `ConfigurationError` for a URL SQLAlchemy cannot use.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"database URL {url!r} is not a valid URL") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                folder = Path(database).expanduser().parent
                if not folder.is_dir():
                    raise ConfigurationError(
                        f"database folder {folder} does not exist (database URL {url!r})"
                    )
            engine = create_engine(url, connect_args={"timeout": 10})
            event.listen(engine, "connect", _sqlite_pragmas)
            _WriterQueue().attach(engine)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        if parsed.get_backend_name() == "postgresql":
            raise ConfigurationError(
                "a PostgreSQL database needs the postgres extra: pip install 'fixright[postgres]'"
            ) from None
        raise ConfigurationError(f"database URL {url!r}: unsupported driver ({exc})") from exc
    except NoSuchModuleError as exc:
        raise ConfigurationError(f"database URL {url!r}: unsupported driver ({exc})") from exc


# A writing transaction on SQLite must take the write lock before its first
# read. Python's sqlite3 begins a transaction only at the first INSERT/UPDATE,
# so two writers could both read the last audit seq and the second insert
# failed (UNIQUE audit_event.seq), or, after a read snapshot went stale,
# failed at once with "database is locked" whatever the busy timeout.
# `BEGIN IMMEDIATE` waits for the lock instead. Readers keep the driver's
# behaviour, so a long report never holds the write lock.
_BEGIN_OPTION = "fixright_sqlite_immediate"


class _WriterQueue:
    """Writers of one process wait for each other in a queue, not in SQLite's busy loop.

    SQLite's busy handler polls: under 32 concurrent clients a waiting writer
    could be overtaken again and again and give up after the busy timeout
    (1-5 of ~1,300 requests answered "database is locked" in the load test).
    A lock taken before `BEGIN IMMEDIATE` and released when the transaction
    ends orders this process's writers; other processes (a CLI import beside
    the server) still meet SQLite's own lock and busy timeout.
    """

    # Longer than any write transaction should take; past it the writer goes on
    # to SQLite's own locking rather than wait here for ever (e.g. a second
    # write session opened in the same thread).
    WAIT_SECONDS = 30.0

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        # A connection returned to the pool mid-transaction is rolled back by
        # the pool without the events above.
        event.listen(engine, "checkin", self._checkin)

    def _begin(self, conn: Any) -> None:
        if not conn.get_execution_options().get(_BEGIN_OPTION):
            return
        if self._lock.acquire(timeout=self.WAIT_SECONDS):
            conn.info[_HOLDS_LOCK] = True
        # The driver sees the open transaction and adds no BEGIN of its own.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            self._lock.release()

    def _end(self, conn: Any) -> None:
        self._release(conn.info)

    def _checkin(self, _dbapi_conn: Any, record: Any) -> None:
        self._release(record.info)


_HOLDS_LOCK = "fixright_holds_writer_lock"


def writer(engine: Engine) -> Engine:
    """`engine` for transactions that will write: on SQLite they begin IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{_BEGIN_OPTION: True})


def check_connection(engine: Engine) -> None:
    """Open one connection; raise `ConfigurationError` naming the URL if it fails."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        safe = engine.url.render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigurationError(f"cannot connect to database {safe}: {reason}") from exc


def make_session_factory(engine: Engine, *, writes: bool = False) -> sessionmaker[Session]:
    """Sessions on `engine`; `writes=True` for transactions that will write (see `writer`)."""
    return sessionmaker(bind=writer(engine) if writes else engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrations_path() -> Path:
    return Path(__file__).parent / "migrations"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to `revision` on `engine`'s database."""
    # Alembic (and Mako) load only in the process that migrates, not in every process
    # that imports db (server workers, read-only commands with migrate=False, tests).
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    cfg.attributes["engine"] = engine
    try:
        command.upgrade(cfg, revision)
    except OperationalError as exc:
        safe = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0]
        raise ConfigurationError(f"cannot migrate database {safe}: {reason}") from exc


def current_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def is_postgres(session: Session) -> bool:
    """True when `session` talks to PostgreSQL (bulk paths use COPY there)."""
    return session.get_bind().dialect.name == "postgresql"


def analyze(session: Session, table: str) -> None:
    """PostgreSQL: refresh the planner's statistics of `table` (a model's own table name,
    never input) inside the current transaction, which then sees its own new rows."""
    session.execute(text(f'ANALYZE "{table}"'))


def copy_upsert(
    session: Session, table: str, columns: list[str], rows: list[tuple[Any, ...]],
    *, conflict: list[str], update: list[str],
) -> None:
    """PostgreSQL: COPY `rows` into a temporary staging table, then one
    `INSERT ... SELECT ... ON CONFLICT (conflict) DO UPDATE SET update = excluded`.

    A million rows go over the wire as one COPY stream instead of thousands of
    INSERT batches. Table and column names are the models' own, never input;
    values travel in the COPY stream. The staging table goes with the transaction.
    """
    connection = session.connection()
    raw = connection.connection.driver_connection
    stage = f"stage_{table}"
    names = ", ".join(f'"{c}"' for c in columns)  # "end" and "start" are SQL words
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        # Only the columns copied, no defaults: the target's sequence is not drawn twice.
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
                       f'SELECT {names} FROM "{table}" WITH NO DATA')
        copy_rows(session, stage, columns, rows)
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
        action = f"DO UPDATE SET {sets}" if update else "DO NOTHING"
        keys = ", ".join(f'"{c}"' for c in conflict)
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM {stage} '  # noqa: S608
                       f"ON CONFLICT ({keys}) {action}")


def copy_rows(session: Session, table: str, columns: list[str],
              rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL: append `rows` to `table` in one COPY stream (new rows only; ids and
    other defaults come from the table). Table and column names are the models' own,
    never input; values travel in the COPY stream, as the driver adapts them. A row
    that breaks a unique constraint raises SQLAlchemy's `IntegrityError`, as an INSERT
    would (the driver's own error otherwise: the COPY bypasses SQLAlchemy)."""
    raw = session.connection().connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table}" ({names}) FROM STDIN'
    dbapi = session.get_bind().dialect.dbapi
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    except dbapi.IntegrityError as exc:  # type: ignore[union-attr]
        raise IntegrityError(statement, None, exc) from exc


# Rows fetched per round trip when streaming (a server-side cursor on PostgreSQL).
STREAM_BATCH = 5000


def stream(session: Session, query: Any, *, scalars: bool = False) -> Iterator[Any]:
    """The rows (or with `scalars`, the first column: ORM objects) of `query`, fetched
    `STREAM_BATCH` at a time: memory stays flat whatever the table's size."""
    result = session.execute(query.execution_options(yield_per=STREAM_BATCH))
    if scalars:
        for partition in result.scalars().partitions():
            yield from partition
        return
    for partition in result.partitions():
        yield from partition
