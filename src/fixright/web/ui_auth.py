"""Log in and out of the web UI; the dependency that guards UI pages.

Failed logins are audited and budgeted per account and per client address
(`fixright.accounts.throttle`): over budget, the answer is 429 with
Retry-After. A login opens a server-side session (`fixright.accounts.sessions`)
that logout, password change, disable and role change end at once.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from typing import Annotated, Any
from urllib.parse import quote

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from fixright.accounts import throttle
from fixright.accounts.models import User
from fixright.accounts.passwords import verify_password
from fixright.accounts.service import Principal
from fixright.accounts.sessions import end_session, open_session
from fixright.audit import service as audit
from fixright.db import session_scope, utcnow
from fixright.errors import FixrightError
from fixright.http.deps import OptionalPrincipalDep, SessionDep
from fixright.web.sessions import check_csrf
from fixright.web.templating import redirect, render, route_path

router = APIRouter(include_in_schema=False)


class LoginRequired(FixrightError):
    """Raised by UI pages for anonymous callers; the app turns it into a redirect."""

    code = "login_required"
    http_status = 303


def ui_principal(
    request: Request, principal: OptionalPrincipalDep
) -> Principal:
    if principal is None:
        raise LoginRequired(route_path(request))
    return principal


UiPrincipal = Annotated[Principal, Depends(ui_principal)]


def login_redirect(request: Request, path: str) -> RedirectResponse:
    """To the login page, which comes back to app path `path` afterwards."""
    return redirect(request, f"/login?next={quote(path)}")


def _safe_next(target: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    principal: OptionalPrincipalDep,
    next: str | None = None,
) -> Response:
    if principal is not None:
        return redirect(request, _safe_next(next))
    return render(request, "login.html", None, next=_safe_next(next),
                  demo_logins=_demo_logins(request))


def _demo_logins(request: Request) -> list[tuple[str, str, str]]:
    """The demo accounts the app factory put on the app (none outside demo mode)."""
    return list(getattr(request.app.state, "demo_logins", []))


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refused(request: Request, status: int, email: str, next: str | None,
             error: str, retry_after: int | None = None) -> Response:
    response = render(request, "login.html", None, status_code=status,
                      demo_logins=_demo_logins(request), error=error, email=email,
                      next=_safe_next(next))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _too_many(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"Too many failed logins. Try again in {minutes} minute{'s' if minutes > 1 else ''}."


# At most this many argon2 verifications at once per worker process (each uses 4
# threads and 64 MiB): a burst of guesses queues here, as coroutines that hold no
# worker thread, no database transaction and no lock, instead of starving every
# other request of CPU.
ARGON2_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
# One limiter per event loop: an anyio limiter belongs to the loop that first
# used it (a test client runs one loop per client).
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary())


def _argon2_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _LIMITERS.get(loop)
    if limiter is None:
        limiter = _LIMITERS[loop] = anyio.CapacityLimiter(ARGON2_CONCURRENCY)
    return limiter


def _budget_and_hash(state: Any, email: str, client: str
                     ) -> tuple[int | None, int | None, str | None]:
    """(seconds to wait or None, user id, password hash) in one short read."""
    with state.read_session_factory() as reader:
        wait = throttle.retry_after(reader, email, client)
        user = reader.scalar(select(User).where(User.email == email))
        if user is None or user.disabled:
            return wait, None, None
        return wait, user.id, user.password_hash


def _store_outcome(state: Any, email: str, client: str, wait: int | None,
                   user_id: int | None) -> tuple[str | None, int | None]:
    """Write the attempt and its audit event and commit; (session key, new wait)."""
    with session_scope(state.session_factory) as session:
        if wait is not None:
            # Refused unchecked: audited, but not counted, so waiting it out works.
            audit.record(session, actor=f"anonymous@{client}", organization_id=None,
                         action="accounts:login:throttled", subject=email,
                         data={"client": client, "retry_after": wait})
            return None, wait
        if user_id is None:
            throttle.record_failure(session, email, client)
            audit.record(session, actor=f"anonymous@{client}", organization_id=None,
                         action="accounts:login:failed", subject=email,
                         data={"client": client})
        else:
            user = session.get(User, user_id)
            assert user is not None
            user.last_login = utcnow()
            key = open_session(session, user)
            audit.record(session, actor=f"user:{user.email}",
                         organization_id=user.organization_id,
                         action="accounts:login:succeeded", subject=user.email,
                         data={"client": client})
            return key, None
    # Committed: now the count includes this failure, whoever else is guessing.
    with state.read_session_factory() as reader:
        return None, throttle.retry_after(reader, email, client)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Check a login without holding a lock or a transaction while argon2 runs, never sleeping.

    A short read (budget, password hash); the argon2 verification (bounded by
    `ARGON2_CONCURRENCY`); a short write of the outcome and its audit event,
    committed before the answer. A failure over budget answers 429 with
    Retry-After: the client waits, not a worker thread.
    """
    check_csrf(request, csrf_token)
    subject = email.strip().lower()[:320]
    client = _client(request)
    state = request.app.state
    wait, user_id, password_hash = await run_in_threadpool(_budget_and_hash, state, subject,
                                                           client)
    if wait is None:
        # Verified even for an unknown user (against a dummy hash): same cost, no oracle.
        ok = await anyio.to_thread.run_sync(verify_password, password_hash, password,
                                            limiter=_argon2_limiter())
        user_id = user_id if ok else None
    key, wait = await run_in_threadpool(_store_outcome, state, subject, client, wait, user_id)
    if wait is not None:
        return _refused(request, 429, email, next, _too_many(wait), wait)
    if key is None:
        return _refused(request, 401, email, next, "Wrong e-mail or password.")
    request.session.clear()  # a fresh session (and CSRF token) on login
    request.session["sid"] = key
    return redirect(request, _safe_next(next))


@router.post("/logout")
def logout(request: Request, session: SessionDep,
           csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """End the server-side session, so the cookie is worthless even if replayed."""
    check_csrf(request, csrf_token)
    end_session(session, request.session.get("sid"))
    request.session.clear()
    return redirect(request, "/login")
