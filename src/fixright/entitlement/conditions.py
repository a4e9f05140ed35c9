"""The built-in policy conditions, one registry entry each. PURE: used by `policy`.

Each entry (see `entitlement.registry`) holds how its TOML value is read,
its plain words, its check worded for a customer, the hint when it fails
and the facts its result depends on. A device check returns (holds, words
about this device); when a condition holds for none of the devices, its
`failed` sentence sums up the per-device words. `docs/policies.md` is the
reference a policy author reads; keep it in step with these entries.
"""

from __future__ import annotations

from collections.abc import Hashable

from fixright.advisories.severity import SEVERITIES, canonical_severity, severity_rank
from fixright.entitlement.facts import DeviceFacts, EntitlementFacts
from fixright.entitlement.featuresets import licence_includes
from fixright.entitlement.registry import (
    Condition,
    ConditionRegistry,
    DeviceCondition,
    ImageCondition,
    Place,
    Unmet,
    did_you_mean,
    switch,
)

RELEASE_KINDS = ("feature", "maintenance", "rebuild", "security")
OWNS_DEVICE = "owns_device"
"""Implied by every grant that needs a device; its failure is "you have no such device"."""
_LISTED = 3


def _image_only(_c: Condition, _d: DeviceFacts, _f: EntitlementFacts) -> Hashable:
    # An image condition's result depends on the image alone, fixed for a memo.
    return None


# -- owns_device ---------------------------------------------------------------

_owns_device = DeviceCondition(
    name=OWNS_DEVICE,
    example="true",
    parse=switch,
    describe=lambda _c: "you own a registered device of the image's platform",
    check=lambda _c, d, _f: (True, f"you own {d.label}"),
    failed=lambda _c, f, _u: (f"you have no registered device of platform {f.image.platform}, "
                              f"the image's platform"),
    hint=lambda _c, f: (f"register your {f.image.platform} device in fixright "
                        f"(fixright devices import); hardware the catalogue does not know "
                        f"never counts (fixright platforms check)"),
    # Being a candidate (a device that can run the image: hardware compatibility
    # is true, `DeviceFacts.runs`) is the engine's test.
    memo=lambda _c, _d, _f: None,
)


# -- contract_active -------------------------------------------------------------


def _contract_active(_c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    today = f.today
    for line in d.coverage:
        if line.active_on(today):
            return True, f"contract {line.contract_number} covers {d.label} until {line.end}"
    if not d.coverage:
        return False, f"{d.serial} has no contract on record"
    ended = [c for c in d.coverage if c.end < today]
    if ended:
        last = max(ended, key=lambda c: c.end)
        return False, f"contract {last.contract_number} on {d.serial} ended {last.end}"
    first = min(d.coverage, key=lambda c: c.start)
    return False, f"contract {first.contract_number} on {d.serial} starts only {first.start}"


_contract_active_entry = DeviceCondition(
    name="contract_active",
    example="true",
    parse=switch,
    describe=lambda _c: "a contract covers that device today",
    check=_contract_active,
    failed=lambda _c, _f, u: f"no active contract covers {u.who}: {u.details}",
    hint=lambda _c, _f: "renew the contract on one of these devices, or put one under contract",
    memo=lambda _c, d, f: any(line.active_on(f.today) for line in d.coverage),
)


# -- covered_at_release ----------------------------------------------------------


def _covered_at_release(
    _c: Condition, d: DeviceFacts, f: EntitlementFacts
) -> tuple[bool, str]:
    published = f.image.published_at
    if published is None:
        return False, "the image's publication date is unknown"
    for line in d.coverage:
        if line.active_on(published):
            return True, (f"contract {line.contract_number} covered {d.label} on {published}, "
                          f"when the image was published")
    if not d.coverage:
        return False, f"{d.serial} has no contract on record"
    before = [c for c in d.coverage if c.end < published]
    if before:
        last = max(before, key=lambda c: c.end)
        return False, (f"contract {last.contract_number} on {d.serial} ended {last.end}, "
                       f"before the image was published on {published}")
    first = min(d.coverage, key=lambda c: c.start)
    return False, (f"contract {first.contract_number} on {d.serial} began {first.start}, "
                   f"after the image was published on {published}")


def _covered_at_release_memo(_c: Condition, d: DeviceFacts, f: EntitlementFacts) -> Hashable:
    published = f.image.published_at
    return published is not None and any(line.active_on(published) for line in d.coverage)


_covered_at_release_entry = DeviceCondition(
    name="covered_at_release",
    example="true",
    parse=switch,
    describe=lambda _c: "that device was under contract when the image was published",
    check=_covered_at_release,
    failed=lambda _c, f, u: (f"{u.who[0].upper() + u.who[1:]} was not under contract when "
                             f"{f.image.filename} was published: {u.details}"),
    hint=lambda _c, _f: ("this grant keeps images published while a device was under "
                         "contract; choose an image published during your coverage"),
    memo=_covered_at_release_memo,
)


# -- feature_set_licensed --------------------------------------------------------


def _feature_set(_c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    ok, why = licence_includes(d.licensed_feature_set, f.image.feature_set)
    return ok, f"{d.serial}: {why}"


_feature_set_entry = DeviceCondition(
    name="feature_set_licensed",
    example="true",
    parse=switch,
    describe=lambda _c: "that device is licensed for the image's feature set",
    check=_feature_set,
    failed=lambda _c, f, u: (f"the image's feature set {f.image.feature_set} is not licensed "
                             f"on {u.who}: {u.details}"),
    hint=lambda _c, _f: ("choose the image of the feature set you licensed, or record the "
                         "licence the device has (fixright devices import)"),
    memo=lambda _c, d, _f: d.licensed_feature_set,
)


# -- same_train ------------------------------------------------------------------


def _same_train(_c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    train = f.image.release_train
    if not train:
        return False, f"the train of release {f.image.release_version} is unknown"
    if not d.running_train:
        running = d.running_version or "an unknown version"
        return False, f"{d.serial} runs {running}, whose train is unknown"
    if d.running_train == train:
        return True, f"{d.label} runs train {train}, the release's train"
    return False, f"{d.serial} runs {d.running_version} (train {d.running_train}), not {train}"


_same_train_entry = DeviceCondition(
    name="same_train",
    example="true",
    parse=switch,
    describe=lambda _c: "the release is in the train that device runs",
    check=_same_train,
    failed=lambda _c, f, u: (f"release {f.image.release_version} is not in the train of "
                             f"{u.who}: {u.details}"),
    hint=lambda _c, _f: "choose a release in the train your device runs",
    memo=lambda _c, d, _f: d.running_train,
)


# -- public ----------------------------------------------------------------------


def _public(_c: Condition, f: EntitlementFacts) -> tuple[bool, str]:
    image = f.image
    if image.public:
        return True, f"{image.filename} is public"
    return False, f"{image.filename} is not public"


_public_entry = ImageCondition(
    name="public",
    example="true",
    parse=switch,
    describe=lambda _c: "the image is public",
    check=_public,
    hint=lambda _c, _f: "the vendor could publish the image",
    memo=_image_only,
    without_device=True,
)


# -- release_kinds ---------------------------------------------------------------


def _kinds(c: Condition) -> tuple[str, ...]:
    assert isinstance(c.value, tuple), c
    return c.value


def _parse_kinds(value: object, place: Place) -> Hashable:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise place.error(
            f"'release_kinds' in grant {place.grant!r} must be a non-empty list of release "
            f"kinds, e.g. [\"maintenance\", \"security\"]; got {value!r}"
        )
    kinds = tuple(str(v).strip().lower() for v in value)
    for kind in kinds:
        if kind not in RELEASE_KINDS:
            raise place.error(
                f"unknown release kind {kind!r} in 'release_kinds' of grant {place.grant!r}; "
                f"kinds are {', '.join(RELEASE_KINDS)}{did_you_mean(kind, RELEASE_KINDS)}"
            )
    return kinds


def _release_kinds(c: Condition, f: EntitlementFacts) -> tuple[bool, str]:
    image = f.image
    if image.release_kind in _kinds(c):
        return True, f"{image.release_version} is a {image.release_kind} release"
    return False, (f"{image.release_version} is a {image.release_kind} release; this grant "
                   f"covers only {' or '.join(_kinds(c))} releases")


_release_kinds_entry = ImageCondition(
    name="release_kinds",
    example='["maintenance", "security"]',
    parse=_parse_kinds,
    describe=lambda c: f"the release is a {' or '.join(_kinds(c))} release",
    check=_release_kinds,
    hint=lambda c, _f: f"choose a {' or '.join(_kinds(c))} release",
    memo=_image_only,
)


# -- fixes_advisory --------------------------------------------------------------


def _min_severity(c: Condition) -> str | None:
    return c.value if isinstance(c.value, str) else None


def _level(c: Condition) -> str:
    severity = _min_severity(c)
    return f"{severity} or higher " if severity else ""


def _parse_fixes(value: object, place: Place) -> Hashable:
    # `true`, or a table with min_severity; the argument is the minimum severity.
    grant = place.grant
    if value is True:
        return None
    if isinstance(value, dict):
        extra = sorted(set(value) - {"min_severity"})
        if extra:
            raise place.error(
                f"unknown key {extra[0]!r} in 'fixes_advisory' of grant {grant!r}; the only "
                f"key is 'min_severity'"
            )
        severity = value.get("min_severity")
        if severity is None:
            return None
        if not isinstance(severity, str) or severity_rank(severity) < 0:
            raise place.error(
                f"'min_severity' of 'fixes_advisory' in grant {grant!r} must be one of "
                f"{', '.join(SEVERITIES)}; got {severity!r}"
            )
        return canonical_severity(severity)
    raise place.error(
        f"'fixes_advisory' in grant {grant!r} must be `true` or "
        f"{{ min_severity = \"high\" }}; got {value!r}"
    )


def _fixes_advisory(c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    fixes = f.fixes.get(d.device_id, ())
    minimum = _min_severity(c)
    floor = severity_rank(minimum) if minimum else None
    qualifying = [a for a in fixes if floor is None or severity_rank(a.severity) >= floor]
    if qualifying:
        best = max(qualifying, key=lambda a: severity_rank(a.severity))
        more = f" and {len(qualifying) - 1} more" if len(qualifying) > 1 else ""
        severity = best.severity or "severity unknown"
        return True, (f"this release fixes {best.advisory_id} ({severity}){more} "
                      f"affecting {d.label}")
    if fixes:
        names = ", ".join(f"{a.advisory_id} ({a.severity or 'severity unknown'})"
                          for a in fixes[:_LISTED])
        return False, f"for {d.serial} this release fixes only {names}, below {minimum}"
    return False, f"this release fixes no known advisory affecting {d.serial}"


def _fixes_hint(c: Condition, _f: EntitlementFacts) -> str:
    level = _level(c)
    return ("this grant covers only releases that fix an advisory "
            f"{'of ' + level.strip() + ' ' if level else ''}affecting your "
            "device; see `fixright report fixes` for yours")


_fixes_advisory_entry = DeviceCondition(
    name="fixes_advisory",
    example='{ min_severity = "high" }',
    parse=_parse_fixes,
    describe=lambda c: f"the release fixes a {_level(c)}advisory affecting that device",
    check=_fixes_advisory,
    failed=lambda c, f, u: (f"release {f.image.release_version} fixes no {_level(c)}advisory "
                            f"affecting {u.who}: {u.details}"),
    hint=_fixes_hint,
    memo=lambda _c, d, f: tuple((a.advisory_id, a.severity)
                                for a in f.fixes.get(d.device_id, ())),
)


REGISTRY = ConditionRegistry([
    _owns_device,
    _contract_active_entry,
    _covered_at_release_entry,
    _feature_set_entry,
    _same_train_entry,
    _public_entry,
    _release_kinds_entry,
    _fixes_advisory_entry,
])
"""The conditions a policy may use, in the order the documentation lists them."""

__all__ = ["OWNS_DEVICE", "REGISTRY", "RELEASE_KINDS", "Unmet"]


# -- kev_listed ------------------------------------------------------------------
# Appended after REGISTRY (registered below) so the order of the documented
# conditions stays as it was; it is listed last.


def _kev_listed(_c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    fixes = f.fixes.get(d.device_id, ())
    listed = [a for a in fixes if a.kev]
    if listed:
        more = f" and {len(listed) - 1} more" if len(listed) > 1 else ""
        return True, (f"this release fixes {listed[0].advisory_id}{more}, exploited in the wild "
                      f"(CISA KEV), affecting {d.label}")
    if fixes:
        names = ", ".join(a.advisory_id for a in fixes[:_LISTED])
        return False, f"for {d.serial} this release fixes {names}, none of them in CISA's KEV catalog"
    return False, f"this release fixes no known advisory affecting {d.serial}"


_kev_listed_entry = REGISTRY.register(DeviceCondition(
    name="kev_listed",
    example="true",
    parse=switch,
    describe=lambda _c: "the release fixes a KEV-listed advisory affecting such a device",
    check=_kev_listed,
    failed=lambda _c, f, u: (f"release {f.image.release_version} fixes no advisory in CISA's "
                             f"Known Exploited Vulnerabilities catalog affecting {u.who}: "
                             f"{u.details}"),
    hint=lambda _c, _f: ("this grant covers only releases that fix an advisory CISA lists as "
                         "exploited (KEV) affecting your device; see `fixright report exposure`"),
    memo=lambda _c, d, f: tuple((a.advisory_id, a.kev) for a in f.fixes.get(d.device_id, ())),
))
