"""The condition registry: all that is known about one policy condition, in one entry. PURE.

An entry says how a condition is

- parsed: `parse(value, place)` turns the TOML value of `name = ...` in a
  grant into the condition's argument (`Condition.value`), or raises
  `InvalidInput` naming the place;
- described: `describe(condition)`, the policy in plain words;
- checked: `check(...)` against the facts of one decision, giving (holds, words);
- hinted: `hint(condition, facts)`, what a customer can do when it fails
  (and, for a device condition, `failed(...)`, the sentence saying why no
  device met it);
- memoised: `memo(condition, device, facts)`, the facts its result depends
  on. `entitlement.fleet` decides a whole fleet, one device at a time, and
  reuses an answer for devices whose memo parts agree, so a part must cover
  every fact the check reads.

The policy engine (`entitlement.policy`) knows conditions only through a
registry; the built-in ones are `entitlement.conditions.REGISTRY`. Adding a
condition is adding one entry there.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields

from fixright.entitlement.facts import DeviceFacts, EntitlementFacts
from fixright.errors import InvalidInput

_LISTED = 3

__all__ = [
    "Condition",
    "ConditionRegistry",
    "ConditionSpec",
    "DeviceCondition",
    "Failure",
    "ImageCondition",
    "Memo",
    "Place",
    "Unmet",
    "did_you_mean",
    "switch",
]


@dataclass(frozen=True)
class Condition:
    """One condition of a grant: its name, its source line and its parsed argument.

    `value` is what the entry's `parse` made of the TOML value: None for a
    plain switch (`same_train = true`), else the condition's own argument
    (a tuple of release kinds, a minimum severity, ...).
    """

    name: str
    line: int | None = None
    value: Hashable = None


@dataclass(frozen=True)
class Failure:
    """A condition of a grant that did not hold, and what would change that."""

    condition: str
    message: str
    hint: str


@dataclass(frozen=True)
class Place:
    """Where a condition's value was read, so that a parser's error can name it."""

    where: str
    """The source and line: "policy.toml: line 7"."""
    grant: str
    key: str

    def error(self, message: str) -> InvalidInput:
        """`InvalidInput` prefixed with the source and line."""
        return InvalidInput(f"{self.where}: {message}")


@dataclass(frozen=True)
class Unmet:
    """The devices a device condition held for none of, in words for its `failed` sentence."""

    who: str
    """"a C3900 you own" or "any of your 3 c3900 devices"."""
    details: str
    """What each device lacks, the first few: "FTX1 has no contract on record; ..."."""

    @classmethod
    def of(cls, facts: EntitlementFacts, per_device: Mapping[str, tuple[bool, str]]) -> Unmet:
        """From the (holds, words) of the condition per device serial."""
        models = {d.model or d.platform for d in facts.devices if d.serial in per_device}
        if len(models) == 1 and len(per_device) == 1:
            model = models.pop()
            article = "an" if model[:1].upper() in "AEIOU" else "a"
            who = f"{article} {model} you own"
        else:
            who = f"any of your {len(per_device)} {facts.image.platform} devices"
        words = [text for _ok, text in per_device.values()]
        more = f"; and {len(words) - _LISTED} more" if len(words) > _LISTED else ""
        return cls(who, "; ".join(words[:_LISTED]) + more)


Parse = Callable[[object, Place], Hashable]
Describe = Callable[[Condition], str]
Hint = Callable[[Condition, EntitlementFacts], str]
Memo = Callable[[Condition, DeviceFacts, EntitlementFacts], Hashable]
DeviceCheck = Callable[[Condition, DeviceFacts, EntitlementFacts], tuple[bool, str]]
ImageCheck = Callable[[Condition, EntitlementFacts], tuple[bool, str]]
Failed = Callable[[Condition, EntitlementFacts, Unmet], str]


@dataclass(frozen=True, kw_only=True)
class ConditionSpec:
    """The parts every condition has. Use `DeviceCondition` or `ImageCondition`."""

    name: str
    example: str
    """A TOML value the condition accepts (`true`, `["security"]`): for docs and tests."""
    parse: Parse
    describe: Describe
    hint: Hint
    memo: Memo

    @property
    def needs_device(self) -> bool:
        return isinstance(self, DeviceCondition)


@dataclass(frozen=True, kw_only=True)
class DeviceCondition(ConditionSpec):
    """A condition on a registered device of the image's platform.

    All device conditions of a grant must hold for the same device.
    """

    check: DeviceCheck
    failed: Failed


@dataclass(frozen=True, kw_only=True)
class ImageCondition(ConditionSpec):
    """A condition on the image (and its release) alone."""

    check: ImageCheck
    without_device: bool = False
    """True when a grant of this condition plus other image conditions needs no device
    (`public`); any other grant implies owning a device of the image's platform."""


class ConditionRegistry:
    """Condition entries by name, in the order they were registered."""

    def __init__(self, entries: Iterable[ConditionSpec] = ()) -> None:
        self._entries: dict[str, ConditionSpec] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: ConditionSpec) -> ConditionSpec:
        """Add `entry`; refuse a second entry of one name or an entry missing a part."""
        if type(entry) not in (DeviceCondition, ImageCondition):
            raise TypeError(f"condition {entry.name!r}: use DeviceCondition or ImageCondition")
        if entry.name in self._entries:
            raise ValueError(f"condition {entry.name!r} is registered already")
        for part in fields(entry):
            if part.name not in ("name", "example", "without_device") and not callable(
                    getattr(entry, part.name)):
                raise TypeError(f"condition {entry.name!r}: {part.name} must be a function")
        self._entries[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove the entry `name` (tests that register a condition of their own)."""
        del self._entries[name]

    def __getitem__(self, name: str) -> ConditionSpec:
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[ConditionSpec]:
        return iter(self._entries.values())

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)


# -- helpers for parsers ---------------------------------------------------------


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest of `choices`, or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def switch(value: object, place: Place) -> Hashable:
    """The parser of a condition without argument: only `name = true` is accepted."""
    key, grant = place.key, place.grant
    if value is True:
        return None
    if value is False:
        raise place.error(
            f"condition {key!r} in grant {grant!r} is false; conditions are switched on "
            f"with `{key} = true`; remove the line to drop it"
        )
    raise place.error(f"condition {key!r} in grant {grant!r} must be `true`, not {value!r}")
