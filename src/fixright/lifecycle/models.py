"""The lifecycle table: one row per hardware model (PID) or image family; no organisation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow


class LifecycleDate(Base):
    __tablename__ = "lifecycle_date"

    id: Mapped[int] = mapped_column(primary_key=True)
    # `pid:<PID upper-case>` or `family:<family id>`: one row per hardware or family.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    pid: Mapped[str | None] = mapped_column(String(100))
    family: Mapped[str | None] = mapped_column(String(64))
    vendor: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(300), default="")
    end_of_sale: Mapped[date | None] = mapped_column(Date)
    end_of_sw_maintenance: Mapped[date | None] = mapped_column(Date)
    end_of_security_support: Mapped[date | None] = mapped_column(Date)
    last_date_of_support: Mapped[date | None] = mapped_column(Date)
    bulletin_url: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
