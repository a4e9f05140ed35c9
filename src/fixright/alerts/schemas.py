"""API shapes of the alerts domain."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="new-exposure, fix-available, contract-lapsing or "
                      "acceptance-expiring.")
    target: str = Field(max_length=500, description="An e-mail address or an http(s) webhook URL.")
    min_severity: str | None = None
    kev_only: bool = False
    days: int | None = Field(default=None, description="For contract-lapsing and "
                             "acceptance-expiring: tell this many days ahead.")
    digest: str = Field(default="immediate", description="immediate, daily or weekly.")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    channel: str
    target: str
    min_severity: str | None
    kev_only: bool
    days: int | None
    digest: str
    last_sent_at: datetime | None
    date_cursor: date | None
    created_at: datetime
    created_by: str


class SubscriptionCreated(SubscriptionOut):
    secret: str | None = Field(description="The webhook's HMAC key, shown this once.")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    at: datetime
    channel: str
    target: str
    subject: str
    items: int
    attempts: int
    status: str
    error: str | None
