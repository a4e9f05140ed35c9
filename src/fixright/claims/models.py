"""The claim table: one security-fix claim of an organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow


class Claim(Base):
    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))
    advisory_id: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    # The packet as created (owner, device, advisory, fix, promise, date): what was sent.
    packet: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(1000))
