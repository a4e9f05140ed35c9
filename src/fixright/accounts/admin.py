"""Taking access away and giving it back: users, roles, passwords, tokens, reset links.

Plain account changes; permission checks and audit events are the job of
`fixright.access`, which sits above the audit log. Every change that lowers
what a user may do ends the user's UI sessions at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fixright.accounts.models import USER_ROLES, ApiToken, PasswordReset, User
from fixright.accounts.passwords import hash_password
from fixright.accounts.service import MIN_PASSWORD_LENGTH
from fixright.accounts.sessions import end_user_sessions
from fixright.db import utcnow
from fixright.errors import InvalidInput, NotFound

RESET_LIFETIME = timedelta(hours=1)


def list_users(session: Session, organization_id: int | None = None) -> list[User]:
    query = select(User).order_by(User.id)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    return list(session.scalars(query))


def list_tokens(session: Session, *, organization_id: int | None = None,
                user_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).join(User, ApiToken.user_id == User.id).order_by(ApiToken.id)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def get_token(session: Session, *, token_id: int | None = None,
              prefix: str | None = None) -> ApiToken:
    if token_id is not None:
        row = session.get(ApiToken, token_id)
    else:
        row = session.scalar(select(ApiToken).where(ApiToken.prefix == (prefix or "")))
    if row is None:
        raise NotFound(f"no token {token_id if token_id is not None else prefix}")
    return row


def revoke(row: ApiToken) -> None:
    row.revoked = True


def set_disabled(session: Session, user: User, disabled: bool) -> None:
    user.disabled = disabled
    if disabled:
        end_user_sessions(session, user.id)


def set_role(session: Session, user: User, role: str) -> None:
    if role not in USER_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    user.role = role
    end_user_sessions(session, user.id)


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    end_user_sessions(session, user.id)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset(session: Session, user: User, lifetime: timedelta = RESET_LIFETIME) -> str:
    """A single-use reset token for `user`; earlier unused ones stop working."""
    now = utcnow()
    for old in session.scalars(select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_hash=_hash(token), created_at=now,
                              expires_at=now + lifetime))
    session.flush()
    return token


def reset_target(session: Session, token: str) -> PasswordReset:
    """The live reset row for `token`; `InvalidInput` if unknown, used or expired."""
    row = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if row is None or row.used_at is not None:
        raise InvalidInput("this reset link is not valid (already used or replaced)")
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= datetime.now(UTC):
        raise InvalidInput("this reset link has expired; ask an administrator for a new one")
    return row


def consume_reset(session: Session, token: str, password: str) -> User:
    """Set a new password through a reset token, which is then spent."""
    row = reset_target(session, token)
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise InvalidInput("this reset link is not valid (the account is disabled)")
    # Spend the token with a conditional update: of two concurrent uses, one wins.
    spent = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise InvalidInput("this reset link is not valid (already used or replaced)")
    set_password(session, user, password)
    return user
