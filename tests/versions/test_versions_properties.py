"""Property tests: spelling, round trips, total order within a train, robustness."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.versions.versions_strategies import (
    FAMILIES_UNDER_TEST,
    bumped,
    release,
    spellings,
    trains_of,
)

from fixright.versions import (
    FAMILIES,
    IncomparableVersions,
    InvalidVersion,
    Version,
    compare,
    parse,
    same_train,
)

families = pytest.mark.parametrize("family", FAMILIES_UNDER_TEST)
profile = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@families
@profile
@given(data=st.data())
def test_spellings_of_one_release_are_equal(family: str, data: st.DataObject) -> None:
    os_family, a, b = data.draw(spellings(family))
    va, vb = parse(os_family, a), parse(os_family, b)
    assert va == vb, (a, b, va.normalized, vb.normalized)
    assert va.key == vb.key and va.train == vb.train and hash(va) == hash(vb)
    assert compare(va, vb) == 0


@families
@profile
@given(data=st.data())
def test_round_trips(family: str, data: st.DataObject) -> None:
    os_family, text = data.draw(release(family))
    v = parse(os_family, text)
    again = parse(os_family, v.normalized)
    assert again == v and again.key == v.key and again.train == v.train
    assert again.normalized == v.normalized
    assert parse(os_family, str(v)) == v
    assert parse(os_family, f"  {text}\n") == v


@families
@profile
@given(data=st.data())
def test_a_larger_number_is_a_newer_release(family: str, data: st.DataObject) -> None:
    os_family, text, larger = data.draw(bumped(family))
    v, w = parse(os_family, text), parse(os_family, larger)
    if os_family == "ios" and not same_train(v, w):
        return  # a bumped mainline throttle stays in its train; nothing else to check
    assert v < w and w > v and v != w, (text, larger)
    assert compare(v, w) == -1


def _check_total_order(vs: list[Version]) -> None:
    for a, b in itertools.product(vs, repeat=2):
        relations = [a < b, a == b, a > b]
        assert relations.count(True) == 1, (a, b)
        assert (a == b) == (a.key == b.key) == (a.normalized == b.normalized)
        assert (a <= b) == (a < b or a == b)
        assert compare(a, b) == -compare(b, a)
    for a, b, c in itertools.permutations(vs, 3):
        if a <= b and b <= c:
            assert a <= c, (a, b, c)
    assert sorted(vs) == sorted(vs, key=lambda v: v.key)


@families
@profile
@given(data=st.data())
def test_total_order_within_a_train(family: str, data: st.DataObject) -> None:
    vs = [parse(f, t) for f, t in data.draw(trains_of(family))]
    if family == "ios":
        assert len({v.train for v in vs}) == 1
    _check_total_order(vs)


@pytest.mark.parametrize("family", [f for f in FAMILIES_UNDER_TEST if f != "ios"])
@profile
@given(data=st.data())
def test_numbered_families_order_across_trains(family: str, data: st.DataObject) -> None:
    first = data.draw(release(family))
    rest = data.draw(st.lists(release(family).filter(lambda r: r[0] == first[0]), max_size=6))
    _check_total_order([parse(f, t) for f, t in [first, *rest]])


@profile
@given(a=release("ios"), b=release("ios"))
def test_ios_trains_never_cross(a: tuple[str, str], b: tuple[str, str]) -> None:
    va, vb = parse(*a), parse(*b)
    if same_train(va, vb):
        assert compare(va, vb) in (-1, 0, 1)
    else:
        with pytest.raises(IncomparableVersions):
            compare(va, vb)
        assert va != vb


@profile
@given(
    a=st.sampled_from(FAMILIES_UNDER_TEST), b=st.sampled_from(FAMILIES_UNDER_TEST), data=st.data()
)
def test_families_never_cross(a: str, b: str, data: st.DataObject) -> None:
    va, vb = parse(*data.draw(release(a))), parse(*data.draw(release(b)))
    if va.os_family != vb.os_family:
        assert va != vb
        with pytest.raises(IncomparableVersions):
            compare(va, vb)


any_family = st.sampled_from([*FAMILIES, "aoscx", "IOS", " junos "]) | st.text(max_size=20)


def _parse_or_invalid(family: str, text: str) -> None:
    try:
        v = parse(family, text)
    except InvalidVersion as exc:
        assert exc.message
        return
    # Whatever was accepted must be a stable, well-formed Version.
    assert parse(v.os_family, v.normalized) == v
    assert v.train and v.normalized and str(v) == text.strip()


@settings(max_examples=1000)
@given(family=any_family, text=st.text())
def test_arbitrary_text_never_raises_anything_else(family: str, text: str) -> None:
    _parse_or_invalid(family, text)


@settings(max_examples=100)
@given(family=any_family, text=st.text(min_size=150, max_size=20_000))
def test_huge_text_never_raises_anything_else(family: str, text: str) -> None:
    _parse_or_invalid(family, text)


@settings(max_examples=500)
@given(family=any_family, text=st.text(alphabet="0123456789.()-[] abcEFMRSXD", max_size=40))
def test_version_like_text_never_raises_anything_else(family: str, text: str) -> None:
    _parse_or_invalid(family, text)


@families
@profile
@given(data=st.data())
def test_mutated_versions_never_raise_anything_else(family: str, data: st.DataObject) -> None:
    os_family, text = data.draw(release(family))
    at = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(min_size=1, max_size=3))
    _parse_or_invalid(os_family, text[:at] + junk + text[at:])
    _parse_or_invalid(os_family, text[:at] + text[at + 1 :])
