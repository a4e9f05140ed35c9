"""API shapes of the inventory domain (see `fixright.inventory.api`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fixright.versions import InvalidVersion, parse


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    serial: str
    vendor: str
    os_family: str
    model: str
    platform: str
    platform_stated: bool = Field(False, description=(
        "The platform was given by the owner (CSV cell, API) and stays until they give another"))
    hostname: str | None
    running_version: str | None
    licensed_feature_set: str
    image_file: str | None
    source: str
    purchase_date: date | None
    notes: str | None
    first_seen: datetime
    last_seen: datetime
    retired_at: datetime | None = None


class DeviceList(BaseModel):
    total: int
    items: list[DeviceOut]


# Same rules as the device CSV (fixright.inventory.csvio): a serial never has spaces or
# punctuation beyond these; vendor and OS family are lower-case tokens.
SERIAL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$"
TOKEN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class DeviceIn(BaseModel):
    """One device to register by hand (`POST /devices`); source is recorded as "api"."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    serial: str = Field(min_length=1, max_length=64, pattern=SERIAL_PATTERN)
    vendor: str = Field(min_length=1, max_length=32, pattern=TOKEN_PATTERN,
                        description="cisco, juniper, arista, hpe ...")
    os_family: str = Field(min_length=1, max_length=32, pattern=TOKEN_PATTERN,
                           description="ios, iosxe, nxos, asa, iosxr, junos, eos ...")
    model: str = Field("", max_length=100, description="Product id, e.g. WS-C2960X-48FPD-L")
    running_version: str = Field("", max_length=100, description="As the device prints it")
    licensed_feature_set: str = Field("", max_length=100)
    hostname: str = Field("", max_length=255)
    image_file: str = Field("", max_length=255, description="The image the device boots")
    platform: str = Field("", max_length=64, description=(
        "The image family the device runs (an id from `fixright hardware list`, e.g. "
        "cat9k_lite_iosxe); overrides the one derived from image file and model"))

    @field_validator("vendor", "os_family", "licensed_feature_set")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _version_reads(self) -> DeviceIn:
        if self.running_version:
            try:
                parse(self.os_family, self.running_version)
            except InvalidVersion as exc:
                raise ValueError(f"running_version: {exc.message}") from None
        return self


class FieldChange(BaseModel):
    old: Any
    new: Any


class DeviceChangeOut(BaseModel):
    vendor: str
    serial: str
    model: str
    changes: dict[str, FieldChange] = {}


class DeviceImportOut(BaseModel):
    """What an import did; `updated` entries list each changed field."""

    created: list[DeviceChangeOut]
    updated: list[DeviceChangeOut]
    unchanged: list[DeviceChangeOut]
    summary: str
    warnings: list[str] = Field(default_factory=list, description=(
        "Devices whose image family (platform) the hardware catalogue could not tell"))
