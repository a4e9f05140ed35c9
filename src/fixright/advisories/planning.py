"""Fix planning: exposure per device, the first fixed release per advisory, the combined fix. PURE.

    >>> planner = FixPlanner(AdvisoryIndex(records, releases=[("ios", "15.2(7)E3")]))
    >>> result = planner.match_devices([DeviceKey(1, "ios", "15.2(4)E5", "c2960x")])
    >>> result[1].status, [h.advisory_id for h in result[1].advisories]

Devices are grouped by distinct (os_family, version, platform) and each group
is matched and planned once, then fanned out: a fleet of 100,000 devices runs
a few hundred distinct versions. A device whose version cannot be read is
`unknown`, never safe.

For a device running V in train T and each advisory A affecting it:

1. *published*: the lowest fixed release of A in T above V (CSAF `fixed` /
   `first_fixed`, openVuln `firstFixed`, a CVE `lessThan` bound);
2. *inferred*: when A lists every affected release of T (Cisco's lists) or
   bounds its range with a last affected release, the first known release of
   T after V that A does not affect; known releases come from every
   advisory's lists and fixed records and from the catalog (passed in as data);
3. otherwise no fix in T, and the trains where A has one are listed.

The *combined fix* is the lowest known release of T above V that none of the
advisories affecting the device still affects. Every answer carries its reason.
The planner reads the index (`fixright.advisories.index`) through its lookups
and keeps its own caches, so one planner serves many questions on one index.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.results import (
    STATUS_AFFECTED,
    STATUS_NOT_AFFECTED,
    STATUS_UNKNOWN,
    AdvisoryHit,
    CombinedFix,
    DeviceExposure,
    DeviceKey,
    Exposure,
    FirstFix,
)
from fixright.advisories.severity import most_severe_first
from fixright.versions import Version

MAX_OTHER_TRAINS = 8


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


def advisories_fixed_by(index: AdvisoryIndex, os_family: str, version_text: str) -> list[str]:
    """Ids of advisories that `version_text` fixes: not affected, and at or above a fix in its train.

    A release fixes an advisory when the advisory does not affect it and either a
    published fix of its train is at or below it, or (complete lists, ranges) an
    earlier release of its train is affected. An unreadable version fixes nothing.
    """
    version = index.version(os_family, version_text)
    if version is None:
        return []
    family, train = version.os_family, version.train
    out: list[str] = []
    for adv in index.advisories_touching(family, train):
        if not fixes(index, adv, version):
            continue
        published = index.published_fixes(adv, family, train)
        if any(f.key <= version.key for f in published) or any(
            release.key < version.key and index.affects(adv, release)
            for release in index.known_releases(family, train)
        ):
            out.append(index.record(adv).advisory_id)
    return sorted(set(out))


def match_devices(index: AdvisoryIndex, devices: Iterable[DeviceKey]) -> dict[Hashable, DeviceExposure]:
    """Exposure and fix plan for every device, computed once per distinct key (a fresh planner)."""
    return FixPlanner(index).match_devices(devices)


class FixPlanner:
    """Plans fixes against one index. Keeps what it learns per advisory, so reuse it.

    Its caches only grow with what was asked and hold nothing but answers
    derived from the (read-only) index: sharing one planner between threads
    can at worst compute an answer twice.
    """

    def __init__(self, index: AdvisoryIndex) -> None:
        self._index = index
        # (adv, family) -> [(first fix, label)] per train where adv has one.
        self._fix_trains: dict[tuple[int, str], list[tuple[Version, str]]] = {}
        # (family, train, advisories) -> other trains with a release free of all of them.
        self._elsewhere: dict[tuple[str, str, frozenset[int]], tuple[str, ...]] = {}

    @property
    def index(self) -> AdvisoryIndex:
        """The index this planner reads."""
        return self._index

    def match_devices(self, devices: Iterable[DeviceKey]) -> dict[Hashable, DeviceExposure]:
        """Exposure and fix plan for every device, computed once per distinct key."""
        cache: dict[tuple[str | None, str | None, str | None], Exposure] = {}
        out: dict[Hashable, DeviceExposure] = {}
        for device in devices:
            key = (device.os_family, device.version, device.platform or device.model)
            exposure = cache.get(key)
            if exposure is None:
                exposure = cache[key] = self.exposure(*key)
            out[device.device_id] = DeviceExposure(device, exposure)
        return out

    def exposure(
        self, os_family: str | None, version_text: str | None, platform: str | None
    ) -> Exposure:
        """Match one distinct (os_family, version, platform) and plan its fixes."""
        index = self._index
        if not os_family:
            return Exposure(STATUS_UNKNOWN, os_family, version_text, None, reason="os_family unknown")
        review = tuple(index.record(a).advisory_id for a in index.review(os_family))
        if not version_text:
            return Exposure(
                STATUS_UNKNOWN, os_family, version_text, None, review=review,
                reason="running version unknown",
            )
        version = index.version(os_family, version_text)
        if version is None:
            return Exposure(
                STATUS_UNKNOWN, os_family, version_text, None, review=review,
                reason=f"cannot read {version_text!r} as a {os_family} version",
            )
        matched = index.affecting_device(version, platform)
        if not matched:
            return Exposure(
                STATUS_NOT_AFFECTED, os_family, version_text, version, review=review,
                reason=f"no known advisory affects {os_family} {version}",
            )
        advs = [adv for adv, _why in matched]
        first = self.first_fixes(version, advs)
        hits = []
        for adv, why in matched:
            record = index.record(adv)
            hits.append(
                AdvisoryHit(
                    record.advisory_id, record.severity, record.cvss, record.cves, record.title,
                    record.url, first[adv], why,
                )
            )
        hits.sort(key=lambda h: (most_severe_first(h.severity), h.advisory_id))
        return Exposure(
            STATUS_AFFECTED,
            os_family,
            version_text,
            version,
            tuple(hits),
            self.combined_fix(version, advs),
            review,
            f"{len(hits)} advisories affect {os_family} {version}",
        )

    def _inferable(self, adv: int, version: Version) -> bool:
        index = self._index
        return index.lists_completely(adv, version.os_family, version.train) or \
            index.in_closed_range(adv, version)

    def first_fixes(self, version: Version, advs: list[int]) -> dict[int, FirstFix]:
        """The first fixed release in `version`'s train for each advisory in `advs`.

        Inference sweeps the train's known releases once for all advisories.
        """
        index = self._index
        family, train = version.os_family, version.train
        out: dict[int, FirstFix] = {}
        pending: set[int] = set()
        for adv in advs:
            ident = index.record(adv).advisory_id
            later = [f for f in index.published_fixes(adv, family, train) if f.key > version.key]
            if later:
                fix = min(later, key=lambda v: v.key)
                out[adv] = FirstFix(
                    fix, False, f"{ident}: {fix} is the published first fixed release of train {train}"
                )
            elif self._inferable(adv, version):
                pending.add(adv)
        if pending:
            releases = index.known_releases(family, train)
            for adv in pending:
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
        for adv in advs:
            if adv not in out:
                ident = index.record(adv).advisory_id
                others = self.other_trains(adv, family, train)
                where = f"; trains with a fix: {', '.join(others)}" if others else ""
                out[adv] = FirstFix(
                    None, False, f"{ident}: no fixed release of train {train} is known{where}", others
                )
        return out

    def _fix_in_train(self, adv: int, family: str, train: str) -> tuple[Version, bool] | None:
        """Advisory `adv`'s first fix in one train: (release, inferred), or None."""
        index = self._index
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

    def _fixed_trains(self, adv: int, os_family: str) -> list[tuple[Version, str]]:
        """(first fix, label) per train of the family where `adv` has a fix; computed once."""
        key = (adv, os_family)
        found = self._fix_trains.get(key)
        if found is None:
            found = []
            for family, train in self._index.trains_touched(adv):
                if family == os_family:
                    fix = self._fix_in_train(adv, family, train)
                    if fix is not None:
                        label = f"{train} ({fix[0]}, inferred)" if fix[1] else f"{train} ({fix[0]})"
                        found.append((fix[0], label))
            found.sort(key=lambda pair: (pair[0].train, pair[0].key))
            self._fix_trains[key] = found
        return found

    def other_trains(self, adv: int, os_family: str, exclude: str) -> tuple[str, ...]:
        """Trains of the family where advisory `adv` has a (published or inferred) fix,
        as 'train (release)', leaving out `exclude`."""
        found = self._fixed_trains(adv, os_family)
        return tuple(label for v, label in found if v.train != exclude)[:MAX_OTHER_TRAINS]

    def combined_fix(self, version: Version, advs: list[int]) -> CombinedFix:
        """The lowest known release of the train above `version` free of every advisory in `advs`."""
        index = self._index
        family, train = version.os_family, version.train
        wanted = frozenset(advs)
        for release in index.known_releases(family, train):
            if release.key <= version.key or not wanted.isdisjoint(index.affecting(release)):
                continue
            if not all(fixes(index, adv, release) for adv in advs):
                continue
            inferred = not all(
                any(f.key <= release.key for f in index.published_fixes(adv, family, train))
                for adv in advs
            )
            how = "inferred from complete affected lists" if inferred else "published fixes"
            return CombinedFix(
                release,
                inferred,
                f"{release} is the lowest known release of train {train} above {version} "
                f"that none of the {len(advs)} advisories affects ({how})",
            )
        others = self._combined_elsewhere(version, wanted)
        where = f"; trains with one: {', '.join(others)}" if others else ""
        return CombinedFix(
            None,
            False,
            f"no known release of train {train} above {version} is free of all "
            f"{len(advs)} advisories{where}",
            others,
        )

    def _combined_elsewhere(self, version: Version, wanted: frozenset[int]) -> tuple[str, ...]:
        """Other trains (where each of these advisories has a fix) with a release free of all of them."""
        index = self._index
        family = version.os_family
        key = (family, version.train, wanted)
        cached = self._elsewhere.get(key)
        if cached is not None:
            return cached
        trains: set[str] | None = None
        for adv in wanted:
            fixed_in = {v.train for v, _label in self._fixed_trains(adv, family)}
            trains = fixed_in if trains is None else trains & fixed_in
            if not trains:
                break
        found: list[tuple[Version, str]] = []
        for train in sorted(trains or ()):
            if train == version.train:
                continue
            floor = max(
                (v for adv in wanted for v, _label in self._fixed_trains(adv, family)
                 if v.train == train),
                key=lambda v: v.key,
            )
            releases = index.known_releases(family, train)
            start = max(index.first_known_above(family, train, floor.key) - 1, 0)
            for release in releases[start:]:
                if wanted.isdisjoint(index.affecting(release)) and all(
                    fixes(index, adv, release) for adv in wanted
                ):
                    found.append((release, f"{train} ({release})"))
                    break
        found.sort(key=lambda pair: (pair[0].train, pair[0].key))
        result = tuple(label for _v, label in found[:MAX_OTHER_TRAINS])
        self._elsewhere[key] = result
        return result
