"""`/api/v1/tokens` (everyone's own; an admin's whole organisation) and `/api/v1/users` (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from fixright.access import service
from fixright.access.schemas import (
    ResetLinkOut,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserOut,
    UserPatch,
)
from fixright.accounts.admin import RESET_LIFETIME
from fixright.accounts.models import ApiToken, User
from fixright.errors import NotFound
from fixright.http.deps import AdminDep, PrincipalDep, SessionDep

router = APIRouter(tags=["access"])


def token_out(row: ApiToken) -> TokenOut:
    return TokenOut(id=row.id, prefix=row.prefix, name=row.name, user=row.user.email,
                    created_at=row.created_at, last_used=row.last_used,
                    expires_at=row.expires_at, revoked=row.revoked)


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, organization=user.organization.slug,
                   role=user.role, disabled=user.disabled, last_login=user.last_login)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, principal: PrincipalDep) -> list[TokenOut]:
    """Your tokens; for an admin, every token of the organisation's users."""
    return [token_out(t) for t in service.list_tokens(session, principal)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, session: SessionDep, principal: PrincipalDep) -> TokenCreated:
    """A new token, returned once in `token`."""
    row, plaintext = service.create_token(session, principal, body.email or principal.email,
                                          body.name, body.expires_in_days)
    return TokenCreated(**token_out(row).model_dump(), token=plaintext)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: int, session: SessionDep, principal: PrincipalDep) -> TokenOut:
    """Revoke a token: the next request that uses it gets 401."""
    return token_out(service.revoke_token(session, principal, token_id=token_id))


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, principal: AdminDep) -> list[UserOut]:
    """The organisation's users (admins only)."""
    return [user_out(u) for u in service.list_users(session, principal)]


def _email(session: SessionDep, principal: AdminDep, user_id: int) -> str:
    user = session.get(User, user_id)
    if user is None or user.organization_id != principal.organization_id:
        raise NotFound(f"no user {user_id}")
    return user.email


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: int, body: UserPatch, session: SessionDep,
                principal: AdminDep) -> UserOut:
    """Disable or enable a user, or change its role; its sessions end at once."""
    email = _email(session, principal, user_id)
    if body.role is not None:
        service.set_role(session, principal, email, body.role)
    if body.disabled is not None:
        service.set_disabled(session, principal, email, body.disabled)
    return user_out(session.get_one(User, user_id))  # _email found it in this transaction


@router.post("/users/{user_id}/reset-link", response_model=ResetLinkOut, status_code=201)
def reset_link(user_id: int, request: Request, session: SessionDep,
               principal: AdminDep) -> ResetLinkOut:
    """A one-time link at which the user sets a new password; give it to them yourself."""
    email = _email(session, principal, user_id)
    url = service.reset_link(session, principal, email, str(request.base_url))
    return ResetLinkOut(url=url, expires_in_minutes=int(RESET_LIFETIME.total_seconds() // 60))
