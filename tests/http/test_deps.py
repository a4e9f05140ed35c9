"""The request's transaction ends before its answer leaves.

A commit that fails is a 5xx and nothing is claimed or stored; the audit event
of a download decision (allowed or refused) is in the database by the time the
client has the answer. Run on SQLite and PostgreSQL (`db_url`).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from fixright.accounts import service as accounts
from fixright.accounts.models import ApiToken
from fixright.audit import service as audit
from fixright.audit.models import AuditEvent
from fixright.catalog import service as catalog
from fixright.catalog.storage_local import LocalStorage
from fixright.config import Settings
from fixright.db import make_engine, make_session_factory, utcnow
from fixright.entitlement import service as entitlement
from fixright.inventory import importing as inventory
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.models import Device
from fixright.web.app import create_app

CSV = """serial,vendor,os_family,model,running_version,licensed_feature_set,hostname
FOC2118X0QA,cisco,ios,WS-C2960X-48FPD-L,15.2(2)E3,lanbasek9,acc-01
"""
NAME = "c2960x-universalk9-mz.152-8.E8.bin"
DECIDE = "entitlement:download:decide"


class CommitFailed(RuntimeError):
    pass


def _fail_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    def commit(self: Session) -> None:
        raise CommitFailed("the database refused the commit (on purpose)")

    monkeypatch.setattr(Session, "commit", commit)


def _app(db_url: str, data_dir) -> Any:
    return create_app(Settings(data_dir=data_dir, database_url=db_url,
                               storage_url=f"file://{data_dir / 'blobs'}"))


def _owner_token(session: Session) -> str:
    org, _ = accounts.get_or_create_organization(session, "acme")
    user = accounts.add_user(session, email="a@acme.test", password=None, organization=org)
    _, token = accounts.create_token(session, user, "t")
    return token


def _count(db_url: str, query: Any) -> int:
    """`query` counted on a connection of its own: only what was committed."""
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as other:
            return int(other.scalar(query) or 0)
    finally:
        engine.dispose()


def test_a_failing_commit_is_a_5xx_and_no_device_is_claimed_or_stored(
    db_url, data_dir, session, monkeypatch
) -> None:
    token = _owner_token(session)
    session.commit()
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    with TestClient(_app(db_url, data_dir), raise_server_exceptions=False) as client:
        with monkeypatch.context() as patched:
            _fail_commits(patched)
            failed = client.post("/api/v1/devices/import?filename=d.csv", content=CSV,
                                 headers=auth)
        assert failed.status_code >= 500
        assert "created" not in failed.text
        assert _count(db_url, select(func.count()).select_from(Device)) == 0
        # The same request with a working database stores the device: the test
        # above failed for the commit, not for the request.
        done = client.post("/api/v1/devices/import?filename=d.csv", content=CSV, headers=auth)
    assert done.status_code == 200, done.text
    assert _count(db_url, select(func.count()).select_from(Device)) == 1


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_a_failing_commit_of_a_ui_form_is_a_5xx_and_changes_nothing(
    db_url, data_dir, session, monkeypatch
) -> None:
    operator, _ = accounts.get_or_create_organization(session, "vendor", operator=True)
    accounts.add_user(session, email="op@vendor.test", password="pw-operator-1",
                      organization=operator)
    entitlement.set_active_policy(session, "lifetime-updates")
    session.commit()
    with TestClient(_app(db_url, data_dir), raise_server_exceptions=False) as client:
        login = client.post("/login", data={"email": "op@vendor.test", "password": "pw-operator-1",
                                            "csrf_token": _csrf(client.get("/login").text)})
        assert login.status_code == 200 and "/login" not in str(login.url)
        token = _csrf(client.get("/policy").text)
        # Activating takes a preview first; the confirmation is the post that writes.
        preview = client.post("/policy", data={"csrf_token": token, "name": "contract-only"})
        confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text)
        assert confirm, preview.text
        with monkeypatch.context() as patched:
            _fail_commits(patched)
            failed = client.post("/policy", data={"csrf_token": token, "name": "contract-only",
                                                  "confirm": confirm[1]},
                                 follow_redirects=False)
        assert failed.status_code >= 500
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as other:
            assert entitlement.active_policy(other)[0] == "lifetime-updates"
            assert audit.count_events(other, action="entitlement:policy:activate") == 1
    finally:
        engine.dispose()


Asgi = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


def _watching(app: Any, db_url: str, seen: list[tuple[int, int]]) -> Asgi:
    """`app`, noting how many download decisions are committed when an answer starts."""

    async def wrapped(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        async def send_and_watch(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start" and scope["path"].endswith("/download"):
                stored = _count(db_url, select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == DECIDE))
                seen.append((message["status"], stored))
            await send(message)

        await app(scope, receive, send_and_watch)

    return wrapped


@pytest.mark.parametrize(("policy", "status"), [("lifetime-updates", 200),
                                                ("contract-only", 403)])
def test_a_download_decision_is_stored_before_its_answer_leaves(
    db_url, data_dir, session, policy, status
) -> None:
    token = _owner_token(session)
    org = accounts.get_organization(session, "acme")
    inventory.import_csv_rows(session, org.id, read_devices_csv(CSV, "d.csv"))
    catalog.add_image(session, LocalStorage(data_dir / "blobs"), io.BytesIO(b"x" * 4096),
                      filename=NAME, kind="maintenance")
    entitlement.set_active_policy(session, policy)
    session.commit()
    seen: list[tuple[int, int]] = []
    app = _watching(_app(db_url, data_dir), db_url, seen)
    with TestClient(app) as client:  # type: ignore[arg-type]
        answer = client.post("/api/v1/images/1/download",
                             headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == status
    assert (answer.json()["url"] is not None) == (status == 200)
    assert seen == [(status, 1)]


def _kinds_by_connection(engine: Any, seen: list[tuple[bool, str]]) -> Callable[..., None]:
    """A `before_cursor_execute` listener noting (ran on a writer connection, statement kind)."""
    def record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        writer = engine.dialect.name != "sqlite" or bool(
            conn.get_execution_options().get("fixright_sqlite_immediate"))
        seen.append((writer, statement.split()[0].upper()))
    return record


def test_a_read_request_writes_nothing_in_its_own_transaction(db_url, data_dir, session) -> None:
    """A GET's session only reads; the once-a-minute `last_used` is written apart.

    Under 32 clients on SQLite the read session's `UPDATE api_token SET
    last_used` waited outside the writers' queue, lost to them for the whole
    busy timeout and failed with "database is locked": a 500 on a list (CI).
    Here every statement of the request is recorded with the kind of
    connection it ran on; writes may run only on writer connections.
    """
    token = _owner_token(session)
    session.commit()
    app = _app(db_url, data_dir)
    engine = app.state.read_session_factory.kw["bind"]
    seen: list[tuple[bool, str]] = []
    record = _kinds_by_connection(engine, seen)
    event.listen(engine, "before_cursor_execute", record)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/api/v1/devices",
                                  headers={"Authorization": f"Bearer {token}"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    assert ("UPDATE" in {kind for _, kind in seen})  # last_used was due, and written
    if engine.dialect.name == "sqlite":
        assert [kind for writer, kind in seen if not writer and kind != "SELECT"] == []
    assert _count(db_url, select(func.count()).select_from(ApiToken)
                  .where(ApiToken.last_used.is_not(None))) == 1


def test_an_entitlement_check_reads_then_appends_its_event_apart(db_url, data_dir, session) -> None:
    """GET /images/{id}/entitlement decides on the read session and appends its audit event
    in a writer transaction of its own, committed before the answer, never on the reader
    (a read transaction that writes after another writer committed fails at once on
    SQLite), and never holding two pooled connections at once."""
    token = _owner_token(session)
    org = accounts.get_organization(session, "acme")
    inventory.import_csv_rows(session, org.id, read_devices_csv(CSV, "d.csv"))
    catalog.add_image(session, LocalStorage(data_dir / "blobs"), io.BytesIO(b"x" * 4096),
                      filename=NAME, kind="maintenance")
    entitlement.set_active_policy(session, "lifetime-updates")
    # Its use was just noted: the once-a-minute bookkeeping is not this test's subject.
    session.execute(update(ApiToken).values(last_used=utcnow()))
    session.commit()
    app = _app(db_url, data_dir)
    engine = app.state.read_session_factory.kw["bind"]
    seen: list[tuple[bool, str]] = []
    held, most = [0], [0]

    def checkout(*_: Any) -> None:
        held[0] += 1
        most[0] = max(most[0], held[0])

    def checkin(*_: Any) -> None:
        held[0] -= 1

    record = _kinds_by_connection(engine, seen)
    stored: list[int] = []

    async def watching(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        async def send_and_watch(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                stored.append(_count(db_url, select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == DECIDE)))
            await send(message)
        await app(scope, receive, send_and_watch)

    with TestClient(watching) as client:  # type: ignore[arg-type]
        client.get("/healthz")  # the app's own start-up work is not the request's
        event.listen(engine, "before_cursor_execute", record)
        event.listen(engine.pool, "checkout", checkout)
        event.listen(engine.pool, "checkin", checkin)
        try:
            answer = client.get("/api/v1/images/1/entitlement",
                                headers={"Authorization": f"Bearer {token}"})
        finally:
            event.remove(engine, "before_cursor_execute", record)
            event.remove(engine.pool, "checkout", checkout)
            event.remove(engine.pool, "checkin", checkin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["allowed"] is True
    assert stored == [0, 1]  # healthz, then the check: its event committed before its answer
    assert "INSERT" in {kind for writer, kind in seen if writer}
    if engine.dialect.name == "sqlite":
        assert [kind for writer, kind in seen if not writer and kind != "SELECT"] == []
    assert most[0] == 1


def test_many_reads_that_find_a_token_use_due_write_it_once(
        db_url, data_dir, session, monkeypatch) -> None:
    """Twelve GETs at once with a token whose `last_used` is due: one of them writes it.
    Each one writing it apart held its reader while waiting for a second pooled
    connection: twelve of them need 24 of the pool's 15 and waited out its timeout."""
    token = _owner_token(session)
    session.commit()
    together = threading.Barrier(12, timeout=20)
    valid = accounts.valid_token

    def valid_then_wait(*args: Any) -> Any:
        row = valid(*args)
        together.wait()  # every request has read the token, due, before any writes it
        return row

    monkeypatch.setattr(accounts, "valid_token", valid_then_wait)
    app = _app(db_url, data_dir)
    engine = app.state.read_session_factory.kw["bind"]
    seen: list[tuple[bool, str]] = []
    record = _kinds_by_connection(engine, seen)
    with TestClient(app) as client:
        client.get("/healthz")
        event.listen(engine, "before_cursor_execute", record)
        try:
            with ThreadPoolExecutor(12) as pool:
                answers = list(pool.map(lambda _: client.get(
                    "/api/v1/me", headers={"Authorization": f"Bearer {token}"}), range(12)))
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert [a.status_code for a in answers] == [200] * 12
    assert [kind for _writer, kind in seen].count("UPDATE") == 1
    assert _count(db_url, select(func.count()).select_from(ApiToken)
                  .where(ApiToken.last_used.is_not(None))) == 1
