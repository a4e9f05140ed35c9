"""One severity vocabulary: the order is the same for advisories, entitlement and the UI."""

from __future__ import annotations

import random
from datetime import date
from itertools import product

import pytest

from fixright.advisories.index import AdvisoryIndex
from fixright.advisories.planning import match_devices
from fixright.advisories.records import AdvisoryRecord, AffectedReleases
from fixright.advisories.results import DeviceExposure, DeviceKey, Exposure
from fixright.advisories.severity import (
    SEVERITIES,
    canonical_severity,
    most_severe_first,
    severity_filter,
    severity_rank,
)
from fixright.entitlement.facts import AdvisoryFix, DeviceFacts, EntitlementFacts, ImageFacts
from fixright.entitlement.fleet import SEVERITY_COLUMNS
from fixright.entitlement.policy import evaluate, load_policy
from fixright.errors import InvalidInput
from fixright.web.ui_fleet import worst_severity


def test_rank_follows_the_listed_order() -> None:
    ranks = [severity_rank(s) for s in SEVERITIES]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == len(ranks)
    assert min(ranks) >= 0
    shuffled = list(SEVERITIES)
    random.Random(4).shuffle(shuffled)
    assert tuple(sorted(shuffled, key=most_severe_first)) == SEVERITIES


@pytest.mark.parametrize(("text", "name"), [
    ("Critical", "critical"), (" HIGH ", "high"), ("moderate", "medium"), ("important", "high"),
    ("info", "informational"), ("none", "none"), ("severe", None), ("", None), (None, None),
])
def test_canonical_names_and_unknown_words(text: str | None, name: str | None) -> None:
    assert canonical_severity(text) == name
    if name is None:
        assert severity_rank(text) == -1
        assert most_severe_first(text) > most_severe_first("none")  # unknown sorts last
    else:
        assert severity_rank(text) == severity_rank(name)


def test_filter_reads_names_and_refuses_others() -> None:
    assert severity_filter(None) is None and severity_filter("") is None
    # A blank field (a form sent with a space, "--severity ,") asks for nothing, not for none.
    assert severity_filter(" ") is None and severity_filter(" , ") is None
    assert severity_filter("Critical, high") == {"critical", "high"}
    with pytest.raises(InvalidInput, match="dire"):
        severity_filter("high,dire")


def _hits_of(severities: list[str]) -> Exposure:
    records = [AdvisoryRecord("manual", f"A{n}", "t", severity,
                              affected=(AffectedReleases("ios", "IOS", ("15.2(7)E1",)),))
               for n, severity in enumerate(severities)]
    return match_devices(AdvisoryIndex(records), [DeviceKey(1, "ios", "15.2(7)E1")])[1].exposure


def test_planner_and_ui_put_the_most_severe_first() -> None:
    shuffled = list(SEVERITIES)
    random.Random(7).shuffle(shuffled)
    exposure = _hits_of(shuffled)
    assert tuple(h.severity for h in exposure.advisories) == SEVERITIES
    for pair in product(SEVERITIES, repeat=2):
        two = DeviceExposure(DeviceKey(1, "ios", "15.2(7)E1"), _hits_of(list(pair)))
        assert worst_severity(two) == max(pair, key=severity_rank)
        assert worst_severity(two) == SEVERITIES[min(SEVERITIES.index(s) for s in pair)]


def test_report_columns_are_the_most_severe_in_order() -> None:
    assert SEVERITIES[: len(SEVERITY_COLUMNS)] == SEVERITY_COLUMNS
    assert SEVERITY_COLUMNS[-1] == "low"


@pytest.mark.parametrize(("floor", "severity"), list(product(SEVERITIES, repeat=2)))
def test_policy_floor_agrees_with_the_order(floor: str, severity: str) -> None:
    policy = load_policy(
        f'name = "p"\n[[grant]]\nname = "g"\nfixes_advisory = {{ min_severity = "{floor.upper()}" }}\n'
    )
    assert policy.grants[0].conditions[0].value == floor
    image = ImageFacts(1, "img.bin", "c2960x", None, "15.2(7)E2", "15.2E", "maintenance", None)
    device = DeviceFacts(1, "S1", None, "c2960x", "15.2(7)E1", "15.2E")
    facts = EntitlementFacts(date(2025, 1, 1), "org", image, (device,),
                             {1: (AdvisoryFix("A", severity),)})
    allowed = evaluate(policy, facts).allowed
    assert allowed == (SEVERITIES.index(severity) <= SEVERITIES.index(floor))
