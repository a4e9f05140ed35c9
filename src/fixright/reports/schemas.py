"""API shapes of the fleet reports: the exposure report and the fix plan, one row each."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from fixright.advisories.schemas import RemediationOut


class ExposureRow(BaseModel):
    hostname: str | None
    serial: str
    model: str
    os_family: str | None
    version: str | None
    status: str
    reason: str
    kev: bool
    kev_due: date | None
    epss: float | None
    epss_date: date | None
    advisories: int
    critical: int
    high: int
    combined_fix: str | None
    combined_fix_reason: str | None
    advisory_ids: list[str]
    needs_review: list[str]


class ExposurePage(BaseModel):
    """A page of the exposure report (the `Page` envelope), with the fleet's totals per status."""

    items: list[ExposureRow]
    total: int
    limit: int
    offset: int
    affected: int
    not_affected: int
    unknown: int


class FixImage(BaseModel):
    image_id: int
    filename: str
    size: int
    md5: str
    sha512: str


class UpgradeTargetRow(BaseModel):
    """A release to go to: `same-train` or `migration` to a train the hardware runs."""

    release: str
    train: str
    kind: str
    why: str
    images: list[FixImage]


class FixRow(BaseModel):
    hostname: str | None
    serial: str
    os_family: str | None
    version: str | None
    advisory_id: str
    severity: str
    cves: list[str]
    first_fixed: str | None
    inferred: bool
    reason: str
    other_trains: list[str]
    combined_fix: str | None
    combined_fix_reason: str | None
    upgrade_targets: list[UpgradeTargetRow]
    hardware: str
    remediations: list[RemediationOut] = []
