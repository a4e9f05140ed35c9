"""The typed records every advisory reader produces. PURE: plain dataclasses.

A reader turns one document (CSAF 2.0, Cisco openVuln JSON, CVE JSON 5) into
`AdvisoryRecord`s; nothing past the reader sees raw JSON. Versions are kept
as the document spells them; the reader has already checked that each one
parses in its os_family (`fixright.versions.parse`), so matching can rely on it.
`severity` is one of `fixright.advisories.severity.SEVERITIES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

SOURCES = ("csaf", "openvuln", "cve5", "manual")


@dataclass(frozen=True, slots=True)
class AffectedReleases:
    """Exact releases listed as affected (Cisco lists every one of them).

    `complete` says the list names every affected release of each train it
    touches, so a known release of such a train that is absent is not
    affected: that is what lets the planner infer a fix.
    """

    os_family: str
    product: str
    versions: tuple[str, ...]
    platforms: tuple[str, ...] = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class AffectedRange:
    """A range of affected releases.

    `introduced` is the lowest affected release (inclusive; None: from the
    start), `fixed` the first release no longer affected (exclusive),
    `last_affected` the highest affected one (inclusive). When `train` is
    set the range applies only to releases of that train; None means every
    release of the family between the bounds (as Juniper's `version: "0"`).
    """

    os_family: str
    product: str
    introduced: str | None = None
    fixed: str | None = None
    last_affected: str | None = None
    train: str | None = None
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FixedRelease:
    """A release the document says fixes the advisory in `train`."""

    os_family: str
    train: str
    version: str
    product: str = ""


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A product fixright cannot place on a release: kept, reported, never matched.

    `os_family` is set when the product is known but no usable release is given
    (Cisco's `Cisco IOS XR Software` with no versions): devices of that family
    are then flagged for review, not reported safe.
    """

    product: str
    reason: str
    os_family: str | None = None
    status: str = "affected"


@dataclass(frozen=True, slots=True)
class Dropped:
    """What a lenient read left out, and why (`where` is a JSON path)."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class AdvisoryRecord:
    """One advisory, read from one document."""

    source: str
    advisory_id: str
    title: str
    severity: str
    cvss: float | None = None
    cves: tuple[str, ...] = ()
    bug_ids: tuple[str, ...] = ()
    url: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    revision: str = ""
    vendor: str = ""
    affected: tuple[AffectedReleases | AffectedRange, ...] = ()
    fixed: tuple[FixedRelease, ...] = ()
    # Releases the document names as not affected: known releases for inference.
    not_affected: tuple[tuple[str, str], ...] = ()
    unplaced: tuple[Unplaced, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class ReadResult:
    """A reader's answer for one document: its advisories and, if lenient, what it dropped."""

    source_name: str
    advisories: list[AdvisoryRecord] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def revision_key(updated: datetime | None, revision: str) -> tuple[datetime | None, tuple[int, ...]]:
    """Order two editions of one advisory: by update time, then by revision number."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", revision)[:8])
    return updated, numbers


def is_newer(
    new_updated: datetime | None,
    new_revision: str,
    old_updated: datetime | None,
    old_revision: str,
) -> bool:
    """True when the new edition is strictly newer (a missing date counts as oldest)."""
    if new_updated is not None and old_updated is not None and new_updated != old_updated:
        return new_updated > old_updated
    if (new_updated is None) != (old_updated is None):
        return old_updated is None
    return revision_key(None, new_revision)[1] > revision_key(None, old_revision)[1]


def newest_editions(records: list[AdvisoryRecord]) -> list[AdvisoryRecord]:
    """One record per advisory id, the newest edition, in first-seen order."""
    chosen: dict[str, AdvisoryRecord] = {}
    for record in records:
        old = chosen.get(record.advisory_id)
        if old is None or is_newer(record.updated, record.revision, old.updated, old.revision):
            chosen[record.advisory_id] = record
    return list(chosen.values())
