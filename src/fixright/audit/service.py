"""Writing, reading and verifying the audit log.

`record` appends one event chained to the last; it takes a lock first so
concurrent writers on PostgreSQL never fork the chain (a transaction-scoped
advisory lock, released at commit or rollback). On SQLite the database's
single write lock serialises writers, and the primary key on `seq` refuses a
second event with the same number. Like every service, nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fixright.audit import origin as request_origin
from fixright.audit.chain import GENESIS, VerifyResult, event_hash, normalize_data, verify
from fixright.audit.models import AuditEvent
from fixright.db import utcnow
from fixright.errors import InvalidInput

# Any fixed 64-bit number: the advisory lock key that serialises audit writers.
_PG_LOCK_KEY = 0x66697872_61756474  # "fixr" "audt"


def _check_action(action: str) -> None:
    parts = action.split(":")
    if len(parts) != 3 or not all(parts):
        raise InvalidInput(f"audit action {action!r} must look like 'domain:subject:action'")


def record(
    session: Session,
    *,
    actor: str,
    organization_id: int | None,
    action: str,
    subject: str,
    data: Any = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event (`action` is `domain:subject:action`) and return it, flushed.

    `data` must be JSON-serialisable (dates and Decimals are stored as text).
    Inside an HTTP request a dict `data` also gets the client's address.
    """
    _check_action(action)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    # In UTC: SQLite keeps no offset, and the hash is over what reads back.
    moment = (at or utcnow()).astimezone(UTC)
    origin = request_origin.current()
    if origin is not None and (data is None or isinstance(data, dict)) and "client" not in (data or {}):
        # Every event written while serving a request says which address asked.
        data = {**(data or {}), "client": origin.client}
    stored = normalize_data({} if data is None else data)
    event = AuditEvent(
        seq=seq, at=moment, actor=actor, organization_id=organization_id, action=action,
        subject=subject, data=stored, prev_hash=prev,
        hash=event_hash(seq=seq, at=moment, actor=actor, organization_id=organization_id,
                        action=action, subject=subject, data=stored, prev_hash=prev),
    )
    session.add(event)
    session.flush()
    if origin is not None:
        origin.events.append((action, stored))
    return event


def _stream(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    # Keyset pagination: constant memory over a long log, on both backends.
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify_chain(session: Session) -> VerifyResult:
    """Re-hash the whole log in order; the result names the first bad event, if any."""
    return verify(event.record() for event in _stream(session))


def _filtered(
    query: Any,
    organization_id: int | None,
    action: str | None,
    actor: str | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Any:
    if organization_id is not None:
        query = query.where(AuditEvent.organization_id == organization_id)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if subject:
        query = query.where(AuditEvent.subject == subject)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    return query


def list_events(
    session: Session,
    organization_id: int | None,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEvent]:
    """Newest first. `organization_id=None` is the operator's view (every event).

    `action` matches a prefix (`entitlement:` or `entitlement:download:decide`).
    """
    if limit < 1 or offset < 0:
        raise InvalidInput("limit must be positive and offset not negative")
    query = _filtered(select(AuditEvent), organization_id, action, actor, subject, since, until)
    query = query.order_by(AuditEvent.seq.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_events(
    session: Session,
    organization_id: int | None = None,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many events match; the same filters as `list_events`."""
    query = _filtered(select(func.count()).select_from(AuditEvent), organization_id, action,
                      actor, subject, since, until)
    return int(session.scalar(query) or 0)
