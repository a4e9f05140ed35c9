"""The catalog images of each upgrade target, for hardware that runs them.

Planning is pure and knows releases; this names the files an engineer would
download (file name, size, digests). An image is named only when its file name
is of one of the device's image families: for unknown hardware, none is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.advisories.results import Exposure, UpgradeTarget
from fixright.catalog.models import Image, Release
from fixright.hardware import Catalogue

ReleaseImages = dict[tuple[str, str], list[Image]]


def images_of_targets(session: Session, exposures: Iterable[Exposure]) -> ReleaseImages:
    """Every catalog image of every upgrade target's release, in one SELECT."""
    wanted: set[tuple[str, str]] = {
        (t.release.os_family, t.release.normalized) for e in exposures for t in e.upgrade_targets
    }
    found: ReleaseImages = {}
    if not wanted:
        return found
    normalized = sorted({n for _f, n in wanted})
    rows = session.execute(
        select(Image, Release.os_family, Release.version_normalized).join(Release)
        .where(Release.version_normalized.in_(normalized)).order_by(Image.filename)
    )
    for image, family, version in rows:
        if (family, version) in wanted:
            found.setdefault((family, version), []).append(image)
    return found


def runs_image(catalogue: Catalogue, image: Image, families: tuple[str, ...]) -> bool:
    """True when the image's file name is of one of `families` (the device's image families)."""
    family = catalogue.family_of_image(image.filename)
    return family is not None and family.id in families


def image_dict(image: Image) -> dict[str, Any]:
    """What to download: file name, size and digests."""
    return {"image_id": image.id, "filename": image.filename, "size": image.size,
            "md5": image.md5, "sha512": image.sha512}


def target_dict(target: UpgradeTarget, exposure: Exposure, images: ReleaseImages,
                catalogue: Catalogue) -> dict[str, Any]:
    """An upgrade target as JSON, with the catalog images the device's hardware runs."""
    key = (target.release.os_family, target.release.normalized)
    return target.as_dict() | {"images": [
        image_dict(image) for image in images.get(key, ())
        if runs_image(catalogue, image, exposure.image_families)
    ]}


def targets_text(targets: list[dict[str, Any]]) -> str:
    """Upgrade targets flattened for one CSV cell: `15.2(7)E8 [migration] why; ...`."""
    parts = []
    for t in targets:
        files = ", ".join(i["filename"] for i in t.get("images", ()))
        parts.append(f"{t['release']} [{t['kind']}] {t['why']}" + (f" (images: {files})" if files else ""))
    return "; ".join(parts)
