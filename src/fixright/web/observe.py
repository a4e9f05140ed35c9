"""One access line, one request id and the Prometheus metrics for every request.

`RequestObserver` is the middleware: it gives each request an id (the
client's `X-Request-ID` when it is sane, else a fresh one) echoed in the
response, makes the request's `RequestOrigin` current so audit events carry the
client address, and when the response is done logs one line on
`fixright.access` and updates the metrics. `/metrics` (Prometheus text) answers
only to `Authorization: Bearer $FIXRIGHT_METRICS_TOKEN` and is a 404 while no
token is set; `/readyz` checks the database and the blob storage.

Metrics live in one registry per process: with `--workers N` each worker
counts its own requests (a scrape sees one worker), as Prometheus clients do
without a shared multiprocess directory.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fixright.audit import origin as request_origin
from fixright.downloads.api import app_storage

access_log = logging.getLogger("fixright.access")
log = logging.getLogger("fixright.web")

REGISTRY = CollectorRegistry()
REQUESTS = Counter("fixright_http_requests_total", "HTTP requests answered.",
                   ["method", "route", "status"], registry=REGISTRY)
LATENCY = Histogram("fixright_http_request_duration_seconds",
                    "Time from the request to the end of its response.", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
                    registry=REGISTRY)
DOWNLOAD_BYTES = Counter("fixright_download_bytes_total",
                         "Bytes of image files answered on download links (body sizes).",
                         registry=REGISTRY)
DECISIONS = Counter("fixright_entitlement_decisions_total",
                    "Audited download decisions by outcome.", ["outcome"], registry=REGISTRY)
IMPORTS = Counter("fixright_imports_total", "Audited imports by what was imported.",
                  ["kind"], registry=REGISTRY)

_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_PROBE_KEY = "0" * 64  # a blob key no image has: asking for it exercises the storage


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _route_label(scope: Scope) -> str:
    # FastAPI >= 0.150 resolves an included router's route lazily; the full template
    # is then on the effective route context, the route itself has the router's.
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    route = scope.get("route")
    path = getattr(effective, "path_format", None) or getattr(route, "path_format", None)
    # The route's template, never the raw path: ids and tokens would make a series each.
    return str(path) if path is not None else "unmatched"


def _count_events(events: list[tuple[str, Any]]) -> None:
    for action, data in events:
        if action == "entitlement:download:decide":
            allowed = isinstance(data, dict) and data.get("allowed")
            DECISIONS.labels(outcome="allowed" if allowed else "refused").inc()
        elif action.endswith(":import"):
            IMPORTS.labels(kind=action.split(":")[1]).inc()


class RequestObserver:
    """ASGI middleware: request id, audit origin, access log line and metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        offered = _header(scope, b"x-request-id")
        request_id = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
        client = scope.get("client")
        origin = request_origin.RequestOrigin(
            client=client[0] if client else "unknown", request_id=request_id)
        status = 500
        length = 0

        async def observing_send(message: Message) -> None:
            nonlocal status, length
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                for key, value in headers:
                    if key == b"content-length":
                        length = int(value or 0)
                message = {**message, "headers": [
                    *headers, (b"x-request-id", request_id.encode("latin-1"))]}
            await send(message)

        token = request_origin.begin(origin)
        try:
            await self.app(scope, receive, observing_send)
        finally:
            request_origin.end(token)
            elapsed = time.perf_counter() - started
            route = _route_label(scope)
            method = scope["method"]
            REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            LATENCY.labels(method=method, route=route).observe(elapsed)
            if route.startswith("/dl/") and method == "GET" and status in (200, 206):
                DOWNLOAD_BYTES.inc(length)
            if status < 400 or status == 403:  # a refused download is a decision too
                _count_events(origin.events)
            access_log.info(
                "%s %s %s %.1fms %s %s", method, scope["path"], status, elapsed * 1000,
                origin.principal, request_id,
                extra={"method": method, "path": scope["path"], "status": status,
                       "duration_ms": round(elapsed * 1000, 1), "principal": origin.principal,
                       "client": origin.client, "request_id": request_id})


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format, for the holder of the metrics token."""
    expected = request.app.state.settings.metrics_token
    if not expected:
        return JSONResponse({"error": "not_found", "detail": "metrics are disabled "
                             "(set FIXRIGHT_METRICS_TOKEN)"}, status_code=404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), expected):
        return JSONResponse({"error": "unauthorized", "detail": "metrics need "
                             "'Authorization: Bearer <FIXRIGHT_METRICS_TOKEN>'"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """200 when the database and the blob storage answer; 503 naming what does not."""
    checks: dict[str, str] = {}
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable: %s", exc.__class__.__name__)
        checks["database"] = "unreachable"
    checks["storage"] = _storage_state(request)
    ready = all(state == "ok" for state in checks.values())
    return JSONResponse({"status": "ok" if ready else "error", **checks},
                        status_code=200 if ready else 503)


def _storage_state(request: Request) -> str:
    try:
        storage = app_storage(request.app)
        storage.exists(_PROBE_KEY)
        local = storage.local_path(_PROBE_KEY)
    except Exception as exc:  # noqa: BLE001 - any failure of the backend means not ready
        log.warning("readiness: storage unreachable: %s", exc)
        return "unreachable"
    if local is not None:
        root = local.parents[2]
        if not (root.is_dir() or root.parent.is_dir()) or not os.access(
                root if root.is_dir() else root.parent, os.W_OK):
            return "not writable"
    return "ok"
