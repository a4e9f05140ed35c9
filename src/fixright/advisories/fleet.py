"""Exposure questions other domains ask: of given devices, of an organisation's fleet
(device by device, or by distinct situation), and which advisories a release fixes.

Each is answered from the cached planner (`cache.load_planner`) or the index
given, with one SELECT of the fleet's devices: never one query per device.
Functions never commit.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from fixright.advisories.cache import load_index, planner_for
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import advisories_fixed_by as _fixed_by
from fixright.advisories.results import (
    STATUS_AFFECTED,
    STATUS_NOT_AFFECTED,
    STATUS_UNKNOWN,
    DeviceExposure,
    DeviceKey,
    Exposure,
)
from fixright.db import stream
from fixright.inventory.models import Device


class _StatusCounts:
    """`affected`, `not_affected` and `unknown` from the subclass's `count(status)`."""

    def count(self, status: str) -> int:
        raise NotImplementedError

    @property
    def affected(self) -> int:
        return self.count(STATUS_AFFECTED)

    @property
    def not_affected(self) -> int:
        return self.count(STATUS_NOT_AFFECTED)

    @property
    def unknown(self) -> int:
        return self.count(STATUS_UNKNOWN)


@dataclass
class FleetExposure(_StatusCounts):
    """Exposure of one organisation's devices (`organization_id` None: every organisation's)."""

    organization_id: int | None
    devices: dict[Hashable, DeviceExposure]

    def count(self, status: str) -> int:
        return sum(1 for d in self.devices.values() if d.status == status)


def exposure_for_devices(
    session: Session, devices: Sequence[DeviceKey], *, index: AdvisoryIndex | None = None
) -> dict[Hashable, DeviceExposure]:
    """Exposure and fix plan for each device, keyed by `DeviceKey.device_id`.

    One bulk load of the advisories (or the `index` given, to reuse it across
    calls); each distinct (os_family, version, platform) is matched once.
    """
    return planner_for(session, index).match_devices(devices)


def device_keys(session: Session, organization_id: int | None) -> list[DeviceKey]:
    """The organisation's devices as `DeviceKey`s, in one SELECT (None: every organisation's)."""
    query = (
        select(Device.id, Device.os_family, Device.running_version, Device.platform, Device.model)
        .where(Device.retired_at.is_(None)).order_by(Device.id)
    )
    if organization_id is not None:
        query = query.where(Device.organization_id == organization_id)
    rows = session.execute(query)
    return [DeviceKey(r.id, r.os_family or None, r.running_version or None, r.platform or None,
                      r.model or None) for r in rows]


def exposure_for_org(
    session: Session, organization_id: int | None, *, index: AdvisoryIndex | None = None
) -> FleetExposure:
    """Exposure of every device of one organisation (None: of the whole portal)."""
    devices = device_keys(session, organization_id)
    return FleetExposure(organization_id, exposure_for_devices(session, devices, index=index))


def advisories_fixed_by(
    session: Session, os_family: str, version: str, *, index: AdvisoryIndex | None = None
) -> list[str]:
    """Advisory ids that release `version` fixes (not affected, at or above a fix in its train)."""
    return _fixed_by(index or load_index(session), os_family, version)


# -- a fleet by distinct situation -------------------------------------------------

Situation = tuple[str | None, str | None, str | None, str | None]
"""What matching and planning look at: a device's (os_family, running_version, platform,
model) as stored (empty text and NULL give the same exposure)."""

def live_devices(organization_id: int) -> Any:
    """The WHERE clause of an organisation's devices in service."""
    return (Device.organization_id == organization_id) & Device.retired_at.is_(None)


@dataclass
class FleetSituations(_StatusCounts):
    """An organisation's fleet as its distinct situations: device count and exposure of each."""

    counts: dict[Situation, int]
    exposures: dict[Situation, Exposure]

    def count(self, status: str) -> int:
        return sum(n for s, n in self.counts.items() if self.exposures[s].status == status)

    @property
    def devices(self) -> int:
        return sum(self.counts.values())



def fleet_situations(
    session: Session, organization_id: int, *, index: AdvisoryIndex | None = None
) -> FleetSituations:
    """Each distinct situation of the organisation's devices (one GROUP BY), matched and
    planned once: a million devices on a few thousand situations cost a few thousand plans."""
    rows = session.execute(
        select(Device.os_family, Device.running_version, Device.platform, Device.model,
               func.count(Device.id))
        .where(live_devices(organization_id))
        .group_by(Device.os_family, Device.running_version, Device.platform, Device.model)
    )
    counts: dict[Situation, int] = {(f, v, p, m): int(n) for f, v, p, m, n in rows}
    planner = planner_for(session, index)
    shared: dict[Situation, Exposure] = {}
    exposures: dict[Situation, Exposure] = {}
    for key in counts:
        family, version, platform, model = (part or None for part in key)
        known = (family, version, platform, model)
        found = shared.get(known)
        if found is None:
            found = shared[known] = planner.exposure(family, version, platform or model,
                                                     model=model, family=platform)
        exposures[key] = found
    return FleetSituations(counts, exposures)


def stream_devices(session: Session, query: Any) -> Iterator[Row[Any]]:
    """The rows of `query`, fetched in batches (`fixright.db.stream`): memory stays flat
    whatever the fleet's size."""
    return stream(session, query)
