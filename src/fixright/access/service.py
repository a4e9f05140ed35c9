"""Audited user and token administration, with the role rules in one place.

`by` is the acting `Principal`, or None for the local CLI (which runs with
the database's credentials and may do anything). An organisation's `admin`
manages its users and every token of its users; anyone manages their own
tokens and password. Nothing here commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from fixright.accounts import admin
from fixright.accounts import service as accounts
from fixright.accounts.models import ROLE_ADMIN, ApiToken, Organization, User
from fixright.accounts.service import Principal
from fixright.audit import service as audit
from fixright.errors import Conflict, Forbidden, NotFound

CLI_ACTOR = "cli"


def _actor(by: Principal | None) -> str:
    return by.actor if by is not None else CLI_ACTOR


def _record(session: Session, by: Principal | None, user: User, action: str,
            data: dict[str, object] | None = None) -> None:
    audit.record(session, actor=_actor(by), organization_id=user.organization_id,
                 action=action, subject=user.email, data=data or {})


def _admin_of(by: Principal | None, user: User) -> bool:
    return by is None or (by.role == ROLE_ADMIN and by.organization_id == user.organization_id)


def _user(session: Session, by: Principal | None, email: str) -> User:
    """The user `by` may administer; other organisations' users are not found."""
    try:
        user = accounts.get_user_by_email(session, email)
    except NotFound:
        raise NotFound(f"no user with e-mail {email}") from None
    if by is not None and by.organization_id != user.organization_id:
        raise NotFound(f"no user with e-mail {email}")
    if not _admin_of(by, user):
        raise Forbidden(f"role {by.role if by else '?'} may not manage users; role admin needed")
    return user


def _not_self(by: Principal | None, user: User, what: str) -> None:
    # An admin locking themself out could leave an organisation without one.
    if by is not None and by.user_id == user.id:
        raise Conflict(f"you cannot {what} your own account; ask another admin")


# -- users -------------------------------------------------------------------------

def add_user(session: Session, by: Principal | None, *, email: str, password: str | None,
             organization: Organization, role: str = "member") -> User:
    """Create a user (the CLI, or an admin of `organization`)."""
    if by is not None and (by.role != ROLE_ADMIN or by.organization_id != organization.id):
        raise Forbidden(f"role {by.role} may not manage users; role admin needed")
    user = accounts.add_user(session, email=email, password=password,
                             organization=organization, role=role)
    _record(session, by, user, "accounts:user:added", {"role": role})
    return user


def list_users(session: Session, by: Principal | None) -> list[User]:
    if by is not None and by.role != ROLE_ADMIN:
        raise Forbidden(f"role {by.role} may not manage users; role admin needed")
    return admin.list_users(session, by.organization_id if by is not None else None)


def set_disabled(session: Session, by: Principal | None, email: str, disabled: bool) -> User:
    """Disable (ending sessions; tokens stop at once) or enable a user."""
    user = _user(session, by, email)
    _not_self(by, user, "disable" if disabled else "enable")
    if user.disabled != disabled:
        admin.set_disabled(session, user, disabled)
        _record(session, by, user,
                "accounts:user:disabled" if disabled else "accounts:user:enabled")
    return user


def set_role(session: Session, by: Principal | None, email: str, role: str) -> User:
    """Change a user's role; the user's sessions end (the next page asks to log in)."""
    user = _user(session, by, email)
    _not_self(by, user, "change the role of")
    old = user.role
    if old != role:
        admin.set_role(session, user, role)
        _record(session, by, user, "accounts:user:role-changed", {"from": old, "to": role})
    return user


def set_password(session: Session, by: Principal | None, email: str, password: str) -> User:
    """Set a password: one's own, or as the organisation's admin; ends the user's sessions."""
    user = accounts.get_user_by_email(session, email)
    if by is None or by.user_id != user.id:
        user = _user(session, by, email)
    admin.set_password(session, user, password)
    _record(session, by, user, "accounts:user:password-changed")
    return user


def reset_link(session: Session, by: Principal | None, email: str, base_url: str,
               lifetime: timedelta = admin.RESET_LIFETIME) -> str:
    """A one-time URL at which the user sets a new password (no e-mail is sent)."""
    user = _user(session, by, email)
    token = admin.create_reset(session, user, lifetime)
    _record(session, by, user, "accounts:user:reset-link-created",
            {"expires_in_minutes": int(lifetime.total_seconds() // 60)})
    return f"{base_url.rstrip('/')}/reset/{token}"


def reset_password(session: Session, token: str, password: str, client: str) -> User:
    """Spend a reset token: the new password is set and every old session ends."""
    user = admin.consume_reset(session, token, password)
    audit.record(session, actor=f"user:{user.email}", organization_id=user.organization_id,
                 action="accounts:user:password-reset", subject=user.email,
                 data={"client": client})
    return user


# -- tokens ------------------------------------------------------------------------

def list_tokens(session: Session, by: Principal | None, *,
                email: str | None = None) -> list[ApiToken]:
    """Tokens `by` may see: its own; with role admin its organisation's; the CLI every one."""
    user_id = None
    if email is not None:
        user_id = _user(session, by, email).id if by is None or by.email != email.lower() \
            else by.user_id
    if by is None:
        return admin.list_tokens(session, user_id=user_id)
    if by.role == ROLE_ADMIN:
        return admin.list_tokens(session, organization_id=by.organization_id, user_id=user_id)
    return admin.list_tokens(session, user_id=by.user_id)


def create_token(session: Session, by: Principal | None, email: str, name: str,
                 expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for the user `email` (oneself, or as admin); the plaintext is shown once."""
    if by is not None and by.email == email.strip().lower():
        user = accounts.get_user_by_email(session, email)
    else:
        user = _user(session, by, email)
    row, plaintext = accounts.create_token(session, user, name, expires_in_days=expires_in_days)
    _record(session, by, user, "accounts:token:created",
            {"token": row.prefix, "name": row.name, "expires_in_days": expires_in_days})
    return row, plaintext


def revoke_token(session: Session, by: Principal | None, *, token_id: int | None = None,
                 prefix: str | None = None) -> ApiToken:
    """Revoke a token (one's own, or as admin any of the organisation's); 401 at once."""
    row = admin.get_token(session, token_id=token_id, prefix=prefix)
    owner = row.user
    if by is not None and by.user_id != owner.id:
        if by.organization_id != owner.organization_id:
            raise NotFound(f"no token {token_id if token_id is not None else prefix}")
        if not _admin_of(by, owner):
            raise Forbidden(f"role {by.role} may revoke only its own tokens; role admin needed")
    if not row.revoked:
        admin.revoke(row)
        _record(session, by, owner, "accounts:token:revoked", {"token": row.prefix,
                                                               "name": row.name})
    return row
