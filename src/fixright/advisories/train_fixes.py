"""What fixes an advisory within one train, read from the index alone (no hardware). PURE.

The fix planner (`fixright.advisories.planning`) asks these questions once
per running release and then checks the answers against each device's
hardware (`fixright.advisories.hardware_fit`): devices of one release on
different hardware share the index's part of the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.results import FirstFix
from fixright.versions import Version

# Distinct running releases remembered; past that, answers are computed again.
_MAX_RELEASES = 100_000


def fixes(index: AdvisoryIndex, adv: int, release: Version) -> bool:
    """True when `release` is known to be free of advisory `adv`.

    Not being listed is not enough: with a complete list the release must come
    after the highest listed one of its train (Cisco leaves platform rebuilds
    such as `15.2(2)E7b` off lists whose neighbours are affected); with partial
    data (a CVE naming single releases) only a published fix at or below counts.
    """
    if index.affects(adv, release):
        return False
    family, train = release.os_family, release.train
    if any(f.key <= release.key for f in index.published_fixes(adv, family, train)):
        return True
    bounds = index.listed_bounds(adv, family, train)
    if bounds is not None:
        return release.key > bounds[1].key
    return index.has_ranges(adv)


def fix_in_train(index: AdvisoryIndex, adv: int, family: str, train: str) -> tuple[Version, bool] | None:
    """Advisory `adv`'s first fix in one train: (release, inferred), or None."""
    published = index.published_fixes(adv, family, train)
    if published:
        return min(published, key=lambda v: v.key), False
    releases = index.known_releases(family, train)
    bounds = index.listed_bounds(adv, family, train)
    if bounds is not None:
        start = index.first_known_above(family, train, bounds[1].key)
        for release in releases[start:]:
            if fixes(index, adv, release):
                return release, True
        return None
    seen_affected = False
    for release in releases:
        if index.affects(adv, release):
            seen_affected = True
        elif seen_affected and fixes(index, adv, release):
            return release, True
    return None


class TrainFixes:
    """Per running release: each advisory's first fix in its train and the lowest release free
    of a set of advisories. Caches answers derived from the read-only index only."""

    def __init__(self, index: AdvisoryIndex) -> None:
        self._index = index
        # (family, normalized, text) -> adv -> first fix in the train, None when none is known.
        # The text is in the key because the reasons quote the running release as spelt.
        self._first: dict[tuple[str, str, str], dict[int, FirstFix | None]] = {}
        self._lowest: dict[tuple[str, str, frozenset[int]], Version | None] = {}

    def first_fixes(self, version: Version, advs: Sequence[int]) -> dict[int, FirstFix | None]:
        """adv -> the first fixed release of `version`'s train above it (None: none known),
        for at least every advisory in `advs` (the mapping is shared: read it, never change it).

        Inference sweeps the train's known releases from the running one (or the
        highest listed affected one) up.
        """
        key = (version.os_family, version.normalized, version.text)
        known = self._first.get(key)
        if known is None:
            known = {}
            if len(self._first) < _MAX_RELEASES:
                self._first[key] = known
        missing = [adv for adv in advs if adv not in known]
        if missing:
            known.update(self._first_fixes(version, missing))
        return known

    def _first_fixes(self, version: Version, advs: list[int]) -> dict[int, FirstFix | None]:
        index = self._index
        family, train = version.os_family, version.train
        out: dict[int, FirstFix | None] = {}
        pending: list[int] = []
        for adv in advs:
            later = [f for f in index.published_fixes(adv, family, train) if f.key > version.key]
            if later:
                fix = min(later, key=lambda v: v.key)
                out[adv] = FirstFix(
                    fix, False, f"{index.record(adv).advisory_id}: {fix} is the published first "
                    f"fixed release of train {train}"
                )
            elif index.lists_completely(adv, family, train) or index.in_closed_range(adv, version):
                pending.append(adv)
            else:
                out[adv] = None
        releases = index.known_releases(family, train)
        for adv in pending:
            out[adv] = None
            bounds = index.listed_bounds(adv, family, train)
            floor = version if bounds is None or bounds[1].key < version.key else bounds[1]
            start = index.first_known_above(family, train, floor.key)
            for release in releases[start:]:
                if fixes(index, adv, release):
                    after = (f"the last listed affected release {floor}"
                             if floor is not version else str(version))
                    out[adv] = FirstFix(
                        release,
                        True,
                        f"{index.record(adv).advisory_id}: inferred {release}, the first known "
                        f"release of train {train} after {after} "
                        f"(known from {index.known_source(release)})",
                    )
                    break
        return out

    def lowest_free(self, version: Version, wanted: frozenset[int]) -> Version | None:
        """The lowest known release of `version`'s train above it that is free of every
        advisory in `wanted` (hardware not checked), or None."""
        key = (version.os_family, version.normalized, wanted)
        if key in self._lowest:
            return self._lowest[key]
        index = self._index
        family, train = version.os_family, version.train
        found: Version | None = None
        releases = index.known_releases(family, train)
        for release in releases[index.first_known_above(family, train, version.key):]:
            if release.key <= version.key or not wanted.isdisjoint(index.affecting(release)):
                continue
            if all(fixes(index, adv, release) for adv in wanted):
                found = release
                break
        if len(self._lowest) < _MAX_RELEASES:
            self._lowest[key] = found
        return found

    def inferred(self, release: Version, advs: Sequence[int]) -> bool:
        """True unless every advisory publishes a fix at or below `release` in its train."""
        index = self._index
        return not all(
            any(f.key <= release.key
                for f in index.published_fixes(adv, release.os_family, release.train))
            for adv in advs
        )
