"""Rows of the exposure and fix-plan reports for one organisation's stored fleet.

Both reports come from one bulk exposure computation
(`fixright.advisories.service.exposure_for_org`) plus one SELECT of the
devices' descriptive columns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.advisories.results import STATUS_AFFECTED
from fixright.advisories.service import FleetExposure, exposure_for_org
from fixright.inventory.models import Device

EXPOSURE_COLUMNS = [
    "hostname", "serial", "model", "os_family", "version", "status", "advisories",
    "critical", "high", "combined_fix", "advisory_ids",
]
FIX_COLUMNS = [
    "hostname", "serial", "os_family", "version", "advisory_id", "severity", "cves",
    "first_fixed", "inferred", "reason", "combined_fix",
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
    session: Session, organization_id: int
) -> tuple[list[dict[str, Any]], FleetExposure]:
    """One row per device: status, advisory counts, combined fix."""
    fleet = exposure_for_org(session, organization_id)
    devices = _devices(session, organization_id)
    rows: list[dict[str, Any]] = []
    for device_id, result in fleet.devices.items():
        info = devices[device_id]  # type: ignore[index]
        e = result.exposure
        combined = e.combined_fix
        rows.append({
            "hostname": info.hostname,
            "serial": info.serial,
            "model": info.model,
            "os_family": result.device.os_family,
            "version": result.device.version,
            "status": e.status,
            "reason": e.reason,
            "advisories": len(e.advisories),
            "critical": sum(1 for h in e.advisories if h.severity == "critical"),
            "high": sum(1 for h in e.advisories if h.severity == "high"),
            "combined_fix": _fix(combined.version, combined.inferred) if combined else None,
            "combined_fix_reason": combined.reason if combined else None,
            "advisory_ids": [h.advisory_id for h in e.advisories],
            "needs_review": list(dict.fromkeys(e.review)),
        })
    rows.sort(key=lambda r: (r["status"] != STATUS_AFFECTED, -r["critical"], -r["high"],
                             r["hostname"] or "", r["serial"]))
    return rows, fleet


def fixes_report(session: Session, organization_id: int) -> list[dict[str, Any]]:
    """One row per (affected device, advisory): first fixed release and the combined fix."""
    fleet = exposure_for_org(session, organization_id)
    devices = _devices(session, organization_id)
    rows: list[dict[str, Any]] = []
    for device_id, result in fleet.devices.items():
        e = result.exposure
        if e.status != STATUS_AFFECTED:
            continue
        info = devices[device_id]  # type: ignore[index]
        combined = e.combined_fix
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
            })
    rows.sort(key=lambda r: (r["hostname"] or "", r["serial"], r["advisory_id"]))
    return rows
