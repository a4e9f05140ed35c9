"""Table of the triage domain: one decision per (device, advisory)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow


class Triage(Base):
    __tablename__ = "triage"
    __table_args__ = (UniqueConstraint("device_id", "advisory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisory.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str | None] = mapped_column(String(64))
    expires: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
