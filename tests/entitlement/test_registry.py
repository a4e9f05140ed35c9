"""The condition registry: every entry is complete, and one entry is all a new condition needs."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.entitlement.test_evaluate_properties import entitlement_facts

from fixright.entitlement.conditions import OWNS_DEVICE, REGISTRY
from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.entitlement.policy import Condition, evaluate, load_policy
from fixright.entitlement.registry import (
    ConditionRegistry,
    DeviceCondition,
    ImageCondition,
    Place,
    Unmet,
)
from fixright.errors import InvalidInput

TODAY = date(2025, 6, 1)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def _one_condition_policy(name: str, value: str):
    return load_policy(f'[[grant]]\nname = "g"\n{name} = {value}\n', source="p.toml")


def _image(**changes) -> ImageFacts:
    good = ImageFacts(image_id=7, filename="cat4500e-entservicesk9-mz.122-54.SG2.bin",
                      platform="c4500", feature_set="entservicesk9", release_version="12.2(54)SG2",
                      release_train="12.2SG", release_kind="security",
                      published_at=date(2024, 6, 1), public=True)
    return replace(good, **changes)


GOOD_DEVICE = DeviceFacts(
    device_id=1, serial="FOX1", model="WS-C4948E", platform="c4500",
    running_version="12.2(54)SG1", running_train="12.2SG", licensed_feature_set="entservices",
    coverage=(CoverageFacts("91234", date(2024, 1, 1), date(2026, 1, 1)),))
BAD_DEVICE = replace(GOOD_DEVICE, device_id=2, serial="FOX2", running_version="15.2(4)E1",
                     running_train="15.2E", licensed_feature_set="lanbase", coverage=())
# KEV-listed too, so `kev_listed` holds for the good facts.
CRITICAL = {1: (AdvisoryFix("cisco-sa-x", "critical", kev=True),)}
GOOD = EntitlementFacts(TODAY, "acme", _image(), (GOOD_DEVICE,), CRITICAL)
BAD_IMAGE = _image(public=False, release_kind="feature", release_train="15.0M")
BAD_WITH_DEVICE = EntitlementFacts(TODAY, "acme", BAD_IMAGE, (BAD_DEVICE,), {})
BAD_WITHOUT_DEVICE = EntitlementFacts(TODAY, "acme", BAD_IMAGE, (), {})


@pytest.mark.parametrize("entry", list(REGISTRY), ids=lambda e: e.name)
def test_every_registered_condition_has_every_part(entry) -> None:
    """Parsed from its example, described, checked both ways, hinted, memoised, documented."""
    assert isinstance(entry, DeviceCondition | ImageCondition)
    for part in ("parse", "describe", "check", "hint", "memo"):
        assert callable(getattr(entry, part)), part
    policy = _one_condition_policy(entry.name, entry.example)
    (condition,) = policy.grants[0].conditions
    assert condition.name == entry.name and condition.line == 3
    words = entry.describe(condition)
    assert words and words in policy.grants[0].describe()

    allowed = evaluate(policy, GOOD)
    assert allowed.allowed, allowed.explain()
    denials = [evaluate(policy, facts) for facts in (BAD_WITH_DEVICE, BAD_WITHOUT_DEVICE)]
    mine = [f for d in denials if not d.allowed for g in d.grants for f in g.failures
            if f.condition == entry.name]
    assert mine, f"no facts make {entry.name} fail"
    for failure in mine:
        assert failure.message and failure.hint

    hash(entry.memo(condition, GOOD_DEVICE, GOOD))
    if isinstance(entry, DeviceCondition) and entry.name != OWNS_DEVICE:
        # Same image, same day, two devices it holds and fails for: the memo tells them apart.
        bad_here = replace(GOOD, devices=(BAD_DEVICE,))
        assert entry.check(condition, GOOD_DEVICE, GOOD)[0]
        assert not entry.check(condition, BAD_DEVICE, bad_here)[0]
        assert entry.memo(condition, GOOD_DEVICE, GOOD) != entry.memo(condition, BAD_DEVICE,
                                                                       bad_here)
    assert f"`{entry.name} = " in DOCS.read_text(), "docs/policies.md lists every condition"


@given(entitlement_facts(), st.data())
def test_a_memo_part_covers_what_its_check_reads(facts: EntitlementFacts, data) -> None:
    """Two devices of one image and day with equal memo parts get the same check result."""
    if len(facts.devices) < 2:
        return
    entry = data.draw(st.sampled_from([e for e in REGISTRY if isinstance(e, DeviceCondition)]))
    (condition,) = _one_condition_policy(entry.name, entry.example).grants[0].conditions
    first, second = facts.devices[:2]
    if entry.memo(condition, first, facts) == entry.memo(condition, second, facts):
        assert (entry.check(condition, first, facts)[0]
                == entry.check(condition, second, facts)[0])


def _parse_prefix(value: object, place: Place) -> Hashable:
    if not isinstance(value, str) or not value:
        raise place.error(f"{place.key!r} in grant {place.grant!r} must be a serial prefix")
    return value.upper()


def _prefix(c: Condition) -> str:
    assert isinstance(c.value, str)
    return c.value


TOY = DeviceCondition(
    name="serial_prefix",
    example='"FOX"',
    parse=_parse_prefix,
    describe=lambda c: f"that device's serial starts with {_prefix(c)}",
    check=lambda c, d, _f: (d.serial.startswith(_prefix(c)),
                            f"{d.serial} {'starts' if d.serial.startswith(_prefix(c)) else 'does not start'}"
                            f" with {_prefix(c)}"),
    failed=lambda c, _f, u: f"the serial of {u.who} does not start with {_prefix(c)}: {u.details}",
    hint=lambda c, _f: f"use a device whose serial starts with {_prefix(c)}",
    memo=lambda c, d, _f: d.serial.startswith(_prefix(c)),
)


@pytest.fixture
def toy() -> Iterator[DeviceCondition]:
    REGISTRY.register(TOY)
    try:
        yield TOY
    finally:
        REGISTRY.unregister(TOY.name)


def test_a_new_condition_is_one_registry_entry(toy) -> None:
    text = '[[grant]]\nname = "lab"\nserial_prefix = "fox"\ncontract_active = true\n'
    policy = load_policy(text, source="lab.toml")
    (prefix, _contract) = policy.grants[0].conditions
    assert prefix == Condition("serial_prefix", 3, "FOX")
    assert policy.grants[0].describe().startswith(
        "you own a registered device of the image's platform; and that device's serial "
        "starts with FOX; and a contract covers that device today")

    allowed = evaluate(policy, GOOD)
    assert allowed.allowed and "FOX1 starts with FOX" in allowed.reasons

    other = replace(GOOD_DEVICE, serial="JAE9")
    denied = evaluate(policy, replace(GOOD, devices=(other,)))
    (failure,) = denied.grants[0].failures
    assert failure.condition == "serial_prefix"
    assert failure.message == ("the serial of a WS-C4948E you own does not start with FOX: "
                               "JAE9 does not start with FOX")
    assert denied.hint == "use a device whose serial starts with FOX"

    # The fleet report's memo key sees the new condition's part: these two differ.
    assert policy.situation(GOOD_DEVICE, GOOD) != policy.situation(other, GOOD)
    twin = replace(GOOD_DEVICE, serial="FOX2", device_id=9)
    assert policy.situation(GOOD_DEVICE, GOOD) == policy.situation(twin, GOOD)

    with pytest.raises(InvalidInput, match=r"^lab.toml: line 3: 'serial_prefix' in grant 'lab'"):
        load_policy(text.replace('"fox"', "7"), source="lab.toml")


def test_unregistered_condition_is_unknown_again(toy) -> None:
    REGISTRY.unregister(TOY.name)
    try:
        with pytest.raises(InvalidInput, match="unknown condition 'serial_prefix'"):
            load_policy('[[grant]]\nserial_prefix = "FOX"\n')
    finally:
        REGISTRY.register(TOY)


def test_registry_refuses_a_duplicate_or_an_incomplete_entry() -> None:
    registry = ConditionRegistry([TOY])
    with pytest.raises(ValueError, match="registered already"):
        registry.register(TOY)
    with pytest.raises(TypeError, match="hint must be a function"):
        registry.register(replace(TOY, name="other", hint=None))
    assert registry.names() == ("serial_prefix",)


def test_unmet_names_one_device_by_its_model_and_many_by_count() -> None:
    one = Unmet.of(GOOD, {"FOX1": (False, "FOX1 has no contract on record")})
    assert one == Unmet("a WS-C4948E you own", "FOX1 has no contract on record")
    many = {f"S{i}": (False, f"S{i} x") for i in range(5)}
    assert Unmet.of(GOOD, many) == Unmet("any of your 5 c4500 devices",
                                         "S0 x; S1 x; S2 x; and 2 more")
