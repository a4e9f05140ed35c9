"""UI pages of the portal: images and downloads, contracts, policy, advisories, audit."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from fixright.accounts.service import Principal
from fixright.advisories import service as advisories
from fixright.advisories.formats import read_document
from fixright.audit import service as audit
from fixright.catalog import service as catalog
from fixright.catalog.models import Image
from fixright.catalog.visibility import visible_platforms
from fixright.contracts import service as contracts
from fixright.contracts.csvio import read_contract_csv
from fixright.downloads import service as downloads
from fixright.entitlement import service as entitlement
from fixright.errors import Forbidden, InvalidInput
from fixright.http.deps import OptionalPrincipalDep, SessionDep, refuse_viewer_writes
from fixright.http.params import IdPath
from fixright.web.sessions import check_csrf
from fixright.web.templating import (
    PAGE_SIZE,
    PageNumber,
    flash,
    page_count,
    page_offset,
    redirect,
    render,
)
from fixright.web.ui_auth import UiPrincipal

router = APIRouter(include_in_schema=False)
# Every form here but the download request changes something a viewer may not.
VIEWERS_READ = [Depends(refuse_viewer_writes)]


def _require_operator(principal: Principal) -> None:
    if not principal.is_operator:
        raise Forbidden("only the portal operator may do this")


@router.get("/images", response_class=HTMLResponse)
def images_page(request: Request, session: SessionDep, principal: UiPrincipal,
                platform: str | None = None, page: PageNumber = 1) -> Response:
    """What the caller may see of the catalogue (the API's list), by family, train, version."""
    page, offset = page_offset(page)
    images, total = catalog.page_images(
        session, platform=platform or None,
        visible_platforms=visible_platforms(session, principal),
        limit=PAGE_SIZE, offset=offset,
    )
    return render(request, "images.html", principal, nav="images", images=images,
                  platform=platform or "", page=page, pages=page_count(total), total=total)


@router.post("/images/{image_id}/download", response_class=HTMLResponse)
def download(
    image_id: IdPath, request: Request, session: SessionDep, principal: UiPrincipal,
    csrf_token: Annotated[str | None, Form()] = None,
    back: Annotated[str | None, Form()] = None,
) -> Response:
    """Ask the policy; allowed -> redirect to the signed link, denied -> the reasons (403)."""
    check_csrf(request, csrf_token)
    result = downloads.request_link(
        session, principal, image_id, key=request.app.state.secret_key.encode(),
        minutes=request.app.state.settings.download_link_minutes,
    )
    if result.allowed and result.url:
        return redirect(request, result.url)  # an app path: under the root path
    # Returned, not raised: the request's transaction commits the audited denial.
    image = session.get(Image, image_id)
    return render(request, "decision.html", principal, status_code=403, nav="images",
                  decision=result.decision, image=image,
                  back=back if back and back.startswith("/") and not back.startswith("//")
                  else "/images")


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, session: SessionDep, principal: UiPrincipal) -> Response:
    today = date.today()
    org_id = principal.organization_id
    return render(request, "contracts.html", principal, nav="contracts", today=today,
                  contracts=contracts.list_contracts(session, org_id),
                  expiring=contracts.expiring(session, org_id, today, 90),
                  report=contracts.coverage_report(session, org_id, today))


@router.post("/contracts/import", response_class=HTMLResponse, dependencies=VIEWERS_READ)
async def contracts_import(
    request: Request, session: SessionDep, principal: UiPrincipal,
    file: UploadFile, csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf_token)
    data = await file.read()
    try:
        parsed = read_contract_csv(data, source=file.filename or "upload.csv")
        report = contracts.import_rows(session, principal.organization_id, parsed.rows,
                                       actor=principal.actor, source=file.filename or "upload")
    except InvalidInput as exc:
        session.rollback()
        flash(request, f"{exc.message} Nothing was imported.", "error")
        return redirect(request, "/contracts")
    summary = ", ".join(f"{k}: {v}" for k, v in report.summary().items())
    flash(request, f"Contracts imported ({summary}).", "ok")
    return redirect(request, "/contracts")


@router.get("/policy", response_class=HTMLResponse)
def policy_page(
    request: Request, session: SessionDep,
    principal: OptionalPrincipalDep,
) -> Response:
    """Public: the active policy in plain words, and the alternatives."""
    name, policy = entitlement.active_policy(session)
    return render(request, "policy.html", principal, nav="policy", name=name, policy=policy,
                  policies=entitlement.list_policies(session),
                  toml=entitlement.policy_text(session, name))


@router.post("/policy", response_class=HTMLResponse, dependencies=VIEWERS_READ)
def policy_set(
    request: Request, session: SessionDep, principal: UiPrincipal,
    csrf_token: Annotated[str | None, Form()] = None,
    name: Annotated[str, Form()] = "",
    toml: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    _require_operator(principal)
    try:
        row = entitlement.set_active_policy(session, toml if toml.strip() else name,
                                            actor=principal.actor, source="the policy form")
    except InvalidInput as exc:
        session.rollback()
        flash(request, exc.message, "error")
        return redirect(request, "/policy")
    flash(request, f"Policy {row.name} is now active.", "ok")
    return redirect(request, "/policy")


@router.get("/advisories", response_class=HTMLResponse)
def advisories_page(request: Request, session: SessionDep, principal: UiPrincipal,
                    page: PageNumber = 1) -> Response:
    page, offset = page_offset(page)
    rows, total = advisories.page_advisories(session, limit=PAGE_SIZE, offset=offset)
    return render(request, "advisories.html", principal, nav="advisories", advisories=rows,
                  page=page, pages=page_count(total), total=total)


@router.post("/advisories/import", response_class=HTMLResponse, dependencies=VIEWERS_READ)
async def advisories_import(
    request: Request, session: SessionDep, principal: UiPrincipal,
    files: list[UploadFile], csrf_token: Annotated[str | None, Form()] = None,
    lenient: Annotated[bool, Form()] = False,
) -> Response:
    check_csrf(request, csrf_token)
    _require_operator(principal)
    try:
        results = [read_document(await f.read(), f.filename or "upload.json", lenient=lenient)
                   for f in files]
        report = advisories.import_results(session, results, actor=principal.actor)
    except InvalidInput as exc:
        session.rollback()
        flash(request, f"{exc.message} Nothing was imported.", "error")
        return redirect(request, "/advisories")
    flash(request, f"Advisories: {len(report.created)} created, {len(report.updated)} updated, "
                   f"{len(report.unchanged)} unchanged.", "ok")
    return redirect(request, "/advisories")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep, principal: UiPrincipal,
               action: str | None = None) -> Response:
    scope = None if principal.is_operator else principal.organization_id
    events = audit.list_events(session, scope, action=action or None, limit=200)
    verified = audit.verify_chain(session) if principal.is_operator else None
    return render(request, "audit.html", principal, nav="audit", events=events,
                  action=action or "", verified=verified)
