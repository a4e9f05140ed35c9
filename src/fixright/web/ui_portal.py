"""UI pages of the portal: images and downloads, contracts, policy, advisories, audit."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
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
from fixright.entitlement.policy import PolicyError
from fixright.errors import Conflict, Forbidden, InvalidInput
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
from fixright.web.ui_fixaccess import confirmed, render_preview
from fixright.web.ui_scope import visible_organizations

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
    """The caller's contracts; the operator sees every organisation's, with its name."""
    today = date.today()
    orgs = (visible_organizations(session, principal) if principal.is_operator
            else [(principal.organization_id, principal.organization_slug)])
    rows: list[tuple[str, contracts.ContractSummary, dict[str, Decimal]]] = []
    expiring: list[tuple[str, contracts.ExpiringLine]] = []
    reports = []
    for org_id, slug in orgs:
        report = contracts.coverage_report(session, org_id, today)
        reports.append(report)
        rows += [(slug, c, report.yearly_cost_by_contract.get(c.number, {}))
                 for c in contracts.list_contracts(session, org_id)]
        expiring += [(slug, e) for e in contracts.expiring(session, org_id, today, 90)]
    expiring.sort(key=lambda pair: (pair[1].end, pair[0], pair[1].serial))
    yearly: dict[str, Decimal] = defaultdict(Decimal)
    for report in reports:
        for currency, amount in report.yearly_cost.items():
            yearly[currency] += amount
    summary = {"covered": [d for r in reports for d in r.covered],
               "uncovered": [d for r in reports for d in r.uncovered],
               "lapsing": {90: [d for r in reports for d in r.lapsing.get(90, [])]},
               "yearly_cost": dict(sorted(yearly.items()))}
    return render(request, "contracts.html", principal, nav="contracts", today=today,
                  contracts=rows, expiring=expiring, report=summary,
                  operator_view=principal.is_operator)


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
    flash(request, report.sentence(), "ok")
    return redirect(request, "/contracts")


def _policy_page(request: Request, session: SessionDep, principal: Principal | None,
                 status_code: int = 200, **editor: object) -> Response:
    name, policy = entitlement.active_policy(session)
    return render(request, "policy.html", principal, status_code=status_code, nav="policy",
                  name=name, policy=policy, policies=entitlement.list_policies(session),
                  toml=entitlement.policy_text(session, name), **editor)


@router.get("/policy", response_class=HTMLResponse)
def policy_page(
    request: Request, session: SessionDep,
    principal: OptionalPrincipalDep,
) -> Response:
    """Public: the active policy in plain words, and the alternatives."""
    return _policy_page(request, session, principal)


@router.post("/policy", response_class=HTMLResponse, dependencies=VIEWERS_READ)
def policy_set(
    request: Request, session: SessionDep, principal: UiPrincipal,
    csrf_token: Annotated[str | None, Form()] = None,
    name: Annotated[str, Form()] = "",
    toml: Annotated[str, Form()] = "",
    confirm: Annotated[str | None, Form()] = None,
) -> Response:
    """First post: a preview of the policy's effect on every owner's fleet. The preview's
    form posts again with `confirm`, bound to the text previewed; only that activates.
    A policy that cannot be read comes back in the editor with the error at its line."""
    check_csrf(request, csrf_token)
    _require_operator(principal)
    # Browsers send CRLF; the stored text (and the confirmation) uses LF.
    text = toml.replace("\r\n", "\n") if toml.strip() else ""
    try:
        proposed, _text = entitlement.proposed_policy(session, text or name,
                                                      source="the policy form")
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        if not text:
            flash(request, exc.message, "error")
            return redirect(request, "/policy")
        line = exc.line if isinstance(exc, PolicyError) else None
        lines = text.splitlines()
        return _policy_page(
            request, session, principal, status_code=422, typed=text, toml_error=exc.message,
            error_line=line, error_column=exc.column if isinstance(exc, PolicyError) else None,
            error_text=lines[line - 1] if line and 0 < line <= len(lines) else None)
    if not confirmed(request, text or name, confirm):
        return render_preview(request, session, principal, proposed, name=name, toml=text)
    row = entitlement.set_active_policy(session, text or name, actor=principal.actor,
                                        source="the policy form")
    flash(request, f"Policy {row.name} is now active.", "ok")
    return redirect(request, "/policy")


# Warnings put on the page after an upload; a folder of documents can produce hundreds.
WARNINGS_SHOWN = 10


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
    lenient: Annotated[bool, Form()] = False, strict: Annotated[bool, Form()] = False,
) -> Response:
    check_csrf(request, csrf_token)
    _require_operator(principal)
    try:
        results = [read_document(await f.read(), f.filename or "upload.json", lenient=lenient,
                                 strict=strict)
                   for f in files]
        report = advisories.import_results(session, results, actor=principal.actor)
    except InvalidInput as exc:
        session.rollback()
        flash(request, f"{exc.message} Nothing was imported.", "error")
        return redirect(request, "/advisories")
    flash(request, f"Advisories: {len(report.created)} created, {len(report.updated)} updated, "
                   f"{len(report.unchanged)} unchanged.", "ok")
    # The same warnings the CLI and the API list: what was accepted although the
    # document deviates from its standard, and platforms no hardware answers to.
    notes = [f"{name}: {q.kind} at {q.where} ({q.reason})"
             + (f", {q.count} places" if q.count > 1 else "") for name, q in report.warnings]
    notes += report.platform_warnings
    if notes:
        shown = notes[:WARNINGS_SHOWN]
        more = len(notes) - len(shown)
        flash(request, "Accepted with warnings: " + "; ".join(shown)
              + (f"; and {more} more (the CLI and API list them all)." if more else "."), "warn")
    return redirect(request, "/advisories")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep, principal: UiPrincipal,
               action: str | None = None) -> Response:
    scope = None if principal.is_operator else principal.organization_id
    events = audit.list_events(session, scope, action=action or None, limit=200)
    verified = audit.verify_chain(session) if principal.is_operator else None
    return render(request, "audit.html", principal, nav="audit", events=events,
                  action=action or "", verified=verified)
