"""What is due to a subscription, both backends: lapsing contracts, expiring acceptances,
severity and KEV filters; each told once (the cursor moves)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.changes.world import ADVISORY, advisory_path, affected_serials, fleet

from fixright.alerts import service
from fixright.alerts.models import AlertSubscription
from fixright.db import make_session_factory, session_scope, utcnow


def _collect(engine, org_slug: str | None = None) -> list[service.Outgoing]:
    with session_scope(make_session_factory(engine, writes=True)) as s:
        return service.collect_due(s, now=utcnow(), public_url="https://fix.example")


def _told(engine, outgoing: list[service.Outgoing]) -> None:
    with session_scope(make_session_factory(engine, writes=True)) as s:
        for o in outgoing:
            service.record_delivery(s, o, status="sent", attempts=1, error=None, now=utcnow())


def test_contract_lapsing_within_the_window_is_told_once(cli, engine, shared_data, tmp_path):
    devices = fleet(cli, shared_data)
    soon, later = devices[0]["serial"], devices[1]["serial"]
    today = date.today()
    csv_path = tmp_path / "contracts.csv"
    csv_path.write_text(
        "contract number,service level,serial,product id,start,end\n"
        f"C-1,8x5xNBD,{soon},{devices[0]['model']},2024-01-01,{today + timedelta(days=10)}\n"
        f"C-2,8x5xNBD,{later},{devices[1]['model']},2024-01-01,{today + timedelta(days=100)}\n")
    assert cli("contracts", "import", str(csv_path)).exit_code == 0
    assert cli("alerts", "add", "--kind", "contract-lapsing", "--days", "30",
               "--email", "noc@acme.test").exit_code == 0
    [message] = _collect(engine)
    assert message.items == 1
    assert soon in message.message.text and later not in message.message.text
    assert "contract C-1" in message.message.text
    _told(engine, [message])
    assert _collect(engine) == []


def test_acceptance_expiring_is_told(cli, engine, shared_data):
    fleet(cli, shared_data)
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    serial = sorted(affected_serials(cli))[0]
    expires = date.today() + timedelta(days=5)
    assert cli("triage", "set", ADVISORY, "accepted_risk", "--serial", serial, "--expires",
               expires.isoformat(), "--reason", "change freeze").exit_code == 0
    assert cli("alerts", "add", "--kind", "acceptance-expiring", "--days", "7",
               "--email", "noc@acme.test").exit_code == 0
    [message] = _collect(engine)
    assert message.items == 1 and serial in message.message.text
    assert ADVISORY in message.message.text and expires.isoformat() in message.message.text


def test_kev_only_and_severity_filters_move_the_cursor_silently(cli, engine, shared_data):
    fleet(cli, shared_data)
    assert cli("alerts", "add", "--kind", "new-exposure", "--kev-only",
               "--email", "kev@acme.test").exit_code == 0
    assert cli("alerts", "add", "--kind", "fix-available",
               "--email", "fix@acme.test").exit_code == 0
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    assert _collect(engine) == []  # no KEV-listed CVE, no fix published
    with make_session_factory(engine)() as s:
        cursors = {sub.target: sub.event_cursor for sub in s.query(AlertSubscription)}
    assert cursors["kev@acme.test"] > 0  # skipped past, so never re-read
