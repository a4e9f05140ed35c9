"""Store and look up lifecycle dates. Services never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.audit import service as audit
from fixright.hardware import Catalogue, active_catalogue
from fixright.lifecycle.models import LifecycleDate
from fixright.lifecycle.records import DATE_FIELDS, LifecycleRecord


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def import_records(session: Session, records: Sequence[LifecycleRecord], *, source: str,
                   actor: str) -> ImportResult:
    """Insert or replace each record (by PID or family); one audit event for the import."""
    existing = {row.key: row for row in session.scalars(
        select(LifecycleDate).where(LifecycleDate.key.in_([r.key for r in records])))}
    created = updated = 0
    for record in records:
        row = existing.get(record.key)
        if row is None:
            row = LifecycleDate(key=record.key)
            session.add(row)
            created += 1
        else:
            updated += 1
        row.pid, row.family, row.vendor = record.pid, record.family, record.vendor
        row.description, row.bulletin_url = record.description, record.bulletin_url
        for name in DATE_FIELDS:
            setattr(row, name, getattr(record, name))
        row.source = source[:200]
    session.flush()
    audit.record(session, actor=actor, organization_id=None, action="lifecycle:dates:import",
                 subject=source[:200], data={"created": created, "updated": updated})
    return ImportResult(created, updated)


def _record(row: LifecycleDate) -> LifecycleRecord:
    return LifecycleRecord(pid=row.pid, family=row.family, vendor=row.vendor,
                           description=row.description, bulletin_url=row.bulletin_url,
                           **{name: getattr(row, name) for name in DATE_FIELDS})


def list_records(session: Session) -> list[LifecycleRecord]:
    rows = session.scalars(select(LifecycleDate).order_by(LifecycleDate.key))
    return [_record(row) for row in rows]


@dataclass(frozen=True)
class DeviceLifecycle:
    """The dates that apply to one device and where each came from."""

    record: LifecycleRecord
    sources: dict[str, str]
    """milestone field -> `pid WS-C...`, `family c3750e` or `hardware catalogue c3750e`."""


class LifecycleIndex:
    """Every stored record in memory, for looking devices up in bulk (the table is small)."""

    def __init__(self, records: Sequence[LifecycleRecord], catalogue: Catalogue | None) -> None:
        self._pid = {r.pid.upper(): r for r in records if r.pid}
        self._family = {r.family.lower(): r for r in records if r.family}
        self._catalogue = catalogue
        self._cache: dict[tuple[str, str], DeviceLifecycle | None] = {}

    def for_device(self, model: str | None, platform: str | None) -> DeviceLifecycle | None:
        """The PID's own dates, each missing one from the image family (stored, then the
        hardware catalogue's `end_of_sw_maintenance`); None when nothing is known."""
        key = ((model or "").upper(), (platform or "").lower())
        if key not in self._cache:
            self._cache[key] = self._lookup(*key)
        return self._cache[key]

    def _lookup(self, model: str, platform: str) -> DeviceLifecycle | None:
        dates: dict[str, date | None] = dict.fromkeys(DATE_FIELDS)
        sources: dict[str, str] = {}
        base: LifecycleRecord | None = None
        for label, record in ((f"pid {model}", self._pid.get(model)),
                              (f"family {platform}", self._family.get(platform))):
            if record is None:
                continue
            base = base or record
            for name in DATE_FIELDS:
                if dates[name] is None and getattr(record, name) is not None:
                    dates[name], sources[name] = getattr(record, name), label
        family = self._catalogue.lookup(platform) if self._catalogue and platform else None
        if (family is not None and family.end_of_sw_maintenance is not None
                and dates["end_of_sw_maintenance"] is None):
            dates["end_of_sw_maintenance"] = family.end_of_sw_maintenance
            sources["end_of_sw_maintenance"] = f"hardware catalogue {family.id}"
        if not sources:
            return None
        base = base or LifecycleRecord(family=platform or None)
        merged = replace(base, end_of_sale=dates["end_of_sale"],
                         end_of_sw_maintenance=dates["end_of_sw_maintenance"],
                         end_of_security_support=dates["end_of_security_support"],
                         last_date_of_support=dates["last_date_of_support"])
        return DeviceLifecycle(merged, sources)


def load_index(session: Session) -> LifecycleIndex:
    return LifecycleIndex(list_records(session), active_catalogue())


def for_device(session: Session, model: str | None, platform: str | None
               ) -> DeviceLifecycle | None:
    """The lifecycle dates of one device (by its model and image family)."""
    return load_index(session).for_device(model, platform)
