"""Account operations: organisations, users, tokens, authentication.

Functions take a `Session` and never commit: the CLI command or HTTP request
that calls them owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from fixright.accounts.models import (
    ROLE_OPERATOR,
    ROLE_OWNER,
    USER_ROLES,
    ApiToken,
    Organization,
    User,
)
from fixright.accounts.passwords import hash_password, verify_password
from fixright.db import utcnow
from fixright.errors import Conflict, InvalidInput, NotFound, Unauthorized

TOKEN_PREFIX = "fxr"
LAST_USED_RESOLUTION = timedelta(minutes=1)
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user of an organisation (from a session or a token)."""

    user_id: int
    email: str
    organization_id: int
    organization_slug: str
    is_operator: bool
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


def principal_for(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        organization_id=user.organization_id,
        organization_slug=user.organization.slug,
        is_operator=user.organization.role == ROLE_OPERATOR,
        role=user.role,
    )


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:63] or "org"


def get_organization(session: Session, slug: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.slug == slug))
    if org is None:
        raise NotFound(f"no organisation with slug {slug!r}")
    return org


def get_or_create_organization(
    session: Session, slug: str, name: str | None = None, *, operator: bool = False
) -> tuple[Organization, bool]:
    """The organisation with `slug`, created if missing. Returns (org, created)."""
    if not _SLUG_RE.match(slug):
        raise InvalidInput(
            f"organisation slug {slug!r} must be lower-case letters, digits and dashes"
        )
    org = session.scalar(select(Organization).where(Organization.slug == slug))
    if org is not None:
        return org, False
    org = Organization(
        slug=slug, name=name or slug, role=ROLE_OPERATOR if operator else ROLE_OWNER
    )
    session.add(org)
    session.flush()
    return org, True


def operator_organization(session: Session) -> Organization | None:
    return session.scalar(
        select(Organization).where(Organization.role == ROLE_OPERATOR).order_by(Organization.id)
    )


def add_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    organization: Organization,
    role: str = "member",
) -> User:
    """Create a user. Raises `Conflict` for an e-mail already in use."""
    email = email.strip().lower()
    if not _EMAIL_RE.match(email):
        raise InvalidInput(f"{email!r} is not an e-mail address")
    if role not in USER_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(USER_ROLES)}, not {role!r}")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    exists = session.scalar(select(func.count()).select_from(User).where(User.email == email))
    if exists:
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        email=email,
        password_hash=hash_password(password) if password else None,
        organization_id=organization.id,
        role=role,
    )
    session.add(user)
    session.flush()
    session.refresh(user)
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def authenticate_password(session: Session, email: str, password: str) -> User:
    """The user whose e-mail and password match, else `Unauthorized`.

    Costs one argon2 verification whether or not the user exists.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        raise Unauthorized("wrong e-mail or password")
    user.last_login = utcnow()
    return user


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, user: User, name: str, *, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new API token for `user`. Returns (row, plaintext); the plaintext is shown once."""
    if not name.strip():
        raise InvalidInput("a token needs a name")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=prefix,
        token_hash=_hash_token(token),
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    return row, token


def authenticate_token(session: Session, token: str) -> User:
    """The user a bearer token belongs to, else `Unauthorized`; notes the use (see `token_use_due`)."""
    row = valid_token(session, token)
    now = utcnow()
    if token_use_due(row, now):
        row.last_used = now
    return row.user


def valid_token(session: Session, token: str) -> ApiToken:
    """The live token row for a bearer token, else `Unauthorized`. Reads only."""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
        raise Unauthorized("malformed API token")
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == parts[1]))
    if row is None or not hmac.compare_digest(row.token_hash, _hash_token(token)):
        raise Unauthorized("invalid API token")
    if row.revoked:
        raise Unauthorized("API token has been revoked")
    if row.expires_at is not None:
        expires = row.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        if expires < datetime.now(UTC):
            raise Unauthorized("API token has expired")
    if row.user.disabled:
        raise Unauthorized("user is disabled")
    return row


def token_use_due(row: ApiToken, now: datetime) -> bool:
    """Whether `last_used` is stale enough to write again.

    At most one write a minute per token: writing on every request made each
    GET a writer, and on SQLite writers queue behind each other.
    """
    last = row.last_used
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return last is None or now - last >= LAST_USED_RESOLUTION


def record_token_use(session: Session, token_id: int, now: datetime) -> None:
    """Set a token's `last_used` to `now` unless another request already did."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .where(or_(ApiToken.last_used.is_(None),
                   ApiToken.last_used <= now - LAST_USED_RESOLUTION))
        .values(last_used=now)
    )


def revoke_token(session: Session, user: User, prefix: str) -> None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.user_id == user.id)
    )
    if row is None:
        raise NotFound(f"no token {prefix} for {user.email}")
    row.revoked = True
