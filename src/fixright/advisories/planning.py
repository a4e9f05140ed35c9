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

from fixright.advisories.hardware_fit import HardwareFit, is_upgrade
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
from fixright.advisories.train_fixes import TrainFixes, fix_in_train, fixes
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
        # What the index alone answers per running release, shared by all its hardware.
        self._train = TrainFixes(index)
        # (adv, family, train, id(families)) -> "no fix in the train" for that hardware.
        self._no_fix: dict[tuple[int, str, str, int | None], FirstFix] = {}
        # (adv, family) -> [(first fix, label)] per train where adv has one.
        self._fix_trains: dict[tuple[int, str], list[tuple[Version, str]]] = {}
        # (family, train, advisories) -> first release free of all of them, per other train.
        self._elsewhere: dict[tuple[str, str, frozenset[int]], tuple[Version, ...]] = {}
        self._migrations: dict[
            tuple[str, str, frozenset[int], int | None], tuple[UpgradeTarget, ...]] = {}
        self._others: dict[tuple[int, str, str, int | None], tuple[str, ...]] = {}
        # (adv, family, train) -> fixes of adv in newer trains: bounded by the index.
        self._newer: dict[tuple[int, str, str], tuple[tuple[Version, str], ...]] = {}
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

    def first_fixes(
        self, version: Version, advs: list[int], families: tuple[Family, ...] | None = None
    ) -> dict[int, FirstFix]:
        """The first fixed release in `version`'s train for each advisory in `advs`.

        The index's answers are shared by every device of the release
        (`TrainFixes`); a fix past the hardware's last release is no fix for this device.
        """
        raw = self._train.first_fixes(version, advs)
        # Every fix found is a later release of the running train: only a last release limits it.
        ceiling = self._fit.train_ceiling(version, families) if families else None
        out: dict[int, FirstFix] = {}
        for adv in advs:
            found = raw[adv]
            if found is None:
                out[adv] = self._no_fix_here(adv, version, families)
            elif families and found.version is not None and not (
                    found.version.key > version.key
                    and (ceiling is None or found.version.key <= ceiling[0])):
                last = ", ".join(f"{f.id} {f.last_release}" for f in families if f.last_release)
                out[adv] = FirstFix(
                    None, False,
                    f"{found.reason}, but the hardware's last release is {last or 'older'}",
                    self.other_trains(adv, version, families),
                )
            else:
                out[adv] = found
        return out

    def _no_fix_here(
        self, adv: int, version: Version, families: tuple[Family, ...] | None
    ) -> FirstFix:
        """No fix of `adv` is known in the running train: the newer trains this hardware could take."""
        key = (adv, version.os_family, version.train, None if families is None else id(families))
        cached = self._no_fix.get(key)
        if cached is None:
            if families is not None:
                self._fit.hold(families)
            others = self.other_trains(adv, version, families)
            where = f"; newer trains with a fix: {', '.join(others)}" if others else ""
            if families == ():
                where = "; hardware unknown: other trains are not suggested"
            cached = FirstFix(
                None, False, f"{self._index.record(adv).advisory_id}: no fixed release of train "
                f"{version.train} is known{where}", others,
            )
            if len(self._no_fix) < 1_000_000:
                self._no_fix[key] = cached
        return cached

    def _fixed_trains(self, adv: int, os_family: str) -> list[tuple[Version, str]]:
        """(first fix, label) per train of the family where `adv` has a fix; computed once."""
        key = (adv, os_family)
        found = self._fix_trains.get(key)
        if found is None:
            found = []
            for family, train in self._index.trains_touched(adv):
                if family == os_family:
                    fix = fix_in_train(self._index, adv, family, train)
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
        key = (adv, version.os_family, version.train, None if families is None else id(families))
        cached = self._others.get(key)
        if cached is None:
            upgrades = self._upgrades(adv, version)
            if families is None:
                cached = tuple(label for _v, label in upgrades[:MAX_OTHER_TRAINS])
            else:
                self._fit.hold(families)
                runs = self._fit.runs_elsewhere
                cached = tuple(label for v, label in upgrades if runs(v, families))[:MAX_OTHER_TRAINS]
            if len(self._others) < 1_000_000:
                self._others[key] = cached
        return cached

    def _upgrades(self, adv: int, version: Version) -> tuple[tuple[Version, str], ...]:
        """(first fix, label) of `adv` in each other train newer than `version`'s, newest first."""
        # Releases of two different trains compare the same way whichever two are
        # taken (trains are numbered apart), so the answer holds for the whole train
        # and any hardware.
        key = (adv, version.os_family, version.train)
        found = self._newer.get(key)
        if found is None:
            found = self._newer[key] = tuple(
                (v, label) for v, label in self._fixed_trains(adv, version.os_family)
                if v.train != version.train and is_upgrade(version, v)
            )
        return found

    def plan_upgrade(
        self, version: Version, advs: list[int], families: tuple[Family, ...] | None = None
    ) -> tuple[CombinedFix, tuple[UpgradeTarget, ...], str]:
        """The combined fix, the upgrade targets and how the plan ended.

        The combined fix is the lowest known release of the running train above
        `version` free of every advisory in `advs` (and within the hardware's
        last release); without one, migrations go to newer trains the hardware
        runs, newest first.
        """
        family, train = version.os_family, version.train
        wanted = frozenset(advs)
        count = len(advs)
        release = self._train.lowest_free(version, wanted)
        # Past the hardware's last release, every later release of the train is too.
        if release is not None and self._fit.runs(release, version, families):
            inferred = self._train.inferred(release, advs)
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
                for inferred in (self._train.inferred(release, advs),)
            )[:MAX_OTHER_TRAINS]
        others = tuple(f"{t.train} ({t.release})" for t in targets)
        if targets:
            reason = f"{none_here}; {targets[0].why}"
            if len(targets) > 1:
                reason += f"; other trains with one: {', '.join(others[1:])}"
            return CombinedFix(None, False, reason, others), targets, "migrate"
        outcome = "unchecked" if families is None else "none_on_hardware"
        return CombinedFix(None, False, none_here), (), outcome

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
