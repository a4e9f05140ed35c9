"""`fixright triage set|list` on both backends: devices by serial or filter, audited, all-or-nothing."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from fixright.audit.models import AuditEvent
from fixright.db import make_session_factory
from fixright.triage import service
from fixright.triage.models import Triage

ADVISORY = "cisco-sa-20180328-smi2"


def _world(cli, shared_data) -> list[str]:
    assert cli("orgs", "add", "acme").exit_code == 0
    imported = cli("devices", "import", str(shared_data / "show/cisco_ios/show_version"),
                   "--skip-bad")
    assert "created" in imported.stdout, imported.output  # the .yml beside each .raw is skipped
    assert cli("advisories", "import",
               str(shared_data / "advisories/csaf/cisco-sa-20180328-smi2.json")).exit_code == 0
    listed = json.loads(cli("devices", "list", "--format", "json").stdout)
    return [d["serial"] for d in listed]


def _counts(engine) -> tuple[int, int]:
    with make_session_factory(engine)() as s:
        return (s.scalar(select(func.count()).select_from(Triage)) or 0,
                s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_set_by_serial_then_list_and_reset(cli, engine, shared_data) -> None:
    serials = _world(cli, shared_data)
    before = _counts(engine)
    result = cli("triage", "set", ADVISORY, "not_affected", "--serial", serials[0],
                 "--justification", "requires_configuration", "--reason", "smart install off")
    assert result.exit_code == 0, result.output
    assert "not_affected on 1 device" in result.stdout
    assert _counts(engine) == (before[0] + 1, before[1] + 1)
    rows = json.loads(cli("triage", "list", "--format", "json").stdout)
    assert [(r["serial"], r["advisory_id"], r["state"]) for r in rows] == [
        (serials[0], ADVISORY, "not_affected")]
    # A second decision replaces the first (one row per device and advisory).
    again = cli("triage", "set", ADVISORY, "affected", "--serial", serials[0], "--reason", "on")
    assert again.exit_code == 0
    assert _counts(engine)[0] == before[0] + 1
    assert json.loads(cli("triage", "list", "--format", "json").stdout)[0]["state"] == "affected"


def test_filter_reaches_every_matching_device(cli, engine, shared_data) -> None:
    _world(cli, shared_data)
    result = cli("triage", "set", ADVISORY, "under_investigation", "--os-family", "iosxe",
                 "--reason", "checking the 9500s")
    assert result.exit_code == 0, result.output
    devices = json.loads(cli("devices", "list", "--format", "json").stdout)
    iosxe = {d["serial"] for d in devices if d["os_family"] == "iosxe"}
    assert iosxe and f"on {len(iosxe)} device" in result.stdout
    rows = json.loads(cli("triage", "list", "--format", "json").stdout)
    assert {r["serial"] for r in rows} == iosxe


def test_bad_requests_change_nothing(cli, engine, shared_data) -> None:
    serials = _world(cli, shared_data)
    before = _counts(engine)
    cases = [
        (["triage", "set", "no-such-advisory", "affected", "--serial", serials[0],
          "--reason", "x"], "no advisory"),
        (["triage", "set", ADVISORY, "affected", "--serial", "NOPE123", "--reason", "x"],
         "no device with serial NOPE123"),
        (["triage", "set", ADVISORY, "affected", "--reason", "x"], "name the devices"),
        (["triage", "set", ADVISORY, "not_affected", "--serial", serials[0], "--reason", "x"],
         "needs a justification"),
        (["triage", "set", ADVISORY, "accepted_risk", "--serial", serials[0], "--reason", "x"],
         "needs an expiry"),
        (["triage", "set", ADVISORY, "affected", "--serial", serials[0], "--serial", "NOPE9",
          "--reason", "x"], "NOPE9"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert result.exit_code in (1, 2), result.output
        assert message in result.stderr and "Traceback" not in result.stderr
    assert _counts(engine) == before


def test_expired_acceptance_reads_affected(cli, engine, shared_data) -> None:
    serials = _world(cli, shared_data)
    result = cli("triage", "set", ADVISORY, "accepted_risk", "--serial", serials[0],
                 "--expires", "2026-01-31", "--reason", "replacing it in January",
                 "--today", "2026-01-01")
    assert result.exit_code == 0, result.output
    with make_session_factory(engine)() as s:
        org_id = s.scalar(select(Triage.organization_id))
        before = service.effective_states(s, org_id, date(2026, 1, 31))
        after = service.effective_states(s, org_id, date(2026, 2, 1))
    assert list(before.values()) == ["accepted_risk"]
    assert list(after.values()) == ["affected"]


def test_exposure_report_counts_triaged_advisories_away(cli, engine, shared_data) -> None:
    _world(cli, shared_data)
    before = json.loads(cli("report", "exposure", "--format", "json").stdout)
    hit = [r for r in before if ADVISORY in r["advisory_ids"]]
    assert hit, "the fixture fleet has devices affected by smi2"
    only = [r for r in hit if r["advisory_ids"] == [ADVISORY]]
    target = only[0] if only else hit[0]
    other = next((r for r in hit if r["serial"] != target["serial"]), None)
    assert cli("triage", "set", ADVISORY, "not_affected", "--serial", target["serial"],
               "--justification", "requires_configuration", "--reason", "vstack off"
               ).exit_code == 0
    if other is not None:
        assert cli("triage", "set", ADVISORY, "mitigated", "--serial", other["serial"],
                   "--reason", "acl on 4786").exit_code == 0
    after = {r["serial"]: r for r in json.loads(
        cli("report", "exposure", "--format", "json").stdout)}
    row = after[target["serial"]]
    assert ADVISORY not in row["advisory_ids"]
    assert row["triaged_away"] == 1 and row["triage"] == [f"{ADVISORY}: not_affected"]
    assert row["status"] == ("triaged_away" if only else "affected")
    if other is not None:
        # Mitigated is still exposed: it stays counted, and says why it is marked.
        kept = after[other["serial"]]
        assert ADVISORY in kept["advisory_ids"] and kept["status"] == "affected"
        assert kept["triage"] == [f"{ADVISORY}: mitigated"]
