"""`/api/v1/releases` and `/api/v1/images`: the catalogue, as each caller may see it.

The operator sees every image. An owner sees the public images and those
whose platform matches one of its organisation's devices; any other image is
a 404 for it, exactly like an id that does not exist. Releases are catalogue
metadata (version, train, kind) and are listed to every authenticated caller.
`POST /images/{id}/download` is in `fixright.downloads.api`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from fixright.catalog import service
from fixright.catalog.backends import storage_from_url
from fixright.catalog.schemas import ImageAdded, ImageOut, ReleaseOut
from fixright.catalog.visibility import visible_image, visible_platforms
from fixright.http.deps import OperatorDep, PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.http.params import IdPath

router = APIRouter(tags=["catalog"])


@router.get("/releases", response_model=Page[ReleaseOut])
def list_releases(
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    vendor: Annotated[str | None, Query(max_length=32)] = None,
    os_family: Annotated[str | None, Query(max_length=32)] = None,
    train: Annotated[str | None, Query(max_length=64)] = None,
    deferred: bool | None = None,
) -> Page[ReleaseOut]:
    """Releases by vendor, family, train and version (oldest first within a train)."""
    releases, total = service.page_releases(session, vendor=vendor, os_family=os_family,
                                            train=train, deferred=deferred,
                                            limit=page.limit, offset=page.offset)
    return Page[ReleaseOut].of([ReleaseOut.model_validate(r) for r in releases], total, page)


@router.get("/images", response_model=Page[ImageOut])
def list_images(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    platform: Annotated[str | None, Query(max_length=32)] = None,
    os_family: Annotated[str | None, Query(max_length=32)] = None,
    feature_set: Annotated[str | None, Query(max_length=64)] = None,
    public: bool | None = None,
) -> Page[ImageOut]:
    """The images the caller may see, by family, train, version and file name."""
    images, total = service.page_images(
        session, platform=platform, os_family=os_family, feature_set=feature_set, public=public,
        visible_platforms=visible_platforms(session, principal),
        limit=page.limit, offset=page.offset,
    )
    return Page[ImageOut].of([ImageOut.model_validate(i) for i in images], total, page)


@router.get("/images/{image_id}", response_model=ImageOut)
def get_image(image_id: IdPath, session: SessionDep, principal: PrincipalDep) -> ImageOut:
    """One image with its digests; 404 when it does not exist or the caller may not see it."""
    return ImageOut.model_validate(visible_image(session, principal, image_id))


@router.post(
    "/images",
    response_model=ImageAdded,
    status_code=201,
    responses={200: {"description": "These bytes were already in the catalogue",
                     "model": ImageAdded},
               403: {"description": "Only the portal operator adds images"},
               422: {"description": "Unusable metadata or a digest mismatch; nothing stored"}},
)
def add_image(
    request: Request,
    response: Response,
    operator: OperatorDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="The image file.")],
    filename: Annotated[str | None, Form(
        description="File name to record (default: the uploaded file's name)."
    )] = None,
    version: Annotated[str | None, Form()] = None,
    platform: Annotated[str | None, Form()] = None,
    feature_set: Annotated[str | None, Form()] = None,
    kind: Annotated[str | None, Form(description="feature, maintenance, rebuild or security")]
    = None,
    md5: Annotated[str | None, Form(description="The MD5 the vendor publishes.")] = None,
    sha512: Annotated[str | None, Form(description="The SHA-512 the vendor publishes.")] = None,
    sha256: Annotated[str | None, Form(description="An expected SHA-256.")] = None,
    public: Annotated[bool, Form()] = False,
    release_date: Annotated[date | None, Form()] = None,
) -> ImageAdded:
    """Add an image (operator only). The upload is hashed (SHA-256, SHA-512, MD5) as it is
    stored; a mismatch with an expected digest stores nothing. The same bytes again answer
    200 with the existing image."""
    settings = request.app.state.settings
    if settings.storage_url is None:
        settings.ensure_data_dir()
    storage = storage_from_url(settings.resolved_storage_url(), settings)
    # The spooled upload is handed over as a file object: read once, in chunks.
    result = service.add_image(
        session, storage, file.file, filename=filename or file.filename or "",
        version=version or None, platform=platform or None, feature_set=feature_set or None,
        kind=kind or None, expected_md5=md5 or None, expected_sha512=sha512 or None,
        expected_sha256=sha256 or None, public=public, release_date=release_date,
        actor=operator.actor,
    )
    if not result.created:
        response.status_code = 200
    return ImageAdded(image=ImageOut.model_validate(result.image), created=result.created)
