"""Rows of the exposure and fix-plan reports for one organisation's stored fleet.

Both reports work per distinct situation, not per device: one GROUP BY gives
the fleet's situations (`fixright.advisories.fleet.fleet_situations`), each
is matched and planned once, and its answer is joined back to the devices
while they stream from the database in batches. Rows are generated, never
held as a list, so a million devices fit in bounded memory. The exposure
report is ordered by what to fix first (`fixright.advisories.priority`: KEV
first, then EPSS, then severity).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.advisories.cache import hardware_catalogue, load_index
from fixright.advisories.exploits import cve_facts
from fixright.advisories.fleet import (
    FleetSituations,
    Situation,
    fleet_situations,
    live_devices,
    stream_devices,
)
from fixright.advisories.priority import advisory_priority, most_urgent
from fixright.advisories.remediations import remediation_rows, remediations_by_advisory
from fixright.advisories.results import STATUS_AFFECTED, Exposure
from fixright.inventory.models import Device
from fixright.reports.fiximages import images_of_targets, target_dict, targets_text
from fixright.triage.service import effective_states
from fixright.triage.states import AWAY

STATUS_TRIAGED = "triaged_away"
"""An affected device whose every advisory was triaged not_affected or fixed: not exposed."""

EXPOSURE_COLUMNS = [
    "hostname", "serial", "model", "os_family", "version", "status", "kev", "kev_due", "epss",
    "advisories", "critical", "high", "combined_fix", "advisory_ids", "triage",
]
FIX_COLUMNS = [
    "hostname", "serial", "os_family", "version", "advisory_id", "severity", "cves",
    "first_fixed", "inferred", "reason", "combined_fix", "upgrade_targets",
]


def _fix(version: Any, inferred: bool) -> str | None:
    if version is None:
        return None
    return f"{version} (inferred)" if inferred else str(version)


_SITUATION_COLUMNS = (Device.os_family, Device.running_version, Device.platform, Device.model)


def _situation(row: Any) -> Situation:
    return (row.os_family, row.running_version, row.platform, row.model)


def _text_order(session: Session, column: Any) -> Any:
    """`column` ordered as Python orders str (code points): PostgreSQL's collation may not."""
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column


@dataclass
class ExposureReport:
    """The exposure report: its rows (a generator: read them once) and the fleet's totals."""

    rows: Iterator[dict[str, Any]]
    fleet: FleetSituations


def _exposure_row(key: Situation, e: Exposure, states: dict[str, str],
                  facts: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """(urgency key, row less hostname/serial/model) of situation `key` under triage `states`."""
    combined = e.combined_fix
    hits = [h for h in e.advisories if states.get(h.advisory_id) not in AWAY]
    status = e.status
    if status == STATUS_AFFECTED and not hits:
        status = STATUS_TRIAGED
    urgent = most_urgent(advisory_priority(h.cves, h.severity, facts) for h in hits)
    critical = sum(1 for h in hits if h.severity == "critical")
    high = sum(1 for h in hits if h.severity == "high")
    out = {
        "os_family": key[0] or None,
        "version": key[1] or None,
        "status": status,
        "reason": e.reason,
        "kev": urgent.kev,
        "kev_due": urgent.kev_due,
        "epss": urgent.epss,
        "epss_date": urgent.epss_date,
        "advisories": len(hits),
        "critical": critical,
        "high": high,
        "combined_fix": _fix(combined.version, combined.inferred) if combined else None,
        "combined_fix_reason": combined.reason if combined else None,
        "advisory_ids": [h.advisory_id for h in hits],
        "triaged_away": len(e.advisories) - len(hits),
        "triage": [f"{advisory}: {state}" for advisory, state in sorted(states.items())],
        "needs_review": list(dict.fromkeys(e.review)),
    }
    return (status != STATUS_AFFECTED, urgent.sort_key(), -critical, -high), out


def exposure_rows(
    session: Session, organization_id: int, today: date | None = None
) -> ExposureReport:
    """One row per device: status, priority (KEV, EPSS), advisory counts, combined fix.

    Affected devices first, most urgent first (`fixright.advisories.priority`).
    Triage decisions in force `today` apply: an advisory triaged not_affected or
    fixed on a device no longer counts for it (`triaged_away` on the row), and a
    device left with none is `triaged_away`, not affected; every decision is
    listed in `triage` as "advisory: state".

    Rows are built once per situation (and per device with a triage decision);
    the devices stream from the database and only a small sort key per device
    (urgency rank, hostname, serial) is held to order them.
    """
    fleet = fleet_situations(session, organization_id)
    facts = cve_facts(session, {c for e in fleet.exposures.values() for h in e.advisories
                                for c in h.cves})
    keys = list(fleet.counts)
    rows = [_exposure_row(k, fleet.exposures[k], {}, facts) for k in keys]
    place = {k: n for n, k in enumerate(keys)}
    # Devices with a triage decision are few: each gets a row of its own.
    states: dict[int, dict[str, str]] = {}
    for (device_id, advisory), state in effective_states(
            session, organization_id, today or date.today()).items():
        states.setdefault(device_id, {})[advisory] = state
    own: dict[int, int] = {}
    ids = sorted(states)
    for start in range(0, len(ids), 500):
        for d in session.execute(select(Device.id, *_SITUATION_COLUMNS).where(
                live_devices(organization_id), Device.id.in_(ids[start:start + 500]))):
            own[d.id] = len(rows)
            rows.append(_exposure_row(_situation(d), fleet.exposures[_situation(d)],
                                      states[d.id], facts))
    rank = {u: n for n, u in enumerate(sorted({u for u, _ in rows}))}
    ranked = [rank[u] for u, _ in rows]
    order: list[tuple[int, str, str, int, int, str | None, str | None]] = []
    query = (select(Device.id, Device.hostname, Device.serial, *_SITUATION_COLUMNS)
             .where(live_devices(organization_id)))
    for device in stream_devices(session, query):
        n = own.get(device.id)
        if n is None:
            n = place[_situation(device)]
        order.append((ranked[n], device.hostname or "", device.serial, device.id, n,
                      device.hostname, device.model))
    order.sort()

    def generate() -> Iterator[dict[str, Any]]:
        for entry in order:
            yield {"hostname": entry[5], "serial": entry[2], "model": entry[6]} | rows[entry[4]][1]

    return ExposureReport(generate(), fleet)


def exposure_report(
    session: Session, organization_id: int, today: date | None = None
) -> tuple[list[dict[str, Any]], FleetSituations]:
    """`exposure_rows` as a list, with the fleet's totals (for callers wanting every row)."""
    report = exposure_rows(session, organization_id, today)
    return list(report.rows), report.fleet


def fix_rows(
    session: Session, organization_id: int, *, targets_as_text: bool = False
) -> Iterator[dict[str, Any]]:
    """One row per (affected device, advisory): first fixed release, the combined fix and
    the device's upgrade targets (with the catalog images its hardware runs), ordered by
    hostname, serial and advisory. `targets_as_text` flattens the targets for one CSV cell.

    The rows of each situation are built once; the affected devices stream from the
    database already in order, so nothing but the per-situation rows is held.
    """
    fleet = fleet_situations(session, organization_id)
    affected = {k: e for k, e in fleet.exposures.items() if e.status == STATUS_AFFECTED}
    images = images_of_targets(session, affected.values())
    catalogue = hardware_catalogue()
    remedies = remediations_by_advisory(load_index(session).records)
    shared: dict[int, list[dict[str, Any]]] = {}
    per_situation: dict[Situation, list[dict[str, Any]]] = {}
    for key, e in affected.items():
        found = shared.get(id(e))
        if found is None:
            combined = e.combined_fix
            targets: Any = [target_dict(t, e, images, catalogue) for t in e.upgrade_targets]
            if targets_as_text:
                targets = targets_text(targets)
            found = shared[id(e)] = [{
                "os_family": key[0] or None,
                "version": key[1] or None,
                "advisory_id": hit.advisory_id,
                "severity": hit.severity,
                "cves": list(hit.cves),
                "first_fixed": _fix(hit.first_fixed.version, hit.first_fixed.inferred),
                "inferred": hit.first_fixed.inferred,
                "reason": hit.first_fixed.reason,
                "other_trains": list(hit.first_fixed.other_trains),
                "combined_fix": _fix(combined.version, combined.inferred) if combined else None,
                "combined_fix_reason": combined.reason if combined else None,
                "upgrade_targets": targets,
                "hardware": e.hardware,
                "remediations": remediation_rows(remedies.get(hit.advisory_id, ()), key[0] or None),
            } for hit in sorted(e.advisories, key=lambda h: h.advisory_id)]
        per_situation[key] = found
    if not per_situation:
        return
    query = (select(Device.hostname, Device.serial, *_SITUATION_COLUMNS)
             .where(live_devices(organization_id))
             .order_by(_text_order(session, func.coalesce(Device.hostname, "")),
                       _text_order(session, Device.serial), Device.id))
    for d in stream_devices(session, query):
        hits = per_situation.get(_situation(d))
        if hits is None:
            continue
        for hit in hits:
            yield {"hostname": d.hostname, "serial": d.serial} | hit


def fixes_report(session: Session, organization_id: int) -> list[dict[str, Any]]:
    """`fix_rows` as a list (for callers wanting every row)."""
    return list(fix_rows(session, organization_id))
