"""Signed download links: HMAC-SHA256 over (image, organisation, expiry).

Pure: no I/O. A link token is ``<image>.<org>.<expires>.<signature>`` with the
signature in URL-safe base64. The server keeps no state per link, so any worker
can check any link; the policy decision happened when the link was made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from fixright.errors import Forbidden, InvalidInput


class LinkExpired(Forbidden):
    code = "link_expired"


class LinkInvalid(Forbidden):
    code = "link_invalid"


# One spelling per claim: ASCII decimal without leading zeros, below 2**63 (what
# the database ids hold), and the signature exactly as `sign` writes it.
# `str.isdigit` also accepted fullwidth and superscript digits, and int()
# accepted leading zeros, so one set of claims had many valid tokens.
_NUMBER = r"(?:0|[1-9][0-9]{0,18})"
_TOKEN = re.compile(rf"({_NUMBER})\.({_NUMBER})\.({_NUMBER})\.([A-Za-z0-9_-]{{43}})", re.ASCII)
_MAX_CLAIM = 2**63 - 1


@dataclass(frozen=True)
class LinkClaims:
    image_id: int
    organization_id: int
    expires: int  # unix seconds


def _signature(key: bytes, claims: LinkClaims) -> str:
    message = f"fixright-download:{claims.image_id}:{claims.organization_id}:{claims.expires}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: bytes, claims: LinkClaims) -> str:
    """The token for `claims`."""
    if not key:
        raise InvalidInput("signing key is empty")
    return f"{claims.image_id}.{claims.organization_id}.{claims.expires}.{_signature(key, claims)}"


def verify(key: bytes, token: str, *, now: int) -> LinkClaims:
    """The claims of a genuine, unexpired token; `LinkInvalid` / `LinkExpired` otherwise."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise LinkInvalid("download link is malformed")
    numbers = [int(match.group(i)) for i in (1, 2, 3)]
    if max(numbers) > _MAX_CLAIM:
        raise LinkInvalid("download link is malformed")
    claims = LinkClaims(*numbers)
    if not hmac.compare_digest(_signature(key, claims), match.group(4)):
        raise LinkInvalid("download link signature does not match")
    if claims.expires < now:
        raise LinkExpired("download link has expired; ask for a new one")
    return claims
