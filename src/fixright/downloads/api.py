"""Download endpoints: ask for a link (policy-checked), then fetch the bytes."""

from __future__ import annotations

import os
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel

from fixright.accounts.service import Principal
from fixright.catalog.backends import storage_from_url
from fixright.catalog.storage import BlobStorage, content_disposition
from fixright.downloads import service
from fixright.errors import NotFound
from fixright.web.deps import PrincipalDep, SessionDep, optional_principal

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
    image_id: int, request: Request, session: SessionDep, principal: PrincipalDep
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
        # The denial is committed to the audit log even though the answer is 403.
        session.commit()
        from fastapi.responses import JSONResponse

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
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    """Stream the image (Range, If-Range, ETag, Repr-Digest) or redirect to object storage."""
    image = service.resolve_link(
        session, token, principal, key=request.app.state.secret_key.encode()
    )
    storage = app_storage(request.app)
    headers = service.digest_headers(image)
    blob_key, name = image.blob_key, image.filename
    # End the request's transaction now, before any bytes move: the dependency
    # would otherwise close it only after the response is sent, and a download
    # of minutes would pin a pooled connection (idle in transaction) for as long.
    session.commit()
    presigned = storage.presigned_url(blob_key, filename=name, expires=300)
    if presigned:
        return RedirectResponse(presigned, status_code=307, headers={"ETag": headers["ETag"]})
    path = storage.path(blob_key)  # type: ignore[attr-defined]
    try:
        stat_result = os.stat(path)
    except FileNotFoundError:
        raise NotFound(f"the file of image {name} is missing from storage") from None
    headers["Content-Disposition"] = content_disposition(name)
    prefix = request.app.state.settings.accel_redirect_prefix
    if prefix:
        # The check is done; nginx sends the bytes (sendfile, ranges) from its
        # internal location. The path is the blob's content address, never a name.
        relative = path.relative_to(storage.root).as_posix()  # type: ignore[attr-defined]
        headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + relative
        headers["X-Accel-Buffering"] = "no"
        return Response(status_code=200, headers=headers,
                        media_type="application/octet-stream")
    # Starlette's FileResponse implements Range, multiple ranges, If-Range and 416,
    # and hands the file to the server (pathsend/sendfile) without reading it here.
    return FileResponse(path, headers=headers, media_type="application/octet-stream",
                        stat_result=stat_result)
