"""What each policy means for a whole fleet: who can get the fix for their exposure.

For every device exposed to at least one advisory, the fix is its combined
fix (advisories domain). The image asked for is the catalog image of that
release for the device's platform, of a feature set its licence includes
(else any of that platform); when the catalog has none, a stand-in image is
assumed: that release, the device's licensed feature set, the release's kind
from the catalog or else `maintenance`, published today, not public.

Each device is decided on its own facts: the question is whether THIS
device gets its fix, so a contract on a sibling of the same platform does
not count here (a portal decision for the organisation may rely on any of
its devices of the platform). Images are resolved once per (platform,
release, feature set); facts are loaded in bulk, one query per table, and
the devices stream in batches: memory does not grow with the fleet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from fixright.advisories.cache import load_index
from fixright.advisories.exploits import kev_advisory_ids
from fixright.advisories.fleet import Situation, fleet_situations, live_devices, stream_devices
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import advisories_fixed_by
from fixright.advisories.severity import SEVERITIES, severity_rank
from fixright.catalog.models import Image, Release
from fixright.contracts.service import CoverageInfo, coverage_by_serial
from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.entitlement.featuresets import licence_includes
from fixright.entitlement.policy import Policy, evaluate
from fixright.hardware import active_catalogue, device_families
from fixright.inventory.models import Device
from fixright.triage.service import effective_states
from fixright.triage.states import AWAY
from fixright.versions import train_of

# Report columns: the severities worth a column, most severe first.
SEVERITY_COLUMNS = tuple(s for s in SEVERITIES if severity_rank(s) >= severity_rank("low"))


# The cells of one policy's outcome: every device with an advisory is in exactly one of
# these, but `via_contract`, a part of `allowed`.
CELLS = ("allowed", "via_contract", "needs_contract", "refused", "no_fix", "triaged")


@dataclass
class PolicyOutcome:
    """One policy over the fleet's exposed devices.

    `exposed` leaves out the devices whose every advisory was triaged not_affected
    or fixed (`triaged_away`); `denied` = exposed - allowed includes the devices with
    no known fix, `blocked` does not.
    """

    policy: str
    exposed: int = 0
    triaged_away: int = 0
    """Devices an advisory matches whose every match was triaged not_affected or fixed:
    neither exposed nor blocked."""
    no_known_fix: int = 0
    allowed: int = 0
    only_via_contract: int = 0
    contract_would_unlock: int = 0
    denied: int = 0
    contract_cost_per_year: dict[str, Decimal] = field(default_factory=dict)
    by_severity: dict[str, tuple[int, int]] = field(default_factory=dict)
    """severity -> (allowed, exposed), by each device's worst advisory."""
    cells: dict[str, list[int]] = field(default_factory=lambda: {c: [] for c in CELLS})
    """cell (`CELLS`) -> the ids of its devices, for drilling down."""

    @property
    def blocked(self) -> int:
        """Exposed devices with a known fix that may not download it."""
        return self.denied - self.no_known_fix

    @property
    def share_blocked(self) -> float:
        """Of the exposed devices with a known fix, the share that may not download it
        (a device with no fix published is not blocked by the policy: nothing would help)."""
        with_fix = self.exposed - self.no_known_fix
        return self.blocked / with_fix if with_fix else 0.0


# Tests turn this off to prove the memo never changes an answer.
MEMOISE = True


@dataclass(frozen=True)
class _Exposed:
    device: Device
    severity: str
    hits: tuple[AdvisoryFix, ...]
    os_family: str
    fix: str  # normalized version text of the combined fix


def _device_facts(d: Any, lines: Sequence[CoverageInfo], families: frozenset[str]
                  ) -> DeviceFacts:
    return DeviceFacts(
        device_id=d.id, serial=d.serial, model=d.model or None, platform=d.platform,
        running_version=d.running_version, running_train=train_of(d.os_family, d.running_version),
        licensed_feature_set=d.licensed_feature_set,
        coverage=tuple(CoverageFacts(c.contract_number, c.start, c.end, c.service_level)
                       for c in lines),
        families=tuple(sorted(families)),
    )


def _pick_image(candidates: list[tuple[Image, Release]], licence: str | None
                ) -> tuple[Image, Release] | None:
    if not candidates:
        return None
    for image, release in candidates:
        if licence and (image.feature_set or "").lower() == licence.lower():
            return image, release
    for image, release in candidates:
        if licence_includes(licence, image.feature_set)[0]:
            return image, release
    return candidates[0]


_COLUMNS = (Device.id, Device.serial, Device.model, Device.platform, Device.os_family,
            Device.running_version, Device.licensed_feature_set)


@dataclass(frozen=True)
class _Shape:
    """What a situation's exposure means here: worst severity, its fix, the hits as facts."""

    severity: str
    fix: tuple[str, str] | None  # (os_family, normalized version) of the combined fix
    hits: tuple[AdvisoryFix, ...]


def _triaged_shape(exposure: Any, device_id: int, decided: dict[tuple[int, str], str],
                   shape: _Shape, kev: set[str] | frozenset[str]) -> _Shape | None:
    """The shape of a device with triage decisions; None when every advisory is triaged
    away (not_affected or fixed)."""
    hits = [h for h in exposure.advisories if decided.get((device_id, h.advisory_id)) not in AWAY]
    if not hits:
        return None
    worst = max((h.severity for h in hits), key=severity_rank)
    return _Shape(worst.lower(), shape.fix,
                  tuple(AdvisoryFix(h.advisory_id, h.severity, h.advisory_id in kev)
                        for h in hits) if shape.fix else ())


def compare_policies(
    session: Session,
    organization_id: int,
    policies: Sequence[Policy],
    *,
    today: date,
    index: AdvisoryIndex | None = None,
) -> list[PolicyOutcome]:
    """For each policy: exposed devices, how many may download their fix, how many only
    through a contract, how many a contract would unlock, the yearly cost of the contracts
    they rely on, and the same per severity.

    Exposure is planned once per distinct situation (`fleet_situations`); devices stream
    from the database in batches. A device without coverage lines is decided by its
    situation and licence alone (no condition reads its serial or id), so such devices are
    counted per (situation, licence) and decided once; a device with coverage lines is
    decided on its own (then memoised per policy situation).
    """
    outcomes = [PolicyOutcome(p.name) for p in policies]
    fleet = fleet_situations(session, organization_id, index=index)
    if not fleet.counts:
        return outcomes
    index = index or load_index(session)
    kev = kev_advisory_ids(session)
    coverage = coverage_by_serial(session, organization_id)
    catalogue = active_catalogue()
    shapes: dict[Situation, _Shape] = {}
    for key, exposure in fleet.exposures.items():
        if not exposure.advisories:
            continue
        worst = max((h.severity for h in exposure.advisories), key=severity_rank)
        fix = exposure.combined_fix.version if exposure.combined_fix else None
        shapes[key] = _Shape(worst.lower(), (fix.os_family, fix.normalized) if fix else None,
                             tuple(AdvisoryFix(h.advisory_id, h.severity, h.advisory_id in kev)
                                   for h in exposure.advisories) if fix else ())
    # Catalog releases and images of every fix, in one query.
    wanted = {s.fix for s in shapes.values() if s.fix}
    catalog: dict[tuple[str, str, str], list[tuple[Image, Release]]] = defaultdict(list)
    releases: dict[tuple[str, str], Release] = {}
    if wanted:
        rows = session.execute(
            select(Release, Image).outerjoin(Image, Image.release_id == Release.id)
            .where(tuple_(Release.os_family, Release.version_normalized).in_(list(wanted)))
        ).all()
        for release, image in rows:
            releases[(release.os_family, release.version_normalized)] = release
            if image is not None:
                catalog[(release.os_family, release.version_normalized,
                         image.platform.lower())].append((image, release))
    families_cache: dict[tuple[str, str, str | None], frozenset[str]] = {}
    images: dict[tuple[object, ...], tuple[object, ImageFacts]] = {}
    fixed_cache: dict[tuple[str, str], frozenset[str]] = {}
    memo: dict[tuple[object, ...], bool] = {}

    def families_of(d: Any) -> frozenset[str]:
        key = (d.platform, d.model, d.os_family or None)
        found = families_cache.get(key)
        if found is None:
            found = families_cache[key] = device_families(
                catalogue, platform=d.platform, model=d.model, os_family=d.os_family or None)
        return found

    def image_for(d: Any, shape: _Shape, runs: frozenset[str]) -> tuple[object, ImageFacts]:
        """The image the device would ask for (memo key, facts): once per distinct case."""
        assert shape.fix is not None
        family, fix = shape.fix
        # The device's own family first, then the others its hardware runs.
        platform = (d.platform or "").lower() or min(runs, default="")
        licence = d.licensed_feature_set
        cache_key = (family, fix, platform, runs, licence)
        found = images.get(cache_key)
        if found is not None:
            return found
        offered = [pair for image_family in (platform, *sorted(runs - {platform}))
                   for pair in catalog.get((family, fix, image_family), [])]
        picked = _pick_image(offered, licence)
        if picked is not None:
            image, release = picked
            key: object = image.id
            img = ImageFacts(image.id, image.filename, image.platform, image.feature_set or None,
                             release.version, release.train, release.kind or "unknown",
                             image.published_at.date() if image.published_at else None,
                             bool(image.public))
        else:
            release_row = releases.get((family, fix))
            key = (fix, licence)
            img = ImageFacts(0, f"{platform} {fix} {licence} (not in catalog)", platform,
                             licence, fix, train_of(family, fix),
                             (release_row.kind if release_row and release_row.kind
                              else "maintenance"),
                             (release_row.release_date if release_row else None) or today)
        found = images[cache_key] = ((platform, key), img)
        return found

    def allowed(number: int, facts: EntitlementFacts, group: object) -> bool:
        # Devices whose facts differ only where no condition of the policy looks (serial,
        # contract numbers and dates, ...) get the same answer: decide each distinct
        # situation once. The group fixes the image, and the day is fixed.
        if not MEMOISE:
            return evaluate(policies[number], facts).allowed
        key = (number, group, *policies[number].situation(facts.devices[0], facts))
        answer = memo.get(key)
        if answer is None:
            answer = memo[key] = evaluate(policies[number], facts).allowed
        return answer

    def decide(d: Any, shape: _Shape, lines: Sequence[CoverageInfo], ids: list[int]) -> None:
        """Count the devices `ids`, like `d` (same facts but serial and id), for every policy."""
        count = len(ids)
        runs = families_of(d)
        group, img = image_for(d, shape, runs)
        fixed = fixed_cache.get((shape.fix[0], img.release_version))  # type: ignore[index]
        if fixed is None:
            family = shape.fix[0]  # type: ignore[index]
            fixed = fixed_cache[(family, img.release_version)] = frozenset(
                advisories_fixed_by(index, family, img.release_version))
        mine = _device_facts(d, lines, runs)
        fixes = {mine.device_id: tuple(h for h in shape.hits if h.advisory_id in fixed)}
        facts = EntitlementFacts(today, str(organization_id), img, (mine,), fixes)
        for number, outcome in enumerate(outcomes):
            ok = allowed(number, facts, group)
            if ok:
                outcome.allowed += count
                outcome.cells["allowed"].extend(ids)
                bare = replace(facts, devices=(replace(mine, coverage=()),))
                if mine.coverage and not allowed(number, bare, group):
                    outcome.only_via_contract += count
                    outcome.cells["via_contract"].extend(ids)
                    for line in lines:
                        if line.active_on(today) and line.yearly_cost is not None:
                            currency = line.currency or "?"
                            outcome.contract_cost_per_year[currency] = (
                                outcome.contract_cost_per_year.get(currency, Decimal(0))
                                + line.yearly_cost * count)
            else:
                new = CoverageFacts("(new)", today, today)
                unlocked = replace(facts, devices=(
                    replace(mine, coverage=(*mine.coverage, new)),))
                if allowed(number, unlocked, group):
                    outcome.contract_would_unlock += count
                    outcome.cells["needs_contract"].extend(ids)
                else:
                    outcome.cells["refused"].extend(ids)
            done, total = outcome.by_severity.get(shape.severity, (0, 0))
            outcome.by_severity[shape.severity] = (done + ok * count, total + count)

    # Triage is per device: a device with a decision in force gets a shape of its own
    # (its advisories triaged not_affected or fixed left out; the fix asked for stays the
    # combined fix of every matched advisory, never lower), as in the exposure report.
    decided = effective_states(session, organization_id, today)
    triaged_devices = {device_id for device_id, _advisory in decided}
    exposed = 0
    no_fix: list[int] = []
    triaged: list[int] = []
    position: dict[int, int] = {}
    no_fix_by_severity: dict[str, int] = defaultdict(int)
    alike: dict[tuple[object, ...], tuple[Any, _Shape, list[int]]] = {}
    query = select(*_COLUMNS).where(live_devices(organization_id)).order_by(Device.serial)
    for d in stream_devices(session, query):
        situation = (d.os_family, d.running_version, d.platform, d.model)
        shape = shapes.get(situation)
        if shape is None:
            continue
        position[d.id] = len(position)
        if d.id in triaged_devices:
            own = _triaged_shape(fleet.exposures[situation], d.id, decided, shape, kev)
            if own is None:
                triaged.append(d.id)
                continue
            shape = own
        exposed += 1
        if shape.fix is None:
            no_fix.append(d.id)
            no_fix_by_severity[shape.severity] += 1
            continue
        lines = coverage.get(d.serial.upper(), ())
        if lines or d.id in triaged_devices:
            decide(d, shape, lines, [d.id])
            continue
        group_key = (*situation, d.licensed_feature_set)
        same = alike.get(group_key)
        if same is None:
            alike[group_key] = (d, shape, [d.id])
        else:
            same[2].append(d.id)
    for d, shape, ids in alike.values():
        decide(d, shape, (), ids)
    for outcome in outcomes:
        outcome.exposed = exposed
        outcome.triaged_away = len(triaged)
        outcome.no_known_fix = len(no_fix)
        outcome.cells["no_fix"] = list(no_fix)
        outcome.cells["triaged"] = list(triaged)
        for ids in outcome.cells.values():
            ids.sort(key=position.__getitem__)  # by serial, as the devices were read
        outcome.denied = outcome.exposed - outcome.allowed
        for severity, count in no_fix_by_severity.items():
            done, total = outcome.by_severity.get(severity, (0, 0))
            outcome.by_severity[severity] = (done, total + count)
    return outcomes
