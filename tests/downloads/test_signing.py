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


@pytest.mark.parametrize(
    "respell",
    [
        lambda t: "0" + t,  # leading zero on the image id
        lambda t: t.replace(".", ".0", 1),  # leading zero on the organisation
        lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")),  # fullwidth
        lambda t: t.replace("1", "\u00b9", 1),  # superscript one
        lambda t: t + "=",  # padded signature
        lambda t: t + "\r\n",
    ],
)
def test_only_the_canonical_spelling_of_a_token_is_accepted(respell) -> None:
    claims = LinkClaims(image_id=12, organization_id=3, expires=2_000_000_000)
    token = sign(KEY, claims)
    assert verify(KEY, token, now=1) == claims
    other = respell(token)
    assert other != token
    with pytest.raises(LinkInvalid):
        verify(KEY, other, now=1)


def test_claims_beyond_a_database_id_are_malformed_not_errors() -> None:
    with pytest.raises(LinkInvalid, match="malformed"):
        verify(KEY, f"{2**63}.1.2000000000.{'A' * 43}", now=1)
    with pytest.raises(LinkInvalid, match="malformed"):
        verify(KEY, "1" * 5000 + f".1.2000000000.{'A' * 43}", now=1)
