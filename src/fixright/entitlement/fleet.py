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
release, feature set); facts are loaded in bulk, one query per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from fixright.advisories.exploits import kev_advisory_ids
from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import advisories_fixed_by
from fixright.advisories.results import DeviceKey
from fixright.advisories.service import exposure_for_devices, load_index
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
from fixright.hardware import active_catalogue
from fixright.inventory.models import Device
from fixright.inventory.service import families_of
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


def _device_facts(d: Device, lines: Sequence[CoverageInfo], families: frozenset[str]
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
    they rely on, and the same per severity."""
    devices = session.scalars(
        select(Device).where(Device.organization_id == organization_id,
                             Device.retired_at.is_(None)).order_by(Device.serial)
    ).all()
    outcomes = [PolicyOutcome(p.name) for p in policies]
    if not devices:
        return outcomes
    index = index or load_index(session)
    keys = [DeviceKey(d.id, d.os_family or None, d.running_version or None, d.platform or None,
                      d.model or None) for d in devices]
    exposures = exposure_for_devices(session, keys, index=index)
    kev = kev_advisory_ids(session)
    coverage = coverage_by_serial(session, organization_id)
    decided = effective_states(session, organization_id, today)
    catalogue = active_catalogue()
    families = {d.id: families_of(catalogue, d) for d in devices}
    exposed: list[_Exposed] = []
    no_fix: list[Device] = []
    triaged: list[int] = []
    for d in devices:
        exposure = exposures[d.id]
        # The triage decisions in force today apply, as in the exposure report; the fix
        # asked for stays the combined fix of every matched advisory (never lower).
        hits = [h for h in exposure.advisories if decided.get((d.id, h.advisory_id)) not in AWAY]
        if not hits:
            if exposure.advisories:
                triaged.append(d.id)
            continue
        worst = max((h.severity for h in hits), key=severity_rank)
        fix = exposure.combined_fix.version if exposure.combined_fix else None
        if fix is None:
            no_fix.append(d)
            exposed.append(_Exposed(d, worst, (), d.os_family, ""))
            continue
        exposed.append(_Exposed(d, worst, tuple(AdvisoryFix(h.advisory_id, h.severity,
                                                            h.advisory_id in kev)
                                                for h in hits),
                                fix.os_family, fix.normalized))
    # Catalog releases and images of every fix, in one query.
    wanted = {(e.os_family, e.fix) for e in exposed if e.fix}
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
    fixed_cache: dict[tuple[str, str], frozenset[str]] = {}
    groups: dict[tuple[str, object], tuple[ImageFacts, list[_Exposed]]] = {}
    for e in exposed:
        if not e.fix:
            continue
        runs = families[e.device.id]
        # The device's own family first, then the others its hardware runs.
        platform = (e.device.platform or "").lower() or min(runs, default="")
        offered = [pair for family in (platform, *sorted(runs - {platform}))
                   for pair in catalog.get((e.os_family, e.fix, family), [])]
        picked = _pick_image(offered, e.device.licensed_feature_set)
        if picked is not None:
            image, release = picked
            key: object = image.id
            img = ImageFacts(image.id, image.filename, image.platform, image.feature_set or None,
                             release.version, release.train, release.kind or "unknown",
                             image.published_at.date() if image.published_at else None,
                             bool(image.public))
        else:
            release_row = releases.get((e.os_family, e.fix))
            feature_set = e.device.licensed_feature_set
            key = (e.fix, feature_set)
            img = ImageFacts(0, f"{platform} {e.fix} {feature_set} (not in catalog)", platform,
                             feature_set, e.fix, train_of(e.os_family, e.fix),
                             (release_row.kind if release_row and release_row.kind
                              else "maintenance"),
                             (release_row.release_date if release_row else None) or today)
        group = groups.setdefault((platform, key), (img, []))
        group[1].append(e)
    memo: dict[tuple[object, ...], bool] = {}

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

    for group_key, (img, members) in groups.items():
        first = members[0]
        fixed = fixed_cache.get((first.os_family, img.release_version))
        if fixed is None:
            fixed = frozenset(advisories_fixed_by(index, first.os_family, img.release_version))
            fixed_cache[(first.os_family, img.release_version)] = fixed
        for m in members:
            lines = coverage.get(m.device.serial.upper(), ())
            mine = _device_facts(m.device, lines, families[m.device.id])
            fixes = {mine.device_id: tuple(h for h in m.hits if h.advisory_id in fixed)}
            facts = EntitlementFacts(today, str(organization_id), img, (mine,), fixes)
            for number, outcome in enumerate(outcomes):
                ok = allowed(number, facts, group_key)
                if ok:
                    outcome.allowed += 1
                    outcome.cells["allowed"].append(m.device.id)
                    bare = replace(facts, devices=(replace(mine, coverage=()),))
                    if mine.coverage and not allowed(number, bare, group_key):
                        outcome.only_via_contract += 1
                        outcome.cells["via_contract"].append(m.device.id)
                        for line in lines:
                            if line.active_on(today) and line.yearly_cost is not None:
                                currency = line.currency or "?"
                                outcome.contract_cost_per_year[currency] = (
                                    outcome.contract_cost_per_year.get(currency, Decimal(0))
                                    + line.yearly_cost)
                else:
                    new = CoverageFacts("(new)", today, today)
                    unlocked = replace(facts, devices=(
                        replace(mine, coverage=(*mine.coverage, new)),))
                    if allowed(number, unlocked, group_key):
                        outcome.contract_would_unlock += 1
                        outcome.cells["needs_contract"].append(m.device.id)
                    else:
                        outcome.cells["refused"].append(m.device.id)
                done, total = outcome.by_severity.get(m.severity.lower(), (0, 0))
                outcome.by_severity[m.severity.lower()] = (done + ok, total + 1)
    position = {d.id: n for n, d in enumerate(devices)}
    for outcome in outcomes:
        outcome.exposed = len(exposed)
        outcome.triaged_away = len(triaged)
        outcome.no_known_fix = len(no_fix)
        outcome.cells["no_fix"] = [d.id for d in no_fix]
        outcome.cells["triaged"] = list(triaged)
        for ids in outcome.cells.values():
            ids.sort(key=position.__getitem__)  # by serial, as the devices were read
        outcome.denied = outcome.exposed - outcome.allowed
        for e in exposed:
            if not e.fix:
                done, total = outcome.by_severity.get(e.severity.lower(), (0, 0))
                outcome.by_severity[e.severity.lower()] = (done, total + 1)
    return outcomes
