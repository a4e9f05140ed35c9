"""Export an organisation's triaged state as CSAF VEX or CycloneDX VEX. Reads only.

Gathers the devices, the matcher's findings (`exposure_for_org`) and the
stored decisions, then hands plain records to the pure builders
(`vex.build`, `vex_csaf.csaf_vex`, `vex_cyclonedx.cyclonedx_vex`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright import __version__
from fixright.accounts.models import Organization
from fixright.advisories.fleet import exposure_for_org
from fixright.advisories.models import Advisory
from fixright.db import utcnow
from fixright.errors import InvalidInput, NotFound
from fixright.inventory.models import Device
from fixright.triage.models import Triage
from fixright.triage.states import effective
from fixright.triage.vex import Finding, Product, build
from fixright.triage.vex_csaf import csaf_vex
from fixright.triage.vex_cyclonedx import cyclonedx_vex

FORMATS = ("csaf-vex", "cyclonedx-vex")


def _key(device: Any) -> str:
    return "-".join(f"{device.vendor or 'unknown'}-{device.serial}".split())


def gather(session: Session, organization_id: int, today: date
           ) -> tuple[list[Product], list[Finding]]:
    """The organisation's devices and, per device, every matched or triaged advisory."""
    devices = {d.id: d for d in session.scalars(
        select(Device).where(Device.organization_id == organization_id,
                             Device.retired_at.is_(None)))}
    products = {i: Product(_key(d), d.vendor, d.model, d.os_family, d.running_version or "",
                           d.serial, d.hostname) for i, d in devices.items()}
    decisions: dict[tuple[int, str], tuple[Triage, Advisory]] = {
        (r.Triage.device_id, r.Advisory.advisory_id): (r.Triage, r.Advisory)
        for r in session.execute(
            select(Triage, Advisory).join(Advisory, Advisory.id == Triage.advisory_id)
            .where(Triage.organization_id == organization_id))}
    findings: list[Finding] = []
    seen: set[tuple[int, str]] = set()

    def add(device_id: int, advisory_id: str, cves: tuple[str, ...], title: str,
            url: str | None, severity: str, fix: str | None) -> None:
        decided = decisions.get((device_id, advisory_id))
        if decided is None:
            findings.append(Finding(products[device_id].key, advisory_id, cves, title, url,
                                    severity, "affected", fix=fix))
            return
        t = decided[0]
        state = effective(t.state, t.expires, today)
        findings.append(Finding(
            products[device_id].key, advisory_id, cves, title, url, severity, state,
            justification=t.justification if state == "not_affected" else None,
            reason=t.reason, expires=t.expires if state == "accepted_risk" else None,
            updated_at=t.updated_at, fix=fix))

    for device_id, result in exposure_for_org(session, organization_id).devices.items():
        did = int(device_id)  # type: ignore[call-overload]
        for hit in result.exposure.advisories:
            fix = hit.first_fixed.version
            add(did, hit.advisory_id, tuple(hit.cves), hit.title, hit.url, hit.severity,
                str(fix) if fix is not None else None)
            seen.add((did, hit.advisory_id))
    # Decisions on advisories the matcher no longer reports (a newer release, a
    # revised advisory) still stand; the export says them too.
    for (device_id, advisory_id), (_t, a) in sorted(decisions.items()):
        if device_id in devices and (device_id, advisory_id) not in seen:
            add(device_id, advisory_id, tuple(a.cves or ()), a.title, a.url, a.severity, None)
    return list(products.values()), findings


def export(session: Session, organization: Organization, fmt: str, *,
           today: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The VEX document in `fmt` (one of `FORMATS`) for the organisation's fleet."""
    if fmt not in FORMATS:
        raise InvalidInput(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")
    moment = now or utcnow()
    products, findings = gather(session, organization.id, today or moment.date())
    vex = build(products, findings)
    if not vex.statements:
        # Both formats need at least one product and one vulnerability to be valid.
        raise NotFound(f"nothing to export: no device of {organization.slug} is matched by "
                       "an advisory or triaged")
    if fmt == "csaf-vex":
        return csaf_vex(vex, publisher=organization.name,
                        namespace=f"urn:fixright:{organization.slug}",
                        document_id=f"fixright-vex-{organization.slug}-"
                                    f"{moment.strftime('%Y%m%dT%H%M%SZ')}",
                        generated_at=moment, engine_version=__version__)
    return cyclonedx_vex(vex, serial_number=str(uuid.uuid4()), generated_at=moment,
                         engine_version=__version__, fleet=organization.name)
