"""Whose rows a UI page shows, and names people recognise for what it shows.

An owner sees their organisation; the portal operator, whose own organisation
owns no devices, sees every organisation's, each row labelled with its owner.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.accounts.models import Organization
from fixright.accounts.service import Principal
from fixright.hardware import active_catalogue
from fixright.inventory.models import Device


def device_scope(principal: Principal) -> int | None:
    """The organisation whose devices the caller's pages list; None: every one (operator)."""
    return None if principal.is_operator else principal.organization_id


def visible_organizations(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """(id, slug) of the organisations the caller's pages cover, by slug."""
    if not principal.is_operator:
        return [(principal.organization_id, principal.organization_slug)]
    return [(row.id, row.slug) for row in
            session.execute(select(Organization.id, Organization.slug).order_by(Organization.slug))]


def organization_slugs(session: Session) -> dict[int, str]:
    """Every organisation's slug by id (for the operator's organisation column)."""
    return {row.id: row.slug for row in session.execute(select(Organization.id, Organization.slug))}


def platform_name(device: Device) -> str:
    """What the hardware catalogue calls the device's platform ("Catalyst 9300 and 9400"):
    the description of its image family, or of the one family its model runs; "" if unknown."""
    catalogue = active_catalogue()
    family = catalogue.get(device.platform) if device.platform else None
    if family is None and device.model:
        found = catalogue.families_for_model(device.model, device.os_family or None)
        descriptions = {f.description for f in found if f.description}
        if len(descriptions) == 1:
            return descriptions.pop()
    return family.description if family is not None else ""
