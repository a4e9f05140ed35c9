"""`/api/v1/claims`: the caller's security-fix claims."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from fixright.claims import service
from fixright.claims.pdf import render_pdf
from fixright.http.deps import PrincipalDep, SessionDep

router = APIRouter(tags=["claims"])


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(min_length=1, max_length=64, description="Device id or serial.")
    advisory_id: str = Field(min_length=1, max_length=100)


class StateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = Field(min_length=1, max_length=16, description="sent, granted or refused.")
    note: str | None = Field(default=None, max_length=1000)


class ClaimOut(BaseModel):
    id: int
    state: str
    serial: str
    advisory_id: str
    packet: dict[str, Any]


def _out(claim: Any) -> ClaimOut:
    return ClaimOut(id=claim.id, state=claim.state, serial=claim.serial,
                    advisory_id=claim.advisory_id, packet=claim.packet)


@router.get("/claims", response_model=list[ClaimOut])
def list_claims(session: SessionDep, principal: PrincipalDep) -> list[ClaimOut]:
    """The caller's claims, newest first."""
    return [_out(c) for c in service.list_claims(session, principal.organization_id)]


@router.post("/claims", response_model=ClaimOut, status_code=201)
def create_claim(body: ClaimIn, session: SessionDep, principal: PrincipalDep) -> ClaimOut:
    """Draft a claim for an exposed device the active policy denies its fix (audited)."""
    return _out(service.create_claim(session, principal.organization_id, body.device,
                                     body.advisory_id, actor=principal.actor))


@router.get("/claims/{claim_id}", response_model=ClaimOut)
def get_claim(claim_id: int, session: SessionDep, principal: PrincipalDep) -> ClaimOut:
    return _out(service.get_claim(session, principal.organization_id, claim_id))


@router.post("/claims/{claim_id}/state", response_model=ClaimOut)
def set_state(claim_id: int, body: StateIn, session: SessionDep,
              principal: PrincipalDep) -> ClaimOut:
    """drafted -> sent -> granted | refused (audited)."""
    return _out(service.set_state(session, principal.organization_id, claim_id, body.state,
                                  actor=principal.actor, note=body.note))


@router.get("/claims/{claim_id}/packet.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def claim_pdf(claim_id: int, session: SessionDep, principal: PrincipalDep) -> Response:
    """The claim packet as a PDF."""
    claim = service.get_claim(session, principal.organization_id, claim_id)
    return Response(render_pdf(dict(claim.packet)), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="claim-{claim.id}.pdf"'})
