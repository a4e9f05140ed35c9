"""What an image is, from its file name and the fields an operator gives.

`resolve` reads vendor, feature set and version from a file name
(`fixright.catalog.filenames`), the platform (image family) from the hardware
catalogue, and checks explicit fields against them; the
checks here refuse, before any byte is read, a name or a field the catalog
cannot record.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixright.catalog.filenames import ImageName, parse_filename
from fixright.catalog.models import RELEASE_KINDS
from fixright.errors import InvalidInput
from fixright.hardware import Catalogue, active_catalogue, require_family
from fixright.versions import InvalidVersion, Version, parse

_FEATURE_SET_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def check_filename(filename: str) -> str:
    """`filename` if it is a plain file name (no folder, no control characters), else InvalidInput."""
    name = filename.strip() if isinstance(filename, str) else ""
    if (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or not name.isprintable()
        or len(name) > 255
    ):
        raise InvalidInput(f"image file name {filename!r} must be a plain file name (no folders)")
    return name


def check_feature_set(feature_set: str) -> str:
    value = feature_set.strip().lower()
    if not value or len(value) > 64 or not set(value) <= _FEATURE_SET_CHARS:
        raise InvalidInput(
            f"feature set {feature_set!r} must be 1-64 lower-case letters, digits, '_' or '-'"
        )
    return value


def check_kind(kind: str | None) -> str | None:
    if kind is None:
        return None
    value = kind.strip().lower()
    if value not in RELEASE_KINDS:
        raise InvalidInput(f"release kind {kind!r} must be one of {', '.join(RELEASE_KINDS)}")
    return value


@dataclass(frozen=True)
class ImageMetadata:
    """Vendor, platform (image family id), feature set and version of one image."""

    vendor: str
    platform: str
    feature_set: str
    version: Version


def resolve_metadata(
    filename: str,
    *,
    version: str | None = None,
    platform: str | None = None,
    feature_set: str | None = None,
) -> tuple[str, str, str, Version]:
    """(vendor, platform, feature_set, version) for an image, from its name and explicit fields.

    Explicit fields fill what the name does not say; where the name says
    something, an explicit field must agree with it (same platform, feature
    set, and a version equal after normalisation), else `InvalidInput`.
    """
    meta = resolve(check_filename(filename), version, platform, feature_set)
    return meta.vendor, meta.platform, meta.feature_set, meta.version


def resolve(
    filename: str, version: str | None, platform: str | None, feature_set: str | None,
    catalogue: Catalogue | None = None,
) -> ImageMetadata:
    """What an image is: version and feature set from its name's grammar, its platform the
    image family the hardware catalogue gives its name (`family_of_image`).

    An explicit `platform` must be a family id of the catalogue (`hardware list`) and,
    where the name names a family, that one.
    """
    known = catalogue or active_catalogue()
    named: ImageName | None = parse_filename(filename)
    plat = require_family(known, platform) if platform is not None else None
    fset = check_feature_set(feature_set) if feature_set is not None else None
    family = known.family_of_image(filename)
    if family is not None and plat is not None and plat != family.id:
        raise InvalidInput(
            f"{filename}: the file name says platform {family.id}, --platform says {plat}"
        )
    chosen = known.get(plat) if plat is not None else family
    if named is not None:
        if chosen is None:
            raise InvalidInput(
                f"{filename}: the file name is of no image family of the hardware catalogue; "
                "give --platform (`fixright hardware list` shows the families)"
            )
        if chosen.os_family != named.os_family:
            raise InvalidInput(
                f"{filename}: platform {chosen.id} runs {chosen.os_family}, the file name says "
                f"{named.os_family}"
            )
        if fset is not None and fset != named.feature_set:
            raise InvalidInput(
                f"{filename}: the file name says feature set {named.feature_set}, "
                f"--feature-set says {fset}"
            )
        if version is not None:
            given = _parse_version(named.os_family, version, filename)
            if given != named.version:
                raise InvalidInput(
                    f"{filename}: the file name says version {named.version}, --version says {version}"
                )
        return ImageMetadata(named.vendor, chosen.id, named.feature_set, named.version)
    missing = [
        flag
        for flag, value in (("--version", version), ("--platform", chosen), ("--feature-set", fset))
        if value is None
    ]
    if missing:
        raise InvalidInput(
            f"{filename}: not a file name fixright can read; give {', '.join(missing)}"
        )
    assert chosen is not None and fset is not None and version is not None
    # The family's OS decides the version grammar (cat4500e is IOS, cat4500e-xe IOS XE).
    parsed = _parse_version(chosen.os_family, version, filename)
    return ImageMetadata(chosen.vendor, chosen.id, fset, parsed)


def _parse_version(os_family: str, text: str, filename: str) -> Version:
    try:
        return parse(os_family, text)
    except InvalidVersion as exc:
        raise InvalidInput(f"{filename}: {exc.message}") from None
