from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixright.downloads.signing import LinkClaims, LinkExpired, LinkInvalid, sign, verify

KEY = b"k" * 32


def test_round_trip() -> None:
    claims = LinkClaims(7, 3, 2_000)
    assert verify(KEY, sign(KEY, claims), now=1_000) == claims


def test_expired() -> None:
    token = sign(KEY, LinkClaims(7, 3, 1_000))
    with pytest.raises(LinkExpired):
        verify(KEY, token, now=1_001)


@pytest.mark.parametrize("field", [0, 1, 2])
def test_changing_any_claim_breaks_the_signature(field: int) -> None:
    parts = sign(KEY, LinkClaims(7, 3, 2_000)).split(".")
    parts[field] = str(int(parts[field]) + 1)
    with pytest.raises(LinkInvalid):
        verify(KEY, ".".join(parts), now=0)


def test_other_key_refused() -> None:
    with pytest.raises(LinkInvalid):
        verify(b"x" * 32, sign(KEY, LinkClaims(1, 1, 10)), now=0)


@given(st.text(max_size=200))
def test_garbage_is_refused_cleanly(token: str) -> None:
    with pytest.raises(LinkInvalid):
        verify(KEY, token, now=0)
