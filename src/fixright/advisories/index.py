"""The advisory index: which advisories affect which releases. PURE.

    >>> index = AdvisoryIndex(records, releases=[("ios", "15.2(7)E3")])
    >>> version = index.version("ios", "15.2(4)E5")
    >>> [index.record(adv).advisory_id for adv, _why in index.affecting_device(version, "c2960x")]

The index is built once and then only answers lookups; its state is private.
Exact affected releases go into a dict keyed by (os_family, normalized
version); ranges are kept per (os_family, train) and checked once per distinct
version, only against ranges of its own train (or family-wide ones). Known
releases per train (from every advisory and from the catalog) are what the
planner (`fixright.advisories.planning`) infers fixes from. Advisories are
named by their position in `records` (an `int`, "adv") in every answer.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fixright.advisories.records import AdvisoryRecord, AffectedRange, AffectedReleases
from fixright.hardware.catalogue import Catalogue
from fixright.versions import InvalidVersion, Version, parse
from fixright.versions.core import VersionKey

# Words dropped from a platform filter ("SRX Series" -> "srx").
_PLATFORM_NOISE = frozenset(
    {"series", "switches", "switch", "routers", "router", "platforms", "devices", "cisco",
     "juniper", "networks", "arista", "and", "appliances", "firewalls"}
)
# "MX240, MX480" is two platforms.
_PLATFORM_LIST = re.compile(r"[,;/]")
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True, slots=True)
class _Range:
    adv: int
    os_family: str
    train: str | None
    lower: Version | None
    fixed: Version | None
    last: Version | None
    platforms: tuple[str, ...]

    def describe(self) -> str:
        low = "start" if self.lower is None else str(self.lower)
        if self.fixed is not None:
            return f"({low} .. before {self.fixed})"
        if self.last is not None:
            return f"({low} .. {self.last} inclusive)"
        return f"({low} .. any later)"

    def contains(self, v: Version) -> bool:
        # One advisory holds ranges of several families (Fortinet's FortiOS and
        # FortiSwitchManager 7.0): another family's versions are never inside.
        if v.os_family != self.os_family or (self.train is not None and v.train != self.train):
            return False
        key = v.key
        if self.lower is not None and key < self.lower.key:
            return False
        if self.fixed is not None and not key < self.fixed.key:
            return False
        return self.last is None or key <= self.last.key


def platform_tokens(platforms: Sequence[str]) -> tuple[str, ...]:
    """`("SRX Series", "EX Series")` -> `("srx", "ex")`; `("MX240, MX480",)` -> `("mx240", "mx480")`.

    Vendors write several platforms in one string: it is split at commas,
    semicolons and slashes.
    """
    tokens = []
    for text in platforms:
        for part in _PLATFORM_LIST.split(text):
            words = [w for w in part.lower().replace("-", " ").split() if w not in _PLATFORM_NOISE]
            if words:
                tokens.append("".join(words))
    return tuple(dict.fromkeys(tokens))


def _squash(text: str) -> str:
    return text.lower().replace("-", "").replace(" ", "").replace("_", "")


class PlatformNames:
    """What advisory platform names mean in hardware terms (the hardware catalogue's).

    A name is known when it starts a model the catalogue lists ("EX4300
    Series" names the `EX4300*` hardware), or a listed model family starts it
    ("MX240" is in the `MX240*` family), or it starts a family id. Without a
    catalogue every name counts as known and matches by prefix alone.
    """

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self._catalogue = catalogue
        self._literals: list[tuple[str, str]] = []  # (squashed model literal, family id)
        self._cache: dict[str, frozenset[str]] = {}
        if catalogue is not None:
            for family in catalogue:
                for glob in (*family.models, *family.chassis):
                    literal = _squash(_GLOB_CHARS.split(glob, 1)[0])
                    if len(literal) >= 2:
                        self._literals.append((literal, family.id.lower()))

    def families(self, token: str) -> frozenset[str] | None:
        """Family ids (lower-case) the name covers; None when every name counts as known."""
        if self._catalogue is None:
            return None
        found = self._cache.get(token)
        if found is None:
            hits = {fid for literal, fid in self._literals
                    if literal.startswith(token) or token.startswith(literal)}
            hits.update(f.id.lower() for f in self._catalogue if _squash(f.id).startswith(token))
            found = self._cache[token] = frozenset(hits)
        return found

    def known(self, token: str) -> bool:
        """False for a name no hardware of the catalogue answers to."""
        families = self.families(token)
        return families is None or bool(families)

    def unknown(self, platforms: Sequence[str]) -> list[str]:
        """The names in `platforms` (as written, split) that the catalogue does not know."""
        out = []
        for text in platforms:
            for part in _PLATFORM_LIST.split(text):
                tokens = platform_tokens([part])
                if tokens and not self.known(tokens[0]) and part.strip() not in out:
                    out.append(part.strip())
        return out


def platform_matches(
    tokens: tuple[str, ...], platform: str | None, model: str | None = None,
    names: PlatformNames | None = None,
) -> bool:
    """True when the device is on one of the platforms, or when that cannot be told.

    With a `model`, the model decides ("EX4300 Series" matches EX4300-48T
    whatever its family). Otherwise `platform` is the device's image family
    or, failing that, its model: it matches a name that starts it or whose
    hardware runs that family. Names the catalogue does not know are left
    out (reported on import); with none left, or no facts about the device,
    the device matches: it is never reported safe for lack of facts.
    """
    if names is not None:
        tokens = tuple(t for t in tokens if names.known(t))
    if not tokens or not (platform or model):
        return True
    if model:
        squashed = _squash(model)
        return any(squashed.startswith(token) for token in tokens)
    assert platform is not None
    name = _squash(platform)
    if any(name.startswith(token) for token in tokens):
        return True
    if names is None:
        return False
    family = platform.strip().lower()
    return any(family in (names.families(token) or ()) for token in tokens)


@dataclass
class _Known:
    """Known releases of one (os_family, train), with where each was learnt."""

    versions: dict[str, Version] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    ordered: tuple[Version, ...] | None = None
    keys: list[VersionKey] | None = None


class AdvisoryIndex:
    """Advisory records indexed for matching and planning. Build once, query many times.

    `releases` are known releases as (os_family, version text) pairs (the
    catalog's, say): they let the planner infer fixes beyond what the
    advisories themselves mention. Unreadable releases are ignored.
    """

    def __init__(
        self, advisories: Sequence[AdvisoryRecord], releases: Iterable[tuple[str, str]] = (),
        *, catalogue: Catalogue | None = None,
    ) -> None:
        self._records: tuple[AdvisoryRecord, ...] = tuple(advisories)
        # Advisory platform names in hardware terms; without a catalogue, prefixes alone.
        self._names = PlatformNames(catalogue)
        self._memo: dict[tuple[str, str], Version | None] = {}
        self._exact: dict[tuple[str, str], set[int]] = {}
        self._exact_platforms: dict[tuple[str, str, int], tuple[str, ...]] = {}
        self._ranges: dict[tuple[str, str | None], list[_Range]] = {}
        self._adv_ranges: dict[int, list[_Range]] = {}
        self._complete: set[tuple[int, str, str]] = set()
        # (adv, family, train) -> (lowest, highest) release a complete list names.
        self._listed: dict[tuple[int, str, str], tuple[Version, Version]] = {}
        self._published: dict[tuple[int, str, str], list[Version]] = {}
        self._touched: dict[int, set[tuple[str, str]]] = {}
        self._known: dict[tuple[str, str], _Known] = {}
        self._review: dict[str, list[int]] = {}
        # Lookup caches, filled on first question.
        self._affecting: dict[tuple[str, str], frozenset[int]] = {}
        self._by_train: dict[tuple[str, str], list[int]] | None = None
        for adv, record in enumerate(self._records):
            self._add(adv, record)
        for family, text in releases:
            version = self.version(family, text)
            if version is not None:
                self._learn(version, "the release catalog")

    # -- building -------------------------------------------------------------

    def version(self, os_family: str, text: str) -> Version | None:
        """`parse`, memoised per index; None when the text does not read."""
        key = (os_family, text)
        try:
            return self._memo[key]
        except KeyError:
            pass
        try:
            version: Version | None = parse(os_family, text)
        except InvalidVersion:
            version = None
        self._memo[key] = version
        return version

    def _learn(self, version: Version, source: str) -> None:
        known = self._known.get((version.os_family, version.train))
        if known is None:
            known = self._known[(version.os_family, version.train)] = _Known()
        if version.normalized not in known.versions:
            known.versions[version.normalized] = version
            known.sources[version.normalized] = source
            known.ordered = None

    def _add(self, adv: int, record: AdvisoryRecord) -> None:
        touched = self._touched.setdefault(adv, set())
        learnt = f"advisory {record.advisory_id}"
        for group in record.affected:
            if isinstance(group, AffectedReleases):
                self._add_releases(adv, group, touched, learnt)
            elif isinstance(group, AffectedRange):
                self._add_range(adv, group, touched, learnt)
        for fixed in record.fixed:
            version = self.version(fixed.os_family, fixed.version)
            if version is not None:
                self._published.setdefault((adv, version.os_family, version.train), []).append(version)
                touched.add((version.os_family, version.train))
                self._learn(version, learnt)
        for family, text in record.not_affected:
            version = self.version(family, text)
            if version is not None:
                self._learn(version, learnt)
        for unplaced in record.unplaced:
            if unplaced.os_family is not None and unplaced.status == "affected":
                entries = self._review.setdefault(unplaced.os_family, [])
                if adv not in entries:
                    entries.append(adv)

    def _add_releases(
        self, adv: int, group: AffectedReleases, touched: set[tuple[str, str]], learnt: str
    ) -> None:
        family = group.os_family
        tokens = platform_tokens(group.platforms)
        exact = self._exact
        trains: dict[str, list[Version]] = {}
        for text in group.versions:
            version = self.version(family, text)
            if version is None:
                continue
            key = (family, version.normalized)
            hits = exact.get(key)
            if hits is None:
                hits = exact[key] = set()
                self._learn(version, learnt)
            hits.add(adv)
            if tokens:
                self._exact_platforms[(family, version.normalized, adv)] = tokens
            bounds = trains.get(version.train)
            if bounds is None:
                trains[version.train] = [version, version]
                touched.add((family, version.train))
            elif version.key < bounds[0].key:
                bounds[0] = version
            elif version.key > bounds[1].key:
                bounds[1] = version
        if group.complete:
            for train, (low, high) in trains.items():
                key3 = (adv, family, train)
                self._complete.add(key3)
                old = self._listed.get(key3)
                if old is not None:
                    low = low if low.key < old[0].key else old[0]
                    high = high if high.key > old[1].key else old[1]
                self._listed[key3] = (low, high)

    def _add_range(
        self, adv: int, group: AffectedRange, touched: set[tuple[str, str]], learnt: str
    ) -> None:
        family = group.os_family
        bounds = [
            None if text is None else self.version(family, text)
            for text in (group.introduced, group.fixed, group.last_affected)
        ]
        lower, fixed, last = bounds
        item = _Range(
            adv,
            family,
            group.train,
            lower,
            fixed,
            last,
            platform_tokens(group.platforms),
        )
        self._ranges.setdefault((family, group.train), []).append(item)
        self._adv_ranges.setdefault(adv, []).append(item)
        for bound in (lower, fixed, last):
            if bound is not None:
                self._learn(bound, learnt)
                touched.add((family, bound.train))
        if fixed is not None:
            self._published.setdefault((adv, family, fixed.train), []).append(fixed)

    # -- queries ----------------------------------------------------------------

    @property
    def records(self) -> tuple[AdvisoryRecord, ...]:
        """Every advisory indexed; an advisory's position here is its `adv` number."""
        return self._records

    def record(self, adv: int) -> AdvisoryRecord:
        """The advisory numbered `adv`."""
        return self._records[adv]

    def review(self, os_family: str) -> tuple[int, ...]:
        """Advisories that affect the family without naming releases (for a person to check)."""
        return tuple(self._review.get(os_family, ()))

    def published_fixes(self, adv: int, os_family: str, train: str) -> Sequence[Version]:
        """Fixed releases advisory `adv` publishes for one train (fixed records, range ends)."""
        return self._published.get((adv, os_family, train), ())

    def listed_bounds(self, adv: int, os_family: str, train: str) -> tuple[Version, Version] | None:
        """(lowest, highest) release of the train that a complete list of `adv` names, or None."""
        return self._listed.get((adv, os_family, train))

    def lists_completely(self, adv: int, os_family: str, train: str) -> bool:
        """True when `adv` lists every affected release of the train."""
        return (adv, os_family, train) in self._complete

    def has_ranges(self, adv: int) -> bool:
        """True when `adv` gives any affected range."""
        return adv in self._adv_ranges

    def in_closed_range(self, adv: int, version: Version) -> bool:
        """True when a range of `adv` bounded by a last affected release contains `version`."""
        return any(r.last is not None and r.contains(version) for r in self._adv_ranges.get(adv, ()))

    def trains_touched(self, adv: int) -> frozenset[tuple[str, str]]:
        """(os_family, train) pairs where `adv` has affected, range or fixed data."""
        return frozenset(self._touched.get(adv, ()))

    def known_releases(self, os_family: str, train: str) -> tuple[Version, ...]:
        """Known releases of one train, oldest first."""
        known = self._known.get((os_family, train))
        if known is None:
            return ()
        if known.ordered is None:
            known.ordered = tuple(sorted(known.versions.values(), key=lambda v: v.key))
            known.keys = [v.key for v in known.ordered]
        return known.ordered

    def first_known_above(self, os_family: str, train: str, key: VersionKey) -> int:
        """Position in `known_releases(os_family, train)` of the first release above `key`."""
        self.known_releases(os_family, train)
        known = self._known.get((os_family, train))
        return bisect_right(known.keys, key) if known is not None and known.keys else 0

    def is_known(self, version: Version) -> bool:
        known = self._known.get((version.os_family, version.train))
        return known is not None and version.normalized in known.versions

    def known_source(self, version: Version) -> str:
        known = self._known.get((version.os_family, version.train))
        return known.sources.get(version.normalized, "") if known else ""

    def trains(self, os_family: str) -> list[str]:
        """Trains of a family with any known release."""
        return [train for family, train in self._known if family == os_family]

    def affecting(self, version: Version) -> frozenset[int]:
        """Indices of advisories whose releases or ranges include `version` (any platform)."""
        key = (version.os_family, version.normalized)
        cached = self._affecting.get(key)
        if cached is not None:
            return cached
        hits = set(self._exact.get(key, ()))
        for train in (version.train, None):
            for item in self._ranges.get((version.os_family, train), ()):
                if item.contains(version):
                    hits.add(item.adv)
        result = frozenset(hits)
        self._affecting[key] = result
        return result

    def affecting_device(
        self, version: Version, platform: str | None, model: str | None = None
    ) -> list[tuple[int, str]]:
        """(advisory index, why) for advisories affecting `version` on this device.

        `platform` is the device's image family (or, failing that, its model);
        `model`, when given, decides advisory platform filters (`platform_matches`).

        A version no advisory or catalog knows (an interim build such as
        `15.2(4.0.55)E`) that falls between releases a complete list names as
        affected is reported affected too, as inferred: absence from a list
        only proves something for releases the list could have named.
        """
        hits: list[tuple[int, str]] = []
        family, normalized = version.os_family, version.normalized
        exact = self._exact.get((family, normalized), set())
        for adv in sorted(self.affecting(version)):
            if adv in exact:
                tokens = self._exact_platforms.get((family, normalized, adv), ())
                if platform_matches(tokens, platform, model, self._names):
                    hits.append((adv, "listed as affected"))
                    continue
            for item in self._adv_ranges.get(adv, ()):
                if item.contains(version) and platform_matches(item.platforms, platform, model,
                                                               self._names):
                    hits.append((adv, f"in affected range {item.describe()}"))
                    break
        if not self.is_known(version):
            found = {adv for adv, _why in hits}
            for adv in self.advisories_touching(family, version.train):
                bounds = self._listed.get((adv, family, version.train))
                if adv in found or bounds is None:
                    continue
                low, high = bounds
                if low.key < version.key < high.key:
                    hits.append(
                        (adv, f"inferred: not a listed release, but between listed affected "
                              f"releases {low} and {high}")
                    )
            hits.sort()
        return hits

    def advisories_touching(self, os_family: str, train: str) -> list[int]:
        """Advisories with affected, range or fixed data in one train."""
        if self._by_train is None:
            self._by_train = {}
            for adv, trains in self._touched.items():
                for item in trains:
                    self._by_train.setdefault(item, []).append(adv)
        return self._by_train.get((os_family, train), [])

    def affects(self, adv: int, version: Version) -> bool:
        """True when advisory `adv` lists `version` or has a range containing it."""
        return adv in self.affecting(version)
