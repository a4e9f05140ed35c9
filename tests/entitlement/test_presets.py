"""Worked examples: each preset gives the decisions its description promises.

Devices come from the real shared `show version` samples (a Catalyst 4948E
running 12.2(54)SG1, a Catalyst 3850 stack running 03.06.05E); trains come
from `fixright.versions`.
"""

from __future__ import annotations

from datetime import date

import pytest
from tests.entitlement.entitlement_facts import device_from_sample, facts, image, sample

from fixright.entitlement.facts import AdvisoryFix, CoverageFacts
from fixright.entitlement.policy import evaluate, load_policy
from fixright.entitlement.presets import PRESETS, load_preset

TODAY = date(2025, 6, 1)
ENDED = CoverageFacts("91234", date(2021, 3, 2), date(2024, 3, 1), "8X5XNBD")
ACTIVE = CoverageFacts("99887", date(2025, 1, 1), date(2026, 12, 31), "24X7X4")
SMI = AdvisoryFix("cisco-sa-20180328-smi2", "Critical")
MDNS = AdvisoryFix("cisco-sa-20150325-mdns", "Medium")


@pytest.fixture
def c4948(shared_data):
    """The WS-C4948E of the shared sample, licensed entservices (its running image)."""
    record = sample(shared_data, "cisco_ios_show_version")
    assert record["running_image"].startswith("cat4500e-entservicesk9")
    def make(coverage=(ENDED,), licence="entservices"):
        return device_from_sample(record, device_id=1, os_family="ios", platform="c4500",
                                  licence=licence, coverage=coverage)
    return make


def sg_image(*, version="12.2(54)SG2", kind="maintenance", published=date(2024, 9, 1),
             feature_set="entservicesk9", public=False):
    return image(os_family="ios", version=version, platform="c4500", feature_set=feature_set,
                 kind=kind, published=published, public=public)


def decide(preset: str, f):
    return evaluate(load_preset(preset), f)


def test_expired_contract(c4948) -> None:
    """An owner whose contract ended 2024-03-01 asks for a later maintenance release."""
    f = facts(sg_image(), (c4948(),), today=TODAY)
    verdicts = {p: decide(p, f) for p in PRESETS}
    assert {p: d.allowed for p, d in verdicts.items()} == {
        "contract-only": False,
        "contract-plus-security": False,
        "lifetime-updates": True,
        "perpetual-fallback": False,
        "open": True,
    }
    denied = verdicts["contract-only"]
    first = denied.grants[0].failures[0]
    assert first.condition == "contract_active"
    assert first.message == ("no active contract covers a WS-C4948E you own: contract 91234 "
                             "on CAT1451S15C ended 2024-03-01")
    assert "renew the contract" in denied.hint
    assert "is not public" in denied.grants[1].failures[0].message
    lifetime = verdicts["lifetime-updates"]
    assert (lifetime.grant, lifetime.device_serial) == ("lifetime updates", "CAT1451S15C")
    assert any("entservices" in r for r in lifetime.reasons)
    perpetual = verdicts["perpetual-fallback"]
    covered = perpetual.grants[1].failures[0]
    assert covered.condition == "covered_at_release"
    assert "ended 2024-03-01, before the image was published on 2024-09-01" in covered.message
    # perpetual fallback keeps what was published while covered
    older = facts(sg_image(published=date(2023, 5, 1)), (c4948(),), today=TODAY)
    kept = decide("perpetual-fallback", older)
    assert kept.allowed and kept.grant == "covered when published"
    assert not decide("contract-only", older).allowed


def test_lapsed_contract_and_fresh_advisory(c4948) -> None:
    """The contract lapsed; a security release fixing a Critical advisory just came out."""
    img = sg_image(kind="security", published=date(2025, 5, 20))
    f = facts(img, (c4948(),), today=TODAY, fixes={1: (SMI,)})
    verdicts = {p: decide(p, f) for p in PRESETS}
    assert {p: d.allowed for p, d in verdicts.items()} == {
        "contract-only": False,
        "contract-plus-security": True,
        "lifetime-updates": True,
        "perpetual-fallback": False,
        "open": True,
    }
    security = verdicts["contract-plus-security"]
    assert security.grant == "security fix" and security.device_id == 1
    assert any("cisco-sa-20180328-smi2 (Critical)" in r for r in security.reasons)
    # a Medium advisory is below the exception's bar
    medium = decide("contract-plus-security", facts(img, (c4948(),), today=TODAY,
                                                    fixes={1: (MDNS,)}))
    assert not medium.allowed
    failed = {f.condition: f.message for f in medium.grants[1].failures}
    assert "below high" in failed["fixes_advisory"]
    # the same fix in another train is not the exception either
    other_train = sg_image(version="15.2(7)E8", kind="security", published=date(2025, 5, 20))
    moved = decide("contract-plus-security", facts(other_train, (c4948(),), today=TODAY,
                                                   fixes={1: (SMI,)}))
    assert not moved.allowed
    failed = {f.condition: f.message for f in moved.grants[1].failures}
    assert failed["same_train"].endswith("CAT1451S15C runs 12.2(54)SG1 (train 12.2SG), not 15.2E")
    # a renewed contract opens the feature release under every contract-based preset
    feature = sg_image(kind="feature")
    renewed = facts(feature, (c4948(coverage=(ENDED, ACTIVE)),), today=TODAY)
    for preset in ("contract-only", "contract-plus-security", "lifetime-updates",
                   "perpetual-fallback"):
        verdict = decide(preset, renewed)
        assert verdict.allowed and verdict.grant == "active contract", preset
    assert not decide("lifetime-updates", facts(feature, (c4948(),), today=TODAY)).allowed


def test_licence_below_the_image_feature_set(c4948) -> None:
    """Licensed ipbase, asking for the ipservices image."""
    img = sg_image(feature_set="ipservicesk9")
    f = facts(img, (c4948(licence="ipbase"),), today=TODAY)
    lifetime = decide("lifetime-updates", f)
    assert not lifetime.allowed
    failure = lifetime.grants[0].failures[0]
    assert failure.condition == "feature_set_licensed"
    assert "licensed for ipbase, below the image's ipservicesk9" in failure.message
    assert "feature set you licensed" in lifetime.hint
    # the ipbase image of the same release is within the licence; so is a lower one
    for fs in ("ipbasek9", "lanbasek9"):
        assert decide("lifetime-updates", facts(sg_image(feature_set=fs),
                                                (c4948(licence="ipbase"),), today=TODAY)).allowed
    # a licence nobody recorded never grants
    assert not decide("lifetime-updates",
                      facts(sg_image(), (c4948(licence=None),), today=TODAY)).allowed
    assert not decide("lifetime-updates",
                      facts(sg_image(), (c4948(licence="unknown"),), today=TODAY)).allowed
    # open ignores licences; a contract adds higher feature sets under lifetime-updates
    assert decide("open", f).allowed
    contracted = facts(img, (c4948(licence="ipbase", coverage=(ACTIVE,)),), today=TODAY)
    assert decide("lifetime-updates", contracted).grant == "active contract"


def test_universal_image_on_a_real_3850_stack(shared_data) -> None:
    record = sample(shared_data, "cisco_ios_show_version1")
    members = tuple(
        device_from_sample(record, device_id=10 + i, os_family="iosxe", platform="cat3k_caa",
                           licence="ipbase", member=i)
        for i in range(len(record["serial"]))
    )
    img = image(os_family="iosxe", version="03.06.08E", platform="cat3k_caa",
                feature_set="universalk9", kind="maintenance", published=date(2018, 2, 1))
    verdict = decide("lifetime-updates", facts(img, members, today=TODAY))
    assert verdict.allowed and verdict.device_serial == "FOC11111111"


def test_device_never_registered(shared_data, c4948) -> None:
    """The organisation owns only a 3850 stack; the image is for the 4500 platform."""
    record = sample(shared_data, "cisco_ios_show_version1")
    stack = device_from_sample(record, device_id=10, os_family="iosxe", platform="cat3k_caa",
                               licence="ipservices", coverage=(ACTIVE,))
    f = facts(sg_image(kind="security"), (stack,), today=TODAY, fixes={10: (SMI,)})
    for preset in PRESETS:
        verdict = decide(preset, f)
        assert not verdict.allowed, preset
        owner = verdict.grants[0].failures[0]
        assert owner.condition == "owns_device"
        assert owner.message == ("you have no registered device of platform c4500, the "
                                 "image's platform")
        assert "fixright devices import" in verdict.hint or "publish" in verdict.hint
    # a public image needs no device, under every preset
    public = facts(sg_image(public=True), (), today=TODAY)
    for preset in PRESETS:
        verdict = decide(preset, public)
        assert verdict.allowed and verdict.grant == "public image" and verdict.device_id is None


def test_conditions_of_a_grant_must_hold_for_the_same_device(c4948) -> None:
    policy = load_policy('[[grant]]\nname = "g"\ncontract_active = true\nsame_train = true\n')
    in_train = c4948(coverage=())
    other = type(in_train)(device_id=2, serial="FOX0000002", model="WS-C4948E",
                           platform="c4500", running_version="15.2(7)E8", running_train="15.2E",
                           licensed_feature_set="ipbase", coverage=(ACTIVE,))
    denied = evaluate(policy, facts(sg_image(), (in_train, other), today=TODAY))
    assert not denied.allowed
    (failure,) = denied.grants[0].failures
    assert failure.condition == "same_device"
    assert "CAT1451S15C: CAT1451S15C has no contract on record" in failure.message
    assert "FOX0000002: FOX0000002 runs 15.2(7)E8 (train 15.2E), not 12.2SG" in failure.message
    both = type(in_train)(**{**other.__dict__, "running_version": "12.2(54)SG1",
                             "running_train": "12.2SG"})
    allowed = evaluate(policy, facts(sg_image(), (in_train, both), today=TODAY))
    assert allowed.allowed and allowed.device_serial == "FOX0000002"


def test_decision_explains_itself_and_serialises(c4948) -> None:
    verdict = decide("contract-only", facts(sg_image(), (c4948(),), today=TODAY))
    text = verdict.explain()
    assert text.startswith("c4500-entservicesk9.12.2(54)SG2.bin: denied")
    assert "denied by policy 'contract-only'" in text
    assert "what would change that:" in text
    data = verdict.to_dict()
    assert data["allowed"] is False
    assert [g["grant"] for g in data["denied_by"]] == ["active contract", "public image"]
    assert data["denied_by"][0]["failed"][0]["condition"] == "contract_active"
