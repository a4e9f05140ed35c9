"""Re-check organisations after an import and record what changed. Never commits.

`recheck` computes each organisation's exposure with the advisories' own
matching and fix planning, once per distinct situation
(`fixright.advisories.fleet.fleet_situations`, one advisory index loaded for
all of them), applies the triage decisions in force, and walks the devices a
page at a time in id order: each page is diffed against its stored snapshot
rows (`diff.py`), one `change_event` is written per change and the page's
snapshot rows are brought up to date. The import that caused it is the `cause`.
Memory is one page, not the fleet: a million devices re-check in bounded space.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, delete, func, select
from sqlalchemy.orm import Session

from fixright.accounts.models import Organization
from fixright.advisories.cache import load_index
from fixright.advisories.exploits import kev_advisory_ids
from fixright.advisories.fleet import Situation, fleet_situations, live_devices
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.results import STATUS_AFFECTED
from fixright.changes.diff import FIX_AVAILABLE, NEW_EXPOSURE, RESOLVED, Exposed, Key, diff, updated
from fixright.changes.models import ChangeEvent, ExposureSnapshot
from fixright.db import copy_rows, is_postgres, utcnow
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


# Devices per page of a re-check: the memory a re-check holds is one page of devices,
# their stored snapshot rows and the changes found in them, whatever the fleet's size.
PAGE = 10_000

# Core inserts, one per page: the ORM's bulk insert splits a page into runs of rows
# with the same NULL columns, one statement per row at worst.
_EVENTS: Table = ChangeEvent.__table__  # type: ignore[assignment]
_SNAPSHOT: Table = ExposureSnapshot.__table__  # type: ignore[assignment]

# What one exposed pair of a situation says, whatever device is in that situation.
_Hit = tuple[str, str, str | None]  # advisory id, severity, fix text


@dataclass
class _OrgState:
    """What a re-check of one organisation knows before it reads any device page."""

    hits: dict[Situation, list[_Hit]]
    kev: frozenset[str]
    away: frozenset[Key]


def _org_state(session: Session, organization_id: int, day: date,
               index: AdvisoryIndex) -> _OrgState:
    """Match and plan each distinct situation once (`fleet_situations`); the devices
    only look their situation up."""
    fleet = fleet_situations(session, organization_id, index=index)
    hits: dict[Situation, list[_Hit]] = {}
    for situation, exposure in fleet.exposures.items():
        if exposure.status == STATUS_AFFECTED and exposure.advisories:
            hits[situation] = [(h.advisory_id, h.severity,
                                _fix_text(h.first_fixed.version, h.first_fixed.inferred))
                               for h in exposure.advisories]
    named = {advisory for found in hits.values() for advisory, _s, _f in found}
    kev = kev_advisory_ids(session, named) if named else frozenset()
    decided = effective_states(session, organization_id, day)
    return _OrgState(hits, frozenset(kev),
                     frozenset(k for k, state in decided.items() if state in AWAY))


def _device_page(session: Session, organization_id: int, after: int) -> list[Row[Any]]:
    return list(session.execute(
        select(Device.id, Device.hostname, Device.serial, Device.model, Device.running_version,
               Device.os_family, Device.platform)
        .where(live_devices(organization_id), Device.id > after)
        .order_by(Device.id).limit(PAGE)))


def _exposed_now(devices: Iterable[Row[Any]], known: _OrgState) -> dict[Key, Exposed]:
    state: dict[Key, Exposed] = {}
    for d in devices:
        for advisory, severity, fix in known.hits.get(
                (d.os_family, d.running_version, d.platform, d.model), ()):
            key = (d.id, advisory)
            if key in known.away:
                continue
            state[key] = Exposed(
                device_id=d.id, advisory_id=advisory, serial=d.serial, hostname=d.hostname,
                model=d.model or None, version=d.running_version, severity=severity,
                kev=advisory in known.kev, fix=fix)
    return state


def _stored_page(session: Session, organization_id: int, low: int,
                 high: int | None) -> dict[Key, tuple[int, Exposed]]:
    """Snapshot rows of devices with low < id <= high (None: no upper bound): devices
    retired or deleted since are in the range too, so their exposures resolve."""
    s = ExposureSnapshot
    query = select(s.id, s.device_id, s.advisory_id, s.serial, s.hostname, s.model, s.version,
                   s.severity, s.kev, s.fix).where(s.organization_id == organization_id,
                                                   s.device_id > low)
    if high is not None:
        query = query.where(s.device_id <= high)
    return {(r.device_id, r.advisory_id): (r.id, Exposed(
        device_id=r.device_id, advisory_id=r.advisory_id, serial=r.serial, hostname=r.hostname,
        model=r.model, version=r.version, severity=r.severity, kev=r.kev, fix=r.fix,
    )) for r in session.execute(query)}


def _organizations(session: Session, organization_ids: Iterable[int] | None) -> list[int]:
    if organization_ids is not None:
        return sorted(set(organization_ids))
    return list(session.scalars(select(Organization.id).order_by(Organization.id)))


def _values(e: Exposed) -> dict[str, Any]:
    return {"device_id": e.device_id, "advisory_id": e.advisory_id, "hostname": e.hostname,
            "serial": e.serial, "model": e.model, "version": e.version,
            "severity": e.severity, "kev": e.kev, "fix": e.fix}


def recheck(session: Session, organization_ids: Collection[int] | None = None, *,
            cause: str, today: date | None = None) -> RecheckSummary:
    """Re-match `organization_ids` (None: every organisation) and record what changed.

    Writes the change events and refreshes the snapshot in the caller's
    transaction; the caller (one CLI command, one HTTP request, one jobs run)
    commits. `cause` names what triggered it, e.g. "devices import (cli)".
    Devices are read a page at a time, in id order, and the events of one
    organisation come out in (device, advisory) order.
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
        known = _org_state(session, org, day, index)
        low = 0
        while True:
            devices = _device_page(session, org, low)
            high = devices[-1].id if len(devices) == PAGE else None
            stored = _stored_page(session, org, low, high)
            _record(session, summary, org, at, stored, _exposed_now(devices, known))
            if high is None:
                break
            low = high
    return summary


def _record(session: Session, summary: RecheckSummary, org: int, at: datetime,
            stored: dict[Key, tuple[int, Exposed]], after: dict[Key, Exposed]) -> None:
    """Write one page's change events and make its snapshot rows equal `after`."""
    before = {k: e for k, (_id, e) in stored.items()}
    changes = diff(before, after)
    if changes:
        _append(session, _EVENTS, [
            {**_values(c.exposure), "at": at, "organization_id": org, "kind": c.kind,
             "cause": summary.cause} for c in changes])
    for c in changes:
        if c.kind == NEW_EXPOSURE:
            summary.new_exposure += 1
        elif c.kind == RESOLVED:
            summary.resolved += 1
        elif c.kind == FIX_AVAILABLE:
            summary.fix_available += 1
    stale = {e.key for e in updated(before, after)}
    doomed = [row_id for k, (row_id, _e) in stored.items() if k not in after or k in stale]
    for start in range(0, len(doomed), 500):
        session.execute(delete(ExposureSnapshot).where(
            ExposureSnapshot.id.in_(doomed[start:start + 500])))
    fresh = [{**_values(e), "organization_id": org, "seen_at": at}
             for k, e in after.items() if k not in before or k in stale]
    if fresh:
        _append(session, _SNAPSHOT, fresh)


def _append(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """New rows, all with the same keys: one COPY on PostgreSQL (its executemany sends
    a statement per row), one executemany elsewhere."""
    if is_postgres(session):
        columns = list(rows[0])
        copy_rows(session, table.name, columns, (tuple(r[c] for c in columns) for r in rows))
    else:
        session.execute(table.insert(), rows)


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
