"""Re-check organisations after an import and record what changed. Never commits.

`recheck` computes each organisation's exposure with the advisories' own
matching and fix planning (`fixright.advisories.service.exposure_for_org`,
one advisory index loaded for all of them), applies the triage decisions in
force, diffs the result against the stored snapshot (`diff.py`) and writes
one `change_event` per change. The import that caused it is the `cause`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from fixright.accounts.models import Organization
from fixright.advisories.exploits import kev_advisory_ids
from fixright.advisories.results import STATUS_AFFECTED
from fixright.advisories.service import exposure_for_org, load_index
from fixright.changes.diff import FIX_AVAILABLE, NEW_EXPOSURE, RESOLVED, Exposed, Key, diff, updated
from fixright.changes.models import ChangeEvent, ExposureSnapshot
from fixright.db import utcnow
from fixright.inventory.models import Device
from fixright.triage.service import effective_states
from fixright.triage.states import AWAY

MAX_CHANGES = 100_000


@dataclass
class RecheckSummary:
    """What one re-check found, over every organisation it looked at."""

    cause: str
    organizations: int = 0
    new_exposure: int = 0
    resolved: int = 0
    fix_available: int = 0
    event_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.new_exposure + self.resolved + self.fix_available

    def describe(self) -> str:
        return (f"re-checked {self.organizations} organisation(s): {self.new_exposure} new "
                f"exposure(s), {self.resolved} resolved, {self.fix_available} fix(es) available")


def _fix_text(hit_fix: object, inferred: bool) -> str | None:
    if hit_fix is None:
        return None
    text = str(hit_fix)
    return f"{text} (inferred)" if inferred else text


def current_state(session: Session, organization_id: int, *, today: date,
                  index: object = None) -> dict[Key, Exposed]:
    """The organisation's exposed (device, advisory) pairs now, triage applied."""
    fleet = exposure_for_org(session, organization_id, index=index)  # type: ignore[arg-type]
    devices = {r.id: r for r in session.execute(
        select(Device.id, Device.hostname, Device.serial, Device.model, Device.running_version)
        .where(Device.organization_id == organization_id, Device.retired_at.is_(None)))}
    decided = effective_states(session, organization_id, today)
    hits = [(int(device_id), result.exposure, hit)  # type: ignore[call-overload]
            for device_id, result in fleet.devices.items()
            if result.exposure.status == STATUS_AFFECTED
            for hit in result.exposure.advisories]
    kev = kev_advisory_ids(session, {h.advisory_id for _d, _e, h in hits}) if hits else frozenset()
    state: dict[Key, Exposed] = {}
    for device_id, _exposure, hit in hits:
        if decided.get((device_id, hit.advisory_id)) in AWAY:
            continue
        info = devices[device_id]
        state[(device_id, hit.advisory_id)] = Exposed(
            device_id=device_id, advisory_id=hit.advisory_id, serial=info.serial,
            hostname=info.hostname, model=info.model or None, version=info.running_version,
            severity=hit.severity, kev=hit.advisory_id in kev,
            fix=_fix_text(hit.first_fixed.version, hit.first_fixed.inferred),
        )
    return state


def _stored_rows(session: Session, organization_id: int) -> dict[Key, tuple[int, Exposed]]:
    rows = session.scalars(select(ExposureSnapshot)
                           .where(ExposureSnapshot.organization_id == organization_id))
    return {(r.device_id, r.advisory_id): (r.id, Exposed(
        device_id=r.device_id, advisory_id=r.advisory_id, serial=r.serial, hostname=r.hostname,
        model=r.model, version=r.version, severity=r.severity, kev=r.kev, fix=r.fix,
    )) for r in rows}


def stored_state(session: Session, organization_id: int) -> dict[Key, Exposed]:
    """The snapshot written by the organisation's last re-check."""
    return {k: e for k, (_id, e) in _stored_rows(session, organization_id).items()}


def _organizations(session: Session, organization_ids: Iterable[int] | None) -> list[int]:
    if organization_ids is not None:
        return sorted(set(organization_ids))
    return list(session.scalars(select(Organization.id).order_by(Organization.id)))


def _snapshot_row(organization_id: int, e: Exposed, at: datetime) -> ExposureSnapshot:
    return ExposureSnapshot(
        organization_id=organization_id, device_id=e.device_id, advisory_id=e.advisory_id,
        hostname=e.hostname, serial=e.serial, model=e.model, version=e.version,
        severity=e.severity, kev=e.kev, fix=e.fix, seen_at=at)


def recheck(session: Session, organization_ids: Collection[int] | None = None, *,
            cause: str, today: date | None = None) -> RecheckSummary:
    """Re-match `organization_ids` (None: every organisation) and record what changed.

    Writes the change events and refreshes the snapshot in the caller's
    transaction; the caller (one CLI command, one HTTP request, one jobs run)
    commits. `cause` names what triggered it, e.g. "devices import (cli)".
    """
    summary = RecheckSummary(cause=cause[:200])
    at = utcnow()
    day = today or at.date()
    orgs = _organizations(session, organization_ids)
    if not orgs:
        return summary
    index = load_index(session)
    for org in orgs:
        summary.organizations += 1
        stored = _stored_rows(session, org)
        before = {k: e for k, (_id, e) in stored.items()}
        after = current_state(session, org, today=day, index=index)
        changes = diff(before, after)
        events = [ChangeEvent(
            at=at, organization_id=org, kind=c.kind, device_id=c.exposure.device_id,
            hostname=c.exposure.hostname, serial=c.exposure.serial, model=c.exposure.model,
            version=c.exposure.version, advisory_id=c.exposure.advisory_id,
            severity=c.exposure.severity, kev=c.exposure.kev, fix=c.exposure.fix,
            cause=summary.cause) for c in changes]
        session.add_all(events)
        for c in changes:
            if c.kind == NEW_EXPOSURE:
                summary.new_exposure += 1
            elif c.kind == RESOLVED:
                summary.resolved += 1
            elif c.kind == FIX_AVAILABLE:
                summary.fix_available += 1
        _refresh_snapshot(session, org, stored, after, at)
        session.flush()
        summary.event_ids.extend(e.id for e in events)
    return summary


def _refresh_snapshot(session: Session, org: int, stored: dict[Key, tuple[int, Exposed]],
                      after: dict[Key, Exposed], at: datetime) -> None:
    """Make the snapshot equal `after`: drop what went, rewrite what moved, add what came."""
    before = {k: e for k, (_id, e) in stored.items()}
    stale = {e.key for e in updated(before, after)}
    doomed = [row_id for k, (row_id, _e) in stored.items() if k not in after or k in stale]
    for start in range(0, len(doomed), 500):
        session.execute(delete(ExposureSnapshot).where(
            ExposureSnapshot.id.in_(doomed[start:start + 500])))
    session.add_all(_snapshot_row(org, e, at) for k, e in after.items()
                    if k not in before or k in stale)


@dataclass(frozen=True)
class ChangeRow:
    """A change event as reports and the API show it."""

    at: datetime
    organization: str
    kind: str
    hostname: str | None
    serial: str
    model: str | None
    version: str | None
    advisory_id: str
    severity: str
    kev: bool
    fix: str | None
    cause: str
    id: int
    device_id: int


CHANGE_COLUMNS = ["at", "organization", "kind", "hostname", "serial", "model", "version",
                  "advisory_id", "severity", "kev", "fix", "cause"]


def _where(since: datetime | None, organization_id: int | None,
           kinds: Collection[str] | None, after_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(ChangeEvent.at >= since)
    if organization_id is not None:
        conditions.append(ChangeEvent.organization_id == organization_id)
    if kinds:
        conditions.append(ChangeEvent.kind.in_(sorted(kinds)))
    if after_id is not None:
        conditions.append(ChangeEvent.id > after_id)
    return conditions


def count_changes(session: Session, *, since: datetime | None, organization_id: int | None,
                  kinds: Collection[str] | None = None) -> int:
    """How many events `list_changes` would list without a limit."""
    query = select(func.count(ChangeEvent.id)).where(*_where(since, organization_id, kinds, None))
    return int(session.scalar(query) or 0)


def list_changes(session: Session, *, since: datetime | None, organization_id: int | None,
                 kinds: Collection[str] | None = None, after_id: int | None = None,
                 limit: int = MAX_CHANGES, offset: int = 0) -> list[ChangeRow]:
    """Change events at or after `since`, oldest first; one organisation's or (None) all."""
    query = (select(ChangeEvent, Organization.slug)
             .join(Organization, Organization.id == ChangeEvent.organization_id)
             .where(*_where(since, organization_id, kinds, after_id)))
    rows = session.execute(query.order_by(ChangeEvent.at, ChangeEvent.id)
                           .limit(limit).offset(offset))
    return [ChangeRow(
        at=e.at, organization=slug, kind=e.kind, hostname=e.hostname, serial=e.serial,
        model=e.model, version=e.version, advisory_id=e.advisory_id, severity=e.severity,
        kev=e.kev, fix=e.fix, cause=e.cause, id=e.id,
        device_id=e.device_id) for e, slug in rows]
