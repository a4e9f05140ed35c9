"""Browser-facing defences: security headers on every answer, CSRF on the API.

Headers: a Content-Security-Policy that allows scripts and styles from this
origin only (the templates carry no inline script or handler; inline `style`
attributes stay allowed for the dashboard's bar widths, which cannot run
code), `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for old
browsers), `nosniff`, a `Referrer-Policy` that never sends a path to another
site, and HSTS when the request came over https (directly or from a trusted
proxy). The interactive API docs load Swagger UI from its CDN, so their page
gets a policy that allows that CDN and nothing inline.

CSRF: the UI's forms carry the session's token; the API, when a state-changing
call (anything but GET/HEAD/OPTIONS) authenticates with the session cookie
rather than a bearer token, also wants the token, in `X-CSRF-Token`, and an
`Origin` equal to this site's. A cross-site form (even `text/plain`, which
needs no CORS preflight) therefore changes nothing.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fixright.http.errors import error_json
from fixright.web.sessions import CsrfError

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SWAGGER_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (f"default-src 'self'; script-src 'self' {SWAGGER_CDN}; "
            f"style-src 'self' {SWAGGER_CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SecurityHeaders:
    """ASGI middleware: add the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp, docs_path: str) -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == self.docs_path else CSP
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-security-policy", csp.encode()),
                         (b"x-frame-options", b"DENY"),
                         (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"strict-origin-when-cross-origin")]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                present = {k.lower() for k, _ in message.get("headers", ())}
                message = {**message, "headers": [
                    *message.get("headers", ()), *(h for h in extra if h[0] not in present)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _headers(scope: Scope) -> dict[bytes, str]:
    return {k: v.decode("latin-1") for k, v in scope.get("headers", ())}


def same_origin(scope: Scope, origin: str) -> bool:
    """Whether `origin` (an Origin header) is this site as the request reached it."""
    host = _headers(scope).get(b"host", "")
    parts = urlsplit(origin)
    return bool(host) and parts.scheme == scope.get("scheme") and parts.netloc == host


class ApiCsrf:
    """ASGI middleware (inside the session middleware): guard cookie-authenticated API writes."""

    def __init__(self, app: ASGIApp, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] not in SAFE_METHODS
                and scope["path"].startswith(self.api_prefix)):
            headers = _headers(scope)
            session = scope.get("session") or {}
            # A logged-in cookie names a server-side session ("sid"; "user_id" in
            # cookies from before sessions were stored server-side).
            if not headers.get(b"authorization") and (session.get("sid")
                                                      or session.get("user_id")):
                problem = _csrf_problem(scope, headers, session)
                if problem:
                    await error_json(CsrfError(problem))(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _csrf_problem(scope: Scope, headers: dict[bytes, str], session: dict[str, object]) -> str:
    expected = str(session.get("csrf") or "")
    given = headers.get(CSRF_HEADER.encode(), "")
    if not expected or not given or not hmac.compare_digest(expected, given):
        return ("a state-changing API call authenticated by the session cookie needs the "
                "page's CSRF token in X-CSRF-Token (scripts: use a bearer token)")
    if not same_origin(scope, headers.get(b"origin", "")):
        return "a state-changing API call with the session cookie must come from this site"
    return ""
