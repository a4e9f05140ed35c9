"""Hardware questions about an organisation's devices: which image families they can
run, and which devices can run a family (`hardware.device_families` per device).

Compatibility depends only on (platform, model, os_family): each distinct
combination is asked once, not each device. Functions never commit.
"""

from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from fixright.hardware import Catalogue, active_catalogue, device_families
from fixright.inventory.models import Device
from fixright.inventory.upsert import CHUNK


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
    for start in range(0, len(combos), CHUNK):
        found.extend(session.scalars(
            select(Device).where(
                Device.organization_id == organization_id,
                Device.retired_at.is_(None),
                tuple_(func.coalesce(Device.platform, ""), func.coalesce(Device.model, ""),
                       func.coalesce(Device.os_family, "")).in_(combos[start:start + CHUNK]),
            )
        ))
    return sorted(found, key=lambda d: (d.serial, d.id))
