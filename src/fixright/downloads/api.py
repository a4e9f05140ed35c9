"""Download endpoints: ask for a link (policy-checked), then fetch the bytes."""

from __future__ import annotations

import os
import threading
from email.utils import formatdate
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from fixright.catalog.backends import storage_from_url
from fixright.catalog.storage import BlobStorage, blob_relpath, content_disposition
from fixright.downloads import conditional, service
from fixright.errors import ConfigurationError, NotFound
from fixright.http.deps import OptionalPrincipalDep, PrincipalDep, SessionDep
from fixright.http.params import IdPath

router = APIRouter(tags=["downloads"])
link_router = APIRouter(include_in_schema=False)

_storage_lock = threading.Lock()


def app_storage(app: FastAPI) -> BlobStorage:
    """The app's blob storage, made once per process.

    Built once because an S3 backend holds a boto3 client: making one per request
    costs milliseconds, and boto3's default session is not safe to make clients
    from in several threads at once (sync endpoints run in a thread pool).
    """
    storage: BlobStorage | None = getattr(app.state, "download_storage", None)
    if storage is None:
        with _storage_lock:
            storage = getattr(app.state, "download_storage", None)
            if storage is None:
                settings = app.state.settings
                storage = storage_from_url(settings.resolved_storage_url(), settings)
                app.state.download_storage = storage
    return storage


class LinkOut(BaseModel):
    allowed: bool
    url: str | None
    expires: int | None
    decision: dict[str, Any]


def decision_json(decision: Any) -> dict[str, Any]:
    to_dict = getattr(decision, "to_dict", None)
    if callable(to_dict):
        result: dict[str, Any] = to_dict()
        return result
    return {"allowed": bool(getattr(decision, "allowed", False))}


@router.post("/images/{image_id}/download", response_model=LinkOut)
def create_download_link(
    image_id: IdPath, request: Request, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Evaluate the active policy for this image; when allowed, a short-lived signed link.

    A denial answers 403 with the decision and its reasons (what failed, per grant).
    """
    settings = request.app.state.settings
    result = service.request_link(
        session, principal, image_id, key=request.app.state.secret_key.encode(),
        minutes=settings.download_link_minutes,
    )
    body = LinkOut(
        allowed=result.allowed,
        url=str(request.base_url).rstrip("/") + result.url if result.url else None,
        expires=result.expires,
        decision=decision_json(result.decision),
    )
    if not result.allowed:
        # Returned, not raised: the request's transaction commits the audited denial.
        return JSONResponse(
            {"error": "not_entitled", "detail": "the active policy does not allow this download",
             **body.model_dump()},
            status_code=403,
        )
    return body


@link_router.api_route("/dl/{token}/{filename}", methods=["GET", "HEAD"])
def fetch(
    token: str,
    filename: str,
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipalDep,
) -> Response:
    """Stream the image (Range, If-Range, ETag, Repr-Digest) or redirect to object storage."""
    image = service.resolve_link(
        session, token, principal, key=request.app.state.secret_key.encode()
    )
    if filename != image.filename:
        # The name is part of the link as issued; another name (or CRLF tricks
        # in it) is not a link this server made.
        raise NotFound("no such download: the file name does not match the link")
    storage = app_storage(request.app)
    headers = service.digest_headers(image)
    blob_key, name = image.blob_key, image.filename
    # The request's transaction ends when this function returns, before any
    # bytes move (`SessionDep`), so a download of minutes pins no connection.
    presigned = storage.presigned_url(blob_key, filename=name, expires=300)
    if presigned:
        return RedirectResponse(presigned, status_code=307, headers={"ETag": headers["ETag"]})
    path = storage.local_path(blob_key)
    if path is None:
        raise ConfigurationError(f"storage {storage!r} has neither presigned URLs nor local files")
    try:
        stat_result = os.stat(path)
    except FileNotFoundError:
        raise NotFound(f"the file of image {name} is missing from storage") from None
    headers["Content-Disposition"] = content_disposition(name)
    prefix = request.app.state.settings.accel_redirect_prefix
    if prefix:
        # The check is done; nginx sends the bytes (sendfile, ranges) from its
        # internal location. The path is the blob's content address, never a name.
        headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + blob_relpath(blob_key)
        headers["X-Accel-Buffering"] = "no"
        return Response(status_code=200, headers=headers,
                        media_type="application/octet-stream")
    last_modified = formatdate(stat_result.st_mtime, usegmt=True)
    outcome = conditional.decide(request.method, request.headers, etag=headers["ETag"],
                                 size=stat_result.st_size, last_modified=last_modified)
    if outcome.status == 304:
        return Response(status_code=304, headers={"ETag": headers["ETag"],
                                                  "Last-Modified": last_modified})
    if outcome.status == 416:
        return Response(status_code=416,
                        headers={"Content-Range": f"bytes */{stat_result.st_size}"})
    # Starlette's FileResponse streams the ranges `conditional` chose and hands the
    # file to the server (pathsend/sendfile) without reading it here.
    return _DecidedFileResponse(path, headers=headers, media_type="application/octet-stream",
                                stat_result=stat_result, range_header=outcome.range_header())


class _DecidedFileResponse(FileResponse):
    """A FileResponse that serves exactly the Range decided by `conditional`, or none."""

    def __init__(self, *args: Any, range_header: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._range_header = range_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kept = [(k, v) for k, v in scope["headers"] if k not in (b"range", b"if-range")]
        if self._range_header is not None:
            kept.append((b"range", self._range_header.encode("ascii")))
        await super().__call__({**scope, "headers": kept}, receive, send)
