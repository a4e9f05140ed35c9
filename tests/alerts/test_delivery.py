"""Alerts end to end on both backends: a local SMTP server (STARTTLS + AUTH) and a webhook
receiver get messages naming the newly exposed devices; failures are logged, never blocking."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.alerts.receivers import (
    SMTP_PASSWORD,
    SMTP_USER,
    free_port,
    smtp_server,
    webhook_receiver,
)
from tests.changes.world import ADVISORY, advisory_path, affected_serials, fleet, own_copy

from fixright.alerts.models import AlertDelivery
from fixright.config import Settings
from fixright.db import make_session_factory, utcnow
from fixright.jobs.service import run_once


def _settings(db_url: str, data_dir: Path, smtp_port: int, cert: Path | None) -> Settings:
    return Settings(data_dir=data_dir, database_url=db_url, public_url="https://fix.example",
                    smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_user=SMTP_USER,
                    smtp_password=SMTP_PASSWORD, smtp_starttls=True, smtp_ca_file=cert,
                    smtp_from="fixright@fix.example", alert_attempts=3,
                    alert_backoff_seconds=0.5, alert_timeout_seconds=5)


def _add(cli, *args: str) -> str:
    result = cli("alerts", "add", *args)
    assert result.exit_code == 0, result.output
    secret = re.search(r"webhook secret \(shown once\): (\w+)", result.stdout)
    return secret.group(1) if secret else ""


def _deliveries(engine) -> list[AlertDelivery]:
    with make_session_factory(engine)() as s:
        return list(s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def test_email_and_signed_webhook_name_the_newly_exposed_devices(
        cli, engine, db_url, data_dir, shared_data, tmp_path) -> None:
    devices = {d["serial"]: d for d in fleet(cli, shared_data)}
    with smtp_server(tmp_path) as box, webhook_receiver() as hooks:
        _add(cli, "--kind", "new-exposure", "--email", "noc@acme.test", "--min-severity", "high")
        secret = _add(cli, "--kind", "new-exposure", "--webhook", hooks.url)
        assert secret
        assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
        exposed = affected_serials(cli)
        settings = _settings(db_url, data_dir, box.port, box.cert)
        result = run_once(engine, settings)
        assert result.ran and ("alerts", "2 alert(s) sent, 0 failed") in result.steps, result
        box.wait_for(lambda: len(box.mails) == 1)
        hooks.wait_for(lambda: len(hooks.received) == 1)

    assert box.logins == [SMTP_USER]  # authenticated, over STARTTLS (the server demands both)
    [mail] = box.to("noc@acme.test")
    body = mail.get_payload(decode=True).decode()
    assert f"{len(exposed)} new exposure(s) in acme" in mail["Subject"]
    for serial in exposed:
        device = devices[serial]
        line = next(x for x in body.splitlines() if serial in x)
        assert device["hostname"] in line and device["model"] in line
        assert device["running_version"] in line and ADVISORY in line and "critical" in line
        assert f"https://fix.example/devices/{device['id']}" in line
    assert not [s for s in devices if s not in exposed and s in body]

    headers, raw = hooks.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-fixright-signature"], expected)
    assert headers["content-type"] == "application/json"
    payload = json.loads(raw)
    assert payload["organization"] == "acme" and payload["kind"] == "new-exposure"
    assert {i["serial"] for i in payload["items"]} == exposed
    assert all(i["advisory_id"] == ADVISORY for i in payload["items"])
    assert [d.status for d in _deliveries(engine)] == ["sent", "sent"]
    # Idempotent: a second run finds nothing new and sends nothing.
    again = run_once(engine, settings)
    assert ("alerts", "0 alert(s) sent, 0 failed") in again.steps
    assert ("recheck", "nothing changed since the last run") in again.steps


def test_a_dead_target_is_retried_logged_and_blocks_nothing(
        cli, engine, db_url, data_dir, shared_data, tmp_path) -> None:
    fleet(cli, shared_data)
    dead = f"http://127.0.0.1:{free_port()}/hook"  # nobody listens there
    with smtp_server(tmp_path) as box:
        _add(cli, "--kind", "new-exposure", "--webhook", dead)
        _add(cli, "--kind", "new-exposure", "--email", "noc@acme.test")
        assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
        waits: list[float] = []
        result = run_once(engine, _settings(db_url, data_dir, box.port, box.cert),
                          sleep=waits.append)
        box.wait_for(lambda: len(box.mails) == 1)
    assert ("alerts", "1 alert(s) sent, 1 failed") in result.steps
    assert waits == [0.5, 1.0]  # exponential back-off between the 3 attempts
    failed, sent = _deliveries(engine)
    assert (failed.status, failed.attempts, failed.target) == ("failed", 3, dead)
    assert failed.error and "127.0.0.1" in failed.error
    assert (sent.status, sent.attempts) == ("sent", 1)


def test_an_unreachable_smtp_server_does_not_stop_the_webhook(
        cli, engine, db_url, data_dir, shared_data) -> None:
    fleet(cli, shared_data)
    with webhook_receiver() as hooks:
        _add(cli, "--kind", "new-exposure", "--email", "noc@acme.test")
        _add(cli, "--kind", "new-exposure", "--webhook", hooks.url)
        assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
        result = run_once(engine, _settings(db_url, data_dir, free_port(), None),
                          sleep=lambda _s: None)
        hooks.wait_for(lambda: len(hooks.received) == 1)
    assert ("alerts", "1 alert(s) sent, 1 failed") in result.steps
    assert [(d.channel, d.status) for d in _deliveries(engine)] == [
        ("email", "failed"), ("webhook", "sent")]


def test_alerts_never_reach_another_organisations_recipients(
        cli, engine, db_url, data_dir, shared_data, tmp_path) -> None:
    acme_devices = fleet(cli, shared_data, "acme")
    assert cli("orgs", "add", "globex").exit_code == 0  # no devices: nothing to tell
    with smtp_server(tmp_path) as box:
        _add(cli, "--kind", "new-exposure", "--email", "noc@acme.test", "--org", "acme")
        _add(cli, "--kind", "new-exposure", "--email", "soc@globex.test", "--org", "globex")
        assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
        run_once(engine, _settings(db_url, data_dir, box.port, box.cert))
        box.wait_for(lambda: len(box.mails) == 1)
        # Now globex gets devices of its own; acme's recipient must not hear of them.
        theirs = own_copy(shared_data, tmp_path / "globex",
                          {d["serial"] for d in acme_devices}, "G")
        fleet_globex = cli("devices", "import", str(theirs), "--skip-bad", "--org", "globex")
        assert fleet_globex.exit_code == 1  # the .yml files are skipped
        run_once(engine, _settings(db_url, data_dir, box.port, box.cert))
        box.wait_for(lambda: len(box.mails) == 2)
    assert len(box.to("noc@acme.test")) == 1 and "in acme" in box.to("noc@acme.test")[0]["Subject"]
    [globex] = box.to("soc@globex.test")
    assert "in globex" in globex["Subject"]
    assert all(rcpt in (["noc@acme.test"], ["soc@globex.test"]) for rcpt, _m in box.mails)


def test_a_daily_digest_collects_events_into_one_message(
        cli, engine, db_url, data_dir, shared_data, tmp_path) -> None:
    fleet(cli, shared_data)
    with smtp_server(tmp_path) as box:
        _add(cli, "--kind", "new-exposure", "--email", "noc@acme.test", "--digest", "daily")
        assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
        settings = _settings(db_url, data_dir, box.port, box.cert)
        start = utcnow()
        run_once(engine, settings, now=start)
        box.wait_for(lambda: len(box.mails) == 1)
        serials = sorted(affected_serials(cli))[:2]
        for serial in serials:  # triaged away and back: a new exposure each
            for state, extra in (("not_affected", ["--justification", "requires_configuration"]),
                                 ("affected", [])):
                assert cli("triage", "set", ADVISORY, state, "--serial", serial, *extra,
                           "--reason", "digest test").exit_code == 0
        early = run_once(engine, settings, now=start + timedelta(hours=1))
        assert ("alerts", "0 alert(s) sent, 0 failed") in early.steps  # not due yet
        due = run_once(engine, settings, now=start + timedelta(hours=25))
        assert ("alerts", "1 alert(s) sent, 0 failed") in due.steps
        box.wait_for(lambda: len(box.mails) == 2)
    digest = box.mails[1][1]
    body = digest.get_payload(decode=True).decode()
    assert "2 new exposure(s) in acme (daily digest)" in body
    assert all(serial in body for serial in serials)


@pytest.mark.parametrize("args, message", [
    (["--kind", "new-exposure"], "one of --email or --webhook"),
    (["--kind", "nope", "--email", "a@b.test"], "kind must be one of"),
    (["--kind", "new-exposure", "--email", "not-an-address"], "neither an e-mail"),
    (["--kind", "contract-lapsing", "--email", "a@b.test"], "needs --days"),
    (["--kind", "new-exposure", "--email", "a@b.test", "--min-severity", "huge"], "min severity"),
    (["--kind", "new-exposure", "--email", "a@b.test", "--digest", "hourly"], "digest must be"),
])
def test_bad_subscriptions_are_refused(cli, args, message) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    result = cli("alerts", "add", *args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert json.loads(cli("alerts", "list", "--format", "json").stdout) == []
