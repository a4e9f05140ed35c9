"""Setting and reading triage decisions; every change is one audit event. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.advisories.models import Advisory
from fixright.audit import service as audit
from fixright.db import utcnow
from fixright.errors import InvalidInput, NotFound
from fixright.inventory.models import Device
from fixright.triage.models import Triage
from fixright.triage.states import Verdict, effective

MAX_DEVICES = 100_000


@dataclass(frozen=True)
class DeviceFilter:
    """Every device of the organisation matching all the given fields (None: any)."""

    os_family: str | None = None
    version: str | None = None
    model_prefix: str | None = None

    def is_empty(self) -> bool:
        return not (self.os_family or self.version or self.model_prefix)


@dataclass(frozen=True)
class Finding:
    """A stored decision as it reads today."""

    serial: str
    hostname: str | None
    advisory_id: str
    state: str
    stored_state: str
    justification: str | None
    expires: date | None
    reason: str
    actor: str
    updated_at: datetime


def _devices(session: Session, organization_id: int, serials: Sequence[str],
             where: DeviceFilter | None, device_ids: Sequence[int] = ()) -> list[Device]:
    if device_ids:
        by_id = list(session.scalars(select(Device).where(
            Device.organization_id == organization_id, Device.id.in_(list(device_ids)))))
        if len(by_id) != len(set(device_ids)):
            raise NotFound("no such device")
        return by_id
    if not serials and (where is None or where.is_empty()):
        raise InvalidInput("name the devices: --serial, or a filter (--os-family, --version, "
                           "--model-prefix)")
    query = select(Device).where(Device.organization_id == organization_id)
    if serials:
        wanted = {s.strip().upper() for s in serials if s.strip()}
        found = list(session.scalars(query.where(func.upper(Device.serial).in_(wanted))))
        missing = sorted(wanted - {d.serial.upper() for d in found})
        if missing:
            raise NotFound(f"no device with serial {', '.join(missing[:10])}")
        return found
    assert where is not None
    if where.os_family:
        query = query.where(Device.os_family == where.os_family.lower())
    if where.version:
        query = query.where(Device.running_version == where.version)
    if where.model_prefix:
        query = query.where(Device.model.startswith(where.model_prefix, autoescape=True))
    found = list(session.scalars(query.limit(MAX_DEVICES + 1)))
    if not found:
        raise NotFound("no device matches the filter")
    if len(found) > MAX_DEVICES:
        raise InvalidInput(f"the filter matches more than {MAX_DEVICES} devices; narrow it")
    return found


def set_triage(session: Session, organization_id: int, *, advisory_id: str, verdict: Verdict,
               actor: str, serials: Sequence[str] = (), where: DeviceFilter | None = None,
               device_ids: Sequence[int] = ()) -> int:
    """Record `verdict` for `advisory_id` on the named devices (by id, serial or filter);
    returns how many."""
    advisory = session.scalar(select(Advisory).where(Advisory.advisory_id == advisory_id))
    if advisory is None:
        raise NotFound(f"no advisory {advisory_id!r}")
    devices = _devices(session, organization_id, serials, where, device_ids)
    existing = {
        t.device_id: t for t in session.scalars(
            select(Triage).where(Triage.advisory_id == advisory.id,
                                 Triage.device_id.in_([d.id for d in devices])))
    }
    now = utcnow()
    for device in devices:
        row = existing.get(device.id)
        if row is None:
            row = Triage(organization_id=organization_id, device_id=device.id,
                         advisory_id=advisory.id)
            session.add(row)
        row.state, row.justification, row.expires = (verdict.state, verdict.justification,
                                                     verdict.expires)
        row.reason, row.actor, row.updated_at = verdict.reason, actor, now
    session.flush()
    audit.record(
        session, actor=actor, organization_id=organization_id, action="triage:finding:set",
        subject=advisory_id,
        data={"state": verdict.state, "justification": verdict.justification,
              "expires": verdict.expires, "reason": verdict.reason, "devices": len(devices),
              "serials": sorted(d.serial for d in devices)[:50]},
    )
    return len(devices)


def effective_states(session: Session, organization_id: int | None, today: date
                     ) -> dict[tuple[int, str], str]:
    """(device id, advisory id) -> the triage state in force `today`, for reports.

    `organization_id` None: every organisation's (the operator's portal-wide pages).
    """
    query = (select(Triage.device_id, Advisory.advisory_id, Triage.state, Triage.expires)
             .join(Advisory, Advisory.id == Triage.advisory_id))
    if organization_id is not None:
        query = query.where(Triage.organization_id == organization_id)
    rows = session.execute(query)
    return {(r.device_id, r.advisory_id): effective(r.state, r.expires, today) for r in rows}


def device_findings(session: Session, organization_id: int, device_id: int, today: date
                    ) -> dict[str, Finding]:
    """advisory id -> the decision on one device, as it reads `today`."""
    rows = session.execute(
        select(Triage, Device.serial, Device.hostname, Advisory.advisory_id)
        .join(Device, Device.id == Triage.device_id)
        .join(Advisory, Advisory.id == Triage.advisory_id)
        .where(Triage.organization_id == organization_id, Triage.device_id == device_id))
    return {r.advisory_id: _finding(r, today) for r in rows}


def _finding(r: Any, today: date) -> Finding:
    return Finding(serial=r.serial, hostname=r.hostname, advisory_id=r.advisory_id,
                   state=effective(r.Triage.state, r.Triage.expires, today),
                   stored_state=r.Triage.state, justification=r.Triage.justification,
                   expires=r.Triage.expires, reason=r.Triage.reason, actor=r.Triage.actor,
                   updated_at=r.Triage.updated_at)


def list_findings(session: Session, organization_id: int, today: date, *, limit: int,
                  offset: int = 0) -> tuple[list[Finding], int]:
    """One page of the organisation's decisions, newest first, and the total."""
    base = (select(Triage, Device.serial, Device.hostname, Advisory.advisory_id)
            .join(Device, Device.id == Triage.device_id)
            .join(Advisory, Advisory.id == Triage.advisory_id)
            .where(Triage.organization_id == organization_id))
    total = session.scalar(select(func.count()).select_from(
        select(Triage.id).where(Triage.organization_id == organization_id).subquery())) or 0
    rows = session.execute(base.order_by(Triage.updated_at.desc(), Triage.id.desc())
                           .limit(limit).offset(offset))
    findings = [_finding(r, today) for r in rows]
    return findings, int(total)
