"""API shapes of the accounts domain."""

from __future__ import annotations

from pydantic import BaseModel


class Me(BaseModel):
    email: str
    organization: str
    role: str
    operator: bool
