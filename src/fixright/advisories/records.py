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

from fixright.versions import Version, parse

SOURCES = ("csaf", "openvuln", "cve5", "manual", "cvrf")


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
class Quirk:
    """A vendor deviation from its standard that the reader accepted (reported once per document).

    `kind` names the deviation (`naive date-time`), `where` the JSON path or
    XML element of its first occurrence, `count` how many places show it.
    """

    kind: str
    where: str
    reason: str
    count: int = 1

    def describe(self) -> str:
        more = f" (and {self.count - 1} more)" if self.count > 1 else ""
        return f"{self.where}: {self.reason}{more}"


@dataclass(frozen=True, slots=True)
class Remediation:
    """A workaround, mitigation or vendor fix, for the products the document names.

    `category` is CSAF's word (`vendor_fix`, `workaround`, `mitigation`,
    `none_available`, `no_fix_planned`); CVRF's `Vendor Fix` etc. are mapped to
    it. `product_ids` are the document's own ids; `os_families` the families
    fixright placed them on (empty when the document names no placed product).
    """

    category: str
    text: str
    url: str | None = None
    product_ids: tuple[str, ...] = ()
    os_families: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CvssScore:
    """One CVSS score as published: version (`2.0`, `3.0`, `3.1`, `4.0`), vector, base score."""

    version: str
    base_score: float | None
    vector: str | None = None
    severity: str | None = None


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
    remediations: tuple[Remediation, ...] = ()
    cvss_scores: tuple[CvssScore, ...] = ()


@dataclass
class ReadResult:
    """A reader's answer for one document: its advisories, the vendor quirks it accepted
    (`warnings`) and, if lenient, what it dropped."""

    source_name: str
    advisories: list[AdvisoryRecord] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list[Quirk] = field(default_factory=list)


def range_contains(group: AffectedRange, version: Version) -> bool:
    """True when `version` (of the range's family) lies in `group`'s train and bounds.

    Versions of another family are never inside. Bounds are read with the
    family's grammar (the reader checked they parse).
    """
    if version.os_family != group.os_family:
        return False
    if group.train is not None and version.train != group.train:
        return False
    if group.introduced is not None and version.key < parse(group.os_family, group.introduced).key:
        return False
    if group.fixed is not None and not version.key < parse(group.os_family, group.fixed).key:
        return False
    return group.last_affected is None or version.key <= parse(group.os_family, group.last_affected).key


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
