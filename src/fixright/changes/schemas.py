"""API shapes of the changes domain: one change event."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ChangeOut(BaseModel):
    id: int
    at: datetime
    organization: str
    kind: str
    hostname: str | None
    serial: str
    model: str | None
    version: str | None
    advisory_id: str
    severity: str
    kev: bool
    fix: str | None
    cause: str
