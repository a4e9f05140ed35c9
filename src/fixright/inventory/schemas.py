"""API shapes of the inventory domain (the API router comes later)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    serial: str
    vendor: str
    os_family: str
    model: str
    platform: str
    hostname: str | None
    running_version: str | None
    licensed_feature_set: str
    image_file: str | None
    source: str
    purchase_date: date | None
    notes: str | None
    first_seen: datetime
    last_seen: datetime


class DeviceList(BaseModel):
    total: int
    items: list[DeviceOut]
