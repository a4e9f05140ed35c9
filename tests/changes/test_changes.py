"""Re-check on change, both backends: imports record new exposures, resolutions and fixes."""

from __future__ import annotations

import csv
import io
import json

import pytest
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

from fixright.changes import service as changes_service
from fixright.changes.models import ChangeEvent, ExposureSnapshot
from fixright.changes.service import recheck
from fixright.db import make_session_factory, session_scope
from fixright.inventory.models import Device


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


@pytest.mark.parametrize("page", [1, 2])
def test_a_recheck_in_pages_sees_every_device_and_resolves_the_gone(
        cli, engine, shared_data, monkeypatch, page) -> None:
    """Pages of a few devices (a million-device fleet is read 10,000 at a time): the
    snapshot still equals the exposure report, and devices retired in the middle of a
    page or deleted past the last page resolve."""
    monkeypatch.setattr(changes_service, "PAGE", page)
    fleet(cli, shared_data)
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    factory = make_session_factory(engine, writes=True)

    def snapshot() -> set[str]:
        with session_scope(factory) as session:
            return set(session.scalars(select(ExposureSnapshot.serial)))

    exposed = affected_serials(cli)
    assert len(exposed) > 2 * page and snapshot() == exposed
    with session_scope(factory) as session:
        ids = {serial: id_ for serial, id_ in session.execute(select(Device.serial, Device.id))}
    order = [ids[e["serial"]] for e in changes(cli)]
    assert order == sorted(order)  # events in device order across pages
    by_id = sorted(exposed, key=ids.__getitem__)
    retired, deleted = by_id[len(by_id) // 2], by_id[-1]  # mid-range, and past the last page
    assert cli("devices", "retire", retired).exit_code == 0
    assert cli("devices", "delete", deleted).exit_code == 0
    with session_scope(factory) as session:
        summary = recheck(session, cause="test")
    assert (summary.resolved, summary.new_exposure) == (2, 0)
    resolved = [e for e in changes(cli) if e["kind"] == "resolved"]
    assert sorted(e["serial"] for e in resolved) == sorted([retired, deleted])
    assert snapshot() == exposed - {retired, deleted} == affected_serials(cli)
