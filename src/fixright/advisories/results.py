"""What matching and planning answer: plain frozen dataclasses. PURE.

The index (`fixright.advisories.index`) answers lookups; the planner
(`fixright.advisories.planning`) builds these from them. Reports, the API and
the UI read nothing else.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from fixright.versions import Version

STATUS_AFFECTED = "affected"
STATUS_NOT_AFFECTED = "not_affected"
STATUS_UNKNOWN = "unknown"

# Kinds of upgrade target: a later release of the running train, or another
# train the device's image family is published in.
KIND_SAME_TRAIN = "same-train"
KIND_MIGRATION = "migration"


@dataclass(frozen=True, slots=True)
class DeviceKey:
    """What matching needs to know about one device (plain data, not an ORM row)."""

    device_id: Hashable
    os_family: str | None
    version: str | None
    platform: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class FirstFix:
    """The first release of the device's train that fixes one advisory.

    `version` None means no fix is known in the train; `other_trains` then
    lists trains that have one. `inferred` marks a fix read from a complete
    affected list (the first known release after the running one that the
    advisory does not list) rather than published by the vendor.
    """

    version: Version | None
    inferred: bool
    reason: str
    other_trains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CombinedFix:
    """The lowest release of the train that no advisory affecting the device still affects."""

    version: Version | None
    inferred: bool
    reason: str
    other_trains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UpgradeTarget:
    """A release that fixes every advisory affecting the device, and runs on its hardware.

    `kind` is `same-train` (a later release of the running train) or
    `migration` (a newer train the device's image family is published in).
    """

    release: Version
    train: str
    kind: str
    why: str
    inferred: bool = False

    def as_dict(self) -> dict[str, str]:
        """`{release, train, kind, why}` as the JSON of `check` and `report fixes` gives it."""
        return {"release": str(self.release), "train": self.train, "kind": self.kind,
                "why": self.why}


@dataclass(frozen=True, slots=True)
class AdvisoryHit:
    """One advisory affecting a device, with its first fixed release."""

    advisory_id: str
    severity: str
    cvss: float | None
    cves: tuple[str, ...]
    title: str
    url: str | None
    first_fixed: FirstFix
    # Why it matched: listed, in a range, or (inferred) an unlisted build
    # between releases the advisory lists as affected.
    matched: str = "listed"


@dataclass(frozen=True, slots=True)
class Exposure:
    """The answer for one distinct (os_family, version, platform): shared by its devices.

    `status` is `affected`, `not_affected` or `unknown` (version unreadable:
    never reported safe). `review` names advisories that affect the family
    without listing releases (kept for a person to check, not matched).
    `upgrade_targets` are the releases to go to (same train first, then
    migrations newest-first); `hardware` says what the plan knew of the
    hardware ("" when planned without a hardware catalogue).
    """

    status: str
    os_family: str | None
    version_text: str | None
    version: Version | None
    advisories: tuple[AdvisoryHit, ...] = ()
    combined_fix: CombinedFix | None = None
    review: tuple[str, ...] = ()
    reason: str = ""
    upgrade_targets: tuple[UpgradeTarget, ...] = ()
    hardware: str = ""
    # Image family ids the plan was checked against: () when the hardware is unknown.
    image_families: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceExposure:
    """One device and its (shared) exposure."""

    device: DeviceKey
    exposure: Exposure

    @property
    def status(self) -> str:
        return self.exposure.status

    @property
    def advisories(self) -> tuple[AdvisoryHit, ...]:
        return self.exposure.advisories

    @property
    def combined_fix(self) -> CombinedFix | None:
        return self.exposure.combined_fix

    @property
    def upgrade_targets(self) -> tuple[UpgradeTarget, ...]:
        return self.exposure.upgrade_targets
