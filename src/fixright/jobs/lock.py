"""One `jobs run` at a time, across processes: a lock row on SQLite, an advisory lock on PostgreSQL.

SQLite: the row is taken in a writer transaction (`BEGIN IMMEDIATE`,
`fixright.db.writer`), so two takers are serialised and the second sees the
first's row; the row carries its holder and an expiry, so a run killed
half-way does not lock the jobs out for ever. PostgreSQL: a session-level
`pg_try_advisory_lock` on a connection kept open for the run; the server
drops it when that connection ends, however the run ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fixright.db import make_session_factory, session_scope, utcnow
from fixright.jobs.models import JobLock

# Any fixed 64-bit number, distinct from the audit chain's.
PG_LOCK_KEY = 0x6A6F6273_72756E31
LOCK_TTL = timedelta(minutes=30)


def _take(session: Session, name: str, holder: str) -> bool:
    now = utcnow()
    row = session.get(JobLock, name)
    if row is not None and row.holder != holder and row.expires_at > now:
        return False
    if row is None:
        session.add(JobLock(name=name, holder=holder, expires_at=now + LOCK_TTL))
    else:
        row.holder, row.expires_at = holder, now + LOCK_TTL
    session.flush()
    return True


@contextmanager
def job_lock(engine: Engine, name: str, holder: str) -> Iterator[bool]:
    """Yield True when this caller holds the jobs lock, False when another run does."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}))
            conn.commit()  # the lock is the connection's, not the transaction's
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
                    conn.commit()
        return
    factory = make_session_factory(engine, writes=True)
    with session_scope(factory) as session:
        got = _take(session, name, holder)
    try:
        yield got
    finally:
        if got:
            with session_scope(factory) as session:
                session.execute(delete(JobLock).where(JobLock.name == name,
                                                      JobLock.holder == holder))
