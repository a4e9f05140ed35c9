"""Inventory operations on one device or organisation: get, find, retire, delete, and
the organisation a command acts for.

Imports are in `importing`, lists and exports in `queries`, hardware questions
in `compatibility`. Functions take a `Session` and never commit; the CLI
command or HTTP request owns the transaction. Every query is scoped to one
organisation.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.accounts.models import ROLE_OWNER, Organization
from fixright.audit import service as audit
from fixright.db import utcnow
from fixright.errors import InvalidInput, NotFound
from fixright.inventory.models import Device


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
