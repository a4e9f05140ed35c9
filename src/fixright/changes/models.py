"""Tables of the changes domain: the exposure state last seen, and what changed.

Devices and advisories are named by value in both tables (no foreign key):
a change event must still read "switch-3 FOC123 was exposed to cisco-sa-x"
after the device was deleted or the advisory re-imported under a new row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow


class ExposureSnapshot(Base):
    """One (device, advisory) exposed at the last re-check of its organisation."""

    __tablename__ = "exposure_snapshot"
    __table_args__ = (UniqueConstraint("organization_id", "device_id", "advisory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(Integer)
    advisory_id: Mapped[str] = mapped_column(String(200))
    hostname: Mapped[str | None] = mapped_column(String(255))
    serial: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[str | None] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))
    kev: Mapped[bool] = mapped_column(Boolean, default=False)
    fix: Mapped[str | None] = mapped_column(String(100))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ChangeEvent(Base):
    """Something that changed in an organisation's exposure: new_exposure, resolved, fix_available."""

    __tablename__ = "change_event"
    __table_args__ = (Index("ix_change_event_org_at", "organization_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[int] = mapped_column(Integer)
    hostname: Mapped[str | None] = mapped_column(String(255))
    serial: Mapped[str] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[str | None] = mapped_column(String(100))
    advisory_id: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(20))
    kev: Mapped[bool] = mapped_column(Boolean, default=False)
    fix: Mapped[str | None] = mapped_column(String(100))
    cause: Mapped[str] = mapped_column(String(200))
