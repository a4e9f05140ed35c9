"""One page of an owner's devices, sorted or filtered by exposure, cut in SQL.

Exposure is computed, not stored, and depends only on a device's situation
(os_family, version, platform, model). So the page is found through the
situations: one GROUP BY counts the filtered devices per situation, each
situation is matched once, the situations are ranked (most exposed first),
and only the devices of the page are read, by rank then id. A fleet of
100,000 devices on a few hundred situations reads 50 devices, not 100,000.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fixright.advisories.cache import load_planner
from fixright.advisories.fleet import exposure_for_devices
from fixright.advisories.results import DeviceExposure, DeviceKey, Exposure
from fixright.advisories.severity import severity_rank
from fixright.inventory import queries as inventory
from fixright.inventory.models import Device
from fixright.inventory.queries import Situation

SORTS = ("exposure", "host", "serial")


@dataclass
class DevicePage:
    """The devices of one page, how many match in all, and the exposure of each shown."""

    rows: list[Device]
    total: int
    exposures: dict[Hashable, DeviceExposure]


def worst_severity(exposure: DeviceExposure | Exposure) -> str | None:
    """The most severe advisory hitting a device, or None when none does."""
    known = [hit.severity for hit in exposure.advisories if severity_rank(hit.severity) >= 0]
    return max(known, key=severity_rank, default=None)


def exposure_order(exposure: Exposure) -> tuple[int, int, int]:
    """Affected first, by worst severity then number of advisories; unknown next; clean last."""
    status = {"affected": 0, "unknown": 1}.get(exposure.status, 2)
    level = worst_severity(exposure)
    return (status, -severity_rank(level) if level else 0, -len(exposure.advisories))


def device_key(device: Device) -> DeviceKey:
    """What matching needs of a device."""
    return DeviceKey(device.id, device.os_family or None, device.running_version or None,
                     device.platform or None, device.model or None)


def device_page(
    session: Session, organization_id: int | None, *, search: str | None = None,
    os_family: str | None = None, sort: str = "exposure", exposed: bool = False,
    offset: int = 0, limit: int = 50,
) -> DevicePage:
    """The devices in service of one organisation (None: every one's) matching `search` and
    `os_family`, `limit` from `offset` in `sort` order ("exposure": most exposed first, then
    by id; "host"; "serial"); with `exposed`, only the affected ones."""
    sort = sort if sort in SORTS else "exposure"
    if sort != "exposure" and not exposed:
        cut = inventory.list_devices(session, organization_id, search=search,
                                     os_family=os_family, order=sort, limit=limit, offset=offset)
        return DevicePage(cut, _total(session, organization_id, search, os_family, cut,
                                      offset, limit),
                          exposure_for_devices(session, [device_key(d) for d in cut]))
    if search and sort == "exposure":
        # A search usually matches few devices: their ids and situations in one pass
        # (rather than a GROUP BY pass and a page pass, each evaluating the search).
        matches = inventory.situations_by_id(session, organization_id, search=search,
                                             os_family=os_family, limit=SEARCH_IN_ONE_PASS + 1)
        if len(matches) <= SEARCH_IN_ONE_PASS:
            return _page_of_matches(session, organization_id, matches, exposed, offset, limit)
    counts = inventory.device_situations(session, organization_id, search=search,
                                         os_family=os_family)
    exposures = _exposures(session, counts)
    if exposed:
        counts = {s: n for s, n in counts.items() if exposures[s].status == "affected"}
    total = sum(counts.values())
    rows: list[Device] = []
    if sort == "exposure":
        ranks: dict[tuple[int, int, int], list[Situation]] = {}
        for situation in counts:
            ranks.setdefault(exposure_order(exposures[situation]), []).append(situation)
        start = 0  # of the current rank, in the whole ordered list
        for rank in sorted(ranks):
            members = ranks[rank]
            size = sum(counts[s] for s in members)
            if start + size > offset + len(rows) and len(rows) < limit:
                rows += inventory.list_devices(
                    session, organization_id, search=search, os_family=os_family,
                    situations=members, offset=max(offset - start, 0), limit=limit - len(rows))
            start += size
            if len(rows) >= limit:
                break
    elif counts:
        rows = inventory.list_devices(session, organization_id, search=search,
                                      os_family=os_family, order=sort, limit=limit,
                                      offset=offset, situations=list(counts))
    return _page(rows, total, exposures)


# A search matching more devices than this is paged through the situations instead.
SEARCH_IN_ONE_PASS = 5000


def _exposures(session: Session, situations: Iterable[Situation]) -> dict[Situation, Exposure]:
    """Each situation matched once, by the cached planner."""
    planner = load_planner(session)
    exposures: dict[Situation, Exposure] = {}
    for situation in situations:
        family, version, platform, model = (part or None for part in situation)
        exposures[situation] = planner.exposure(family, version, platform or model,
                                                model=model, family=platform)
    return exposures


def _page(rows: list[Device], total: int, exposures: dict[Situation, Exposure]) -> DevicePage:
    return DevicePage(rows, total, {
        d.id: DeviceExposure(device_key(d), exposures[inventory.situation_of(d)]) for d in rows})


def _page_of_matches(session: Session, organization_id: int | None,
                     matches: list[tuple[int, Situation]], exposed: bool, offset: int,
                     limit: int) -> DevicePage:
    exposures = _exposures(session, {s for _id, s in matches})
    if exposed:
        matches = [(i, s) for i, s in matches if exposures[s].status == "affected"]
    ordered = sorted(matches, key=lambda m: (exposure_order(exposures[m[1]]), m[0]))
    ids = [i for i, _s in ordered[offset:offset + limit]]
    return _page(inventory.devices_by_id(session, organization_id, ids), len(ordered), exposures)


def _total(session: Session, organization_id: int | None, search: str | None,
           os_family: str | None, rows: list[Device], offset: int, limit: int) -> int:
    """How many match in all: a page that is not full says so without counting."""
    if 0 < len(rows) < limit or (offset == 0 and not rows):
        return offset + len(rows)
    return inventory.count_devices(session, organization_id, search=search, os_family=os_family)
