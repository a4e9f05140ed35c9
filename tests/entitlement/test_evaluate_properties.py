"""Properties of `evaluate` and of the feature-set model over random facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fixright.advisories.severity import SEVERITIES
from fixright.entitlement.facts import (
    AdvisoryFix,
    CoverageFacts,
    DeviceFacts,
    EntitlementFacts,
    ImageFacts,
)
from fixright.entitlement.featuresets import INCLUDES, licence_includes, normalize
from fixright.entitlement.policy import RELEASE_KINDS, evaluate
from fixright.entitlement.presets import PRESETS, load_preset

BASE = date(2024, 1, 1)
PLATFORMS = ("c4500", "cat9k", "asa")
FEATURE_SETS = (None, "universalk9", "ipbasek9", "ipservicesk9", "lanbasek9", "entservicesk9",
                "network-advantage", "weird")
LICENCES = (None, "unknown", "ipbase", "ipservices", "lanbase", "advipservices",
            "network-essentials", "network-advantage", "universalk9", "weird")
TRAINS = ("12.2SG", "15.2E", "17.3")

days = st.integers(-800, 800).map(lambda n: BASE + timedelta(days=n))


@st.composite
def coverage(draw: st.DrawFn) -> CoverageFacts:
    start = draw(days)
    return CoverageFacts(draw(st.sampled_from(["1", "2", "3"])), start,
                         start + timedelta(days=draw(st.integers(0, 800))))


@st.composite
def device(draw: st.DrawFn, device_id: int) -> DeviceFacts:
    return DeviceFacts(
        device_id=device_id,
        serial=f"SN{device_id:05d}",
        model="WS-X",
        platform=draw(st.sampled_from(PLATFORMS)),
        running_version="x",
        running_train=draw(st.sampled_from((None, *TRAINS))),
        licensed_feature_set=draw(st.sampled_from(LICENCES)),
        coverage=tuple(draw(st.lists(coverage(), max_size=2))),
    )


@st.composite
def entitlement_facts(draw: st.DrawFn) -> EntitlementFacts:
    count = draw(st.integers(0, 4))
    devices = tuple(draw(device(i + 1)) for i in range(count))
    img = ImageFacts(
        image_id=1, filename="img.bin", platform=draw(st.sampled_from(PLATFORMS)),
        feature_set=draw(st.sampled_from(FEATURE_SETS)), release_version="v",
        release_train=draw(st.sampled_from((None, *TRAINS))),
        release_kind=draw(st.sampled_from(RELEASE_KINDS)),
        published_at=draw(st.one_of(st.none(), days)), public=draw(st.booleans()),
    )
    fixes = {
        d.device_id: tuple(AdvisoryFix(f"adv-{i}", draw(st.sampled_from((None, *SEVERITIES))),
                                       kev=draw(st.booleans()))
                           for i in range(draw(st.integers(0, 2))))
        for d in devices
    }
    return EntitlementFacts(draw(days), "org", img, devices, fixes)


@settings(max_examples=300)
@given(entitlement_facts())
def test_presets_nest_and_decisions_are_consistent(f: EntitlementFacts) -> None:
    verdicts = {name: evaluate(load_preset(name), f) for name in PRESETS}
    # every preset keeps what contract-only gives; open gives at least what any other does
    if verdicts["contract-only"].allowed:
        assert all(v.allowed for v in verdicts.values())
    if any(v.allowed for v in verdicts.values()):
        assert verdicts["open"].allowed
    for verdict in verdicts.values():
        if verdict.allowed:
            held = [g for g in verdict.grants if g.held]
            assert [g.grant for g in held] == [verdict.grant]
            if verdict.device_id is not None:
                (dev,) = [d for d in f.devices if d.device_id == verdict.device_id]
                assert dev.platform == f.image.platform
            else:
                assert f.image.public
        else:
            assert verdict.grants and all(g.failures for g in verdict.grants)
            assert verdict.hint


@settings(max_examples=200)
@given(entitlement_facts(), st.data())
def test_more_devices_never_take_a_download_away(f: EntitlementFacts, data: st.DataObject) -> None:
    extra = data.draw(device(99))
    more = replace(f, devices=(*f.devices, extra), fixes={**f.fixes, 99: ()})
    for name in PRESETS:
        if evaluate(load_preset(name), f).allowed:
            assert evaluate(load_preset(name), more).allowed, name


@given(st.sampled_from(sorted(INCLUDES)), st.sampled_from(sorted(INCLUDES)),
       st.sampled_from(sorted(INCLUDES)))
def test_feature_set_inclusion_is_a_partial_order(a: str, b: str, c: str) -> None:
    assert licence_includes(a, a)[0]
    if licence_includes(a, b)[0] and licence_includes(b, c)[0]:
        assert licence_includes(a, c)[0]
    if a != b and licence_includes(a, b)[0]:
        assert not licence_includes(b, a)[0]


def test_feature_set_model_in_words() -> None:
    assert normalize("IPSERVICESK9") == "ipservices"
    assert normalize("universalk9_npe") == "universal"
    assert normalize("Network Advantage") == "network-advantage"
    assert licence_includes("ipservices", "ipbasek9")[0]
    assert licence_includes("advipservices", "lanbasek9")[0]
    assert licence_includes("adventerprise", "entservicesk9")[0]
    assert not licence_includes("ipbase", "ipservicesk9")[0]
    assert not licence_includes("security", "uck9")[0]  # ISR packages are side by side
    assert licence_includes("network-advantage", "network-essentials")[0]
    assert not licence_includes("network-essentials", "dna-essentials")[0]
    assert licence_includes("ipbase", "universalk9")[0]
    assert not licence_includes(None, "universalk9")[0]
    assert not licence_includes("unknown", "ipbasek9")[0]
    assert licence_includes(None, None)[0] and licence_includes(None, "base")[0]
    assert licence_includes("foo", "FOOk9")[0] and not licence_includes("foo", "bar")[0]
    assert not licence_includes("universalk9", "ipservicesk9")[0]
