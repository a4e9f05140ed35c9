"""Who may see which image: the rule every list, page and download request applies.

The operator sees every image. An owner sees the public images and those
one of its registered devices can run (hardware compatibility is true: the
image's family is the device's, or the catalogue lists its model under it;
unknown hardware sees nothing more); any other image is answered as unknown
(never "forbidden", which would confirm that it exists).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fixright.accounts.service import Principal
from fixright.catalog.models import Image
from fixright.catalog.service import get_image
from fixright.errors import NotFound
from fixright.inventory.compatibility import runnable_families


def visible_platforms(session: Session, principal: Principal) -> set[str] | None:
    """The image families (lower-case ids) whose images the caller may see besides the
    public ones; None for the operator, who sees every image.
    (`catalog.service.page_images` takes this set.)"""
    if principal.is_operator:
        return None
    return runnable_families(session, principal.organization_id)


def may_see(session: Session, principal: Principal, images: list[Image]) -> list[Image]:
    """The images of `images` the caller may see: all for the operator; for an owner,
    public images and those one of its devices can run."""
    platforms = visible_platforms(session, principal)
    if platforms is None:
        return images
    return [i for i in images if i.public or i.platform.lower() in platforms]


def visible_image(session: Session, principal: Principal, image_id: int) -> Image:
    """The image `image_id` if the caller may see it; `NotFound` otherwise (never 403,
    which would confirm that the image exists)."""
    try:
        image = get_image(session, image_id)
    except NotFound:
        image = None
    if image is None or not may_see(session, principal, [image]):
        raise NotFound(f"no image with id {image_id}")
    return image
