"""Download links: made only after the active policy allows, checked on every GET.

`request_link` is the one place where an owner's request meets the policy
(pulpcore's "content guard"): it asks the entitlement service for a decision,
which is written to the audit log either way, and only an allowed decision gets
a signed link. `resolve_link` is what the streaming endpoint calls.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session

from fixright.accounts.service import Principal
from fixright.catalog import service as catalog
from fixright.catalog.models import Image
from fixright.catalog.visibility import visible_image
from fixright.downloads.signing import LinkClaims, LinkInvalid, sign, verify
from fixright.entitlement import service as entitlement
from fixright.entitlement.policy import Decision
from fixright.errors import Forbidden


class OtherOrganisationLink(Forbidden):
    code = "link_other_organisation"


@dataclass(frozen=True)
class LinkResult:
    """The outcome of a download request: the decision, and a link when allowed."""

    allowed: bool
    decision: Decision
    url: str | None
    expires: int | None


def link_path(token: str, filename: str) -> str:
    return f"/dl/{token}/{quote(filename, safe='')}"


def request_link(
    session: Session,
    principal: Principal,
    image_id: int,
    *,
    key: bytes,
    minutes: int,
    now: float | None = None,
) -> LinkResult:
    """Decide (and audit) whether `principal`'s organisation may download `image_id`.

    Raises `NotFound` for an unknown image. A denial is a normal result, with
    the decision's reasons, not an exception.
    """
    image = visible_image(session, principal, image_id)
    decision = entitlement.decide(
        session, organization_id=principal.organization_id, image=image, actor=principal.actor,
        organization=principal.organization_slug,
    )
    if not decision.allowed:
        return LinkResult(False, decision, None, None)
    expires = int(now if now is not None else time.time()) + minutes * 60
    token = sign(key, LinkClaims(image.id, principal.organization_id, expires))
    return LinkResult(True, decision, link_path(token, image.filename), expires)


def resolve_link(
    session: Session, token: str, principal: Principal | None, *, key: bytes,
    now: float | None = None,
) -> Image:
    """The image a genuine, unexpired link names, for a caller of the link's organisation.

    The link is bound to one organisation: the request must be authenticated
    (bearer token or session) as a member of it. Refusals are `Forbidden`.
    """
    claims = verify(key, token, now=int(now if now is not None else time.time()))
    if principal is None:
        raise LinkInvalid("log in (or send your API token) to use this download link")
    if principal.organization_id != claims.organization_id:
        raise OtherOrganisationLink("this download link was issued to another organisation")
    return catalog.get_image(session, claims.image_id)


def digest_headers(image: Image) -> dict[str, str]:
    """ETag (the sha256) and RFC 9530 `Repr-Digest` for the whole image."""
    sha256 = base64.b64encode(bytes.fromhex(image.sha256)).decode()
    sha512 = base64.b64encode(bytes.fromhex(image.sha512)).decode()
    return {
        "ETag": f'"{image.sha256}"',
        "Repr-Digest": f"sha-256=:{sha256}:, sha-512=:{sha512}:",
        "X-Checksum-MD5": image.md5,
        "Cache-Control": "private, no-transform",
    }
