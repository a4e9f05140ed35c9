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
3. otherwise no fix in T, and the newer trains where A has one are listed.

The *combined fix* is the lowest known release of T above V that none of the
advisories affecting the device still affects. Every answer carries its reason.

Given the hardware catalogue (`FixPlanner(index, hardware=catalogue)`), a
plan respects the device's image family (`DeviceKey.platform`, else the
families its model runs): nothing past the family's last release, other
trains only where the family is published, and never an older release
(classic IOS trains are newer by release number: 15.2E after 15.0SE). The
device's *upgrade targets* are the combined fix (`same-train`) or, without
one, the newer trains free of every advisory (`migration`, newest first).
A device whose hardware the catalogue does not know gets same-train fixes
only. Without a catalogue, trains are not checked against hardware.
The planner reads the index (`fixright.advisories.index`) through its lookups
and keeps its own caches, so one planner serves many questions on one index.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from fixright.advisories.hardware_fit import HardwareFit
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.results import (
    KIND_MIGRATION,
    KIND_SAME_TRAIN,
    STATUS_AFFECTED,
    STATUS_NOT_AFFECTED,
    STATUS_UNKNOWN,
    AdvisoryHit,
    CombinedFix,
    DeviceExposure,
    DeviceKey,
    Exposure,
    FirstFix,
    UpgradeTarget,
)
from fixright.advisories.severity import most_severe_first
from fixright.hardware.catalogue import Catalogue, Family
from fixright.versions import Version

MAX_OTHER_TRAINS = 8
@dataclass(frozen=True, slots=True)
class _Plan:
    """The hardware-dependent part of one exposure, shared by devices of one version and family."""

    first: dict[int, FirstFix]
    combined: CombinedFix
    targets: tuple[UpgradeTarget, ...]
    # "found", "migrate", "none_on_hardware", "unknown_hardware" or "unchecked".
    outcome: str


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


def match_devices(
    index: AdvisoryIndex, devices: Iterable[DeviceKey], hardware: Catalogue | None = None
) -> dict[Hashable, DeviceExposure]:
    """Exposure and fix plan for every device, computed once per distinct key (a fresh planner)."""
    return FixPlanner(index, hardware=hardware).match_devices(devices)


class FixPlanner:
    """Plans fixes against one index (and a hardware catalogue). Keeps what it learns, so reuse it.

    Its caches only grow with what was asked and hold nothing but answers
    derived from the (read-only) index and catalogue: sharing one planner
    between threads can at worst compute an answer twice.
    """

    def __init__(self, index: AdvisoryIndex, hardware: Catalogue | None = None) -> None:
        self._index = index
        self._hardware = hardware
        self._fit = HardwareFit(hardware)
        # (adv, family) -> [(first fix, label)] per train where adv has one.
        self._fix_trains: dict[tuple[int, str], list[tuple[Version, str]]] = {}
        # (family, train, advisories) -> first release free of all of them, per other train.
        self._elsewhere: dict[tuple[str, str, frozenset[int]], tuple[Version, ...]] = {}
        self._migrations: dict[
            tuple[str, str, frozenset[int], int | None], tuple[UpgradeTarget, ...]] = {}
        self._others: dict[tuple[int, str, str, int | None], tuple[str, ...]] = {}
        self._plans: dict[tuple[str, str, tuple[int, ...], tuple[str, ...] | None], _Plan] = {}

    @property
    def index(self) -> AdvisoryIndex:
        """The index this planner reads."""
        return self._index

    @property
    def hardware(self) -> Catalogue | None:
        """The hardware catalogue plans are checked against (None: not checked)."""
        return self._hardware

    def match_devices(self, devices: Iterable[DeviceKey]) -> dict[Hashable, DeviceExposure]:
        """Exposure and fix plan for every device, computed once per distinct key."""
        cache: dict[tuple[str | None, ...], Exposure] = {}
        out: dict[Hashable, DeviceExposure] = {}
        for device in devices:
            key = (device.os_family, device.version, device.platform, device.model)
            exposure = cache.get(key)
            if exposure is None:
                exposure = cache[key] = self.exposure(
                    device.os_family, device.version, device.platform or device.model,
                    model=device.model, family=device.platform,
                )
            out[device.device_id] = DeviceExposure(device, exposure)
        return out

    # -- exposure -----------------------------------------------------------------

    def exposure(
        self, os_family: str | None, version_text: str | None, platform: str | None,
        *, model: str | None = None, family: str | None = None,
    ) -> Exposure:
        """Match one distinct device shape and plan its fixes.

        `platform` is what advisory platform filters are matched with;
        `family` (the image family id) and `model` say which hardware the plan
        must run on.
        """
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
        families = self._fit.families_running(version, family, model)
        label = model or family or "this hardware"
        hardware = HardwareFit.describe_hardware(families, label)
        image_families = tuple(f.id for f in families or ())
        matched = index.affecting_device(version, platform, model)
        if not matched:
            return Exposure(
                STATUS_NOT_AFFECTED, os_family, version_text, version, review=review,
                reason=f"no known advisory affects {os_family} {version}", hardware=hardware,
                image_families=image_families,
            )
        advs = [adv for adv, _why in matched]
        plan = self._plan(version, advs, families)
        hits = []
        for adv, why in matched:
            record = index.record(adv)
            hits.append(
                AdvisoryHit(
                    record.advisory_id, record.severity, record.cvss, record.cves, record.title,
                    record.url, plan.first[adv], why,
                )
            )
        hits.sort(key=lambda h: (most_severe_first(h.severity), h.advisory_id))
        return Exposure(
            STATUS_AFFECTED,
            os_family,
            version_text,
            version,
            tuple(hits),
            self._explain(plan, families, label),
            review,
            f"{len(hits)} advisories affect {os_family} {version}",
            plan.targets,
            hardware,
            image_families,
        )

    def _explain(
        self, plan: _Plan, families: tuple[Family, ...] | None, label: str
    ) -> CombinedFix:
        """The combined fix with its reason in words for this device's hardware."""
        combined = plan.combined
        if plan.outcome == "unknown_hardware":
            reason = (f"{combined.reason}; hardware unknown ({label} is not in the hardware "
                      "catalogue): only same-train fixes can be suggested")
        elif plan.outcome == "none_on_hardware":
            lasts = [f for f in families or () if f.last_release or f.end_of_sw_maintenance]
            tail = "; ".join(
                ", ".join(part for part in (
                    f"last release {f.last_release}" if f.last_release else "",
                    f"end of software maintenance {f.end_of_sw_maintenance.isoformat()}"
                    if f.end_of_sw_maintenance else "") if part)
                for f in lasts
            )
            reason = f"no published fix runs on {label}" + (f"; {tail}" if tail else "") + \
                f" ({combined.reason})"
        else:
            return combined
        return CombinedFix(combined.version, combined.inferred, reason, combined.other_trains)

    def _plan(self, version: Version, advs: list[int], families: tuple[Family, ...] | None) -> _Plan:
        ids = None if families is None else tuple(f.id for f in families)
        key = (version.os_family, version.normalized, tuple(advs), ids)
        plan = self._plans.get(key)
        if plan is None:
            first = self.first_fixes(version, advs, families)
            combined, targets, outcome = self.plan_upgrade(version, advs, families)
            plan = _Plan(first, combined, targets, outcome)
            if len(self._plans) < 100_000:
                self._plans[key] = plan
        return plan

    def _inferable(self, adv: int, version: Version) -> bool:
        index = self._index
        return index.lists_completely(adv, version.os_family, version.train) or \
            index.in_closed_range(adv, version)

    def first_fixes(
        self, version: Version, advs: list[int], families: tuple[Family, ...] | None = None
    ) -> dict[int, FirstFix]:
        """The first fixed release in `version`'s train for each advisory in `advs`.

        Inference sweeps the train's known releases once for all advisories.
        A fix past the hardware's last release is no fix for this device.
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
            found = out.get(adv)
            if found is not None and found.version is not None and families and \
                    not self._fit.runs(found.version, version, families):
                last = ", ".join(f"{f.id} {f.last_release}" for f in families if f.last_release)
                out[adv] = FirstFix(
                    None, False,
                    f"{found.reason}, but the hardware's last release is {last or 'older'}",
                    self.other_trains(adv, version, families),
                )
            elif found is None:
                ident = index.record(adv).advisory_id
                others = self.other_trains(adv, version, families)
                where = f"; newer trains with a fix: {', '.join(others)}" if others else ""
                if families == ():
                    where = "; hardware unknown: other trains are not suggested"
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
            # Newest train first: keys of one family always compare.
            found.sort(key=lambda pair: pair[0].key, reverse=True)
            self._fix_trains[key] = found
        return found

    def other_trains(
        self, adv: int, version: Version, families: tuple[Family, ...] | None = None
    ) -> tuple[str, ...]:
        """Newer trains where advisory `adv` has a (published or inferred) fix that the hardware
        runs, as 'train (release)', newest first; none for unknown hardware (`families` ())."""
        if families == ():
            return ()
        # Releases of two different trains compare the same way whichever two are
        # taken (trains are numbered apart), so the answer holds for the whole train.
        key = (adv, version.os_family, version.train, None if families is None else id(families))
        cached = self._others.get(key)
        if cached is None:
            if families is not None:
                self._fit.hold(families)
            found = self._fixed_trains(adv, version.os_family)
            cached = tuple(
                label for v, label in found
                if v.train != version.train and self._fit.runs(v, version, families)
            )[:MAX_OTHER_TRAINS]
            if len(self._others) < 1_000_000:
                self._others[key] = cached
        return cached

    def plan_upgrade(
        self, version: Version, advs: list[int], families: tuple[Family, ...] | None = None
    ) -> tuple[CombinedFix, tuple[UpgradeTarget, ...], str]:
        """The combined fix, the upgrade targets and how the plan ended.

        The combined fix is the lowest known release of the running train above
        `version` free of every advisory in `advs` (and within the hardware's
        last release); without one, migrations go to newer trains the hardware
        runs, newest first.
        """
        index = self._index
        family, train = version.os_family, version.train
        wanted = frozenset(advs)
        count = len(advs)
        for release in index.known_releases(family, train):
            if release.key <= version.key or not wanted.isdisjoint(index.affecting(release)):
                continue
            if not all(fixes(index, adv, release) for adv in advs):
                continue
            if not self._fit.runs(release, version, families):
                break  # past the hardware's last release, and so is every later one
            inferred = self._inferred(release, advs)
            how = "inferred from complete affected lists" if inferred else "published fixes"
            none_of = "the advisory does not affect" if count == 1 else (
                f"none of the {count} advisories affects")
            why = (f"{release} is the lowest known release of train {train} above {version} "
                   f"that {none_of} ({how})")
            target = UpgradeTarget(release, train, KIND_SAME_TRAIN, why, inferred)
            return CombinedFix(release, inferred, why), (target,), "found"
        free_of = "the advisory" if count == 1 else f"all {count} advisories"
        none_here = f"no known release of train {train} above {version} is free of {free_of}"
        if families == ():
            return CombinedFix(None, False, none_here), (), "unknown_hardware"
        # Direction between two trains holds for all their releases, so the
        # migrations are the same for every release of the running train.
        memo = (family, train, wanted, None if families is None else id(families))
        targets = self._migrations.get(memo)
        if targets is None:
            if families is not None:
                self._fit.hold(families)
            targets = self._migrations[memo] = tuple(
                UpgradeTarget(
                    release, release.train, KIND_MIGRATION,
                    f"no fix in {train}; migrate to {release.train}: first fixed {release}"
                    + (" (inferred)" if inferred else ""),
                    inferred,
                )
                for release in self._combined_elsewhere(version, wanted)
                if self._fit.runs(release, version, families)
                for inferred in (self._inferred(release, advs),)
            )[:MAX_OTHER_TRAINS]
        others = tuple(f"{t.train} ({t.release})" for t in targets)
        if targets:
            reason = f"{none_here}; {targets[0].why}"
            if len(targets) > 1:
                reason += f"; other trains with one: {', '.join(others[1:])}"
            return CombinedFix(None, False, reason, others), targets, "migrate"
        outcome = "unchecked" if families is None else "none_on_hardware"
        return CombinedFix(None, False, none_here), (), outcome

    def _inferred(self, release: Version, advs: list[int]) -> bool:
        """True unless every advisory publishes a fix at or below `release` in its train."""
        index = self._index
        return not all(
            any(f.key <= release.key
                for f in index.published_fixes(adv, release.os_family, release.train))
            for adv in advs
        )

    def combined_fix(
        self, version: Version, advs: list[int], families: tuple[Family, ...] | None = None
    ) -> CombinedFix:
        """The lowest known release of the train above `version` free of every advisory in `advs`."""
        return self.plan_upgrade(version, advs, families)[0]

    def _combined_elsewhere(self, version: Version, wanted: frozenset[int]) -> tuple[Version, ...]:
        """Per other train where each advisory has a fix, its first release free of all of them,
        newest train first (not yet checked against direction or hardware)."""
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
        found: list[Version] = []
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
                    found.append(release)
                    break
        found.sort(key=lambda v: v.key, reverse=True)
        result = tuple(found)
        self._elsewhere[key] = result
        return result
