"""Reading an organisation's devices: filtered and ordered pages, counts, the
distinct situations of a fleet, and the CSV export.

Every query is scoped to one organisation (`organization_id=None`: every
organisation's, the portal operator's view). Functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from fixright.db import stream
from fixright.errors import InvalidInput
from fixright.inventory.csvio import CSV_COLUMNS
from fixright.inventory.models import Device

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
