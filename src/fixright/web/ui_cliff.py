"""UI: the fix-access cliff timeline (/cliff), and the device page's lifecycle and claims."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from fixright.advisories import fleet as advisories
from fixright.advisories.results import DeviceKey
from fixright.claims import service as claims
from fixright.claims.pdf import render_pdf
from fixright.http.deps import SessionDep
from fixright.http.params import IdPath
from fixright.inventory import service as inventory
from fixright.inventory.models import Device
from fixright.lifecycle import service as lifecycle
from fixright.lifecycle.records import milestones
from fixright.reports.cliff import Timeline, cliff_rows, resolve_policies, timeline
from fixright.web.sessions import check_csrf
from fixright.web.templating import flash, redirect, render
from fixright.web.ui_auth import UiPrincipal

router = APIRouter(include_in_schema=False)
_COLOURS = ("#2a7ab0", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#566573")


def device_extras(session: Session, organization_id: int, device: Device) -> dict[str, Any]:
    """What the device page shows besides its own facts: lifecycle dates and claims."""
    today = date.today()
    found = lifecycle.for_device(session, device.model, device.platform)
    key = DeviceKey(device.id, device.os_family or None, device.running_version or None,
                    device.platform or None, device.model or None)
    hits = advisories.exposure_for_devices(session, [key])[device.id].advisories
    return {"lifecycle": found,
            "lifecycle_milestones": milestones(found.record, today) if found else [],
            "claims": claims.device_claims(session, organization_id, device.id),
            "claimable": claims.claimable(session, device, hits, today) if hits else []}


def timeline_svg(data: Timeline) -> Markup:
    """Grouped bars: per quarter, how many devices fall off under each policy. Plain SVG
    with presentation attributes (no script, no style element: the CSP allows it)."""
    width, height, left, bottom = 900, 260, 40, 40
    top = max([c[q] for c in data.falls.values() for q in data.quarters] + [1])
    slot = (width - left - 10) / max(len(data.quarters), 1)
    bar = max(slot / (len(data.policies) + 1), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20 * len(data.policies)}" '
             f'role="img" aria-labelledby="cliff-title" class="chart" id="cliff-chart">'
             '<title id="cliff-title">Devices that lose access to fixes, per quarter and policy</title>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#888"/>',
             f'<text x="0" y="12" font-size="11">{top}</text>']
    for qi, quarter in enumerate(data.quarters):
        x0 = left + qi * slot
        if qi % 2 == 0:
            parts.append(f'<text x="{x0:.1f}" y="{height - bottom + 14}" font-size="10">{escape(quarter)}</text>')
        for pi, name in enumerate(data.policies):
            count = data.falls[name][quarter]
            if not count:
                continue
            h = (height - bottom - 20) * count / top
            parts.append(
                f'<rect x="{x0 + pi * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{_COLOURS[pi % len(_COLOURS)]}">'
                f'<title>{escape(name)} {escape(quarter)}: {count}</title></rect>')
    for pi, name in enumerate(data.policies):
        y = height + 20 * pi
        parts.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{_COLOURS[pi % len(_COLOURS)]}"/>'
                     f'<text x="{left + 18}" y="{y}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    # Every text in it went through escape(); the rest are numbers and fixed colours.
    return Markup("".join(parts))  # noqa: S704


@router.get("/cliff", response_class=HTMLResponse)
def cliff_page(request: Request, session: SessionDep, principal: UiPrincipal) -> Response:
    """Owners: their fleet; the operator: every organisation's."""
    today = date.today()
    policies = resolve_policies(session, [])
    org = None if principal.is_operator else principal.organization_id
    data = timeline(cliff_rows(session, org, policies, today), policies, today)
    return render(request, "cliff.html", principal, nav="cliff", data=data,
                  chart=timeline_svg(data))


@router.post("/devices/{device_id}/claims")
def draft_claim(device_id: IdPath, request: Request, session: SessionDep,
                principal: UiPrincipal, advisory_id: Annotated[str, Form(max_length=100)],
                csrf_token: Annotated[str | None, Form()] = None) -> Response:
    check_csrf(request, csrf_token)
    inventory.get_device(session, principal.organization_id, device_id)
    claim = claims.create_claim(session, principal.organization_id, device_id, advisory_id,
                                actor=principal.actor)
    flash(request, f"Claim {claim.id} drafted for {claim.advisory_id}.", "ok")
    return redirect(request, f"/devices/{device_id}#claims")


@router.get("/claims/{claim_id}/packet.pdf")
def claim_pdf(claim_id: IdPath, session: SessionDep, principal: UiPrincipal) -> Response:
    claim = claims.get_claim(session, principal.organization_id, claim_id)
    return Response(render_pdf(dict(claim.packet)), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="claim-{claim.id}.pdf"'})
