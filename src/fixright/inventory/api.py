"""`/api/v1/devices`: list, register one, import show outputs and CSV.

Every route works on the caller's organisation only. `GET /devices/{id}`
(facts plus exposure) lives in `fixright.advisories.api`: it joins a device
with the advisories, and advisories depend on inventory, not the reverse.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from fixright.changes.service import recheck
from fixright.errors import Conflict
from fixright.hardware import active_catalogue, require_family
from fixright.http.deps import PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.http.params import MAX_SQL_INT
from fixright.http.streaming import EXPORT_FORMATS, export_response
from fixright.http.uploads import DocumentsDep, upload_body
from fixright.inventory import importing, queries, service
from fixright.inventory.csvio import CSV_COLUMNS
from fixright.inventory.parse import DeviceFacts
from fixright.inventory.platforms import platform_for
from fixright.inventory.schemas import (
    DeviceChangeOut,
    DeviceImportOut,
    DeviceIn,
    DeviceOut,
    FieldChange,
)
from fixright.inventory.uploads import import_uploads

router = APIRouter(tags=["devices"])


@router.get("/devices", response_model=Page[DeviceOut])
def list_devices(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    search: Annotated[str | None, Query(
        max_length=200, description="Substring of serial, hostname, model, version or platform."
    )] = None,
    os_family: Annotated[str | None, Query(max_length=32)] = None,
    platform: Annotated[str | None, Query(max_length=64, description="Exact platform token.")]
    = None,
    retired: Annotated[bool, Query(description="Include retired devices.")] = False,
    after: Annotated[int | None, Query(
        ge=0, le=MAX_SQL_INT, description="Keyset cursor: the page starts after the device "
        "with this id (the last id of the previous page); cheaper than `offset` on deep pages.",
    )] = None,
) -> Page[DeviceOut]:
    """The caller's devices in service (with `retired`, all), oldest first."""
    org = principal.organization_id
    devices = queries.list_devices(session, org, search=search, os_family=os_family,
                                   platform=platform, limit=page.limit, offset=page.offset,
                                   include_retired=retired, after=after)
    if after is None and (0 < len(devices) < page.limit or (page.offset == 0 and not devices)):
        total = page.offset + len(devices)  # a page that is not full is the last: no count
    else:
        total = queries.count_devices(session, org, search=search, os_family=os_family,
                                      platform=platform, include_retired=retired)
    return Page[DeviceOut].of([DeviceOut.model_validate(d) for d in devices], total, page)


@router.get("/devices/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export_devices(
    request: Request,
    principal: PrincipalDep,
    format: Annotated[str, Query(pattern=EXPORT_FORMATS, description="csv or jsonl.")] = "csv",
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> StreamingResponse:
    """Every device of the caller's organisation in the import CSV's columns, streamed:
    the devices are read in batches while the body is sent (re-importable as CSV)."""
    org = principal.organization_id
    return export_response(
        request, lambda session: queries.iter_export_rows(session, org, search=search),
        CSV_COLUMNS, format, "devices")


def _find(session: SessionDep, organization_id: int, vendor: str, serial: str) -> DeviceOut | None:
    for device in queries.list_devices(session, organization_id, search=serial,
                                       include_retired=True):
        if device.vendor == vendor and device.serial == serial:
            return DeviceOut.model_validate(device)
    return None


@router.post("/devices", response_model=DeviceOut, status_code=201,
             responses={409: {"description": "A device with this vendor and serial exists"}})
def create_device(body: DeviceIn, session: SessionDep, principal: PrincipalDep) -> DeviceOut:
    """Register one device by hand. Its platform (image family) is `platform` when given,
    else derived from image file and model by the hardware catalogue."""
    org = principal.organization_id
    catalogue = active_catalogue()
    if body.platform:
        platform, warning = require_family(catalogue, body.platform), None
    else:
        platform, warning = platform_for(catalogue, body.os_family, body.model, body.image_file,
                                         version_text=body.running_version)
    existing = _find(session, org, body.vendor, body.serial)
    if existing is not None:
        raise Conflict(f"device {body.vendor} {body.serial} already exists (id {existing.id})")
    facts = DeviceFacts(
        vendor=body.vendor, os_family=body.os_family, model=body.model, serial=body.serial,
        version_text=body.running_version, version=None, hostname=body.hostname,
        image_file=body.image_file, feature_set=body.licensed_feature_set or "unknown",
        uptime="",
        platform=platform, platform_warning=warning or "", source_name="api", command="",
        platform_stated=bool(body.platform),
    )
    importing.import_facts(session, org, [facts], "api", actor=principal.actor)
    recheck(session, [org], cause="device added (api)")
    created = _find(session, org, body.vendor, body.serial)
    assert created is not None  # just written in this transaction
    return created


@router.post("/devices/{device_id}/retire", response_model=DeviceOut,
             responses={404: {"description": "No such device in your organisation"}})
def retire_device(device_id: int, session: SessionDep, principal: PrincipalDep) -> DeviceOut:
    """Take a device out of service: it keeps its history, leaves reports and policy."""
    device = service.retire_device(session, principal.organization_id, device_id,
                                   actor=principal.actor)
    return DeviceOut.model_validate(device)


@router.delete("/devices/{device_id}", status_code=204,
               responses={404: {"description": "No such device in your organisation"}})
def delete_device(device_id: int, session: SessionDep, principal: PrincipalDep) -> Response:
    """Delete a device for good; the audit log keeps the deletion."""
    service.delete_device(session, principal.organization_id, device_id, actor=principal.actor)
    return Response(status_code=204)


def _change(change: importing.DeviceChange) -> DeviceChangeOut:
    return DeviceChangeOut(
        vendor=change.vendor, serial=change.serial, model=change.model,
        changes={k: FieldChange(old=old, new=new) for k, (old, new) in change.changes.items()},
    )


@router.post(
    "/devices/import",
    response_model=DeviceImportOut,
    openapi_extra=upload_body(
        "Show outputs (show version, show inventory ...) or device CSV files, as multipart "
        "`files` and/or pasted `text` fields, or one document as the raw body "
        "(text/plain, text/csv; name it with ?filename=).",
        ("text/plain", "text/csv"),
    ),
    responses={422: {"description": "A document could not be read (named); nothing imported"}},
)
def import_devices(
    session: SessionDep,
    principal: PrincipalDep,  # before the documents: no body is read for an anonymous caller
    documents: DocumentsDep,
    platform: Annotated[str | None, Query(
        max_length=64, description="netmiko platform (cisco_ios ...) to skip detection."
    )] = None,
) -> DeviceImportOut:
    """Import devices, all-or-nothing: one unreadable document and nothing is written."""
    report = import_uploads(session, principal.organization_id, documents, platform=platform,
                            source="api", actor=principal.actor)
    recheck(session, [principal.organization_id], cause="devices import (api)")
    return DeviceImportOut(
        created=[_change(c) for c in report.created],
        updated=[_change(c) for c in report.updated],
        unchanged=[_change(c) for c in report.unchanged],
        summary=report.summary(),
        warnings=report.warnings,
    )
