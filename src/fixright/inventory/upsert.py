"""The database side of a device import: which serials of a chunk are stored (this
organisation's) or taken (another's), and the writes of a chunk.

PostgreSQL gets one COPY and one upsert per chunk; SQLite batched INSERTs and
UPDATEs. Functions take a `Session` and never commit (see `importing`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fixright.db import copy_rows, copy_upsert, is_postgres
from fixright.errors import Conflict
from fixright.inventory.models import Device
from fixright.inventory.parse import UNKNOWN_FEATURE_SET

# Fields an import may change, in report order. Identity (vendor, serial) never changes.
TRACKED_FIELDS = (
    "os_family",
    "model",
    "platform",
    "platform_stated",
    "hostname",
    "running_version",
    "licensed_feature_set",
    "image_file",
    "purchase_date",
    "notes",
)
# SQLite allows 32766 bound parameters per statement; stay far below for every backend.
CHUNK = 500


def informative(name: str, value: Any) -> bool:
    """An empty or "unknown" value never overwrites what is known, nor does a platform
    that was derived overwrite one that was stated."""
    if name == "platform_stated":
        return value is True
    if value is None or value == "":
        return False
    return not (name == "licensed_feature_set" and value == UNKNOWN_FEATURE_SET)


def _serial_batches(session: Session, serials: list[str]) -> Iterator[list[str]]:
    """`serials` in batches a query can take: all at once on PostgreSQL (one array
    parameter), `CHUNK` at a time elsewhere (one parameter each)."""
    size = len(serials) if is_postgres(session) else CHUNK
    for start in range(0, len(serials), max(size, 1)):
        yield serials[start:start + size]


def _serial_in(session: Session, serials: list[str]) -> ColumnElement[bool]:
    """`device.serial IN serials`: on PostgreSQL `= ANY(array)`, one parameter the driver
    sends as is, where an IN list of thousands cost more to compile than to run."""
    if is_postgres(session):
        return Device.serial == any_(bindparam("serials", serials, type_=ARRAY(String)))
    return Device.serial.in_(serials)


def existing_devices(
    session: Session, organization_id: int, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored rows (id, vendor, serial, retired_at and `TRACKED_FIELDS`) of the
    organisation's devices with these (vendor, serial) keys, retired ones included."""
    columns = [Device.id, Device.vendor, Device.serial, Device.retired_at] + [
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


def refuse_serials_of_others(
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


_STAGED = ("organization_id", "vendor", "serial", *TRACKED_FIELDS, "source", "first_seen",
           "last_seen")


def copy_upsert_devices(
    session: Session, organization_id: int, source: str, now: Any,
    latest: dict[tuple[str, str], dict[str, Any]],
    existing: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """PostgreSQL: every device of the import in one COPY and one upsert. A stored device
    gets its stored values where the record is not informative: the same rows as
    `write_devices`."""
    rows = []
    for key, record in latest.items():
        old = existing.get(key)
        values = [record[name] if old is None or informative(name, record[name]) else old[name]
                  for name in TRACKED_FIELDS]
        rows.append((organization_id, key[0], key[1], *values, source, now, now))
    if not existing:
        # None of these serials is stored: COPY them straight in (the staging table and
        # the upsert cost a 1M first import 4 s). A concurrent import that stored one
        # meanwhile makes the COPY fail; the savepoint lets the upsert below take over.
        try:
            with session.begin_nested():
                copy_rows(session, Device.__tablename__, list(_STAGED), rows)
            return
        except IntegrityError:
            pass
    copy_upsert(session, Device.__tablename__, list(_STAGED), rows,
                conflict=["organization_id", "vendor", "serial"],
                update=[*TRACKED_FIELDS, "source", "last_seen"])


def return_to_service(session: Session, ids: list[int]) -> None:
    """Clear `retired_at` of these devices: an import that lists a retired device says it
    is running again (the caller has checked no other organisation holds its serial)."""
    for start in range(0, len(ids), CHUNK):
        session.execute(
            update(Device).where(Device.id.in_(ids[start:start + CHUNK]))
            .values(retired_at=None).execution_options(synchronize_session=False)
        )


def write_devices(
    session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]],
    seen_ids: list[int], source: str, now: Any,
) -> None:
    """SQLite: INSERT in batches, UPDATE the changed, touch the unchanged."""
    for start in range(0, len(inserts), CHUNK * 10):
        session.execute(insert(Device), inserts[start : start + CHUNK * 10])
    if updates:
        session.execute(update(Device), updates)
    for start in range(0, len(seen_ids), CHUNK):
        session.execute(
            update(Device)
            .where(Device.id.in_(seen_ids[start : start + CHUNK]))
            .values(last_seen=now, source=source)
            .execution_options(synchronize_session=False)
        )
