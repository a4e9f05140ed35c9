"""What an image is, from its file name and the fields an operator gives.

`resolve` reads vendor, platform, feature set and version from a file name
(`fixright.catalog.filenames`) and checks explicit fields against it; the
checks here refuse, before any byte is read, a name or a field the catalog
cannot record.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixright.catalog.filenames import (
    OS_VENDORS,
    PLATFORMS,
    ImageName,
    family_for_platform,
    parse_filename,
)
from fixright.catalog.models import RELEASE_KINDS
from fixright.errors import InvalidInput
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


def check_platform(platform: str) -> str:
    token = platform.strip().lower()
    if token not in PLATFORMS:
        raise InvalidInput(
            f"platform {platform!r} is not one of the catalog's platforms: {', '.join(PLATFORMS)}"
        )
    return token


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
    """Vendor, platform token, feature set and version of one image."""

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
    filename: str, version: str | None, platform: str | None, feature_set: str | None
) -> ImageMetadata:
    named: ImageName | None = parse_filename(filename)
    plat = check_platform(platform) if platform is not None else None
    fset = check_feature_set(feature_set) if feature_set is not None else None
    if named is not None:
        if plat is not None and plat != named.platform:
            raise InvalidInput(
                f"{filename}: the file name says platform {named.platform}, --platform says {plat}"
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
        return ImageMetadata(named.vendor, named.platform, named.feature_set, named.version)
    missing = [
        flag
        for flag, value in (("--version", version), ("--platform", plat), ("--feature-set", fset))
        if value is None
    ]
    if missing:
        raise InvalidInput(
            f"{filename}: not a file name fixright can read; give {', '.join(missing)}"
        )
    assert plat is not None and fset is not None and version is not None
    family = family_for_platform(plat, version)
    if family is None:
        # Report the grammar's own reason for the platform's (first) family.
        _parse_version(PLATFORMS[plat][1], version, filename)
        raise InvalidInput(f"{filename}: {version!r} is not a version for platform {plat}")
    return ImageMetadata(OS_VENDORS[family], plat, fset, parse(family, version))


def _parse_version(os_family: str, text: str, filename: str) -> Version:
    try:
        return parse(os_family, text)
    except InvalidVersion as exc:
        raise InvalidInput(f"{filename}: {exc.message}") from None
