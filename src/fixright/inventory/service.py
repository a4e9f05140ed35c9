"""Inventory operations: upsert parsed facts and CSV rows, list, get, count, export.

Functions take a `Session` and never commit; the CLI command or HTTP request
owns the transaction, so an import is all-or-nothing. Every query is scoped
to one organisation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from fixright.accounts.models import ROLE_OWNER, Organization
from fixright.audit import service as audit
from fixright.db import analyze, copy_upsert, is_postgres, stream, utcnow
from fixright.errors import Conflict, InvalidInput, NotFound
from fixright.hardware import Catalogue, active_catalogue, device_families, require_family
from fixright.inventory.csvio import CHUNK_ROWS, CSV_COLUMNS, CsvDevice
from fixright.inventory.models import SOURCES, Device
from fixright.inventory.parse import UNKNOWN_FEATURE_SET, DeviceFacts
from fixright.inventory.platforms import platform_for

log = logging.getLogger(__name__)

# Fields an import may change, in report order. Identity (vendor, serial) never changes.
TRACKED_FIELDS = (
    "os_family",
    "model",
    "platform",
    "hostname",
    "running_version",
    "licensed_feature_set",
    "image_file",
    "purchase_date",
    "notes",
)
# SQLite allows 32766 bound parameters per statement; stay far below for every backend.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class DeviceChange:
    """One device an import touched; `changes` maps field -> (old, new) for updates."""

    vendor: str
    serial: str
    model: str
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did: created, updated (with per-field changes) and unchanged devices."""

    created: list[DeviceChange] = field(default_factory=list)
    updated: list[DeviceChange] = field(default_factory=list)
    unchanged: list[DeviceChange] = field(default_factory=list)
    # Devices whose image family (platform) the hardware catalogue could not tell, one line each.
    warnings: list[str] = field(default_factory=list)
    # Devices counted but not listed: an import that keeps the first few of each kind
    # (`DeviceImport(keep=...)`, a million-row CSV) counts the rest here.
    more_created: int = 0
    more_updated: int = 0
    more_unchanged: int = 0

    def counts(self) -> tuple[int, int, int]:
        """How many devices were created, updated and unchanged (listed or not)."""
        return (len(self.created) + self.more_created, len(self.updated) + self.more_updated,
                len(self.unchanged) + self.more_unchanged)

    def merge(self, other: ImportReport) -> None:
        """Add `other`'s devices and warnings to this report."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.warnings += other.warnings
        self.more_created += other.more_created
        self.more_updated += other.more_updated
        self.more_unchanged += other.more_unchanged

    def summary(self) -> str:
        created, updated, unchanged = self.counts()
        return f"{created} created, {updated} updated, {unchanged} unchanged"


def _record_from_facts(facts: DeviceFacts) -> dict[str, Any]:
    return {
        "vendor": facts.vendor,
        "serial": facts.serial,
        "os_family": facts.os_family,
        "model": facts.model,
        "platform": facts.platform,
        "hostname": facts.hostname or None,
        "running_version": facts.version_text or None,
        "licensed_feature_set": facts.feature_set or UNKNOWN_FEATURE_SET,
        "image_file": facts.image_file or None,
        "purchase_date": None,
        "notes": None,
    }


def _record_from_csv(row: CsvDevice, platform: str) -> dict[str, Any]:
    return {
        "vendor": row.vendor,
        "serial": row.serial,
        "os_family": row.os_family,
        "model": row.model,
        "platform": platform,
        "hostname": row.hostname or None,
        "running_version": row.running_version or None,
        "licensed_feature_set": row.licensed_feature_set or UNKNOWN_FEATURE_SET,
        "image_file": None,
        "purchase_date": row.purchase_date,
        "notes": row.notes or None,
    }


def _informative(name: str, value: Any) -> bool:
    """An empty or "unknown" value never overwrites what is known."""
    if value is None or value == "":
        return False
    return not (name == "licensed_feature_set" and value == UNKNOWN_FEATURE_SET)


def _serial_batches(session: Session, serials: list[str]) -> Iterator[list[str]]:
    """`serials` in batches a query can take: all at once on PostgreSQL (one array
    parameter), `_CHUNK` at a time elsewhere (one parameter each)."""
    size = len(serials) if is_postgres(session) else _CHUNK
    for start in range(0, len(serials), max(size, 1)):
        yield serials[start:start + size]


def _serial_in(session: Session, serials: list[str]) -> ColumnElement[bool]:
    """`device.serial IN serials`: on PostgreSQL `= ANY(array)`, one parameter the driver
    sends as is, where an IN list of thousands cost more to compile than to run."""
    if is_postgres(session):
        return Device.serial == any_(bindparam("serials", serials, type_=ARRAY(String)))
    return Device.serial.in_(serials)


def _existing(
    session: Session, organization_id: int, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    columns = [Device.id, Device.vendor, Device.serial] + [
        getattr(Device, name) for name in TRACKED_FIELDS
    ]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    by_vendor: dict[str, list[str]] = {}
    for vendor, serial in keys:
        by_vendor.setdefault(vendor, []).append(serial)
    # (organization_id, vendor, serial IN ...) walks the unique index; serial alone would not.
    for vendor, serials in by_vendor.items():
        serials.sort()
        for some in _serial_batches(session, serials):
            rows = session.execute(
                select(*columns).where(
                    Device.organization_id == organization_id,
                    Device.vendor == vendor,
                    _serial_in(session, some),
                )
            ).mappings()
            for row in rows:
                found[(row["vendor"], row["serial"])] = dict(row)
    return found


def _refuse_serials_of_others(
    session: Session, organization_id: int, keys: Sequence[tuple[str, str]]
) -> None:
    """`Conflict` naming every serial another organisation has in service; nothing is written.

    A serial is one physical box: counting it for two owners would let both
    download under one contract. The whole import is refused (not the rows
    alone) so a file never goes in half. The other owner is not named: that
    would tell a stranger who owns the box. A retired device no longer holds
    its serial, so resold hardware can move to its new owner.
    """
    by_vendor: dict[str, list[str]] = {}
    for vendor, serial in keys:
        by_vendor.setdefault(vendor, []).append(serial)
    taken: list[str] = []
    for vendor, serials in by_vendor.items():
        serials.sort()
        for some in _serial_batches(session, serials):
            taken += session.scalars(
                select(Device.serial).where(
                    Device.vendor == vendor,
                    _serial_in(session, some),
                    Device.organization_id != organization_id,
                    Device.retired_at.is_(None),
                ).distinct()
            )
    if taken:
        shown = ", ".join(sorted(taken)[:20]) + (f" and {len(taken) - 20} more"
                                                   if len(taken) > 20 else "")
        raise Conflict(
            f"serial{'s' if len(taken) > 1 else ''} {shown} "
            f"{'are' if len(taken) > 1 else 'is'} registered to another organisation: "
            "nothing was imported. If the device changed hands, its previous owner retires "
            "it first; otherwise ask the portal operator."
        )


class DeviceImport:
    """One import fed in chunks: each chunk checked and written at once, one report and
    one audit event at the end (`finish`).

    Memory is that of a chunk (plus the report's one line per device), so a fleet
    CSV of a million rows streams. Nothing is committed here: a chunk refused later
    (another organisation's serial, a bad row) makes the caller roll back the whole
    transaction, so an import still goes in whole or not at all.
    """

    def __init__(self, session: Session, organization_id: int, source: str, actor: str,
                 *, keep: int | None = None) -> None:
        """`keep`: list at most that many devices of each kind in the report, count the rest
        (the CLI shows the first 50; a million `DeviceChange`s would be 300 MB)."""
        if source not in SOURCES:
            raise InvalidInput(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
        self.session = session
        self.organization_id = organization_id
        self.source = source
        self.actor = actor
        self.now = utcnow()
        self.report = ImportReport()
        self.keep = keep
        # warning -> (first device it was said of, how many)
        self._warnings: dict[str, tuple[str, int]] = {}
        self._grown = 0  # rows inserted since the planner last counted them
        self._counted = 0

    def _keep_statistics(self, inserted: int) -> None:
        """PostgreSQL: ANALYZE the device table each time this import has doubled it.

        The planner costs the next chunk's serial lookups on the table's last
        statistics; a first import of a million devices into an empty table left
        it planning sequential scans of a table it believed empty (100k devices:
        40 s, 1M: hours). Doubling keeps it to a handful of ANALYZEs per import.
        """
        self._grown += inserted
        if self._grown >= max(ANALYZE_AFTER, self._counted):
            analyze(self.session, Device.__tablename__)
            self._counted += self._grown
            self._grown = 0

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Upsert one chunk of records (a few thousand): `Conflict` if another organisation
        holds one of its serials, before the chunk is written."""
        session, organization_id, source, now = (self.session, self.organization_id,
                                                 self.source, self.now)
        # Later records of one (vendor, serial) win: the last file read is the newest look.
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for record in records:
            latest[(record["vendor"], record["serial"])] = record
        if not latest:
            return
        _refuse_serials_of_others(session, organization_id, list(latest))
        existing = _existing(session, organization_id, list(latest))
        report = self.report
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        seen_ids: list[int] = []
        for key, record in latest.items():
            old = existing.get(key)
            if old is None:
                inserts.append(
                    {**record, "organization_id": organization_id, "source": source,
                     "first_seen": now, "last_seen": now}
                )
                report.created.append(DeviceChange(key[0], key[1], record["model"]))
                continue
            changes = {
                name: (old[name], record[name])
                for name in TRACKED_FIELDS
                if _informative(name, record[name]) and record[name] != old[name]
            }
            if changes:
                updates.append(
                    {"id": old["id"], "source": source, "last_seen": now,
                     **{name: new for name, (_, new) in changes.items()}}
                )
                model = changes.get("model", (None, old["model"]))[1]
                report.updated.append(DeviceChange(key[0], key[1], model, changes))
            else:
                seen_ids.append(old["id"])
                report.unchanged.append(DeviceChange(key[0], key[1], old["model"]))
        if is_postgres(session):
            _copy_upsert(session, organization_id, source, now, latest, existing)
            self._keep_statistics(len(inserts))
        else:
            _write(session, inserts, updates, seen_ids, source, now)
        if self.keep is not None:
            report.more_created += max(len(report.created) - self.keep, 0)
            report.more_updated += max(len(report.updated) - self.keep, 0)
            report.more_unchanged += max(len(report.unchanged) - self.keep, 0)
            del report.created[self.keep:], report.updated[self.keep:]
            del report.unchanged[self.keep:]

    def warn(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """Note (device, warning) pairs; `finish` says each distinct warning once."""
        for who, warning in pairs:
            if warning:
                first, count = self._warnings.get(warning, (who, 0))
                self._warnings[warning] = (first, count + 1)

    def finish(self) -> ImportReport:
        """The report of every chunk; one audit event if devices were created or changed."""
        report = self.report
        if any(report.counts()[:2]):
            _audit_import(self.session, self.organization_id, self.source, self.actor, report)
        report.warnings = _said_once(self._warnings)
        return report


def _upsert(
    session: Session, organization_id: int, records: Iterable[dict[str, Any]], source: str,
    actor: str,
) -> ImportReport:
    job = DeviceImport(session, organization_id, source, actor)
    job.add(records)
    return job.finish()


# Rows a PostgreSQL import inserts before it first refreshes the planner's statistics.
ANALYZE_AFTER = 20_000

_STAGED = ("organization_id", "vendor", "serial", *TRACKED_FIELDS, "source", "first_seen",
           "last_seen")


def _copy_upsert(
    session: Session, organization_id: int, source: str, now: Any,
    latest: dict[tuple[str, str], dict[str, Any]],
    existing: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """PostgreSQL: every device of the import in one COPY and one upsert. A stored device
    gets its stored values where the record is not informative: the same rows as `_write`."""
    rows = []
    for key, record in latest.items():
        old = existing.get(key)
        values = [record[name] if old is None or _informative(name, record[name]) else old[name]
                  for name in TRACKED_FIELDS]
        rows.append((organization_id, key[0], key[1], *values, source, now, now))
    copy_upsert(session, Device.__tablename__, list(_STAGED), rows,
                conflict=["organization_id", "vendor", "serial"],
                update=[*TRACKED_FIELDS, "source", "last_seen"])


def _write(
    session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]],
    seen_ids: list[int], source: str, now: Any,
) -> None:
    """SQLite: INSERT in batches, UPDATE the changed, touch the unchanged."""
    for start in range(0, len(inserts), _CHUNK * 10):
        session.execute(insert(Device), inserts[start : start + _CHUNK * 10])
    if updates:
        session.execute(update(Device), updates)
    for start in range(0, len(seen_ids), _CHUNK):
        session.execute(
            update(Device)
            .where(Device.id.in_(seen_ids[start : start + _CHUNK]))
            .values(last_seen=now, source=source)
            .execution_options(synchronize_session=False)
        )


AUDITED_SERIALS = 100


def _audit_import(
    session: Session, organization_id: int, source: str, actor: str, report: ImportReport
) -> None:
    # One event per import, not per device: a 100,000-row CSV stays one line.
    audit.record(
        session, actor=actor, organization_id=organization_id,
        action="inventory:devices:import", subject=f"{source} import",
        data={"created": report.counts()[0], "updated": report.counts()[1],
              "unchanged": report.counts()[2],
              "serials": [c.serial for c in (report.created + report.updated)][
                  :AUDITED_SERIALS]},
    )


def check_facts(facts: Sequence[DeviceFacts]) -> None:
    """Refuse facts that cannot be stored: `InvalidInput` naming their sources."""
    missing = [f for f in facts if not f.serial]
    if missing:
        names = ", ".join(dict.fromkeys(f.source_name for f in missing))
        raise InvalidInput(
            f"{names}: no serial number in the output (a virtual device, a security "
            "context, or IOS XR / Junos 'show version' alone): add the inventory output "
            "('show inventory', 'show chassis hardware') to the same file"
        )


def import_facts(
    session: Session, organization_id: int, facts: Sequence[DeviceFacts], source: str,
    *, actor: str = "system",
) -> ImportReport:
    """Upsert parsed devices by (organisation, vendor, serial).

    `source` is "show", "ssh" or "api". Facts without a serial number are
    refused (`InvalidInput` naming their source) before anything is written.
    Values the output did not show (empty, feature set "unknown") never
    overwrite stored ones. An import that creates or changes devices is one
    audit event (by `actor`).
    """
    check_facts(facts)
    report = _upsert(session, organization_id, (_record_from_facts(f) for f in facts), source,
                     actor)
    report.warnings = _platform_warnings(
        (f"{f.source_name}: {f.serial}", f.platform_warning) for f in facts
    )
    return report


def _platform_warnings(pairs: Iterable[tuple[str, str | None]]) -> list[str]:
    """One line per distinct warning (a fleet of one unknown model says it once), logged too."""
    tally: dict[str, tuple[str, int]] = {}
    for who, warning in pairs:
        if warning:
            first, count = tally.get(warning, (who, 0))
            tally[warning] = (first, count + 1)
    return _said_once(tally)


def _said_once(tally: dict[str, tuple[str, int]]) -> list[str]:
    out = []
    for warning, (first, count) in tally.items():
        more = f" and {count - 1} more" if count > 1 else ""
        out.append(f"{first}{more}: {warning}")
        log.warning("inventory import: %s (%d device(s))", warning, count)
    return out


def csv_platforms(
    rows: Sequence[CsvDevice], catalogue: Catalogue
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Each row's image family: its `platform` cell (checked) or derived from its model.

    `InvalidInput` names every row whose platform is not a family of the
    catalogue, before anything is written; the pairs are (row, warning).
    """
    platforms: list[str] = []
    warnings: list[tuple[str, str | None]] = []
    errors: list[str] = []
    for row in rows:
        if row.platform:
            try:
                platforms.append(require_family(catalogue, row.platform))
            except InvalidInput as exc:
                errors.append(f"row {row.row}, column {exc.message}")
            continue
        platform, warning = platform_for(catalogue, row.os_family, row.model, "",
                                         version_text=row.running_version)
        platforms.append(platform)
        warnings.append((f"row {row.row}: {row.serial}", warning))
    if errors:
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise InvalidInput("; ".join(errors[:10]) + more)
    return platforms, warnings


def import_csv_rows(
    session: Session, organization_id: int, rows: Sequence[CsvDevice], *, actor: str = "system",
    catalogue: Catalogue | None = None,
) -> ImportReport:
    """Upsert rows read by `csvio.read_devices_csv` (source "csv"); empty cells change nothing.

    A row's `platform` cell, when given, must be an image family of the
    hardware catalogue (`active_catalogue()` unless given) and overrides the
    one derived from the model.
    """
    return import_csv_chunks(session, organization_id,
                             (rows[i:i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)),
                             actor=actor, catalogue=catalogue)


def import_csv_chunks(
    session: Session, organization_id: int, chunks: Iterable[Sequence[CsvDevice]], *,
    actor: str = "system", catalogue: Catalogue | None = None, keep: int | None = None,
) -> ImportReport:
    """`import_csv_rows` for rows that come in chunks (`csvio.iter_devices_csv`): each chunk
    is checked and written before the next is read, so a large file streams.

    An error from a later chunk (`InvalidInput`, `Conflict`) leaves earlier chunks
    written in the caller's transaction: the caller rolls back, as it does on any error.
    `keep` lists only the first devices of each kind in the report (see `DeviceImport`).
    """
    known = catalogue or active_catalogue()
    job = DeviceImport(session, organization_id, "csv", actor, keep=keep)
    for rows in chunks:
        platforms, warnings = csv_platforms(rows, known)
        job.warn(warnings)
        job.add(_record_from_csv(r, p) for r, p in zip(rows, platforms, strict=True))
    return job.finish()


Situation = tuple[str, str, str, str]
"""A device's (os_family, running_version, platform, model) as stored, "" for no version:
what its exposure depends on. A fleet of 100,000 devices has a few hundred."""

_SITUATION = (Device.os_family, func.coalesce(Device.running_version, ""), Device.platform,
              Device.model)


def _filtered(
    query: Any, organization_id: int | None, search: str | None, os_family: str | None,
    platform: str | None = None, include_retired: bool = False,
    situations: Sequence[Situation] | None = None,
) -> Any:
    if situations is not None:
        query = query.where(tuple_(*_SITUATION).in_(situations))
    if organization_id is not None:  # None: every organisation (the portal operator's view)
        query = query.where(Device.organization_id == organization_id)
    if not include_retired:
        query = query.where(Device.retired_at.is_(None))
    if os_family:
        query = query.where(Device.os_family == os_family.strip().lower())
    if platform:
        query = query.where(func.lower(Device.platform) == platform.strip().lower())
    if search and search.strip():
        escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Device.serial, Device.hostname, Device.model, Device.running_version,
                        Device.platform,
                    )
                )
            )
        )
    return query


_ORDERS: dict[str, tuple[Any, ...]] = {
    "id": (Device.id,),
    "serial": (Device.serial, Device.id),
    "host": (func.lower(func.coalesce(Device.hostname, "")), Device.serial, Device.id),
}


def list_devices(
    session: Session,
    organization_id: int | None,
    *,
    search: str | None = None,
    os_family: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    platform: str | None = None,
    include_retired: bool = False,
    order: str = "id",
    after: int | None = None,
    situations: Sequence[Situation] | None = None,
) -> list[Device]:
    """The organisation's devices in service (with `include_retired`, all), ordered by id
    (`organization_id=None`: every organisation's, for the portal operator only; `order`
    "serial" or "host" sorts by those instead); `search` matches serial, hostname, model,
    version or platform (case-insensitive substring); `platform` is exact. `after` (a
    device id, with the id order) starts the page after that device: a keyset page, as
    cheap on the last page as on the first. `situations` keeps the devices in one of
    them (see `device_situations`)."""
    query = _filtered(select(Device), organization_id, search, os_family, platform,
                      include_retired, situations).order_by(*_ORDERS[order])
    if after is not None:
        if order != "id":
            raise InvalidInput("'after' pages work with the id order only")
        query = query.where(Device.id > after)
    if offset:
        query = query.offset(max(offset, 0))
    if limit is not None:
        query = query.limit(max(limit, 0))
    return list(session.scalars(query))


def count_devices(
    session: Session,
    organization_id: int | None,
    *,
    search: str | None = None,
    os_family: str | None = None,
    platform: str | None = None,
    include_retired: bool = False,
) -> int:
    """How many devices `list_devices` would return without limit/offset."""
    query = _filtered(select(func.count(Device.id)), organization_id, search, os_family, platform,
                      include_retired)
    return int(session.scalar(query) or 0)


def device_situations(
    session: Session,
    organization_id: int | None,
    *,
    search: str | None = None,
    os_family: str | None = None,
) -> dict[Situation, int]:
    """How many of the devices `list_devices` would return are in each situation (one
    GROUP BY): a page sorted or filtered by exposure matches the few hundred situations,
    not the devices one by one."""
    # By the stored columns (NULL and "" versions apart), so that the GROUP BY walks
    # ix_device_org_situation in order; the two are merged here.
    columns = (Device.os_family, Device.running_version, Device.platform, Device.model)
    query = _filtered(select(*columns, func.count()), organization_id, search,
                      os_family).group_by(*columns)
    counts: dict[Situation, int] = {}
    for family, version, platform, model, n in session.execute(query):
        key = (family, version or "", platform, model)
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def situations_by_id(
    session: Session,
    organization_id: int | None,
    *,
    search: str | None = None,
    os_family: str | None = None,
    limit: int | None = None,
) -> list[tuple[int, Situation]]:
    """The id and situation of each device `list_devices` would return, by id, at most
    `limit`: a search's matches read in one pass, without loading the devices."""
    query = _filtered(select(Device.id, *_SITUATION), organization_id, search,
                      os_family).order_by(Device.id)
    if limit is not None:
        query = query.limit(limit)
    return [(i, (f, v, p, m)) for i, f, v, p, m in session.execute(query)]


def devices_by_id(session: Session, organization_id: int | None,
                  ids: Sequence[int]) -> list[Device]:
    """The organisation's devices with these ids (None: any organisation's), in that order."""
    query = select(Device).where(Device.id.in_(ids))
    if organization_id is not None:
        query = query.where(Device.organization_id == organization_id)
    found = {d.id: d for d in session.scalars(query)}
    return [found[i] for i in ids if i in found]


def situation_of(device: Device) -> Situation:
    """The situation (`device_situations`) a device is in."""
    return (device.os_family, device.running_version or "", device.platform, device.model)


def _hardware(session: Session, organization_id: int) -> list[tuple[str, str, str]]:
    """The distinct (platform, model, os_family) of the organisation's devices: what
    compatibility depends on (a fleet of 100,000 devices has a few hundred)."""
    rows = session.execute(
        select(Device.platform, Device.model, Device.os_family)
        .where(Device.organization_id == organization_id, Device.retired_at.is_(None))
        .distinct()
    )
    return [(r.platform or "", r.model or "", r.os_family or "") for r in rows]


def families_of(catalogue: Catalogue, device: Device) -> frozenset[str]:
    """The image families (lower-case ids) `device` can run (see `device_families`)."""
    return device_families(catalogue, platform=device.platform, model=device.model,
                           os_family=device.os_family or None)


def runnable_families(
    session: Session, organization_id: int, catalogue: Catalogue | None = None
) -> set[str]:
    """Image families (lower-case ids) some device of the organisation can run:
    hardware compatibility is true for their images. Unknown hardware adds none."""
    known = catalogue or active_catalogue()
    found: set[str] = set()
    for platform, model, os_family in _hardware(session, organization_id):
        found |= device_families(known, platform=platform, model=model,
                                 os_family=os_family or None)
    return found


def devices_running(
    session: Session, organization_id: int, image_family: str,
    catalogue: Catalogue | None = None,
) -> list[Device]:
    """The organisation's devices that can run images of `image_family`, by serial."""
    known = catalogue or active_catalogue()
    wanted = image_family.strip().lower()
    combos = [
        combo for combo in _hardware(session, organization_id)
        if wanted in device_families(known, platform=combo[0], model=combo[1],
                                     os_family=combo[2] or None)
    ]
    if not combos:
        return []
    found: list[Device] = []
    for start in range(0, len(combos), _CHUNK):
        found.extend(session.scalars(
            select(Device).where(
                Device.organization_id == organization_id,
                Device.retired_at.is_(None),
                tuple_(func.coalesce(Device.platform, ""), func.coalesce(Device.model, ""),
                       func.coalesce(Device.os_family, "")).in_(combos[start:start + _CHUNK]),
            )
        ))
    return sorted(found, key=lambda d: (d.serial, d.id))


def get_device(session: Session, organization_id: int | None, device_id: int) -> Device:
    """One device of the organisation; `NotFound` for an unknown id or another's device.

    `organization_id=None` finds any organisation's device: the portal operator's view.
    """
    query = select(Device).where(Device.id == device_id)
    if organization_id is not None:
        query = query.where(Device.organization_id == organization_id)
    device = session.scalar(query)
    if device is None:
        raise NotFound(f"no device {device_id}")
    return device


def retire_device(session: Session, organization_id: int, device_id: int, *,
                  actor: str) -> Device:
    """Take a device out of service: it keeps its row and history (audit, device page)
    but leaves lists, reports, exposure, policy comparison and `owns_device`."""
    device = get_device(session, organization_id, device_id)
    if device.retired_at is None:
        device.retired_at = utcnow()
        audit.record(session, actor=actor, organization_id=organization_id,
                     action="inventory:device:retire", subject=f"{device.vendor} {device.serial}",
                     data={"id": device.id, "hostname": device.hostname})
    return device


def delete_device(session: Session, organization_id: int, device_id: int, *,
                  actor: str) -> None:
    """Delete a device row for good (a mistaken import); the audit log keeps the event."""
    device = get_device(session, organization_id, device_id)
    audit.record(session, actor=actor, organization_id=organization_id,
                 action="inventory:device:delete", subject=f"{device.vendor} {device.serial}",
                 data={"id": device.id, "hostname": device.hostname, "model": device.model,
                       "running_version": device.running_version})
    session.delete(device)
    session.flush()


def find_device(session: Session, organization_id: int, ref: str) -> Device:
    """A device by id or by serial (any vendor; `InvalidInput` if the serial is ambiguous)."""
    if ref.isdigit():
        return get_device(session, organization_id, int(ref))
    found = list(session.scalars(select(Device).where(
        Device.organization_id == organization_id, func.upper(Device.serial) == ref.upper())))
    if not found:
        raise NotFound(f"no device with id or serial {ref}")
    if len(found) > 1:
        raise InvalidInput(f"serial {ref} names {len(found)} devices; give the id")
    return found[0]


def device_row(device: Device) -> dict[str, Any]:
    """A device as the CSV columns (plus id, platform, source, first/last seen)."""
    purchase: date | None = device.purchase_date
    return {
        "id": device.id,
        "serial": device.serial,
        "vendor": device.vendor,
        "os_family": device.os_family,
        "model": device.model,
        "running_version": device.running_version or "",
        "licensed_feature_set": device.licensed_feature_set,
        "hostname": device.hostname or "",
        "purchase_date": purchase.isoformat() if purchase else "",
        "notes": device.notes or "",
        "platform": device.platform,
        "source": device.source,
        "first_seen": device.first_seen,
        "last_seen": device.last_seen,
    }


def export_rows(
    session: Session, organization_id: int, *, search: str | None = None
) -> list[dict[str, Any]]:
    """Every device of the organisation as a row of the CSV columns (re-importable)."""
    return list(iter_export_rows(session, organization_id, search=search))


def iter_export_rows(
    session: Session, organization_id: int, *, search: str | None = None
) -> Iterator[dict[str, Any]]:
    """`export_rows` one at a time, the devices read in batches (for streamed exports)."""
    query = _filtered(select(Device), organization_id, search, None).order_by(Device.id)
    for device in stream(session, query, scalars=True):
        row = device_row(device)
        yield {column: row[column] for column in CSV_COLUMNS}


def resolve_organization(session: Session, slug: str | None) -> Organization:
    """The organisation a command acts for: `slug`, or the only owner organisation.

    Raises `InvalidInput` telling the user what to do when there is no such
    organisation, none at all, or several to choose from.
    """
    if slug:
        org = session.scalar(select(Organization).where(Organization.slug == slug))
        if org is None:
            raise InvalidInput(
                f"no organisation {slug!r}: create it first with `fixright orgs add {slug}`"
            )
        return org
    owners = list(
        session.scalars(
            select(Organization).where(Organization.role == ROLE_OWNER).order_by(Organization.id)
        )
    )
    if len(owners) == 1:
        return owners[0]
    if not owners:
        raise InvalidInput(
            "no owner organisation yet: create one with `fixright orgs add SLUG`, "
            "then pass --org SLUG"
        )
    slugs = ", ".join(o.slug for o in owners[:10])
    raise InvalidInput(f"several organisations ({slugs}): choose one with --org SLUG")
