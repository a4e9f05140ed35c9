"""Tables of the alerts domain: who is told about what, and every delivery attempt."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fixright.db import Base, UtcDateTime, utcnow


class AlertSubscription(Base):
    """One recipient (an e-mail address or a webhook URL) of one kind of alert in one organisation."""

    __tablename__ = "alert_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(500))
    # The webhook's HMAC key (X-Fixright-Signature); e-mail needs none.
    secret: Mapped[str | None] = mapped_column(String(200))
    min_severity: Mapped[str | None] = mapped_column(String(16))
    kev_only: Mapped[bool] = mapped_column(Boolean, default=False)
    days: Mapped[int | None] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(16), default="immediate")
    # Change events up to this id were considered (new-exposure, fix-available).
    event_cursor: Mapped[int] = mapped_column(Integer, default=0)
    # Lapses/expiries up to this date were told (contract-lapsing, acceptance-expiring).
    date_cursor: Mapped[date | None] = mapped_column(Date)
    last_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class AlertDelivery(Base):
    """One message sent (or given up on) to one subscription's target."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscription.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300))
    items: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
