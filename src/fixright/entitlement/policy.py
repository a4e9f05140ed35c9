"""Entitlement policies: read a TOML policy, decide one download. PURE: no I/O.

A policy is an ordered list of grants; a download is allowed when any grant
holds. A grant is a conjunction of named conditions (docs/policies.md):

    name = "contract-plus-security"
    description = "..."

    [[grant]]
    name = "contract"
    contract_active = true

    [[grant]]
    name = "security fix"
    fixes_advisory = { min_severity = "high" }
    same_train = true

The conditions are the entries of `entitlement.conditions.REGISTRY` (how
each is parsed, described, checked and hinted lives there, not here).
Device conditions (`owns_device`, `contract_active`, `covered_at_release`,
`feature_set_licensed`, `fixes_advisory`, `same_train`) must all hold for ONE
registered device of the image's platform. A grant without `public` always
needs such a device (`owns_device` is implied); a grant of `public` (and
image conditions) alone needs none.

`load_policy(text)` rejects a malformed policy with the line and the key at
fault; `evaluate(policy, facts)` returns a `Decision` that explains itself.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fixright.entitlement.conditions import OWNS_DEVICE, REGISTRY, RELEASE_KINDS
from fixright.entitlement.facts import DeviceFacts, EntitlementFacts
from fixright.entitlement.featuresets import licence_includes
from fixright.entitlement.registry import (
    Condition,
    DeviceCondition,
    Failure,
    ImageCondition,
    Memo,
    Place,
    Unmet,
    did_you_mean,
)
from fixright.errors import InvalidInput
from fixright.tomltext import load_toml

CONDITIONS = REGISTRY.names()
"""The built-in conditions, in the order the documentation lists them."""
_GRANT_KEYS = ("name", "description")
_TOP_KEYS = ("name", "description", "grant")

__all__ = [
    "CONDITIONS",
    "RELEASE_KINDS",
    "Condition",
    "Decision",
    "Failure",
    "Grant",
    "GrantResult",
    "Policy",
    "PolicyError",
    "describe",
    "evaluate",
    "licence_includes",
    "load_policy",
]


def describe(condition: Condition) -> str:
    """The condition in plain words, for `policy show` and the portal."""
    return REGISTRY[condition.name].describe(condition)


@dataclass(frozen=True)
class Grant:
    """A named conjunction of conditions."""

    name: str
    conditions: tuple[Condition, ...]
    description: str = ""
    line: int | None = None

    @property
    def needs_device(self) -> bool:
        """True unless the grant is `public` plus image-only conditions."""
        specs = [REGISTRY[c.name] for c in self.conditions]
        if any(spec.needs_device for spec in specs):
            return True
        return not any(isinstance(spec, ImageCondition) and spec.without_device
                       for spec in specs)

    def describe(self) -> str:
        words = [describe(c) for c in self.conditions]
        if self.needs_device and not any(c.name == OWNS_DEVICE for c in self.conditions):
            words.insert(0, describe(Condition(OWNS_DEVICE)))
        return "; and ".join(words)


@dataclass(frozen=True)
class Policy:
    """A parsed policy: ordered grants; any one holding allows the download."""

    name: str
    grants: tuple[Grant, ...]
    description: str = ""
    source: str = "<policy>"

    @cached_property
    def _memo_parts(self) -> tuple[tuple[Condition, Memo], ...]:
        distinct = dict.fromkeys(c for grant in self.grants for c in grant.conditions)
        return tuple((c, REGISTRY[c.name].memo) for c in distinct)

    def situation(self, device: DeviceFacts, facts: EntitlementFacts) -> tuple[Hashable, ...]:
        """What the decision for `device` alone depends on, for one image on one day.

        Two devices of one situation get the same answer from this policy
        (`entitlement.fleet` decides each situation once): the device's
        whether it runs the image (a candidate at all) and the `memo` part of
        every condition of the policy.
        """
        return (device.runs(facts.image.platform),
                *(memo(c, device, facts) for c, memo in self._memo_parts))


@dataclass(frozen=True)
class GrantResult:
    """How one grant fared: held (with the device relied on) or the failed conditions."""

    grant: str
    held: bool
    device_id: int | None = None
    device_serial: str | None = None
    reasons: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome of `evaluate`: allowed or not, and why, in a customer's words."""

    allowed: bool
    policy: str
    organization: str
    image_id: int
    image: str
    grant: str | None = None
    device_id: int | None = None
    device_serial: str | None = None
    reasons: tuple[str, ...] = ()
    grants: tuple[GrantResult, ...] = field(default=())
    hint: str | None = None

    def explain(self) -> str:
        """A paragraph a customer can read: the verdict, then the reasons per grant."""
        if self.allowed:
            via = f" relying on {self.device_serial}" if self.device_serial else ""
            lines = [f"{self.image}: allowed by grant '{self.grant}' of policy "
                     f"'{self.policy}'{via}"]
            lines += [f"  - {r}" for r in self.reasons]
            return "\n".join(lines)
        lines = [f"{self.image}: denied by policy '{self.policy}'"]
        for result in self.grants:
            lines.append(f"  grant '{result.grant}':")
            lines += [f"    - {f.message}" for f in result.failures]
        if self.hint:
            lines.append(f"  what would change that: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, used for the audit log and `--format json`."""
        return {
            "allowed": self.allowed,
            "policy": self.policy,
            "organization": self.organization,
            "image_id": self.image_id,
            "image": self.image,
            "grant": self.grant,
            "device_id": self.device_id,
            "device_serial": self.device_serial,
            "reasons": list(self.reasons),
            "denied_by": [
                {"grant": g.grant,
                 "failed": [{"condition": f.condition, "reason": f.message} for f in g.failures]}
                for g in self.grants if not g.held
            ],
            "hint": self.hint,
        }


# -- reading -----------------------------------------------------------------


class _Locator:
    """Finds the line of a grant or of a key inside a grant, by scanning the text.

    tomllib does not report positions of valid documents, so semantic errors
    are located here: `[[grant]]` headers split the text into sections.
    """

    _HEADER = re.compile(r"^\s*\[\[\s*grant\s*\]\]")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, line in enumerate(self.lines) if self._HEADER.match(line)]

    def grant(self, index: int) -> int | None:
        return self.headers[index] if index < len(self.headers) else None

    def key(self, key: str, grant: int | None = None) -> int | None:
        if grant is None:
            start, end = 0, (self.headers[0] - 1 if self.headers else len(self.lines))
        elif grant < len(self.headers):
            start = self.headers[grant]
            end = self.headers[grant + 1] - 1 if grant + 1 < len(self.headers) else len(
                self.lines)
        else:
            return None
        pattern = re.compile(
            rf"""^\s*(["']?{re.escape(key)}["']?\s*[=.]|\[\s*grant\.{re.escape(key)}\b)"""
        )
        for number in range(start, end):
            if pattern.match(self.lines[number]):
                return number + 1
        return self.grant(grant) if grant is not None else None


class PolicyError(InvalidInput):
    """A policy that cannot be read, with the line (and, for TOML syntax, the column) at
    fault when known, so that an editor can point at it."""

    def __init__(self, message: str, *, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def _located(source: str, exc: InvalidInput) -> PolicyError:
    # Every message of the reader starts with `_where(source, line)`.
    found = re.match(rf"{re.escape(source)}: line (\d+)\b", exc.message)
    column = re.search(r"\(at line \d+, column (\d+)\)", exc.message)
    return PolicyError(exc.message, line=int(found.group(1)) if found else None,
                       column=int(column.group(1)) if column else None)


def _where(source: str, line: int | None) -> str:
    return f"{source}: line {line}" if line else source


def _toml_error(source: str, text: str, exc: tomllib.TOMLDecodeError) -> InvalidInput:
    message = str(exc)
    found = re.search(r"at line (\d+)", message)
    key = ""
    if found:
        number = int(found.group(1))
        lines = text.splitlines()
        if 0 < number <= len(lines):
            match = re.match(r"^\s*([A-Za-z0-9_.\"'-]+)\s*=", lines[number - 1])
            if match:
                key = f" at key {match.group(1).strip(chr(34) + chr(39))!r}"
        return InvalidInput(f"{source}: line {number}: not valid TOML{key}: {message}")
    return InvalidInput(f"{source}: not valid TOML: {message}")


def _condition(
    key: str, value: Any, *, grant_name: str, line: int | None, source: str
) -> Condition:
    place = Place(_where(source, line), grant_name, key)
    return Condition(key, line, REGISTRY[key].parse(value, place))


def load_policy(text: str, *, source: str = "<policy>", name: str | None = None) -> Policy:
    """Parse a TOML policy. `source` names it in error messages; `name` overrides its name.

    Raises `PolicyError` (an `InvalidInput`) naming the line and key for malformed
    TOML, an unknown key or condition, or a value of the wrong type; its `line`
    says the same to a program.
    """
    try:
        return _load_policy(text, source=source, name=name)
    except PolicyError:
        raise
    except InvalidInput as exc:
        raise _located(source, exc) from None


def _load_policy(text: str, *, source: str, name: str | None) -> Policy:
    try:
        data = load_toml(text, source)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(source, text, exc) from None
    where = _Locator(text)
    for key in data:
        if key not in _TOP_KEYS:
            hint = (" (conditions go inside a [[grant]] table)" if key in REGISTRY
                    else did_you_mean(key, _TOP_KEYS))
            raise InvalidInput(
                f"{_where(source, where.key(key))}: unknown key {key!r}; a policy has "
                f"'name', 'description' and [[grant]] tables{hint}"
            )
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise InvalidInput(f"{_where(source, where.key(key))}: {key!r} must be a string")
    raw_grants = data.get("grant")
    if not isinstance(raw_grants, list) or not raw_grants:
        raise InvalidInput(
            f"{_where(source, where.key('grant'))}: a policy needs at least one [[grant]] table"
        )
    grants: list[Grant] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_grants):
        line = where.grant(index)
        if not isinstance(raw, dict):
            raise InvalidInput(f"{_where(source, line)}: each grant must be a table")
        grant_name = raw.get("name", f"grant {index + 1}")
        if not isinstance(grant_name, str) or not grant_name.strip():
            raise InvalidInput(
                f"{_where(source, where.key('name', index))}: a grant's 'name' must be a "
                f"non-empty string"
            )
        if grant_name in seen:
            raise InvalidInput(
                f"{_where(source, line)}: grant name {grant_name!r} is used twice "
                f"(first at line {seen[grant_name]})"
            )
        seen[grant_name] = line
        description = raw.get("description", "")
        if not isinstance(description, str):
            raise InvalidInput(
                f"{_where(source, where.key('description', index))}: a grant's 'description' "
                f"must be a string"
            )
        conditions: list[Condition] = []
        for key, value in raw.items():
            if key in _GRANT_KEYS:
                continue
            key_line = where.key(key, index)
            if key not in REGISTRY:
                names = REGISTRY.names()
                raise InvalidInput(
                    f"{_where(source, key_line)}: unknown condition {key!r} in grant "
                    f"{grant_name!r}{did_you_mean(key, names)}; conditions are "
                    f"{', '.join(names)}"
                )
            conditions.append(
                _condition(key, value, grant_name=grant_name, line=key_line, source=source)
            )
        if not conditions:
            raise InvalidInput(
                f"{_where(source, line)}: grant {grant_name!r} has no condition; a grant "
                f"needs at least one (an empty grant would allow everything)"
            )
        grants.append(Grant(grant_name, tuple(conditions), description.strip(), line))
    policy_name = name or data.get("name") or source
    return Policy(policy_name, tuple(grants), str(data.get("description", "")).strip(), source)


# -- deciding ----------------------------------------------------------------


def _evaluate_grant(
    grant: Grant, facts: EntitlementFacts, candidates: list[DeviceFacts]
) -> GrantResult:
    image_reasons: list[str] = []
    failures: list[Failure] = []
    device_conditions: list[tuple[Condition, DeviceCondition]] = []
    for condition in grant.conditions:
        spec = REGISTRY[condition.name]
        if isinstance(spec, DeviceCondition):
            # Owning a device of the platform is what makes a candidate.
            if condition.name != OWNS_DEVICE:
                device_conditions.append((condition, spec))
            continue
        assert isinstance(spec, ImageCondition)
        ok, text = spec.check(condition, facts)
        if ok:
            image_reasons.append(text)
        else:
            failures.append(Failure(condition.name, text, spec.hint(condition, facts)))
    if not grant.needs_device:
        if failures:
            return GrantResult(grant.name, False, failures=tuple(failures))
        return GrantResult(grant.name, True, reasons=tuple(image_reasons))
    if not candidates:
        owns, spec = Condition(OWNS_DEVICE), REGISTRY[OWNS_DEVICE]
        assert isinstance(spec, DeviceCondition)
        failures.insert(0, Failure(OWNS_DEVICE, spec.failed(owns, facts, Unmet.of(facts, {})),
                                   spec.hint(owns, facts)))
        return GrantResult(grant.name, False, failures=tuple(failures))
    # Per condition, per device: (holds, words). Stop at the first device that
    # meets all of them when the image conditions hold too.
    per_condition: dict[Condition, dict[str, tuple[bool, str]]] = {
        c: {} for c, _spec in device_conditions}
    for device in candidates:
        reasons = [f"you own {device.label}"]
        all_hold = True
        for condition, spec in device_conditions:
            ok, text = spec.check(condition, device, facts)
            per_condition[condition][device.serial] = (ok, text)
            if ok:
                reasons.append(text)
            else:
                all_hold = False
        if all_hold and not failures:
            return GrantResult(grant.name, True, device.device_id, device.serial,
                               tuple(reasons + image_reasons))
    never = [(c, spec) for c, spec in device_conditions
             if not any(ok for ok, _ in per_condition[c].values())]
    for condition, spec in never:
        unmet = Unmet.of(facts, per_condition[condition])
        failures.append(Failure(condition.name, spec.failed(condition, facts, unmet),
                                spec.hint(condition, facts)))
    if not never and device_conditions and len(failures) == 0:
        # Each condition holds for some device, but no device meets them all.
        parts = []
        for device in candidates[:3]:
            missing = [per_condition[c][device.serial][1] for c, _spec in device_conditions
                       if not per_condition[c][device.serial][0]]
            parts.append(f"{device.serial}: {missing[0]}")
        more = f"; and {len(candidates) - 3} more" if len(candidates) > 3 else ""
        failures.append(Failure(
            "same_device",
            "no single device of yours meets every condition of this grant: "
            + "; ".join(parts) + more,
            "the conditions of one grant must hold for the same device",
        ))
    return GrantResult(grant.name, False, failures=tuple(failures))


def evaluate(policy: Policy, facts: EntitlementFacts) -> Decision:
    """Decide whether `facts.organization` may download `facts.image` under `policy`.

    Grants are tried in order; the first that holds allows the download and
    names the device it relied on. When none holds, every grant's failed
    conditions are given in plain words, with a hint from the grant that came
    closest.
    """
    image = facts.image
    candidates = [d for d in facts.devices if d.runs(image.platform)]
    results: list[GrantResult] = []
    for grant in policy.grants:
        result = _evaluate_grant(grant, facts, candidates)
        results.append(result)
        if result.held:
            return Decision(True, policy.name, facts.organization, image.image_id,
                            image.filename, grant.name, result.device_id, result.device_serial,
                            result.reasons, tuple(results))
    closest = min(results, key=lambda r: len(r.failures))
    hint = "; ".join(dict.fromkeys(f.hint for f in closest.failures)) or None
    return Decision(False, policy.name, facts.organization, image.image_id, image.filename,
                    grants=tuple(results), hint=hint)
