"""API shapes of user and token administration."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["admin", "member", "viewer"]


class UserOut(BaseModel):
    id: int
    email: str
    organization: str
    role: str
    disabled: bool
    last_login: datetime | None


class UserPatch(BaseModel):
    """Fields to change; absent fields stay as they are."""

    disabled: bool | None = None
    role: Role | None = None


class ResetLinkOut(BaseModel):
    url: str = Field(description="One-time URL at which the user sets a new password.")
    expires_in_minutes: int


class TokenOut(BaseModel):
    id: int
    prefix: str
    name: str
    user: str
    created_at: datetime
    last_used: datetime | None
    expires_at: datetime | None
    revoked: bool


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    email: str | None = Field(default=None, description="Whose token (admins); default: yours.")


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself: shown this once, stored only as a hash.")
