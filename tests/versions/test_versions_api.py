"""The public surface of fixright.versions: names, value semantics, errors, speed."""

from __future__ import annotations

import contextlib
import dataclasses
import time

import pytest

import fixright.versions as versions
from fixright.errors import FixrightError, InvalidInput
from fixright.versions import (
    FAMILIES,
    IncomparableVersions,
    InvalidVersion,
    compare,
    parse,
    same_train,
)


def test_public_names() -> None:
    assert set(versions.__all__) == {
        "parse",
        "Version",
        "InvalidVersion",
        "IncomparableVersions",
        "compare",
        "same_train",
        "FAMILIES",
        "train_of",
    }
    assert FAMILIES == ("ios", "iosxe", "iosxr", "nxos", "asa", "junos", "eos", "fortios",
                        "fortiswitch", "fortiap", "fortimanager", "fortianalyzer", "fortiproxy",
                        "panos", "ftd", "fxos", "generic")


def test_train_of_is_forgiving() -> None:
    assert versions.train_of("ios", "15.2(4)E10") == "15.2E"
    assert versions.train_of("junos", "21.4R3-S5.4") == "21.4"
    assert versions.train_of("ios", "not a version") is None
    assert versions.train_of(None, "15.2(4)E10") is None
    assert versions.train_of("ios", None) is None


def test_error_tree() -> None:
    assert issubclass(InvalidVersion, InvalidInput)
    assert issubclass(IncomparableVersions, FixrightError)
    assert not issubclass(IncomparableVersions, InvalidInput)


def test_version_attributes() -> None:
    v = parse("ios", " 15.2(4)E10 ")
    assert v.os_family == "ios"
    assert v.train == "15.2E"
    assert v.normalized == "15.2(4)E10"
    assert str(v) == "15.2(4)E10"
    assert v.text == "15.2(4)E10"
    assert isinstance(v.key, tuple)
    assert repr(v) == "Version('ios', '15.2(4)E10')"
    x = parse("iosxe", "17.03.04a")
    assert (x.normalized, str(x), x.train) == ("17.3.4a", "17.03.04a", "17.3")


def test_version_is_frozen_and_slotted() -> None:
    v = parse("eos", "4.28.3M")
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.normalized = "x"  # type: ignore[misc]
    assert not hasattr(v, "__dict__")


def test_equality_and_hash_use_family_and_normalized() -> None:
    a, b = parse("iosxe", "17.03.04a"), parse("iosxe", "17.3.4a")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert str(a) != str(b)
    assert parse("generic", "7.6.1") != parse("aoscx", "7.6.1")
    assert a != "17.3.4a"
    assert a != object()


def test_comparison_with_other_types_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = parse("eos", "4.28.3M") < "4.28.4M"


def test_compare_returns_minus_one_zero_one() -> None:
    a, b = parse("junos", "21.4R3-S5"), parse("junos", "21.4R3-S10")
    assert (compare(a, b), compare(b, a), compare(a, a)) == (-1, 1, 0)


def test_sorting_a_numbered_family_across_trains() -> None:
    texts = ["17.3.4a", "3.16.10S", "16.12.04", "17.3.4", "17.16.1a", "16.9.3"]
    ordered = sorted(parse("iosxe", t) for t in texts)
    assert [v.normalized for v in ordered] == [
        "3.16.10S",
        "16.9.3",
        "16.12.4",
        "17.3.4",
        "17.3.4a",
        "17.16.1a",
    ]
    assert ordered == sorted((parse("iosxe", t) for t in texts), key=lambda v: v.key)


def test_ios_keys_sort_a_mixed_fleet_without_error() -> None:
    # `<` refuses to order different IOS trains, but the keys still sort
    # deterministically, grouping each train together.
    mixed = [parse("ios", t) for t in ["15.2(4)M1", "15.2(4)E10", "12.4(21a)", "15.2(2)E"]]
    keys = sorted(v.key for v in mixed)
    assert [v.normalized for v in sorted(mixed, key=lambda v: v.key)] == [
        "12.4(21a)",
        "15.2(2)E",
        "15.2(4)E10",
        "15.2(4)M1",
    ]
    assert keys == sorted(keys)


def test_family_name_is_case_insensitive_and_kept_for_generic_families() -> None:
    assert parse("IOS", "15.2(4)E10") == parse("ios", "15.2(4)E10")
    assert parse(" Junos ", "21.4R3").os_family == "junos"
    for family in ["aoscx", "procurve", "comware", "fortios", "panos"]:
        v = parse(family, "7.6.1")
        assert v.os_family == family
        assert v.normalized == parse("generic", "7.6.1").normalized
    assert same_train(parse("aoscx", "FL.10.11.1021"), parse("aoscx", "FL.10.13.1000"))
    assert not same_train(parse("aoscx", "7.6.1"), parse("generic", "7.6.1"))


def test_parse_is_cached() -> None:
    assert parse("nxos", "9.3(8)") is parse("nxos", "9.3(8)")


@pytest.mark.parametrize(
    ("family", "text"),
    [(None, "1.2"), ("ios", None), ("ios", 15.2), ("ios", b"15.2(4)E10"), ("ios", ["x"]), (1, 2)],
)
def test_non_strings_raise_invalid_version(family: object, text: object) -> None:
    with pytest.raises(InvalidVersion):
        parse(family, text)  # type: ignore[arg-type]


def test_invalid_version_message_and_fields() -> None:
    with pytest.raises(InvalidVersion) as info:
        parse("junos", "21.4Q")
    err = info.value
    assert "21.4Q" in str(err) and "junos" in str(err)
    assert (err.os_family, err.text) == ("junos", "21.4Q")
    assert err.reason and err.code == "invalid_version" and err.http_status == 422


def test_invalid_version_message_is_bounded_for_huge_text() -> None:
    with pytest.raises(InvalidVersion) as info:
        parse("generic", "9" * 100_000)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("family", [*FAMILIES, "aoscx"])
@pytest.mark.parametrize(
    "attack",
    [
        "1." * 90 + "x",
        "1(" * 90,
        "1.1(1" + ".1" * 90 + "x",
        "1.1(1)" + "A" * 150 + "(",
        "1.1R1-S1" + ".1" * 90,
        "a" * 150 + "!",
        "1" + "-a1" * 60 + "-",
        "1.1(1) [" + "[" * 150,
    ],
)
def test_no_catastrophic_backtracking(family: str, attack: str) -> None:
    start = time.perf_counter()
    with contextlib.suppress(InvalidVersion):
        parse(family, attack)
    assert time.perf_counter() - start < 0.05


def test_parsing_is_fast() -> None:
    # Bypass the cache: 30,000 distinct strings across the grammars.
    patterns = [
        ("ios", "15.{1}({0})E{2}"),
        ("iosxe", "17.{1}.{0}a"),
        ("nxos", "7.0({0})I{1}({2})"),
        ("junos", "21.{1}R{0}-S{2}"),
        ("eos", "4.{0}.{1}.{2}M"),
        ("generic", "FL.{0}.{1}.{2}"),
    ]
    cases = [
        (family, pattern.format(i, i % 7, i % 13))
        for family, pattern in patterns
        for i in range(5000)
    ]
    uncached = versions.families._parse_cached.__wrapped__
    start = time.perf_counter()
    for family, text in cases:
        uncached(family, text)
    assert time.perf_counter() - start < 3.0
