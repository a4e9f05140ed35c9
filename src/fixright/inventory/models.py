"""Tables of the inventory domain: one row per device (per serial number)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow

SOURCES = ("show", "csv", "ssh", "api")


class Device(Base):
    """A device an organisation owns. A stack or VSS pair is one row per member serial."""

    __tablename__ = "device"
    __table_args__ = (
        UniqueConstraint("organization_id", "vendor", "serial"),
        # Exposure is computed per distinct (os_family, version) of an organisation.
        Index("ix_device_org_family_version", "organization_id", "os_family", "running_version"),
        # Finds a serial in every organisation: an import refuses one another owner holds.
        Index("ix_device_vendor_serial", "vendor", "serial"),
        # Pages of one organisation's devices, by id (offset or `after` keyset).
        Index("ix_device_org_id", "organization_id", "id"),
        # The devices in service per situation (what exposure depends on), in index order:
        # the devices page counts them with one GROUP BY that reads no table row.
        Index("ix_device_org_situation", "organization_id", "os_family", "running_version",
              "platform", "model", sqlite_where=text("retired_at IS NULL"),
              postgresql_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    serial: Mapped[str] = mapped_column(String(64))
    vendor: Mapped[str] = mapped_column(String(32))
    os_family: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(100), default="")
    platform: Mapped[str] = mapped_column(String(64), default="")
    # The owner stated the platform (CSV cell, API): it stays until they state another,
    # whatever a later import derives from the model or the image file.
    platform_stated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hostname: Mapped[str | None] = mapped_column(String(255))
    # As the device printed it ("17.03.04a"); fixright.versions normalises on use.
    running_version: Mapped[str | None] = mapped_column(String(100))
    licensed_feature_set: Mapped[str] = mapped_column(String(100), default="unknown")
    image_file: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(8))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Set when the device leaves service: it keeps its row and history but drops
    # out of lists, reports, exposure, policy comparison and owns_device.
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
