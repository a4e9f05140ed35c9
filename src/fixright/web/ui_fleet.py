"""UI pages about the owner's fleet: dashboard, devices, a device, import, exposure."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from fixright.accounts.models import ROLE_OWNER, Organization
from fixright.advisories import service as advisories
from fixright.advisories.cache import load_index
from fixright.advisories.exploits import cve_facts
from fixright.advisories.fleet import exposure_for_devices, exposure_for_org
from fixright.advisories.priority import advisory_priority
from fixright.advisories.remediations import remediation_rows, remediations_by_advisory
from fixright.advisories.results import DeviceExposure, DeviceKey
from fixright.advisories.severity import SEVERITIES, most_severe_first, severity_rank
from fixright.catalog.models import Image
from fixright.changes.service import recheck
from fixright.contracts import service as contracts
from fixright.entitlement import service as entitlement
from fixright.errors import Conflict, InvalidInput
from fixright.feeds import service as feeds
from fixright.hardware import active_catalogue
from fixright.http.deps import SessionDep
from fixright.http.params import IdPath
from fixright.inventory import service as inventory
from fixright.inventory.models import Device
from fixright.inventory.queries import list_devices
from fixright.inventory.uploads import MAX_UPLOAD_BYTES, import_uploads
from fixright.jobs.service import job_state
from fixright.reports import device_pages
from fixright.reports.device_pages import SORTS, worst_severity
from fixright.reports.fiximages import images_of_targets, target_dict
from fixright.triage import service as triage
from fixright.triage.states import AWAY, JUSTIFICATIONS, STATES, check
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
from fixright.web.ui_cliff import device_extras
from fixright.web.ui_scope import (
    device_scope,
    organization_slugs,
    platform_name,
    visible_organizations,
)

router = APIRouter(include_in_schema=False)


def fix_targets(session: SessionDep, exposure: DeviceExposure) -> list[dict[str, Any]]:
    """The device's upgrade targets, each with the catalog images its hardware runs."""
    e = exposure.exposure
    images = images_of_targets(session, [e])
    catalogue = active_catalogue()
    by_id = {}
    targets = []
    for target in e.upgrade_targets:
        row = target_dict(target, e, images, catalogue)
        for image in images.get((target.release.os_family, target.release.normalized), ()):
            by_id[image.id] = image
        row["images"] = [by_id[i["image_id"]] for i in row["images"]]
        targets.append(row)
    return targets


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, principal: UiPrincipal) -> Response:
    """The owner's fleet; for the operator, the whole portal (every owner's devices)."""
    scope = device_scope(principal)
    fleet = exposure_for_org(session, scope)
    today = date.today()
    decided = triage.effective_states(session, scope, today)
    by_severity: Counter[str] = Counter()
    triaged_away = 0
    for device_id, exp in fleet.devices.items():
        # As in the exposure report: advisories triaged not_affected or fixed do not count.
        hits = [h.severity for h in exp.exposure.advisories
                if decided.get((int(device_id), h.advisory_id), "") not in AWAY]  # type: ignore[call-overload]
        if exp.exposure.advisories and not hits:
            triaged_away += 1
        level = max((h for h in hits if severity_rank(h) >= 0), key=severity_rank, default=None)
        if level:
            by_severity[level] += 1
    lapsing = [line for org_id, _slug in visible_organizations(session, principal)
               for line in contracts.expiring(session, org_id, today, 90)]
    lapsing.sort(key=lambda line: (line.end, line.serial))
    policy_name, policy = entitlement.active_policy(session)
    jobs = job_state(session)
    context: dict[str, Any] = {
        "nav": "dashboard",
        "devices": len(fleet.devices),
        "affected": fleet.affected - triaged_away,
        "triaged_away": triaged_away,
        "unknown": fleet.unknown,
        "clean": fleet.not_affected,
        "by_severity": [(s, by_severity[s]) for s in SEVERITIES if by_severity[s]],
        "max_bar": max(by_severity.values(), default=1),
        "lapsing": lapsing[:10],
        "lapsing_total": len(lapsing),
        "policy_name": policy_name,
        "policy": policy,
        "today": today,
        "jobs": jobs,
    }
    if principal.is_operator:
        context["image_count"] = session.scalar(select(func.count()).select_from(Image))
        context["advisory_count"] = advisories.page_advisories(session, limit=1)[1]
        context["owner_count"] = session.scalar(
            select(func.count()).select_from(Organization).where(Organization.role == ROLE_OWNER))
        week_ago = datetime.now(UTC) - timedelta(days=7)
        context["decisions"], context["refused"] = entitlement.decision_counts(session, week_ago)
        run_every = timedelta(minutes=request.app.state.settings.jobs_interval_minutes)
        next_run = jobs.next_run_at if jobs else None
        context["feeds"] = [(source, feeds.next_sync(source, next_run, run_every))
                            for source in feeds.list_sources(session)]
    return render(request, "dashboard.html", principal, **context)


@router.get("/devices", response_class=HTMLResponse)
def devices(
    request: Request, session: SessionDep, principal: UiPrincipal,
    q: str | None = None, os_family: str | None = None, page: PageNumber = 1,
    sort: str = "exposure", exposed: bool = False,
) -> Response:
    """Devices, most exposed first by default; `exposed` keeps only the affected ones.

    Exposure is computed per distinct situation, not stored: the page is found
    through the situations and only its devices are read (`device_page`).
    """
    scope = device_scope(principal)
    page, offset = page_offset(page)
    search = q.strip() if q and q.strip() else None
    family = os_family or None
    sort = sort if sort in SORTS else "exposure"
    found = device_pages.device_page(session, scope, search=search, os_family=family,
                                     sort=sort, exposed=exposed, offset=offset, limit=PAGE_SIZE)
    query = select(Device.os_family).where(Device.retired_at.is_(None)).distinct()
    if scope is not None:
        query = query.where(Device.organization_id == scope)
    families = sorted(f for f in session.scalars(query) if f)
    return render(
        request, "devices.html", principal, nav="devices", rows=found.rows,
        exposures=found.exposures, worst=worst_severity, q=search or "", os_family=family or "",
        families=families, page=page, pages=page_count(found.total), total=found.total,
        sort=sort, exposed=exposed, platform_name=platform_name,
        orgs=organization_slugs(session) if principal.is_operator else None,
    )


@router.get("/devices/{device_id}", response_class=HTMLResponse)
def device_page(
    device_id: IdPath, request: Request, session: SessionDep, principal: UiPrincipal
) -> Response:
    device = inventory.get_device(session, device_scope(principal), device_id)
    key = DeviceKey(device.id, device.os_family or None,
                               device.running_version or None, device.platform or None,
                               device.model or None)
    exposure = exposure_for_devices(session, [key])[device.id]
    coverage = contracts.coverage_by_serial(session, device.organization_id,
                                            [device.serial]).get(device.serial, [])
    found = remediations_by_advisory(load_index(session).records)
    remediations = {h.advisory_id: rows for h in exposure.advisories
                    if (rows := remediation_rows(found.get(h.advisory_id, ()), device.os_family))}
    return render(
        request, "device.html", principal, nav="devices", device=device, exposure=exposure,
        targets=fix_targets(session, exposure), coverage=coverage,
        today=date.today(), remediations=remediations,
        triage=triage.device_findings(session, principal.organization_id, device.id,
                                      date.today()),
        triage_states=STATES, justifications=JUSTIFICATIONS,
        **device_extras(session, principal.organization_id, device),
    )


@router.post("/devices/{device_id}/triage")
def device_triage(
    device_id: IdPath, request: Request, session: SessionDep, principal: UiPrincipal,
    advisory_id: Annotated[str, Form(max_length=120)],
    state: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    justification: Annotated[str, Form(max_length=64)] = "",
    expires: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Record the triage of one advisory on this device (audited); viewers are refused."""
    check_csrf(request, csrf_token)
    device = inventory.get_device(session, principal.organization_id, device_id)
    back = redirect(request, f"/devices/{device.id}#advisories")
    try:
        until = date.fromisoformat(expires) if expires and state == "accepted_risk" else None
    except ValueError:
        flash(request, f"Triage not saved: {expires!r} is not a date (YYYY-MM-DD).", "error")
        return back
    try:
        verdict = check(state, reason=reason, today=date.today(), expires=until,
                        justification=justification if state == "not_affected" else None)
        triage.set_triage(session, principal.organization_id, advisory_id=advisory_id,
                          verdict=verdict, actor=principal.actor, device_ids=[device.id])
    except InvalidInput as exc:
        session.rollback()
        flash(request, f"Triage not saved: {exc.message}", "error")
        return back
    flash(request, f"{advisory_id} is now {verdict.state} on this device.", "ok")
    return back


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, principal: UiPrincipal) -> Response:
    return render(request, "import.html", principal, nav="devices")


@router.post("/import", response_class=HTMLResponse)
async def import_submit(
    request: Request,
    session: SessionDep,
    principal: UiPrincipal,
    csrf_token: Annotated[str | None, Form()] = None,
    pasted: Annotated[str, Form()] = "",
    platform: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf_token)
    documents: list[tuple[str, bytes]] = []
    for upload in files or []:
        if upload.filename:
            # One byte past the limit is enough for the service to refuse it.
            documents.append((upload.filename, await upload.read(MAX_UPLOAD_BYTES + 1)))
    if pasted.strip():
        documents.append(("pasted text", pasted.encode()))
    try:
        report = import_uploads(session, principal.organization_id, documents,
                                platform=platform or None, source="show",
                                actor=principal.actor)
        recheck(session, [principal.organization_id], cause="devices import (ui)")
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return render(request, "import.html", principal, status_code=422, nav="devices",
                      error=exc.message, pasted=pasted, platform=platform)
    flash(request, f"Import: {report.summary()}.", "ok")
    touched = report.created + report.updated + report.unchanged
    if len(touched) == 1:
        device = session.scalar(select(Device).where(
            Device.organization_id == principal.organization_id,
            Device.vendor == touched[0].vendor, Device.serial == touched[0].serial))
        if device is not None:
            return redirect(request, f"/devices/{device.id}")
    return render(request, "import.html", principal, nav="devices", report=report)


@router.post("/devices/{device_id}/remove")
def device_remove(
    device_id: int, request: Request, session: SessionDep, principal: UiPrincipal,
    action: Annotated[str, Form()], csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Retire a device (kept, out of reports) or delete it for good."""
    check_csrf(request, csrf_token)
    org = principal.organization_id
    if action == "retire":
        device = inventory.retire_device(session, org, device_id, actor=principal.actor)
        flash(request, f"{device.hostname or device.serial} retired.", "ok")
        return redirect(request, f"/devices/{device_id}")
    if action == "delete":
        inventory.delete_device(session, org, device_id, actor=principal.actor)
        flash(request, f"Device {device_id} deleted.", "ok")
        return redirect(request, "/devices")
    raise InvalidInput(f"unknown action {action!r}")


@router.get("/exposure", response_class=HTMLResponse)
def exposure_page(request: Request, session: SessionDep, principal: UiPrincipal) -> Response:
    scope = device_scope(principal)
    fleet = exposure_for_org(session, scope)
    devices = {d.id: d for d in list_devices(session, scope)}
    decided = triage.effective_states(session, scope, date.today())
    per_advisory: dict[str, dict[str, Any]] = {}
    away_devices: set[Any] = set()
    exposed_devices: set[Any] = set()
    for device_id, exp in fleet.devices.items():
        for hit in exp.exposure.advisories:
            entry = per_advisory.setdefault(hit.advisory_id, {
                "hit": hit, "devices": [], "away": 0, "marked": Counter()})
            state = decided.get((int(device_id), hit.advisory_id))  # type: ignore[call-overload]
            if state in AWAY:
                entry["away"] += 1
                continue
            exposed_devices.add(device_id)
            if state:
                entry["marked"][state] += 1
            entry["devices"].append(devices.get(device_id))  # type: ignore[call-overload]
        if exp.exposure.advisories and device_id not in exposed_devices:
            away_devices.add(device_id)
    facts = cve_facts(session, {c for e in per_advisory.values() for c in e["hit"].cves})
    for entry in per_advisory.values():
        entry["priority"] = advisory_priority(entry["hit"].cves, entry["hit"].severity, facts)
    # What to fix first (fixright.advisories.priority): KEV, then EPSS, then severity.
    ordered = sorted(
        per_advisory.values(),
        key=lambda e: (e["priority"].sort_key(), most_severe_first(e["hit"].severity),
                       -len(e["devices"])),
    )
    unknown = [devices.get(i) for i, e in fleet.devices.items()  # type: ignore[call-overload]
               if e.status == "unknown"]
    return render(request, "exposure.html", principal, nav="exposure", advisories=ordered,
                  unknown=[d for d in unknown if d is not None], fleet=fleet,
                  exposed=len(exposed_devices), triaged_away=len(away_devices),
                  orgs=organization_slugs(session) if principal.is_operator else None)
