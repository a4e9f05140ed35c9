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
from fixright.config import Settings, load_settings
from fixright.db import make_engine, make_session_factory
from fixright.errors import FixrightError
from fixright.web.sessions import SchemeAwareSessions
from fixright.web.unread_body import CloseAfterUnreadBody

STATIC_DIR = Path(__file__).parent / "static"

API_PREFIX = "/api/v1"


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
    app.state.session_factory = make_session_factory(engine)
    app.state.secret_key = settings.resolved_secret_key()

    @app.exception_handler(FixrightError)
    async def _fixright_error(request: Request, exc: FixrightError) -> Response:
        from fixright.web.ui_auth import LoginRequired, login_redirect

        if isinstance(exc, LoginRequired):
            return login_redirect(exc.message)
        if not request.url.path.startswith(API_PREFIX) and _wants_html(request):
            from fixright.web.templating import render

            return render(request, "error.html", _cookie_principal(request),
                          status_code=exc.http_status,
                          message=exc.message, status=exc.http_status)
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return JSONResponse(
            {"error": exc.code, "detail": exc.message}, status_code=exc.http_status,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return JSONResponse({"error": "invalid_input", "detail": problems}, status_code=422)

    @app.get("/healthz", tags=["health"])
    def healthz() -> Any:
        """200 when the database answers, 503 otherwise."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return {"status": "ok", "database": "ok", "version": __version__}

    from fixright.web.routers import include_routers

    include_routers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.add_middleware(SchemeAwareSessions, secret_key=app.state.secret_key)
    # Outermost, so it sees every response, including the session middleware's.
    app.add_middleware(CloseAfterUnreadBody)
    return app


def _cookie_principal(request: Request) -> Any:
    """The logged-in user of an HTML error page, so it keeps the navigation."""
    from fixright.accounts.models import User
    from fixright.accounts.service import principal_for

    user_id = request.scope.get("session", {}).get("user_id")
    if not user_id:
        return None
    with request.app.state.session_factory() as session:
        user = session.get(User, user_id)
        return principal_for(user) if user is not None and not user.disabled else None


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn/granian workers: settings from FIXRIGHT_* variables."""
    return create_app(load_settings())
