"""Conditional and range requests, case by case from RFC 9110 §13-15."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixright.downloads.conditional import MAX_RANGES, Outcome, decide

ETAG = '"abc123"'
SIZE = 1000


def _decide(method: str = "GET", **headers: str) -> Outcome:
    return decide(method, {k.replace("_", "-"): v for k, v in headers.items()}, etag=ETAG,
                  size=SIZE, last_modified="Sat, 05 Dec 2026 10:00:00 GMT")


@pytest.mark.parametrize(
    ("headers", "status", "ranges"),
    [
        ({}, 200, ()),
        ({"range": "bytes=0-99"}, 206, ((0, 99),)),
        ({"range": "bytes=990-"}, 206, ((990, 999),)),
        ({"range": "bytes=-10"}, 206, ((990, 999),)),
        ({"range": "bytes=-5000"}, 206, ((0, 999),)),  # suffix longer than the file: all of it
        ({"range": "bytes=900-5000"}, 206, ((900, 999),)),  # last beyond the end is clipped
        # §14.2: an unknown unit is ignored, the whole representation is sent.
        ({"range": "items=0-1"}, 200, ()),
        # One satisfiable range and one beyond the end: 206 with the satisfiable one.
        ({"range": "bytes=0-9,5000-5010"}, 206, ((0, 9),)),
        ({"range": "bytes=5000-5010"}, 416, ()),
        ({"range": "bytes=1000-"}, 416, ()),
        ({"range": "bytes=-0"}, 416, ()),
        # An invalid ranges-specifier is ignored (§14.2 allows ignoring or rejecting).
        ({"range": "bytes=9-1"}, 200, ()),
        ({"range": "bytes=a-b"}, 200, ()),
        ({"range": "bytes=\uff10-\uff19"}, 200, ()),  # fullwidth digits are not digits here
        ({"range": "bytes"}, 200, ()),
        ({"range": "bytes=" + ",".join(["0-0"] * (MAX_RANGES + 1))}, 200, ()),
        # If-Range: strong ETag match keeps the range; anything else sends it all.
        ({"range": "bytes=0-9", "if-range": ETAG}, 206, ((0, 9),)),
        ({"range": "bytes=0-9", "if-range": '"other"'}, 200, ()),
        ({"range": "bytes=0-9", "if-range": "W/" + ETAG}, 200, ()),
        ({"range": "bytes=0-9", "if-range": "Sat, 05 Dec 2026 10:00:00 GMT"}, 206, ((0, 9),)),
        ({"range": "bytes=0-9", "if-range": "Fri, 04 Dec 2026 10:00:00 GMT"}, 200, ()),
        # If-None-Match: weak comparison, `*`, lists; 304 wins over Range.
        ({"if-none-match": ETAG}, 304, ()),
        ({"if-none-match": "W/" + ETAG}, 304, ()),
        ({"if-none-match": '"x", ' + ETAG}, 304, ()),
        ({"if-none-match": "*"}, 304, ()),
        ({"if-none-match": '"x"'}, 200, ()),
        ({"if-none-match": ETAG, "range": "bytes=0-9"}, 304, ()),
    ],
)
def test_rfc9110_cases(headers: dict[str, str], status: int,
                       ranges: tuple[tuple[int, int], ...]) -> None:
    outcome = decide("GET", headers, etag=ETAG, size=SIZE,
                     last_modified="Sat, 05 Dec 2026 10:00:00 GMT")
    assert (outcome.status, outcome.ranges) == (status, ranges)


def test_head_gets_304_but_never_a_partial() -> None:
    assert _decide("HEAD", if_none_match=ETAG).status == 304
    assert _decide("HEAD", range="bytes=0-9").status == 200


def test_range_header_for_the_streamer() -> None:
    assert _decide(range="bytes=0-9,-10").range_header() == "bytes=0-9,990-999"
    assert _decide().range_header() is None


@given(st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 3000)), min_size=1,
                max_size=MAX_RANGES), st.integers(1, 2000))
def test_partial_ranges_lie_inside_the_file(pairs: list[tuple[int, int]], size: int) -> None:
    spec = ",".join(f"{min(a, b)}-{max(a, b)}" for a, b in pairs)
    outcome = decide("GET", {"range": f"bytes={spec}"}, etag=ETAG, size=size)
    satisfiable = [p for p in pairs if min(p) < size]
    if satisfiable:
        assert outcome.status == 206
        assert len(outcome.ranges) == len(satisfiable)
        assert all(0 <= first <= last < size for first, last in outcome.ranges)
    else:
        assert outcome.status == 416
