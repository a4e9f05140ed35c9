"""`/api/v1/audit`: read the hash-chained log (an owner its own events), verify it (operator)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from fixright.audit import service
from fixright.audit.schemas import AuditEventOut, VerifyOut
from fixright.http.deps import OperatorDep, PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep

router = APIRouter(tags=["audit"])


def _utc(value: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC, the log's clock."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@router.get("/audit/events", response_model=Page[AuditEventOut])
def list_events(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    action: Annotated[str | None, Query(
        max_length=100, description="Action prefix, e.g. `entitlement:` or `contracts:contract:import`."
    )] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Exact actor.")] = None,
    since: Annotated[datetime | None, Query(
        description="From this ISO date-time (inclusive; UTC when no offset)."
    )] = None,
    until: Annotated[datetime | None, Query(description="Before this ISO date-time.")] = None,
) -> Page[AuditEventOut]:
    """Audit events, newest first: the operator sees every event, an owner only its own
    organisation's."""
    org = None if principal.is_operator else principal.organization_id
    start, end = _utc(since), _utc(until)
    events = service.list_events(session, org, action=action, actor=actor, since=start,
                                 until=end, limit=page.limit, offset=page.offset)
    total = service.count_events(session, org, action=action, actor=actor, since=start,
                                 until=end)
    return Page[AuditEventOut].of([AuditEventOut.model_validate(e) for e in events], total, page)


@router.get("/audit/verify", response_model=VerifyOut)
def verify(session: SessionDep, _operator: OperatorDep) -> VerifyOut:
    """Re-hash the whole log (operator only); names the first broken event, if any."""
    result = service.verify_chain(session)
    return VerifyOut(ok=result.ok, count=result.count, head=result.head,
                     bad_seq=result.bad_seq, reason=result.reason, message=result.message())
