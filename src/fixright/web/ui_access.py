"""UI pages for access: your API tokens, the organisation's users (admins), password reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from fixright.access import service
from fixright.accounts import admin
from fixright.accounts.models import USER_ROLES, User
from fixright.accounts.service import Principal
from fixright.errors import InvalidInput, NotFound
from fixright.http.deps import SessionDep, require_admin
from fixright.web.sessions import check_csrf
from fixright.web.templating import flash, redirect, render
from fixright.web.ui_auth import UiPrincipal

router = APIRouter(include_in_schema=False)


def _tokens_page(request: Request, session: SessionDep, principal: Principal,
                 new_token: str | None = None, status_code: int = 200) -> Response:
    return render(request, "tokens.html", principal, nav="tokens", status_code=status_code,
                  tokens=service.list_tokens(session, principal), new_token=new_token)


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, principal: UiPrincipal) -> Response:
    """Your API tokens (an admin sees the organisation's)."""
    return _tokens_page(request, session, principal)


@router.post("/tokens", response_class=HTMLResponse)
def tokens_create(
    request: Request, session: SessionDep, principal: UiPrincipal,
    name: Annotated[str, Form(max_length=100)],
    csrf_token: Annotated[str | None, Form()] = None,
    expires_in_days: Annotated[int | None, Form(ge=1, le=3650)] = None,
) -> Response:
    """Create a token and show it this once, on this page (never through the cookie)."""
    check_csrf(request, csrf_token)
    _, plaintext = service.create_token(session, principal, principal.email, name,
                                        expires_in_days)
    session.flush()
    return _tokens_page(request, session, principal, new_token=plaintext, status_code=201)


@router.post("/tokens/{token_id}/revoke")
def tokens_revoke(token_id: int, request: Request, session: SessionDep,
                  principal: UiPrincipal,
                  csrf_token: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf_token)
    row = service.revoke_token(session, principal, token_id=token_id)
    flash(request, f"Token {row.prefix} ({row.name}) revoked.", "ok")
    return redirect(request, "/tokens")


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, principal: UiPrincipal) -> Response:
    """The organisation's users (admins only)."""
    require_admin(principal)
    return render(request, "users.html", principal, nav="users", roles=USER_ROLES,
                  users=service.list_users(session, principal))


def _email(session: SessionDep, principal: Principal, user_id: int) -> str:
    user = session.get(User, user_id)
    if user is None or user.organization_id != principal.organization_id:
        raise NotFound(f"no user {user_id}")
    return user.email


@router.post("/users/{user_id}")
def users_update(
    user_id: int, request: Request, session: SessionDep, principal: UiPrincipal,
    action: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
    role: Annotated[str | None, Form()] = None,
) -> Response:
    """Disable, enable or change the role of one user."""
    check_csrf(request, csrf_token)
    require_admin(principal)
    email = _email(session, principal, user_id)
    if action == "disable":
        service.set_disabled(session, principal, email, True)
        flash(request, f"{email} disabled; their sessions and tokens stopped working.", "ok")
    elif action == "enable":
        service.set_disabled(session, principal, email, False)
        flash(request, f"{email} enabled.", "ok")
    elif action == "role" and role:
        service.set_role(session, principal, email, role)
        flash(request, f"{email} is now {role}.", "ok")
    elif action == "reset":
        url = service.reset_link(session, principal, email, str(request.base_url))
        # Shown on the page only: the cookie is signed, not encrypted.
        return render(request, "users.html", principal, nav="users", roles=USER_ROLES,
                      users=service.list_users(session, principal), reset_url=url,
                      reset_email=email, status_code=201)
    else:
        raise InvalidInput(f"unknown action {action!r}")
    return redirect(request, "/users")


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(token: str, request: Request, session: SessionDep) -> Response:
    """The page a reset link opens: choose a new password."""
    try:
        admin.reset_target(session, token)
    except InvalidInput as exc:
        return render(request, "reset.html", None, status_code=400, error=exc.message,
                      token=None)
    return render(request, "reset.html", None, token=token)


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset_submit(
    token: str, request: Request, session: SessionDep,
    password: Annotated[str, Form()], confirm: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Set the new password; the link is spent and every session of the user ends."""
    check_csrf(request, csrf_token)
    if password != confirm:
        return render(request, "reset.html", None, status_code=400, token=token,
                      error="The two passwords differ.")
    client = request.client.host if request.client else "unknown"
    try:
        service.reset_password(session, token, password, client)
    except InvalidInput as exc:
        session.rollback()
        return render(request, "reset.html", None, status_code=400, error=exc.message,
                      token=token)
    request.session.clear()
    flash(request, "Password set. Log in with it.", "ok")
    return redirect(request, "/login")
