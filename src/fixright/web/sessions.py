"""Session cookies for the web UI and the CSRF token that guards every form.

The cookie is signed (itsdangerous, via Starlette), HttpOnly, SameSite=Lax,
and Secure whenever the request came over https (directly or through a proxy
that uvicorn trusts), which one middleware instance per scheme gives us.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from fixright.errors import Forbidden

COOKIE = "fixright_session"
MAX_AGE = 12 * 60 * 60


class SchemeAwareSessions:
    """SessionMiddleware whose cookie gets `Secure` on https requests."""

    def __init__(self, app: ASGIApp, secret_key: str, path: str = "/") -> None:
        # Under a root path the cookie stays with fixright, not every app on the host.
        common = {"session_cookie": COOKIE, "max_age": MAX_AGE, "same_site": "lax",
                  "path": path or "/"}
        self._plain = SessionMiddleware(app, secret_key, https_only=False, **common)  # type: ignore[arg-type]
        self._secure = SessionMiddleware(app, secret_key, https_only=True, **common)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self._secure if scope.get("scheme") in ("https", "wss") else self._plain
        await chosen(scope, receive, send)


class CsrfError(Forbidden):
    code = "csrf_failed"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose token does not match the session's."""
    expected = request.session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(str(expected), submitted):
        raise CsrfError("the form expired or did not come from this site; reload and try again")
