"""What-if download verdicts for `fixright check` against a portal's database.

For each upgrade target of a checked device: the catalogue's images of that
release that fit the device's image families, and whether the owner may download
each under the active policy. These checks are not written to the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from fixright.accounts.models import Organization
from fixright.advisories.cache import hardware_catalogue
from fixright.catalog import service as catalog
from fixright.catalog.models import Image
from fixright.entitlement import service as entitlement
from fixright.errors import InvalidInput
from fixright.inventory.service import resolve_organization
from fixright.reports.fiximages import image_dict
from fixright.versions import InvalidVersion, parse


def fix_images(session: Session, os_family: str, version: str, families: list[str]
               ) -> list[Image]:
    """Catalog images of release `version` whose file names are of one of `families`
    (the device's image families; none for unknown hardware or an unreadable version)."""
    try:
        release = parse(os_family, version)
    except InvalidVersion:
        return []
    hardware = hardware_catalogue()
    return [image for image in catalog.images_of_release(session, release)
            if (found := hardware.family_of_image(image.filename)) is not None
            and found.id in families]


def _organization(session: Session, slug: str | None) -> Organization | None:
    """The named organisation, or the only owner one; None when the choice is open."""
    if slug:
        return resolve_organization(session, slug)
    try:
        return resolve_organization(session, None)
    except InvalidInput:
        return None


def annotate_downloads(session: Session, reports: list[dict[str, Any]], slug: str | None
                       ) -> None:
    """Add `images` to each upgrade target and, for organisation `slug` (or the only
    owner), `downloads`: may they download each image, and why."""
    org = _organization(session, slug)
    for report in reports:
        if not report.get("upgrade_targets"):
            continue
        images: list[Image] = []
        for target in report["upgrade_targets"]:
            found = fix_images(session, report["os_family"], target["release"],
                               report["image_families"])
            target["images"] = [image_dict(image) for image in found]
            images += found
        if org is None:
            continue
        lines = []
        for image in images:
            decision = entitlement.decide(session, org.id, image, actor="cli:check",
                                          organization=org.slug, record=False)
            why = (f"grant '{decision.grant}' of policy '{decision.policy}'"
                   if decision.allowed else (decision.hint or "; ".join(
                       f.message for g in decision.grants for f in g.failures)))
            lines.append({"image": image.filename, "image_id": image.id,
                          "allowed": decision.allowed, "policy": decision.policy,
                          "why": why})
        report["downloads"] = lines
