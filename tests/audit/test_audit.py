"""The audit log: chained on write, tampering caught, safe under concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from fixright.accounts.service import get_or_create_organization
from fixright.audit import chain, service
from fixright.audit.models import AuditEvent
from fixright.db import make_session_factory
from fixright.errors import InvalidInput


def _fill(session, n: int = 5, org_id: int | None = None) -> list[AuditEvent]:
    events = [
        service.record(session, actor=f"user:u{i}@acme.test", organization_id=org_id,
                       action="contracts:contract:import", subject=f"contract {i}",
                       data={"i": i, "day": date(2025, 1, i + 1), "cost": Decimal("1.50"),
                             "name": "Zürich ✓"})
        for i in range(n)
    ]
    session.commit()
    return events


def test_events_chain_and_verify(session) -> None:
    events = _fill(session)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert events[0].data["day"] == "2025-01-01" and events[0].data["cost"] == "1.50"
    session.expire_all()  # re-read from the database: what verify sees is what was stored
    result = service.verify_chain(session)
    assert result.ok and result.count == 5 and result.head == events[-1].hash


def test_edit_is_caught_naming_the_event(session, engine) -> None:
    _fill(session)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET data = :d WHERE seq = 3"),
                     {"d": '{"i": 99}'})
    session.expire_all()
    result = service.verify_chain(session)
    assert not result.ok and result.bad_seq == 3 and "edited" in result.reason
    assert result.count == 2


def test_edit_with_rehash_breaks_the_next_link(session, engine) -> None:
    events = _fill(session)
    forged = chain.event_hash(seq=3, at=events[2].at, actor="user:evil@x", organization_id=None,
                              action=events[2].action, subject=events[2].subject,
                              data=events[2].data, prev_hash=events[2].prev_hash)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'user:evil@x', hash = :h WHERE seq = 3"),
                     {"h": forged})
    session.expire_all()
    result = service.verify_chain(session)
    assert (result.ok, result.bad_seq) == (False, 4)
    assert "prev_hash" in result.reason


def test_deleted_event_is_caught(session, engine) -> None:
    _fill(session)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    session.expire_all()
    result = service.verify_chain(session)
    assert (result.ok, result.bad_seq) == (False, 3)
    assert "2..2 are missing" in result.reason


def test_list_is_scoped_and_filtered(session) -> None:
    acme, _ = get_or_create_organization(session, "acme")
    other, _ = get_or_create_organization(session, "other")
    _fill(session, 3, acme.id)
    service.record(session, actor="system", organization_id=other.id,
                   action="entitlement:download:decide", subject="image 1", data={})
    session.commit()
    assert [e.seq for e in service.list_events(session, acme.id)] == [3, 2, 1]
    assert [e.seq for e in service.list_events(session, other.id)] == [4]
    assert len(service.list_events(session, None)) == 4
    assert [e.seq for e in service.list_events(session, None, action="entitlement:")] == [4]
    assert [e.seq for e in service.list_events(session, acme.id, limit=1, offset=1)] == [2]
    assert service.count_events(session, acme.id) == 3
    assert service.count_events(session, action="entitlement:download:decide",
                                subject="image 1") == 1
    # a % in the prefix is literal, not a wildcard
    assert service.list_events(session, None, action="%") == []


def test_bad_action_is_refused_and_nothing_written(session) -> None:
    with pytest.raises(InvalidInput, match="domain:subject:action"):
        service.record(session, actor="x", organization_id=None, action="import", subject="s")
    with pytest.raises(TypeError):
        service.record(session, actor="x", organization_id=None, action="a:b:c", subject="s",
                       data={"x": object()})
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_time_zone_of_the_caller_does_not_break_the_hash(session) -> None:
    cet = timezone(timedelta(hours=2))
    service.record(session, actor="x", organization_id=None, action="a:b:c", subject="s",
                   at=datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=cet))
    session.commit()
    session.expire_all()
    assert service.verify_chain(session).ok
    (event,) = service.list_events(session, None)
    assert chain.canonical_time(event.at) == "2025-06-01T10:00:00.123456Z"


def test_concurrent_writers_do_not_fork_the_chain(engine) -> None:
    """Writers that read first (as a request does) neither fork the chain nor fail.

    On SQLite two such writers both read the last seq and the second insert
    failed (UNIQUE audit_event.seq) until write sessions began IMMEDIATE.
    """
    factory = make_session_factory(engine, writes=True)
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(10):
                with factory() as s:
                    s.execute(text("SELECT count(*) FROM audit_event")).scalar()
                    service.record(s, actor=f"w{k}", organization_id=None, action="t:e:st",
                                   subject=str(i))
                    s.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as s:
        result = service.verify_chain(s)
    assert result.ok and result.count == 60


def test_cli_verify_and_list(cli, engine) -> None:
    ok = cli("audit", "verify")
    assert ok.exit_code == 0 and "0 events" in ok.stdout
    factory = make_session_factory(engine)
    with factory() as s:
        _fill(s, 3)
    listed = cli("audit", "list", "--format", "json")
    assert listed.exit_code == 0 and '"seq": 3' in listed.stdout
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET subject = 'x' WHERE seq = 2"))
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert "broken at event 2" in broken.stderr
    bad = cli("audit", "list", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since 'yesterday'" in bad.stderr


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@given(_json, _json)
def test_hash_depends_on_data_and_ignores_key_order(a, b) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    def h(data):
        return chain.event_hash(seq=1, at=at, actor="x", organization_id=None, action="a:b:c",
                                subject="s", data=data, prev_hash=chain.GENESIS)
    if chain.normalize_data(a) != chain.normalize_data(b):
        assert h(a) != h(b)
    if isinstance(a, dict):
        assert h(dict(reversed(list(a.items())))) == h(a)
