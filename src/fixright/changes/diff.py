"""What changed between two exposure states of one organisation. PURE.

A state maps (device id, advisory id) to what is known of that exposure.
Three things are worth telling someone: an exposure appeared, one went away
(a newer advisory revision excluded the version, the device was upgraded or
retired, the pair was triaged away), or a fix appeared for one that stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

NEW_EXPOSURE = "new_exposure"
RESOLVED = "resolved"
FIX_AVAILABLE = "fix_available"
KINDS = (NEW_EXPOSURE, RESOLVED, FIX_AVAILABLE)

Key = tuple[int, str]


@dataclass(frozen=True, slots=True)
class Exposed:
    """One device exposed to one advisory, as the re-check saw it."""

    device_id: int
    advisory_id: str
    serial: str
    hostname: str | None
    model: str | None
    version: str | None
    severity: str
    kev: bool
    fix: str | None  # the first fixed release for the device, if any is known

    @property
    def key(self) -> Key:
        return (self.device_id, self.advisory_id)


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    exposure: Exposed


def diff(before: Mapping[Key, Exposed], after: Mapping[Key, Exposed]) -> list[Change]:
    """The changes from `before` to `after`, in a stable order (device, advisory, kind).

    A pair still exposed whose severity, KEV flag or version text moved is not
    a change worth an alert; only a fix appearing is.
    """
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            changes.append(Change(NEW_EXPOSURE, new))
        elif new is None and old is not None:
            changes.append(Change(RESOLVED, old))
        elif old is not None and new is not None and old.fix is None and new.fix is not None:
            changes.append(Change(FIX_AVAILABLE, new))
    return changes


def updated(before: Mapping[Key, Exposed], after: Mapping[Key, Exposed]) -> list[Exposed]:
    """Pairs present in both states whose stored facts differ (to refresh the snapshot)."""
    return [new for key, new in after.items() if key in before and before[key] != new]
