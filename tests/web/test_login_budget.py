"""Failed logins: audited and committed first, then 429 with Retry-After over budget.

No thread sleeps and no lock is held while the client waits, so concurrent
guesses neither serialise the portal nor escape the audit log (both databases).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web.access_support import PASSWORD, build, csrf, login

from fixright.accounts import throttle
from fixright.audit.models import AuditEvent
from fixright.audit.service import verify_chain


def _events(session, action: str) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == action)) or 0)


def test_account_budget_then_429_with_retry_after(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    with TestClient(world.app) as client:
        codes = [login(client, "member@acme.test", "wrong guess") for _ in range(
            throttle.ACCOUNT_BUDGET + 2)]
        assert codes[:throttle.ACCOUNT_BUDGET - 1] == [401] * (throttle.ACCOUNT_BUDGET - 1)
        assert set(codes[throttle.ACCOUNT_BUDGET - 1:]) == {429}
        refused = client.post("/login", data={"email": "member@acme.test",
                                              "password": PASSWORD,
                                              "csrf_token": csrf(client)})
        # Over budget even the right password is refused, unchecked.
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        assert 0 < wait <= throttle.WINDOW.total_seconds()
        # Another account from the same address is still within its own budget.
        assert login(client, "admin@acme.test") == 303
    # Every attempt is in the log: the checked ones as failed, the rest as throttled.
    assert _events(session, "accounts:login:failed") == throttle.ACCOUNT_BUDGET
    assert _events(session, "accounts:login:throttled") == 3


def test_client_address_budget_spans_accounts(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    with TestClient(world.app) as client:
        codes = [login(client, f"nobody{i}@acme.test", "guess") for i in range(
            throttle.CLIENT_BUDGET)]
        assert codes[-1] == 429 and codes[0] == 401
        # The address is over budget: a real account from it is refused too.
        assert login(client, "admin@acme.test") == 429


def test_64_concurrent_guesses_are_all_audited(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)

    def guess(i: int) -> int:
        with TestClient(world.app) as client:
            return login(client, "member@acme.test", f"wrong guess {i}")

    with ThreadPoolExecutor(max_workers=64) as pool:
        codes = list(pool.map(guess, range(64)))
    assert set(codes) <= {401, 429}, codes
    assert codes.count(429) >= 64 - throttle.ACCOUNT_BUDGET
    audited = _events(session, "accounts:login:failed") + _events(
        session, "accounts:login:throttled")
    assert audited == 64
    assert verify_chain(session).ok
