"""`/api/v1/triage`: the caller's decisions per device and advisory."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from fixright.accounts.models import Organization
from fixright.changes.service import recheck
from fixright.http.deps import PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.triage import service
from fixright.triage.export import FORMATS, export
from fixright.triage.schemas import FindingOut, TriageIn, TriageResult
from fixright.triage.states import check

router = APIRouter(tags=["triage"])

_MEDIA = {"csaf-vex": "application/json", "cyclonedx-vex": "application/vnd.cyclonedx+json"}
_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The VEX document: CSAF 2.0 (category csaf_vex) or CycloneDX 1.6.",
    "content": {media: {"schema": {"type": "object"}} for media in sorted(set(_MEDIA.values()))},
}}


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


@router.get("/triage/export", response_class=Response, responses=_EXPORT_RESPONSES)
def export_triage(
    session: SessionDep,
    principal: PrincipalDep,
    fmt: Annotated[str, Query(alias="format", pattern="^(" + "|".join(FORMATS) + ")$",
                              description="csaf-vex or cyclonedx-vex.")],
) -> Response:
    """The caller's organisation's triaged state as a VEX document (same as `triage export`)."""
    organization = session.scalars(
        select(Organization).where(Organization.id == principal.organization_id)).one()
    document = export(session, organization, fmt)
    suffix = "csaf.json" if fmt == "csaf-vex" else "cdx.json"
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False), media_type=_MEDIA[fmt],
        headers={"Content-Disposition":
                 f'attachment; filename="{organization.slug}-vex.{suffix}"'})
