"""Tables of the feeds domain: registered sources and, per source, what each document was."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow

KINDS = ("csaf", "openvuln", "cve5")


class FeedSource(Base):
    """A provider-metadata.json / aggregator.json URL, an openVuln API base, or a CVE path."""

    __tablename__ = "feed_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_sync: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status: Mapped[str | None] = mapped_column(Text)


class FeedDocument(Base):
    """What the last stored fetch of one document URL was: for conditional, incremental syncs."""

    __tablename__ = "feed_document"
    __table_args__ = (UniqueConstraint("source_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("feed_source.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    # The time the feed (ROLIE `updated`, changes.csv) gave the document when last stored.
    feed_updated: Mapped[datetime | None] = mapped_column(UtcDateTime())
    etag: Mapped[str | None] = mapped_column(String(400))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    tracking_id: Mapped[str] = mapped_column(String(400))
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
