"""The application factory: one FastAPI app holding the API and the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fixright import __version__
from fixright.accounts.service import Principal, principal_for
from fixright.accounts.sessions import user_for_session
from fixright.config import Settings, load_settings
from fixright.db import make_engine, make_session_factory
from fixright.demo.loader import demo_logins
from fixright.errors import FixrightError
from fixright.http.deps import TokenUses
from fixright.http.errors import (
    BODY_PARSE_DETAIL,
    body_parse_error_json,
    database_value_json,
    error_json,
    validation_error_json,
)
from fixright.http.params import refuse_nul
from fixright.jobs.loop import background_jobs
from fixright.web.logs import configure_logging
from fixright.web.observe import RequestObserver
from fixright.web.observe import router as ops_router
from fixright.web.openapi import install_openapi, operation_id
from fixright.web.proxy import RootPath, TrustedProxies
from fixright.web.routers import API_PREFIX, include_routers
from fixright.web.security import ApiCsrf, SecurityHeaders
from fixright.web.sessions import SchemeAwareSessions
from fixright.web.templating import app_url, render, route_path, templates
from fixright.web.ui_auth import LoginRequired, login_redirect
from fixright.web.unread_body import CloseAfterUnreadBody

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings`. The database must already be migrated."""
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    engine = make_engine(settings.resolved_database_url())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # `serve --with-jobs`: a task-queue worker (PostgreSQL) or a thread (SQLite) in each
        # server process; the queue, or the jobs lock, lets one of them at a time do a run.
        async with background_jobs(engine, settings):
            yield

    app = FastAPI(
        lifespan=lifespan,
        title="fixright",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # our own page below: FastAPI's has an inline script the CSP refuses
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine, writes=True)
    app.state.read_session_factory = make_session_factory(engine)
    app.state.token_uses = TokenUses()
    app.state.secret_key = settings.resolved_secret_key()
    # The login page of a demo portal lists its accounts; the UI gets them from
    # here so that only the factory (and the CLI) knows the demo exists.
    app.state.demo_logins = demo_logins() if settings.demo else []

    @app.exception_handler(FixrightError)
    async def _fixright_error(request: Request, exc: FixrightError) -> Response:
        if isinstance(exc, LoginRequired):
            return login_redirect(request, exc.message)
        if not route_path(request).startswith(API_PREFIX) and _wants_html(request):
            return render(request, "error.html", _cookie_principal(request),
                          status_code=exc.http_status,
                          message=exc.message, status=exc.http_status)
        return error_json(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == BODY_PARSE_DETAIL:
            return body_parse_error_json()
        # Unknown routes and methods answer like every other error, never `{"detail": ...}`.
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        detail = (f"no route {request.method} {request.url.path}" if exc.status_code in (404, 405)
                  else str(exc.detail))
        if not route_path(request).startswith(API_PREFIX) and _wants_html(request):
            return render(request, "error.html", _cookie_principal(request),
                          status_code=exc.status_code, message=detail, status=exc.status_code)
        return JSONResponse({"error": code, "detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "api_docs.html", {
            "openapi_url": app_url(request, f"{API_PREFIX}/openapi.json")})

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if not route_path(request).startswith(API_PREFIX) and _wants_html(request):
            # A page address with an impossible id (or page number) names no page.
            in_address = any(err["loc"][:1] in (("path",), ("query",)) for err in exc.errors())
            status = 404 if in_address else 400
            message = "no such page" if in_address else "the form was not filled in correctly"
            return render(request, "error.html", _cookie_principal(request),
                          status_code=status, message=message, status=status)
        return validation_error_json(exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _exc: Exception) -> Response:
        # Starlette logs the exception after this answer; the client sees no traceback.
        if not request.url.path.startswith(API_PREFIX) and _wants_html(request):
            return render(request, "error.html", None, status_code=500, status=500,
                          message="fixright failed to answer this request; the error is logged "
                                  "for the portal operator. Try again later.")
        return JSONResponse({"error": "internal", "detail": "internal server error"},
                            status_code=500)

    @app.exception_handler(DataError)
    async def _database_value(_request: Request, _exc: DataError) -> Response:
        return database_value_json()

    @app.get("/healthz", tags=["health"])
    def healthz() -> Any:
        """200 when the database answers, 503 otherwise."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return {"status": "ok", "database": "ok", "version": __version__}

    include_routers(app)
    app.include_router(ops_router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    install_openapi(app)
    # Middleware, innermost first (each add wraps the ones before it).
    app.add_middleware(ApiCsrf, api_prefix=API_PREFIX)  # needs the session, so inside it
    app.add_middleware(SchemeAwareSessions, secret_key=app.state.secret_key,
                       path=settings.root_path or "/")
    app.add_middleware(SecurityHeaders, docs_path=f"{API_PREFIX}/docs")
    app.add_middleware(RequestObserver)
    # Scheme, host and client are settled before anything above reads them.
    app.add_middleware(TrustedProxies, networks=settings.trusted_networks())
    # Outermost, so it sees every response, including the session middleware's.
    app.add_middleware(CloseAfterUnreadBody)
    if settings.root_path:
        app.add_middleware(RootPath, root_path=settings.root_path)  # outermost: routing needs it
    return app


def _cookie_principal(request: Request) -> Principal | None:
    """The logged-in user of an HTML error page, so it keeps the navigation."""
    key = (request.scope.get("session") or {}).get("sid")
    if not key:
        return None
    with request.app.state.read_session_factory() as session:
        user = user_for_session(session, key)
        return principal_for(user) if user is not None else None


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn/granian workers: settings from FIXRIGHT_* variables."""
    return create_app(load_settings())
