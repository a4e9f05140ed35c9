"""Tables of the jobs runner: the SQLite lock row and what the last run did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime


class JobLock(Base):
    """Held by one `jobs run` at a time on SQLite (PostgreSQL uses an advisory lock)."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class JobState(Base):
    """When the jobs last ran, what they did, and what the fleet looked like then."""

    __tablename__ = "job_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    summary: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(Text, default="")
