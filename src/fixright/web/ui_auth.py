"""Log in and out of the web UI; the dependency that guards UI pages.

Failed logins are audited and slowed down: each recent failure for the same
e-mail doubles the wait before the answer (capped), counted from the audit log
so every worker sees the same count.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fixright.accounts import service as accounts
from fixright.accounts.service import Principal
from fixright.audit import service as audit
from fixright.db import utcnow
from fixright.errors import FixrightError, Unauthorized
from fixright.http.deps import OptionalPrincipalDep, SessionDep
from fixright.web.sessions import check_csrf
from fixright.web.templating import render

router = APIRouter(include_in_schema=False)

FAILED_WINDOW = timedelta(minutes=15)
MAX_DELAY_SECONDS = 8.0


class LoginRequired(FixrightError):
    """Raised by UI pages for anonymous callers; the app turns it into a redirect."""

    code = "login_required"
    http_status = 303


def ui_principal(
    request: Request, principal: OptionalPrincipalDep
) -> Principal:
    if principal is None:
        raise LoginRequired(request.url.path)
    return principal


UiPrincipal = Annotated[Principal, Depends(ui_principal)]


def login_redirect(path: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


def _safe_next(target: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _delay_for(failures: int) -> float:
    if failures <= 0:
        return 0.0
    return float(min(0.25 * 2.0 ** (failures - 1), MAX_DELAY_SECONDS))


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    principal: OptionalPrincipalDep,
    next: str | None = None,
) -> Response:
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", None, next=_safe_next(next),
                  demo_logins=_demo_logins(request))


def _demo_logins(request: Request) -> list[tuple[str, str, str]]:
    """The demo accounts the app factory put on the app (none outside demo mode)."""
    return list(getattr(request.app.state, "demo_logins", []))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf_token)
    subject = email.strip().lower()[:320]
    client = request.client.host if request.client else "unknown"
    try:
        user = accounts.authenticate_password(session, subject, password)
    except Unauthorized:
        failures = audit.count_events(
            session, action="accounts:login:failed", subject=subject,
            since=utcnow() - FAILED_WINDOW,
        )
        audit.record(
            session, actor=f"anonymous@{client}", organization_id=None,
            action="accounts:login:failed", subject=subject, data={"client": client},
        )
        # Store the failure before waiting: the wait must not hold the write lock.
        session.commit()
        time.sleep(_delay_for(failures + 1))
        return render(request, "login.html", None, status_code=401, demo_logins=_demo_logins(request),
                      error="Wrong e-mail or password.", email=email, next=_safe_next(next))
    audit.record(
        session, actor=f"user:{user.email}", organization_id=user.organization_id,
        action="accounts:login:succeeded", subject=user.email, data={"client": client},
    )
    request.session.clear()  # a fresh session (and CSRF token) on login
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
