"""Re-check on change, both backends: imports record new exposures, resolutions and fixes."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select
from tests.changes.world import (
    ADVISORY,
    advisory_path,
    affected_serials,
    changes,
    fleet,
    own_copy,
    revision_without,
)

from fixright.changes.models import ChangeEvent, ExposureSnapshot
from fixright.changes.service import recheck
from fixright.db import make_session_factory, session_scope


def test_advisory_import_records_the_newly_exposed_devices(cli, shared_data) -> None:
    devices = fleet(cli, shared_data)
    assert changes(cli) == []  # devices alone: nothing exposed yet
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    events = changes(cli)
    exposed = affected_serials(cli)
    assert exposed, "the shared fleet has devices this advisory hits"
    assert {e["serial"] for e in events} == exposed
    assert {e["kind"] for e in events} == {"new_exposure"}
    assert {e["advisory_id"] for e in events} == {ADVISORY}
    assert all(e["cause"] == "advisories import (cli)" for e in events)
    by_serial = {d["serial"]: d for d in devices}
    for event in events:  # each event names the device as inventory knows it
        assert event["hostname"] == by_serial[event["serial"]]["hostname"]
        assert event["severity"] == "critical" and event["kev"] is False
    # Importing the same document again changes nothing and records nothing.
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    assert len(changes(cli)) == len(events)


def test_a_newer_revision_that_excludes_a_version_resolves_it(cli, shared_data, tmp_path) -> None:
    devices = fleet(cli, shared_data)
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    before = affected_serials(cli)
    on_365 = {d["serial"] for d in devices if d["running_version"] == "03.06.05E"}
    assert on_365 and on_365 <= before
    revised = revision_without(shared_data, tmp_path, {"3.6.5E"})
    result = cli("advisories", "import", str(revised))
    assert result.exit_code == 0 and "1 updated" in result.stdout, result.output
    after = affected_serials(cli)
    assert after == before - on_365
    resolved = [e for e in changes(cli) if e["kind"] == "resolved"]
    assert {e["serial"] for e in resolved} == on_365
    assert {e["version"] for e in resolved} == {"03.06.05E"}


def test_since_filters_and_formats(cli, shared_data) -> None:
    fleet(cli, shared_data)
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    assert changes(cli, since="2999-01-01") == []
    everything = changes(cli, since="2020-01-01T00:00:00+00:00")
    as_csv = cli("report", "changes", "--since", "2020-01-01", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["serial"] for r in rows] == [e["serial"] for e in everything]
    lines = cli("report", "changes", "--since", "2020-01-01", "--format", "jsonl").stdout
    assert [json.loads(x)["serial"] for x in lines.splitlines()] == [e["serial"] for e in everything]
    table = cli("report", "changes", "--since", "2020-01-01")
    assert table.exit_code == 0 and f"{len(everything)} change(s)" in table.stderr
    bad = cli("report", "changes", "--since", "last monday")
    assert bad.exit_code == 2 and "not an ISO date" in bad.output


def test_triage_away_resolves_and_retriage_reexposes(cli, shared_data) -> None:
    fleet(cli, shared_data)
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    serial = sorted(affected_serials(cli))[0]
    assert cli("triage", "set", ADVISORY, "not_affected", "--serial", serial, "--justification",
               "requires_configuration", "--reason", "vstack off").exit_code == 0
    assert cli("triage", "set", ADVISORY, "affected", "--serial", serial,
               "--reason", "vstack back on").exit_code == 0
    mine = [(e["kind"], e["cause"]) for e in changes(cli) if e["serial"] == serial]
    assert mine == [("new_exposure", "advisories import (cli)"), ("resolved", "triage (cli)"),
                    ("new_exposure", "triage (cli)")]


def test_recheck_is_per_organisation_and_idempotent(cli, engine, shared_data, tmp_path) -> None:
    acme_devices = fleet(cli, shared_data, "acme")
    fleet(cli, shared_data, "globex",
          own_copy(shared_data, tmp_path / "globex", {d["serial"] for d in acme_devices}, "G"))
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    acme, globex = changes(cli, "acme"), changes(cli, "globex")
    assert acme and {e["organization"] for e in acme} == {"acme"}
    assert {e["organization"] for e in globex} == {"globex"} and len(globex) == len(acme)
    factory = make_session_factory(engine, writes=True)
    with session_scope(factory) as session:
        again = recheck(session, cause="test")
        snapshot = session.scalar(select(func.count()).select_from(ExposureSnapshot))
        events = session.scalar(select(func.count()).select_from(ChangeEvent))
    assert again.changed == 0 and again.organizations >= 2
    assert snapshot == len(acme) + len(globex) == events
