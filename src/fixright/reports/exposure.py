"""Rows of the exposure and fix-plan reports for one organisation's stored fleet.

Both reports come from one bulk exposure computation
(`fixright.advisories.service.exposure_for_org`) plus one SELECT of the
devices' descriptive columns. The exposure report is ordered by what to fix
first (`fixright.advisories.priority`: KEV first, then EPSS, then severity).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.advisories.exploits import cve_facts
from fixright.advisories.priority import advisory_priority, most_urgent
from fixright.advisories.remediations import remediation_rows, remediations_by_advisory
from fixright.advisories.results import STATUS_AFFECTED
from fixright.advisories.service import (
    FleetExposure,
    exposure_for_org,
    hardware_catalogue,
    load_index,
)
from fixright.inventory.models import Device
from fixright.reports.fiximages import images_of_targets, target_dict
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


def _devices(session: Session, organization_id: int) -> dict[int, Any]:
    rows = session.execute(
        select(Device.id, Device.hostname, Device.serial, Device.model)
        .where(Device.organization_id == organization_id, Device.retired_at.is_(None))
    )
    return {r.id: r for r in rows}


def _fix(version: Any, inferred: bool) -> str | None:
    if version is None:
        return None
    return f"{version} (inferred)" if inferred else str(version)


def exposure_report(
    session: Session, organization_id: int, today: date | None = None
) -> tuple[list[dict[str, Any]], FleetExposure]:
    """One row per device: status, priority (KEV, EPSS), advisory counts, combined fix.

    Affected devices first, most urgent first (`fixright.advisories.priority`).
    Triage decisions in force `today` apply: an advisory triaged not_affected or
    fixed on a device no longer counts for it (`triaged_away` on the row), and a
    device left with none is `triaged_away`, not affected; every decision is
    listed in `triage` as "advisory: state".
    """
    fleet = exposure_for_org(session, organization_id)
    devices = _devices(session, organization_id)
    facts = cve_facts(session, {c for r in fleet.devices.values() for h in r.advisories
                                for c in h.cves})
    decided = effective_states(session, organization_id, today or date.today())
    rows: list[dict[str, Any]] = []
    keys: dict[int, tuple[Any, ...]] = {}
    for device_id, result in fleet.devices.items():
        info = devices[device_id]  # type: ignore[index]
        e = result.exposure
        combined = e.combined_fix
        # Device keys are the device ids (`exposure_for_org`).
        states = {h.advisory_id: decided[key] for h in e.advisories
                  if (key := (int(device_id), h.advisory_id)) in decided}  # type: ignore[call-overload]
        hits = [h for h in e.advisories if states.get(h.advisory_id) not in AWAY]
        status = e.status
        if status == STATUS_AFFECTED and not hits:
            status = STATUS_TRIAGED
        urgent = most_urgent(advisory_priority(h.cves, h.severity, facts) for h in hits)
        keys[len(rows)] = urgent.sort_key()
        rows.append({
            "hostname": info.hostname,
            "serial": info.serial,
            "model": info.model,
            "os_family": result.device.os_family,
            "version": result.device.version,
            "status": status,
            "reason": e.reason,
            "kev": urgent.kev,
            "kev_due": urgent.kev_due,
            "epss": urgent.epss,
            "epss_date": urgent.epss_date,
            "advisories": len(hits),
            "critical": sum(1 for h in hits if h.severity == "critical"),
            "high": sum(1 for h in hits if h.severity == "high"),
            "combined_fix": _fix(combined.version, combined.inferred) if combined else None,
            "combined_fix_reason": combined.reason if combined else None,
            "advisory_ids": [h.advisory_id for h in hits],
            "triaged_away": len(e.advisories) - len(hits),
            "triage": [f"{advisory}: {state}" for advisory, state in sorted(states.items())],
            "needs_review": list(dict.fromkeys(e.review)),
        })
    order = sorted(range(len(rows)), key=lambda i: (
        rows[i]["status"] != STATUS_AFFECTED, keys[i], -rows[i]["critical"], -rows[i]["high"],
        rows[i]["hostname"] or "", rows[i]["serial"]))
    return [rows[i] for i in order], fleet


def fixes_report(session: Session, organization_id: int) -> list[dict[str, Any]]:
    """One row per (affected device, advisory): first fixed release, the combined fix and
    the device's upgrade targets (with the catalog images its hardware runs)."""
    fleet = exposure_for_org(session, organization_id)
    devices = _devices(session, organization_id)
    affected = [r.exposure for r in fleet.devices.values() if r.status == STATUS_AFFECTED]
    images = images_of_targets(session, affected)
    catalogue = hardware_catalogue()
    remedies = remediations_by_advisory(load_index(session).records)
    rows: list[dict[str, Any]] = []
    targets_of: dict[int, list[dict[str, Any]]] = {}
    for device_id, result in fleet.devices.items():
        e = result.exposure
        if e.status != STATUS_AFFECTED:
            continue
        info = devices[device_id]  # type: ignore[index]
        combined = e.combined_fix
        # Devices of one shape share their exposure, and so their targets.
        targets = targets_of.get(id(e))
        if targets is None:
            targets = targets_of[id(e)] = [
                target_dict(t, e, images, catalogue) for t in e.upgrade_targets]
        for hit in e.advisories:
            rows.append({
                "hostname": info.hostname,
                "serial": info.serial,
                "os_family": result.device.os_family,
                "version": result.device.version,
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
                "remediations": remediation_rows(remedies.get(hit.advisory_id, ()),
                                                 result.device.os_family),
            })
    rows.sort(key=lambda r: (r["hostname"] or "", r["serial"], r["advisory_id"]))
    return rows
