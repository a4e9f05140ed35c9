"""Server-side UI sessions: the signed cookie only names a row that can be deleted.

A signed cookie alone stays valid until it expires, so logging out could not
end it. Here the cookie carries a random key; a request is logged in only
while a `user_session` row with that key's hash exists and has not expired.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fixright.accounts.models import User, UserSession
from fixright.db import utcnow

SESSION_LIFETIME = timedelta(hours=12)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def open_session(session: Session, user: User) -> str:
    """A new session for `user`; returns the key to put in the cookie."""
    now = utcnow()
    session.execute(delete(UserSession).where(
        UserSession.user_id == user.id, UserSession.expires_at < now))
    key = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, key_hash=_hash(key), created_at=now,
                            expires_at=now + SESSION_LIFETIME))
    session.flush()
    return key


def user_for_session(session: Session, key: object) -> User | None:
    """The enabled user whose live session has this key, else None. Reads only."""
    if not isinstance(key, str) or not key:
        return None
    row = session.scalar(select(UserSession).where(UserSession.key_hash == _hash(key)))
    if row is None or _aware(row.expires_at) <= datetime.now(UTC):
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user


def end_session(session: Session, key: object) -> None:
    """Delete the session with this key (logout); a no-op for an unknown key."""
    if isinstance(key, str) and key:
        session.execute(delete(UserSession).where(UserSession.key_hash == _hash(key)))


def end_user_sessions(session: Session, user_id: int) -> None:
    """End every session of a user (password change, disable, role change)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
