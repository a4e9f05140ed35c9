"""Which releases a device's hardware can run, from the hardware catalogue. PURE.

The fix planner (`fixright.advisories.planning`) asks this for every
candidate release: never an older release (`is_upgrade`), nothing past an
image family's last release, other trains only where the family is
published. Answers are cached per question, so one instance serves a whole
fleet; it holds nothing but answers derived from the read-only catalogue.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from fixright.hardware.catalogue import Catalogue, Family
from fixright.versions import InvalidVersion, Version, parse

# Classic IOS trains order by their release number only (15.2E after 15.0SE);
# the letters name a platform line, not an age.
_RELEASE_NUMBER = re.compile(r"(\d+)\.(\d+)")
_PER_TRAIN_ORDER = frozenset({"ios"})


def is_upgrade(running: Version, release: Version) -> bool:
    """True when moving from `running` to `release` goes forward, never back.

    Within a train, by the train's order. Between trains of numbered families
    (IOS XE, NX-OS, ASA, Junos, EOS, ...), by number: 9.3(15) is older than
    10.3(6). Between classic IOS trains, by release number: 15.2E is newer
    than 15.0SE, 15.1SG is not newer than 15.2E, and 15.2M is not newer than 15.2E.
    """
    if release.os_family != running.os_family:
        return False
    if release.train == running.train or running.os_family not in _PER_TRAIN_ORDER:
        return bool(release.key > running.key)
    ours, theirs = _release_number(running.train), _release_number(release.train)
    return ours is not None and theirs is not None and theirs > ours


@functools.lru_cache(maxsize=4096)
def _release_number(train: str) -> tuple[int, int] | None:
    """`15.2E` -> (15, 2)."""
    found = _RELEASE_NUMBER.match(train)
    return None if found is None else (int(found[1]), int(found[2]))



class HardwareFit:
    """The hardware side of fix planning for one catalogue (None: hardware not checked)."""

    def __init__(self, hardware: Catalogue | None) -> None:
        self._hardware = hardware
        self._families: dict[tuple[str, str | None, str | None], tuple[Family, ...]] = {}
        self._publishes: dict[tuple[str, str], bool] = {}
        self._last: dict[str, Version | None] = {}
        self._train_limits: dict[tuple[str, str, int], tuple[bool, Any]] = {}
        self._held: dict[int, tuple[Family, ...]] = {}
        self._running: dict[tuple[str, str, str | None, str | None], tuple[Family, ...]] = {}
        # One tuple per set of family ids, so caches keyed on identity are shared.
        self._interned: dict[tuple[str, ...], tuple[Family, ...]] = {}
        self._ceilings: dict[tuple[str, str, int], tuple[Any] | None] = {}

    def hold(self, families: tuple[Family, ...]) -> None:
        """Keep `families` alive: caches here and in the planner key on its identity."""
        self._held.setdefault(id(families), families)

    def device_families(
        self, os_family: str, family: str | None, model: str | None
    ) -> tuple[Family, ...]:
        """The image families the device may run: its stated family, else its model's."""
        key = (os_family, family, model)
        found = self._families.get(key)
        if found is None:
            catalogue = self._hardware
            found = ()
            if catalogue is not None:
                stated = catalogue.get(family) if family else None
                if stated is not None and stated.os_family == os_family:
                    found = (stated,)
                elif model:
                    found = catalogue.families_for_model(model, os_family)
            self._families[key] = found
        return found

    def published(self, family: Family, train: str) -> bool:
        key = (family.id, train)
        found = self._publishes.get(key)
        if found is None:
            found = self._publishes[key] = bool(
                self._hardware is not None and self._hardware.publishes(family.id, train))
        return found

    def last_release(self, family: Family) -> Version | None:
        if family.id not in self._last:
            last: Version | None = None
            if family.last_release:
                try:
                    last = parse(family.os_family, family.last_release)
                except InvalidVersion:
                    last = None
            self._last[family.id] = last
        return self._last[family.id]

    def runs(self, release: Version, running: Version, families: tuple[Family, ...] | None) -> bool:
        """True when the hardware can go from `running` to `release`.

        Without a catalogue (`families` None) only the direction is checked;
        unknown hardware (`()`) may only move within its train.
        """
        if not is_upgrade(running, release):
            return False
        if families is None:
            return True
        if release.train == running.train:
            ceiling = self.train_ceiling(release, families)
            return ceiling is None or release.key <= ceiling[0]
        return self.runs_elsewhere(release, families)

    def runs_elsewhere(self, release: Version, families: tuple[Family, ...]) -> bool:
        """True when `families` are published in `release`'s train (another than the running
        one) and `release` is not past their last release there; direction is not checked."""
        # Keyed by identity (hashing Family values is slow); `_held` keeps the tuple
        # alive, so its id is never reused for another.
        key = (release.os_family, release.train, id(families))
        limit = self._train_limits.get(key)
        if limit is None:
            self.hold(families)
            limit = self._train_limits[key] = self.train_limit(release, families)
        allowed, ceiling = limit
        return allowed and (ceiling is None or release.key <= ceiling)

    def train_ceiling(self, release: Version, families: tuple[Family, ...]) -> tuple[Any] | None:
        """(highest key `families` run in `release`'s train,), or None when that train has
        no limit for them (a family without a last release, or with it in another train)."""
        key = (release.os_family, release.train, id(families))
        try:
            return self._ceilings[key]
        except KeyError:
            pass
        self.hold(families)
        lasts = [self.last_release(f) for f in families]
        ceiling = None if not families or any(
            last is None or last.train != release.train for last in lasts
        ) else (max(last.key for last in lasts if last is not None),)
        self._ceilings[key] = ceiling
        return ceiling

    def train_limit(self, release: Version, families: tuple[Family, ...]) -> tuple[bool, Any]:
        """(published for one of `families`, highest key they run in that train or None)."""
        ceilings = []
        for family in families:
            if not self.published(family, release.train):
                continue
            last = self.last_release(family)
            if last is None or last.train != release.train:
                return True, None
            ceilings.append(last.key)
        return bool(ceilings), max(ceilings) if ceilings else None

    def families_running(
        self, version: Version, family: str | None, model: str | None
    ) -> tuple[Family, ...] | None:
        """The device's families (None without a catalogue), narrowed to those
        publishing the running train when a model runs several (NX-OS 9.x and 10.x)."""
        if self._hardware is None:
            return None
        key = (version.os_family, version.train, family, model)
        found = self._running.get(key)
        if found is None:
            narrowed = self.narrow(version, family, model)
            found = self._interned.setdefault(tuple(f.id for f in narrowed), narrowed)
            self._running[key] = found
        return found

    def narrow(self, version: Version, family: str | None, model: str | None) -> tuple[Family, ...]:
        found = self.device_families(version.os_family, family, model)
        if family and model and found and not any(self.published(f, version.train) for f in found):
            # A stated family that was never published in the running train is a stale
            # token (`nxos` on a 10.x Nexus); the model's family that is wins.
            by_model = self.device_families(version.os_family, None, model)
            running = tuple(f for f in by_model if self.published(f, version.train))
            return running or found
        if len(found) > 1:
            narrowed = tuple(f for f in found if self.published(f, version.train))
            return narrowed or found
        return found

    @staticmethod
    def describe_hardware(families: tuple[Family, ...] | None, label: str) -> str:
        if families is None:
            return ""
        if not families:
            return (f"hardware unknown ({label} is not in the hardware catalogue): "
                    "only same-train fixes can be suggested")
        return f"{label} runs {', '.join(f.id for f in families)} images"
