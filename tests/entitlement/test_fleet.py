"""`report policies` on the shared fleet and advisories: counts that add up and nest."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from sqlalchemy import select
from tests.contracts.contracts_fleet import C4948
from tests.entitlement.conftest import CONTRACTS, SG2, TODAY

from fixright.advisories.fleet import exposure_for_org
from fixright.catalog.backends import storage_from_url
from fixright.catalog.service import add_image
from fixright.contracts.csvio import read_contract_csv
from fixright.contracts.service import coverage_by_serial, import_rows
from fixright.entitlement.fleet import compare_policies
from fixright.entitlement.presets import PRESETS, load_preset
from fixright.inventory.models import Device


def _outcomes(session, acme, today=TODAY):
    policies = [load_preset(p) for p in PRESETS]
    return {o.policy: o for o in compare_policies(session, acme, policies, today=today)}


def test_counts_add_up_and_presets_nest(session, world) -> None:
    acme = world["acme"]
    outcomes = _outcomes(session, acme)
    exposed = sum(1 for d in exposure_for_org(session, acme).devices.values() if d.advisories)
    assert exposed > 0
    for o in outcomes.values():
        assert o.exposed == exposed
        assert o.allowed + o.denied == o.exposed
        assert o.allowed <= o.exposed - o.no_known_fix
        assert sum(total for _done, total in o.by_severity.values()) == exposed
        assert sum(done for done, _total in o.by_severity.values()) == o.allowed
    only = outcomes["contract-only"].allowed
    assert all(o.allowed >= only for o in outcomes.values())
    assert all(outcomes["open"].allowed >= o.allowed for o in outcomes.values())
    # the 4948E's fix (12.2(54)SG2, in the catalog) is out of reach of its lapsed contract...
    assert outcomes["contract-only"].allowed == 0
    assert outcomes["contract-only"].contract_would_unlock >= 1
    # ...but within the security exception and lifetime updates
    assert outcomes["contract-plus-security"].allowed >= 1
    assert outcomes["lifetime-updates"].allowed >= 1


def test_renewed_contract_counts_as_only_via_contract_with_its_cost(session, world) -> None:
    acme = world["acme"]
    renewal = CONTRACTS.splitlines()[0] + f"\n99887,24X7X4,{C4948},WS-C4948E,2025-01-01,2025-12-31,730,EUR\n"
    import_rows(session, acme, read_contract_csv(renewal.encode()).rows)
    outcomes = _outcomes(session, acme)
    only = outcomes["contract-only"]
    assert only.allowed == 1 and only.only_via_contract == 1
    assert only.contract_cost_per_year == {"EUR": Decimal("730.00")}
    yearly = [c.yearly_cost for c in coverage_by_serial(session, acme, [C4948])[C4948]
              if c.active_on(TODAY)]
    assert yearly == [Decimal("730.00")]
    # under lifetime-updates the same device does not depend on the contract
    assert outcomes["lifetime-updates"].only_via_contract == 0


def test_report_policies_cli(cli, engine, shared_data, tmp_path) -> None:
    from tests.contracts.contracts_fleet import register_fleet

    from fixright.db import make_session_factory

    with make_session_factory(engine)() as s:
        acme = register_fleet(s, shared_data, "acme")
        add_image(s, storage_from_url(f"file://{tmp_path / 'data' / 'blobs'}"),
                  io.BytesIO(b"y" * 64), filename=SG2, kind="maintenance")
        import_rows(s, acme, read_contract_csv(CONTRACTS.encode()).rows)
        s.commit()
    assert cli("advisories", "import", str(shared_data / "advisories/openvuln")).exit_code == 0
    csv_out = cli("report", "policies", "--today", "2025-06-01", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("policy,exposed,may_download,blocked_pct")
    assert [line.split(",")[0] for line in lines[1:]] == list(PRESETS)
    as_json = json.loads(cli("report", "policies", "--today", "2025-06-01", "--format",
                             "json").stdout)
    csv_rows = [line.split(",") for line in lines[1:]]
    for row, cells in zip(as_json, csv_rows, strict=True):
        # Numbers are numbers, costs are per currency, severities are counts.
        assert isinstance(row["exposed"], int) and row["exposed"] == int(cells[1])
        assert isinstance(row["may_download"], int) and isinstance(row["blocked_pct"], float)
        assert all(isinstance(v, float) for v in row["contract_cost_per_year"].values())
        assert all(set(v) == {"allowed", "exposed"} for v in row["by_severity"].values())
    page = cli("report", "policies", "contract-only", "open", "--format", "html")
    assert page.stdout.startswith("<!doctype html>") and page.stdout.count('class="bar"') == 2
    bad = cli("report", "policies", "--format", "pdf")
    assert bad.exit_code == 2 and "--format 'pdf'" in bad.stderr


def test_memoised_report_equals_deciding_every_device(session, world, monkeypatch) -> None:
    """Many devices of one kind with every coverage situation: the memo changes nothing."""
    import datetime as dt

    from fixright.entitlement import fleet
    from fixright.inventory.csvio import read_devices_csv
    from fixright.inventory.importing import import_csv_rows

    acme = world["acme"]
    rows = ["serial,vendor,os_family,model,running_version,licensed_feature_set,hostname"]
    lines = [CONTRACTS.splitlines()[0]]
    spans = [(-400, 30), (-400, -10), (10, 400), (-2000, -900), None]
    for n in range(40):
        serial = f"CAT{n:07d}X"
        licence = ("entservices", "ipbase", "", "unknown")[n % 4]
        rows.append(f"{serial},cisco,ios,WS-C4948E,12.2(54)SG1,{licence},sw{n}")
        span = spans[n % len(spans)]
        if span is not None:
            start, end = (TODAY + dt.timedelta(days=d) for d in span)
            lines.append(f"77{n:03d},8X5XNBD,{serial},WS-C4948E,{start},{end},{100 + n},EUR")
    import_csv_rows(session, acme, read_devices_csv("\n".join(rows) + "\n", "many.csv"))
    import_rows(session, acme, read_contract_csv(("\n".join(lines) + "\n").encode()).rows)

    def summary():
        return {name: (o.allowed, o.only_via_contract, o.contract_would_unlock,
                       dict(o.contract_cost_per_year), dict(o.by_severity))
                for name, o in _outcomes(session, acme).items()}

    memoised = summary()
    monkeypatch.setattr(fleet, "MEMOISE", False)
    assert summary() == memoised
    assert len({v[0] for v in memoised.values()}) > 1  # the presets really differ here


def test_devices_triaged_not_affected_are_neither_exposed_nor_blocked(session, world) -> None:
    from datetime import timedelta

    from fixright.triage import service as triage
    from fixright.triage.states import check

    acme = world["acme"]
    before = _outcomes(session, acme)
    fleet = exposure_for_org(session, acme)
    serials = {d.id: d.serial for d in session.scalars(
        select(Device).where(Device.organization_id == acme))}
    exposed = [(serials[int(i)], [h.advisory_id for h in d.advisories])
               for i, d in fleet.devices.items() if d.advisories]
    away, partly = exposed[0], next(e for e in exposed[1:] if len(e[1]) > 1)
    today = TODAY
    not_affected = check("not_affected", justification="requires_configuration", expires=None,
                         reason="feature off", today=today)
    for advisory in away[1]:
        triage.set_triage(session, acme, advisory_id=advisory, verdict=not_affected,
                          actor="test", serials=[away[0]])
    # One of several advisories away: still exposed; an expired acceptance counts as affected.
    triage.set_triage(session, acme, advisory_id=partly[1][0], verdict=not_affected,
                      actor="test", serials=[partly[0]])
    accepted = check("accepted_risk", justification=None, expires=today + timedelta(days=1),
                     reason="lab", today=today)
    triage.set_triage(session, acme, advisory_id=partly[1][1], verdict=accepted, actor="test",
                      serials=[partly[0]])
    after = _outcomes(session, acme, today=today + timedelta(days=5))
    for name, o in after.items():
        assert o.triaged_away == 1 and before[name].triaged_away == 0
        assert o.exposed == before[name].exposed - 1
        assert o.allowed + o.denied == o.exposed
        assert sum(total for _done, total in o.by_severity.values()) == o.exposed


def test_cells_partition_the_fleet_and_blocked_leaves_out_devices_with_no_fix(session,
                                                                            world) -> None:
    acme = world["acme"]
    fleet = exposure_for_org(session, acme).devices
    with_advisory = {d for d, e in fleet.items() if e.advisories}
    no_fix = {d for d in with_advisory if fleet[d].exposure.combined_fix is None
              or fleet[d].exposure.combined_fix.version is None}
    assert no_fix and with_advisory - no_fix  # both kinds are in the shared fleet
    for o in _outcomes(session, acme).values():
        parts = [o.cells[c] for c in ("allowed", "needs_contract", "refused", "no_fix",
                                      "triaged")]
        assert sorted(d for part in parts for d in part) == sorted(with_advisory)
        assert set(o.cells["no_fix"]) == no_fix and o.triaged_away == 0
        assert set(o.cells["via_contract"]) <= set(o.cells["allowed"])
        assert o.blocked == len(o.cells["needs_contract"]) + len(o.cells["refused"])
        assert o.blocked == o.exposed - o.allowed - len(no_fix)
        assert o.share_blocked == o.blocked / (o.exposed - len(no_fix))


def test_a_device_triaged_not_affected_leaves_the_exposed_count(session, world) -> None:
    from sqlalchemy import select

    from fixright.inventory.models import Device
    from fixright.triage.service import set_triage
    from fixright.triage.states import check

    acme = world["acme"]
    before = _outcomes(session, acme)["contract-only"]
    fleet = exposure_for_org(session, acme).devices
    device_id = before.cells["no_fix"][0]
    serial = session.scalar(select(Device.serial).where(Device.id == device_id))
    advisories = [h.advisory_id for h in fleet[device_id].advisories]
    verdict = check("not_affected", justification="component_not_present", expires=None,
                    reason="feature not configured", today=TODAY)
    for advisory in advisories[:-1]:
        set_triage(session, acme, advisory_id=advisory, verdict=verdict, actor="t",
                   serials=[serial])
    partly = _outcomes(session, acme)["contract-only"]
    assert partly.exposed == before.exposed and partly.triaged_away == 0  # one advisory is left
    set_triage(session, acme, advisory_id=advisories[-1], verdict=verdict, actor="t",
               serials=[serial])
    after = _outcomes(session, acme)["contract-only"]
    assert after.triaged_away == 1 and after.cells["triaged"] == [device_id]
    assert after.exposed == before.exposed - 1
    assert after.no_known_fix == before.no_known_fix - 1
