"""The facts one entitlement decision is made from. PURE: plain frozen dataclasses.

The entitlement service fills these from the database in bulk (devices of the
image's platform, their licences and coverage lines, the advisories the
image's release fixes for each device); `fixright.entitlement.policy.evaluate`
reads nothing else. Dates are plain `date`s: "today" is a fact too, so a
decision can be replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class AdvisoryFix:
    """An advisory (by its public id), its severity (`fixright.advisories.severity`) and
    whether one of its CVEs is in CISA's Known Exploited Vulnerabilities catalog."""

    advisory_id: str
    severity: str | None = None
    kev: bool = False


@dataclass(frozen=True)
class ImageFacts:
    """The image asked for and the release it belongs to."""

    image_id: int
    filename: str
    platform: str
    feature_set: str | None
    release_version: str
    release_train: str | None
    release_kind: str
    published_at: date | None
    public: bool = False
    fixes: tuple[AdvisoryFix, ...] = ()
    """Advisories this release fixes (for any device); informative only."""


@dataclass(frozen=True)
class CoverageFacts:
    """One coverage line of a contract on a device's serial (dates inclusive)."""

    contract_number: str
    start: date
    end: date
    service_level: str | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DeviceFacts:
    """A registered device of the organisation, as the policy engine sees it."""

    device_id: int
    serial: str
    model: str | None
    platform: str
    running_version: str | None = None
    running_train: str | None = None
    licensed_feature_set: str | None = None
    coverage: tuple[CoverageFacts, ...] = ()
    families: tuple[str, ...] = ()
    """Image families (lower-case ids) the hardware catalogue says this device runs, besides
    `platform`, its own (`fixright.hardware.compatibility.device_families`)."""

    def runs(self, image_family: str) -> bool:
        """True when the device can run images of `image_family`: compatibility is true.

        A device of unknown hardware (no platform, no families) runs nothing.
        """
        wanted = image_family.strip().lower()
        return bool(wanted) and (wanted == self.platform.strip().lower() or wanted in self.families)

    @property
    def label(self) -> str:
        """How a customer names it: "C3900 FTX1234A0B1"."""
        return f"{self.model or self.platform} {self.serial}"


@dataclass(frozen=True)
class EntitlementFacts:
    """Everything one decision needs: who asks, for what, with which devices, on which day.

    `devices` may list every device of the organisation; the engine only
    considers those that can run the image (`DeviceFacts.runs`). `fixes` maps a device id to the
    advisories affecting that device which the image's release fixes.
    """

    today: date
    organization: str
    image: ImageFacts
    devices: tuple[DeviceFacts, ...] = ()
    fixes: Mapping[int, tuple[AdvisoryFix, ...]] = field(default_factory=dict, hash=False)
