"""API shapes of the triage domain."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class TriageIn(BaseModel):
    """One decision for the named devices (serials) or every device matching the filter."""

    model_config = ConfigDict(extra="forbid")

    advisory_id: str = Field(max_length=120)
    state: str = Field(max_length=32)
    reason: str = Field(max_length=2000)
    justification: str | None = Field(default=None, max_length=64)
    expires: date | None = None
    serials: list[str] = Field(default_factory=list, max_length=10_000)
    os_family: str | None = Field(default=None, max_length=32)
    version: str | None = Field(default=None, max_length=100)
    model_prefix: str | None = Field(default=None, max_length=100)


class TriageResult(BaseModel):
    advisory_id: str
    state: str
    devices: int


class FindingOut(BaseModel):
    serial: str
    hostname: str | None
    advisory_id: str
    state: str
    stored_state: str
    justification: str | None
    expires: date | None
    reason: str
    actor: str
    updated_at: datetime
