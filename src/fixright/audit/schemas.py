"""API shapes of the audit domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    organization_id: int | None
    action: str
    subject: str
    data: Any
    prev_hash: str
    hash: str


class VerifyOut(BaseModel):
    """`ok` when every event re-hashes and links to the one before; else the first bad one."""

    ok: bool
    count: int
    head: str
    bad_seq: int | None
    reason: str | None
    message: str
