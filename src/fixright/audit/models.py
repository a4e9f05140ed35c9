"""The audit log table: append-only, each row chained to the one before by hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fixright.audit.chain import EventRecord
from fixright.db import Base, UtcDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"
    # Pages of one organisation's events, newest first.
    __table_args__ = (Index("ix_audit_event_org_seq", "organization_id", "seq"),)

    # Assigned by `audit.service.record` under a lock (it is part of the hash),
    # never by the database.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    # No foreign key: the log outlives the rows it mentions.
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    data: Mapped[Any] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def record(self) -> EventRecord:
        return EventRecord(self.seq, self.at, self.actor, self.organization_id, self.action,
                           self.subject, self.data, self.prev_hash, self.hash)
