"""`/api/v1/triage`: the caller's decisions per device and advisory."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from fixright.changes.service import recheck
from fixright.http.deps import PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.triage import service
from fixright.triage.schemas import FindingOut, TriageIn, TriageResult
from fixright.triage.states import check

router = APIRouter(tags=["triage"])


@router.get("/triage", response_model=Page[FindingOut])
def list_triage(session: SessionDep, principal: PrincipalDep, page: PageDep) -> Page[FindingOut]:
    """The caller's decisions, newest first; an expired acceptance reads `affected`."""
    findings, total = service.list_findings(session, principal.organization_id, date.today(),
                                            limit=page.limit, offset=page.offset)
    return Page[FindingOut].of([FindingOut(**f.__dict__) for f in findings], total, page)


@router.put("/triage", response_model=TriageResult)
def set_triage(body: TriageIn, session: SessionDep, principal: PrincipalDep) -> TriageResult:
    """Record one decision for the caller's named devices (all-or-nothing, audited)."""
    verdict = check(body.state, justification=body.justification, expires=body.expires,
                    reason=body.reason, today=date.today())
    where = service.DeviceFilter(os_family=body.os_family, version=body.version,
                                 model_prefix=body.model_prefix)
    count = service.set_triage(session, principal.organization_id, advisory_id=body.advisory_id,
                               verdict=verdict, actor=principal.actor, serials=body.serials,
                               where=where)
    recheck(session, [principal.organization_id], cause="triage (api)")
    return TriageResult(advisory_id=body.advisory_id, state=verdict.state, devices=count)
