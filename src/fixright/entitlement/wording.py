"""Each condition's check, worded for a customer. PURE: used by `policy.evaluate`.

A device check returns (holds, words about this device); when a condition
holds for none of the devices, `summarise_failure` turns the per-device words
into one sentence and a hint saying what would change the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fixright.advisories.severity import severity_rank
from fixright.entitlement.facts import DeviceFacts, EntitlementFacts
from fixright.entitlement.featuresets import licence_includes

if TYPE_CHECKING:
    from fixright.entitlement.policy import Condition

_LISTED = 3


@dataclass(frozen=True)
class Failure:
    """A condition of a grant that did not hold, and what would change that."""

    condition: str
    message: str
    hint: str


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


def _feature_set(_c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    ok, why = licence_includes(d.licensed_feature_set, f.image.feature_set)
    return ok, f"{d.serial}: {why}"


def _fixes_advisory(c: Condition, d: DeviceFacts, f: EntitlementFacts) -> tuple[bool, str]:
    fixes = f.fixes.get(d.device_id, ())
    floor = severity_rank(c.min_severity) if c.min_severity else None
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
        return False, (f"for {d.serial} this release fixes only {names}, below "
                       f"{c.min_severity}")
    return False, f"this release fixes no known advisory affecting {d.serial}"


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


def _owns(_c: Condition, d: DeviceFacts, _f: EntitlementFacts) -> tuple[bool, str]:
    return True, f"you own {d.label}"


DeviceCheck = Callable[["Condition", DeviceFacts, EntitlementFacts], tuple[bool, str]]
DEVICE_CHECKS: dict[str, DeviceCheck] = {
    "owns_device": _owns,
    "contract_active": _contract_active,
    "covered_at_release": _covered_at_release,
    "feature_set_licensed": _feature_set,
    "fixes_advisory": _fixes_advisory,
    "same_train": _same_train,
}


def image_check(c: Condition, f: EntitlementFacts) -> tuple[bool, str, str]:
    """(holds, words, hint) for a condition on the image alone."""
    image = f.image
    if c.name == "public":
        if image.public:
            return True, f"{image.filename} is public", ""
        return False, f"{image.filename} is not public", "the vendor could publish the image"
    kinds = " or ".join(c.kinds)
    if image.release_kind in c.kinds:
        return True, f"{image.release_version} is a {image.release_kind} release", ""
    return (False,
            f"{image.release_version} is a {image.release_kind} release; this grant covers "
            f"only {kinds} releases",
            f"choose a {kinds} release")


def _device_word(f: EntitlementFacts, per_device: Mapping[str, tuple[bool, str]]) -> str:
    models = {d.model or d.platform for d in f.devices if d.serial in per_device}
    if len(models) == 1 and len(per_device) == 1:
        model = models.pop()
        article = "an" if model[:1].upper() in "AEIOU" else "a"
        return f"{article} {model} you own"
    return f"any of your {len(per_device)} {f.image.platform} devices"


def _details(per_device: Mapping[str, tuple[bool, str]]) -> str:
    words = [text for _ok, text in per_device.values()]
    more = f"; and {len(words) - _LISTED} more" if len(words) > _LISTED else ""
    return "; ".join(words[:_LISTED]) + more


_HINTS = {
    "contract_active": "renew the contract on one of these devices, or put one under contract",
    "covered_at_release": ("this grant keeps images published while a device was under "
                           "contract; choose an image published during your coverage"),
    "feature_set_licensed": ("choose the image of the feature set you licensed, or record the "
                             "licence the device has (fixright devices import)"),
    "same_train": "choose a release in the train your device runs",
}


def summarise_failure(
    name: str,
    f: EntitlementFacts,
    per_device: Mapping[str, tuple[bool, str]],
    condition: Condition | None = None,
) -> Failure:
    """One sentence for a condition that held for none of the devices."""
    platform = f.image.platform
    if name == "owns_device":
        return Failure(
            name,
            f"you have no registered device of platform {platform}, the image's platform",
            f"register your {platform} device in fixright (fixright devices import)",
        )
    who = _device_word(f, per_device)
    if name == "contract_active":
        message = f"no active contract covers {who}: {_details(per_device)}"
    elif name == "covered_at_release":
        message = (f"{who[0].upper() + who[1:]} was not under contract when "
                   f"{f.image.filename} was published: {_details(per_device)}")
    elif name == "feature_set_licensed":
        message = (f"the image's feature set {f.image.feature_set} is not licensed on "
                   f"{who}: {_details(per_device)}")
    elif name == "fixes_advisory":
        level = (f"{condition.min_severity} or higher "
                 if condition is not None and condition.min_severity else "")
        message = (f"release {f.image.release_version} fixes no {level}advisory affecting "
                   f"{who}: {_details(per_device)}")
        return Failure(name, message, "this grant covers only releases that fix an advisory "
                       f"{'of ' + level.strip() + ' ' if level else ''}affecting your "
                       "device; see `fixright report fixes` for yours")
    else:
        message = f"release {f.image.release_version} is not in the train of {who}: " \
                  f"{_details(per_device)}"
    return Failure(name, message, _HINTS[name])
