"""Catalog operations: add images (streaming in), list and find them, ranged reads out.

What an image is (from its name and the operator's fields) is
`catalog.metadata`; re-hashing stored blobs is `catalog.integrity`; who may
see an image is `catalog.visibility`. Functions take a `Session` and never commit. `add_image` stores the blob
before it flushes the rows, so a row never exists without its blob; a blob
stored before a transaction fails is an orphan, harmless because blobs are
content-addressed (the same bytes added again reuse it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fixright.audit import service as audit
from fixright.catalog.hashing import Digests, Progress, digests_match, hash_stream, normalize_digest
from fixright.catalog.metadata import check_filename, check_kind, resolve
from fixright.catalog.models import Image, Release
from fixright.catalog.sortkey import encode_key
from fixright.catalog.storage import BlobReader, BlobStorage, check_range
from fixright.errors import Conflict, InvalidInput, NotFound
from fixright.versions import InvalidVersion, Version, parse


@dataclass(frozen=True)
class AddResult:
    """The outcome of `add_image`: the image row, and whether it was created now."""

    image: Image
    created: bool
    digests: Digests

    @property
    def release(self) -> Release:
        return self.image.release


def get_or_create_release(
    session: Session,
    vendor: str,
    version: Version,
    *,
    kind: str | None = None,
    release_date: date | None = None,
) -> tuple[Release, bool]:
    """The release of `version` (matched on its normalized spelling), created if missing.

    A `kind` or `release_date` given for an existing release fills an empty
    field; one that contradicts a recorded value is a `Conflict`.
    """
    kind = check_kind(kind)
    release = session.scalar(
        select(Release).where(
            Release.vendor == vendor,
            Release.os_family == version.os_family,
            Release.version_normalized == version.normalized,
        )
    )
    if release is None:
        release = Release(
            vendor=vendor,
            os_family=version.os_family,
            version=str(version),
            version_normalized=version.normalized,
            version_key=encode_key(version.key),
            train=version.train,
            kind=kind,
            release_date=release_date,
            deferred=False,
        )
        session.add(release)
        session.flush()
        return release, True
    for field, value in (("kind", kind), ("release_date", release_date)):
        if value is None:
            continue
        current = getattr(release, field)
        if current is None:
            setattr(release, field, value)
        elif current != value:
            raise Conflict(
                f"release {release.os_family} {release.version} already has {field} {current}, not {value}"
            )
    return release, False


def add_image(
    session: Session,
    storage: BlobStorage,
    source: BinaryIO,
    *,
    filename: str,
    version: str | None = None,
    platform: str | None = None,
    feature_set: str | None = None,
    kind: str | None = None,
    expected_md5: str | None = None,
    expected_sha512: str | None = None,
    expected_sha256: str | None = None,
    public: bool = False,
    release_date: date | None = None,
    progress: Progress | None = None,
    actor: str = "system",
) -> AddResult:
    """Read `source` once (hashing sha256, sha512 and md5 as it is stored), then record it.

    Metadata comes from `filename` (see `fixright.catalog.filenames`) and the
    explicit fields (which must agree with the name where it says something).
    Expected digests are compared in constant time; on a mismatch
    `InvalidInput` is raised and nothing is stored. The same bytes added
    again return the existing image with `created=False` (one blob, one row).
    Raises `InvalidInput` for unusable metadata, before any byte is read.
    A new image is recorded in the audit log as published by `actor`.
    """
    name = check_filename(filename)
    meta = resolve(name, version, platform, feature_set)
    kind = check_kind(kind)
    expected = {
        kind_: normalize_digest(kind_, value, source=f"expected {kind_}")
        for kind_, value in (
            ("md5", expected_md5),
            ("sha512", expected_sha512),
            ("sha256", expected_sha256),
        )
        if value is not None
    }
    with storage.staging() as stage:
        try:
            digests = hash_stream(source, stage.file, progress=progress)
        except OSError as exc:
            raise InvalidInput(f"{name}: cannot read: {exc.strerror or exc}") from exc
        for kind_, value in expected.items():
            actual = getattr(digests, kind_)
            if not digests_match(value, actual):
                raise InvalidInput(
                    f"{name}: {kind_} mismatch: expected {value}, the file has {actual}; "
                    "nothing was stored"
                )
        if digests.size == 0:
            raise InvalidInput(f"{name}: the file is empty (0 bytes); nothing was stored")
        existing = session.scalar(select(Image).where(Image.sha256 == digests.sha256))
        if existing is not None and storage.exists(existing.blob_key):
            return AddResult(existing, False, digests)
        if existing is None:
            _refuse_other_bytes(session, name, digests.sha256)
        # Blob first, row second: a row never exists without its blob.
        stage.commit(digests.sha256)
    if existing is not None:  # the row was there but its blob was lost: restored now
        return AddResult(existing, False, digests)
    release, _ = get_or_create_release(
        session, meta.vendor, meta.version, kind=kind, release_date=release_date
    )
    image = Image(
        release_id=release.id,
        platform=meta.platform,
        feature_set=meta.feature_set,
        filename=name,
        size=digests.size,
        sha256=digests.sha256,
        sha512=digests.sha512,
        md5=digests.md5,
        blob_key=digests.sha256,
        public=public,
    )
    session.add(image)
    try:
        session.flush()
    except IntegrityError as exc:
        # Another transaction added the same bytes (or release) since we looked.
        raise Conflict(f"{name}: added by someone else at the same time; try again") from exc
    session.refresh(image)
    audit.record(session, actor=actor, organization_id=None, action="catalog:image:add",
                 subject=name, data={"image_id": image.id, "sha256": digests.sha256,
                                     "size": digests.size, "release": release.version,
                                     "platform": image.platform, "public": public})
    return AddResult(image, True, digests)


def _refuse_other_bytes(session: Session, name: str, sha256: str) -> None:
    """`Conflict` if an image named `name` with other bytes is in the catalogue.

    A vendor's file name names one build, and operators, policies and the
    vendor's published digests refer to images by it: two different files
    under one name mean one of them is damaged, altered or misnamed, and a
    lookup by name could no longer say which is meant. So the second is
    refused rather than versioned. On PostgreSQL a transaction-scoped
    advisory lock on the name makes the check hold against a concurrent add
    (SQLite write transactions are already serialised by BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        lock = int.from_bytes(hashlib.sha256(b"image-name:" + name.encode()).digest()[:8],
                              "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
    other = session.scalar(select(Image).where(Image.filename == name, Image.sha256 != sha256)
                           .order_by(Image.id).limit(1))
    if other is not None:
        raise Conflict(
            f"{name}: the catalogue already holds an image of this name with other bytes "
            f"(id {other.id}, sha256 {other.sha256}); nothing was stored. A vendor file name "
            "names one build: check both files against the vendor's published digests"
        )


def _image_filters(
    query: Select[Any],
    *,
    platform: str | None = None,
    os_family: str | None = None,
    feature_set: str | None = None,
    release_id: int | None = None,
    public: bool | None = None,
    visible_platforms: Collection[str] | None = None,
) -> Select[Any]:
    query = query.join(Image.release)
    if platform is not None:
        query = query.where(func.lower(Image.platform) == platform.strip().lower())
    if os_family is not None:
        query = query.where(Release.os_family == os_family.strip().lower())
    if feature_set is not None:
        query = query.where(Image.feature_set == feature_set.strip().lower())
    if release_id is not None:
        query = query.where(Image.release_id == release_id)
    if public is not None:
        query = query.where(Image.public == public)
    if visible_platforms is not None:
        # The rule of `visibility.may_see` in SQL: public, or of an image family one of
        # the owner's devices can run (`inventory.compatibility.runnable_families`).
        lowered = sorted({p.lower() for p in visible_platforms})
        query = query.where(or_(Image.public.is_(True), func.lower(Image.platform).in_(lowered)))
    return query


_IMAGE_ORDER = (Release.os_family, Release.train, Release.version_key, Image.platform,
                Image.filename, Image.id)


def list_images(
    session: Session,
    *,
    platform: str | None = None,
    os_family: str | None = None,
    feature_set: str | None = None,
    release_id: int | None = None,
    public: bool | None = None,
) -> list[Image]:
    """Images matching every given filter, by os_family, train, version and file name."""
    query = _image_filters(select(Image), platform=platform, os_family=os_family,
                           feature_set=feature_set, release_id=release_id, public=public)
    return list(session.scalars(query.order_by(*_IMAGE_ORDER)).unique())


def page_images(
    session: Session,
    *,
    limit: int,
    offset: int = 0,
    platform: str | None = None,
    os_family: str | None = None,
    feature_set: str | None = None,
    public: bool | None = None,
    visible_platforms: Collection[str] | None = None,
) -> tuple[list[Image], int]:
    """One page of `list_images` and the number matching on every page, both from SQL.

    `visible_platforms` limits the list to public images and those of these
    image families (an owner's view: `visibility.visible_platforms`); None lists
    every image (the operator's).
    """
    filters: dict[str, Any] = {"platform": platform, "os_family": os_family,
                               "feature_set": feature_set, "public": public,
                               "visible_platforms": visible_platforms}
    query = _image_filters(select(Image), **filters).order_by(*_IMAGE_ORDER)
    rows = list(session.scalars(query.limit(limit).offset(offset)).unique())
    total = session.scalar(_image_filters(select(func.count(Image.id)), **filters))
    return rows, int(total or 0)


def images_of_release(
    session: Session, version: Version, platform: str | Collection[str] | None = None
) -> list[Image]:
    """The catalog's images of release `version`, by feature set: of image family
    `platform` when given, or of any of a collection of families (those a device runs,
    `inventory.compatibility.families_of`); families compare case-insensitively."""
    query = select(Image).join(Release).where(
        Release.os_family == version.os_family, Release.version_normalized == version.normalized)
    if isinstance(platform, str):
        platform = [platform] if platform else None
    if platform is not None:
        query = query.where(func.lower(Image.platform).in_(sorted({p.lower() for p in platform})))
    return list(session.scalars(query.order_by(Image.feature_set)))


def get_image(session: Session, image_id: int) -> Image:
    """The image with `image_id`, else `NotFound`."""
    image = session.get(Image, image_id)
    if image is None:
        raise NotFound(f"no image with id {image_id}")
    return image


def get_image_by_filename(session: Session, filename: str) -> Image:
    """The image stored under `filename`, else `NotFound`.

    Adding a second file under a name is refused, but a catalogue filled
    before that rule may hold several: then `InvalidInput` lists them (by id
    and sha256) rather than silently picking one.
    """
    images = list(session.scalars(
        select(Image).where(Image.filename == filename).order_by(Image.id).limit(6)))
    if not images:
        raise NotFound(f"no image named {filename!r}")
    if len(images) > 1:
        shown = ", ".join(f"id {i.id} sha256 {i.sha256[:16]}…" for i in images[:5])
        raise InvalidInput(
            f"{len(images) if len(images) <= 5 else 'more than 5'} images are named "
            f"{filename!r} ({shown}); name the image by its id"
        )
    return images[0]


def get_image_by_sha256(session: Session, sha256: str) -> Image:
    """The image whose bytes hash to `sha256`, else `NotFound`."""
    digest = normalize_digest("sha256", sha256, source="sha256")
    image = session.scalar(select(Image).where(Image.sha256 == digest))
    if image is None:
        raise NotFound(f"no image with sha256 {digest}")
    return image


def _release_filters(
    query: Select[Any],
    *,
    vendor: str | None = None,
    os_family: str | None = None,
    train: str | None = None,
    deferred: bool | None = None,
) -> Select[Any]:
    if vendor is not None:
        query = query.where(Release.vendor == vendor.strip().lower())
    if os_family is not None:
        query = query.where(Release.os_family == os_family.strip().lower())
    if train is not None:
        query = query.where(Release.train == train.strip())
    if deferred is not None:
        query = query.where(Release.deferred == deferred)
    return query


_RELEASE_ORDER = (Release.vendor, Release.os_family, Release.train, Release.version_key,
                  Release.id)


def list_releases(
    session: Session,
    *,
    vendor: str | None = None,
    os_family: str | None = None,
    train: str | None = None,
    deferred: bool | None = None,
) -> list[Release]:
    """Releases matching every given filter, by vendor, os_family, train and version (oldest first)."""
    query = _release_filters(select(Release), vendor=vendor, os_family=os_family, train=train,
                             deferred=deferred)
    return list(session.scalars(query.order_by(*_RELEASE_ORDER)))


def page_releases(
    session: Session,
    *,
    limit: int,
    offset: int = 0,
    vendor: str | None = None,
    os_family: str | None = None,
    train: str | None = None,
    deferred: bool | None = None,
) -> tuple[list[Release], int]:
    """One page of `list_releases` and the number matching on every page, both from SQL."""
    filters: dict[str, Any] = {"vendor": vendor, "os_family": os_family, "train": train,
                               "deferred": deferred}
    query = _release_filters(select(Release), **filters).order_by(*_RELEASE_ORDER)
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    total = session.scalar(_release_filters(select(func.count(Release.id)), **filters))
    return rows, int(total or 0)


def find_release(session: Session, version: str, *, os_family: str | None = None) -> Release:
    """The release whose version is `version` (any spelling that normalises the same).

    Without `os_family`, every family that has releases is tried; more than
    one match is `InvalidInput` (give the family), none is `NotFound`.
    """
    if os_family is not None:
        families = [os_family.strip().lower()]
    else:
        families = list(session.scalars(select(Release.os_family).distinct()))
    matches: list[Release] = []
    for family in families:
        try:
            parsed = parse(family, version)
        except InvalidVersion as exc:
            if os_family is not None:
                raise InvalidInput(exc.message) from None
            continue
        matches.extend(
            session.scalars(
                select(Release).where(
                    Release.os_family == parsed.os_family,
                    Release.version_normalized == parsed.normalized,
                )
            )
        )
    if not matches:
        where = f" {os_family}" if os_family else ""
        raise NotFound(f"no{where} release {version!r} in the catalog")
    if len(matches) > 1:
        names = ", ".join(sorted(f"{r.vendor} {r.os_family}" for r in matches))
        raise InvalidInput(f"release {version!r} is ambiguous ({names}); give the os_family")
    return matches[0]


def set_deferred(
    session: Session, release: int | str, deferred: bool, *, os_family: str | None = None
) -> Release:
    """Mark a release (by id, or by version text) deferred or not; returns it.

    A deferred release stays in the catalog but is withdrawn from recommendation.
    """
    if isinstance(release, int):
        row = session.get(Release, release)
        if row is None:
            raise NotFound(f"no release with id {release}")
    else:
        row = find_release(session, release, os_family=os_family)
    row.deferred = deferred
    session.flush()
    return row


def open_image_range(
    storage: BlobStorage, image: Image, start: int = 0, end: int | None = None
) -> BlobReader:
    """Bytes `[start, end)` of `image` (`end=None`: to the end), checked against its recorded size.

    For an HTTP `Range: bytes=a-b` pass `end=b + 1`. `InvalidInput` for a
    range outside the image, `NotFound` if its blob is missing.
    """
    check_range(start, end, image.size, what=f"image {image.filename}")
    return storage.open(image.blob_key, start, end)
