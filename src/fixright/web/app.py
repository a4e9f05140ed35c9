"""The application factory: one FastAPI app holding the API and the UI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from fixright import __version__
from fixright.accounts.service import Principal, principal_for
from fixright.accounts.sessions import user_for_session
from fixright.config import Settings, load_settings
from fixright.db import make_engine, make_session_factory
from fixright.demo.loader import demo_logins
from fixright.errors import FixrightError
from fixright.http.errors import error_json, validation_error_json
from fixright.web.routers import API_PREFIX, include_routers
from fixright.web.sessions import SchemeAwareSessions
from fixright.web.templating import render
from fixright.web.ui_auth import LoginRequired, login_redirect
from fixright.web.unread_body import CloseAfterUnreadBody

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for `settings`. The database must already be migrated."""
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url())
    app = FastAPI(
        title="fixright",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine, writes=True)
    app.state.read_session_factory = make_session_factory(engine)
    app.state.secret_key = settings.resolved_secret_key()
    # The login page of a demo portal lists its accounts; the UI gets them from
    # here so that only the factory (and the CLI) knows the demo exists.
    app.state.demo_logins = demo_logins() if settings.demo else []

    @app.exception_handler(FixrightError)
    async def _fixright_error(request: Request, exc: FixrightError) -> Response:
        if isinstance(exc, LoginRequired):
            return login_redirect(exc.message)
        if not request.url.path.startswith(API_PREFIX) and _wants_html(request):
            return render(request, "error.html", _cookie_principal(request),
                          status_code=exc.http_status,
                          message=exc.message, status=exc.http_status)
        return error_json(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_json(exc)

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
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.add_middleware(SchemeAwareSessions, secret_key=app.state.secret_key)
    # Outermost, so it sees every response, including the session middleware's.
    app.add_middleware(CloseAfterUnreadBody)
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
