"""API shapes of the advisories domain: advisories and a device's exposure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from fixright.advisories.results import AdvisoryHit, CombinedFix, Exposure, FirstFix
from fixright.inventory.schemas import DeviceOut


class AdvisoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    advisory_id: str
    source: str
    title: str
    severity: str
    cvss: float | None
    cves: list[str]
    bug_ids: list[str]
    url: str | None
    published: datetime | None
    updated: datetime | None
    revision: str
    vendor: str


class AffectedOut(BaseModel):
    """One exact affected release (`version`) or one range (introduced/fixed/last_affected)."""

    model_config = ConfigDict(from_attributes=True)

    os_family: str
    product: str
    version: str | None
    introduced: str | None
    fixed: str | None
    last_affected: str | None
    train: str | None
    platforms: list[str]
    complete: bool


class FixedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    os_family: str
    train: str
    version: str
    product: str


class UnplacedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product: str
    os_family: str | None
    status: str
    reason: str


class RemediationOut(BaseModel):
    """A workaround, mitigation or vendor fix (CSAF's categories), with its link if any."""

    category: str
    text: str
    url: str | None = None


class StoredRemediationOut(RemediationOut):
    product_ids: list[str] = []
    os_families: list[str] = []


class CvssOut(BaseModel):
    """One published CVSS score: its version (2.0 to 4.0), vector and base score."""

    version: str
    base_score: float | None
    vector: str | None = None
    severity: str | None = None


class AdvisoryDetail(AdvisoryOut):
    """An advisory with what it affects, its published fixes and what could not be placed."""

    remediations: list[StoredRemediationOut]
    cvss_scores: list[CvssOut]
    affected: list[AffectedOut]
    fixed: list[FixedOut]
    unplaced: list[UnplacedOut]
    not_affected: list[list[str]]
    notes: list[str]


class DroppedOut(BaseModel):
    file: str
    where: str
    reason: str


class UnplacedProductOut(BaseModel):
    advisory_id: str
    product: str
    reason: str


class QuirkOut(BaseModel):
    """A vendor deviation accepted (once per document; `strict=true` refuses it)."""

    file: str
    kind: str
    where: str
    reason: str
    count: int


class AdvisoryImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    dropped: list[DroppedOut]
    unplaced: list[UnplacedProductOut]
    warnings: list[QuirkOut] = []
    # Platform names no hardware of the catalogue answers to (matched on version alone).
    platform_warnings: list[str] = []


class FeedImportOut(BaseModel):
    """A KEV or EPSS import: CVEs stored, and how many came or went since the last one."""

    feed: str
    count: int
    added: int
    removed: int
    version: str
    date: str | None


# -- exposure ------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class FixOut(BaseModel):
    """A (first or combined) fix: the release, whether it was inferred, and why."""

    version: str | None
    inferred: bool
    reason: str
    other_trains: list[str]

    @classmethod
    def of(cls, fix: FirstFix | CombinedFix) -> FixOut:
        return cls(version=_text(fix.version), inferred=fix.inferred, reason=fix.reason,
                   other_trains=list(fix.other_trains))


class AdvisoryHitOut(BaseModel):
    advisory_id: str
    severity: str
    cvss: float | None
    cves: list[str]
    title: str
    url: str | None
    matched: str
    first_fixed: FixOut
    remediations: list[RemediationOut] = []

    @classmethod
    def of(cls, hit: AdvisoryHit) -> AdvisoryHitOut:
        return cls(advisory_id=hit.advisory_id, severity=hit.severity, cvss=hit.cvss,
                   cves=list(hit.cves), title=hit.title, url=hit.url, matched=hit.matched,
                   first_fixed=FixOut.of(hit.first_fixed))


class ExposureOut(BaseModel):
    """`status` is affected, not_affected or unknown (an unreadable version is never safe)."""

    status: str
    reason: str
    os_family: str | None
    version: str | None
    train: str | None
    advisories: list[AdvisoryHitOut]
    combined_fix: FixOut | None
    needs_review: list[str]

    @classmethod
    def of(cls, exposure: Exposure) -> ExposureOut:
        return cls(
            status=exposure.status, reason=exposure.reason, os_family=exposure.os_family,
            version=exposure.version_text,
            train=exposure.version.train if exposure.version else None,
            advisories=[AdvisoryHitOut.of(h) for h in exposure.advisories],
            combined_fix=FixOut.of(exposure.combined_fix) if exposure.combined_fix else None,
            needs_review=list(dict.fromkeys(exposure.review)),
        )


class DeviceDetail(DeviceOut):
    """A device's facts and its exposure (advisories, first fixes, combined fix)."""

    exposure: ExposureOut
