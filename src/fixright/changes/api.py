"""`/api/v1/changes`: what changed in the exposure since a moment."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from fixright.changes.diff import KINDS
from fixright.changes.schemas import ChangeOut
from fixright.changes.service import count_changes, list_changes
from fixright.errors import InvalidInput
from fixright.http.deps import PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep

router = APIRouter()


@router.get("/changes", response_model=Page[ChangeOut], tags=["changes"])
def changes(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    since: Annotated[datetime, Query(description="ISO date or date-time (UTC if no zone).")],
    kind: Annotated[str | None, Query(description="new_exposure, resolved or fix_available.")] = None,
) -> Page[ChangeOut]:
    """Change events of the caller's organisation (the operator sees every organisation's),
    oldest first."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    org = None if principal.is_operator else principal.organization_id
    kinds = [kind] if kind else None
    rows = list_changes(session, since=since, organization_id=org, kinds=kinds,
                        limit=page.limit, offset=page.offset)
    total = count_changes(session, since=since, organization_id=org, kinds=kinds)
    return Page[ChangeOut].of([ChangeOut(**asdict(r)) for r in rows], total, page)
