"""Pure pieces: the sortable version key, one-pass hashing, digest checks."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixright.catalog.hashing import digests_match, hash_stream, normalize_digest
from fixright.catalog.sortkey import encode_key
from fixright.errors import InvalidInput
from fixright.versions import InvalidVersion, Version, parse

# Keys of one family have one shape; a recursive strategy of that kind:
_scalar = st.one_of(st.integers(-(10**40), 10**40), st.text(max_size=6))


def _shaped(shape: list[str]) -> st.SearchStrategy[tuple[object, ...]]:
    parts = [st.integers(-(10**40), 10**40) if s == "i" else
             st.text(max_size=6) if s == "s" else
             st.lists(st.integers(0, 10**6), max_size=4).map(tuple) for s in shape]
    return st.tuples(*parts)


@given(st.lists(st.sampled_from("ist"), min_size=1, max_size=6).flatmap(
    lambda shape: st.tuples(_shaped(shape), _shaped(shape))))
def test_encoding_preserves_order(pair: tuple[tuple[object, ...], tuple[object, ...]]) -> None:
    a, b = pair
    ka, kb = encode_key(a), encode_key(b)
    assert (a < b) == (ka < kb)  # type: ignore[operator]
    assert (a == b) == (ka == kb)
    assert set(ka) <= set("0123456789abcdef")


_VERSIONS = {
    "ios": ["15.2(7)E8", "15.2(7)E10", "15.2(7a)E8", "15.2(7)E0b", "15.2(4)E10", "15.2(7)E",
            "15.2(7)E9", "15.2(8)E1"],
    "iosxe": ["17.3.4", "17.03.04a", "17.3.10", "16.12.4", "3.16.10S", "17.3"],
    "nxos": ["9.3(8)", "9.3(10)", "7.0(3)I7(9)", "7.0(3)I7(10)", "10.3(4a)", "10.3(4)"],
    "junos": ["21.4R3-S5", "21.4R3-S10", "21.4R3", "21.4", "21.4R1", "22.1R1"],
    "eos": ["4.28.3M", "4.28.10M", "4.9.1F", "4.28.3.1M"],
}


@pytest.mark.parametrize("family", sorted(_VERSIONS))
def test_real_version_keys_sort_like_versions(family: str) -> None:
    versions = [parse(family, v) for v in _VERSIONS[family]]
    by_train: dict[str, list[Version]] = {}
    for v in versions:
        by_train.setdefault(v.train, []).append(v)
    for members in by_train.values():
        assert sorted(members) == sorted(members, key=lambda v: encode_key(v.key))


@given(st.text(max_size=40))
def test_any_parsed_generic_version_encodes(text: str) -> None:
    try:
        v = parse("generic", text)
    except InvalidVersion:
        return
    assert encode_key(v.key)


@given(st.binary(max_size=5000), st.integers(1, 700))
def test_hash_stream_matches_hashlib_and_copies(data: bytes, chunk: int) -> None:
    sink = io.BytesIO()
    seen: list[int] = []
    d = hash_stream(io.BytesIO(data), sink, progress=seen.append, chunk_size=chunk)
    assert d.sha256 == hashlib.sha256(data).hexdigest()
    assert d.sha512 == hashlib.sha512(data).hexdigest()
    assert d.md5 == hashlib.md5(data).hexdigest()
    assert d.size == len(data) == sum(seen)
    assert sink.getvalue() == data


def test_hash_stream_large_without_sink() -> None:
    data = os.urandom(5 * 1024 * 1024 + 7)
    assert hash_stream(io.BytesIO(data)).sha512 == hashlib.sha512(data).hexdigest()


class _Broken(io.RawIOBase):
    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 3:
            raise OSError(5, "Input/output error")
        return b"x" * 100


def test_read_error_propagates_and_stops_workers() -> None:
    import threading

    before = threading.active_count()
    with pytest.raises(OSError, match="Input/output"):
        hash_stream(_Broken())
    assert threading.active_count() == before


def test_digest_checks() -> None:
    md5 = hashlib.md5(b"x").hexdigest()
    assert normalize_digest("md5", "  " + md5.upper() + "\n") == md5
    assert digests_match(md5.upper(), md5)
    assert not digests_match(md5, md5[:-1] + ("0" if md5[-1] != "0" else "1"))
    for bad in (md5[:-1], md5 + "0", "z" * 32, ""):
        with pytest.raises(InvalidInput, match="md5 digest .* 32 hexadecimal"):
            normalize_digest("md5", bad, source="--md5")
