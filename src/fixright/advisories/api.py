"""`/api/v1` routes of the advisories domain: advisories and a device with its exposure.

Advisories are shared by every organisation (vendors publish them); a device
and its exposure are the caller's organisation's only. The fleet's exposure
and fix plan are reports (`fixright.reports.api`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from starlette.concurrency import run_in_threadpool

from fixright.advisories import cache, exploits, fleet, service
from fixright.advisories.formats import read_document
from fixright.advisories.models import Advisory
from fixright.advisories.records import ReadResult
from fixright.advisories.remediations import remediation_rows, remediations_by_advisory
from fixright.advisories.results import DeviceKey
from fixright.advisories.schemas import (
    AdvisoryDetail,
    AdvisoryImportOut,
    AdvisoryOut,
    DeviceDetail,
    DroppedOut,
    ExposureOut,
    FeedImportOut,
    QuirkOut,
    RemediationOut,
    UnplacedProductOut,
)
from fixright.advisories.severity import FILTER_HELP, severity_filter
from fixright.changes.service import recheck
from fixright.errors import InvalidInput, NotFound
from fixright.http.deps import OperatorDep, PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.http.params import IdPath
from fixright.http.uploads import read_documents, upload_body
from fixright.inventory import service as inventory
from fixright.inventory.schemas import DeviceOut

router = APIRouter()

# Cisco's CSAF documents list thousands of releases; the largest run to a few MB.
MAX_ADVISORY_BYTES = 64 * 1024 * 1024
# The KEV catalog is about 1.5 MB, the EPSS CSV about 15 MB (2 MB gzipped).
MAX_FEED_BYTES = 64 * 1024 * 1024


# -- the caller's devices ------------------------------------------------


@router.get("/devices/{device_id}", response_model=DeviceDetail, tags=["devices"])
def get_device(device_id: IdPath, session: SessionDep, principal: PrincipalDep) -> DeviceDetail:
    """A device's facts and exposure: each advisory with severity, CVEs and first fixed
    release, and the combined fix with its reason. Another organisation's device is a 404."""
    device = inventory.get_device(session, principal.organization_id, device_id)
    key = DeviceKey(device.id, device.os_family or None, device.running_version or None,
                    device.platform or None, device.model or None)
    result = fleet.exposure_for_devices(session, [key])[device.id]
    exposure = ExposureOut.of(result.exposure)
    found = remediations_by_advisory(cache.load_index(session).records)
    for hit in exposure.advisories:
        hit.remediations = [RemediationOut(**r) for r in
                            remediation_rows(found.get(hit.advisory_id, ()), device.os_family)]
    return DeviceDetail(**DeviceOut.model_validate(device).model_dump(), exposure=exposure)


# -- advisories --------------------------------------------------------------------


@router.get("/advisories", response_model=Page[AdvisoryOut], tags=["advisories"])
def list_advisories(
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    severity: Annotated[str | None, Query(description=FILTER_HELP)] = None,
    search: Annotated[str | None, Query(
        max_length=200, description="Substring of the id, title, a CVE or a bug id."
    )] = None,
) -> Page[AdvisoryOut]:
    """Stored advisories, newest first."""
    rows, total = service.page_advisories(session, severities=severity_filter(severity), search=search,
                                          limit=page.limit, offset=page.offset)
    return Page[AdvisoryOut].of([AdvisoryOut.model_validate(a) for a in rows], total, page)


@router.get("/advisories/{advisory_id}", response_model=AdvisoryDetail, tags=["advisories"])
def get_advisory(advisory_id: str, session: SessionDep, _principal: PrincipalDep
                 ) -> AdvisoryDetail:
    """One advisory by its id (e.g. cisco-sa-20180328-smi2), with affected and fixed releases."""
    advisory = session.scalar(
        select(Advisory).where(Advisory.advisory_id == advisory_id).options(
            selectinload(Advisory.affected), selectinload(Advisory.fixed),
            selectinload(Advisory.unplaced),
        )
    )
    if advisory is None:
        raise NotFound(f"no advisory {advisory_id!r}")
    return AdvisoryDetail.model_validate(advisory)


@router.post(
    "/advisories/import",
    response_model=AdvisoryImportOut,
    tags=["advisories"],
    openapi_extra=upload_body(
        "CSAF 2.0/2.1, CVRF 1.1/1.2 XML, Cisco openVuln or CVE JSON 5 documents, as multipart `files`, or one "
        "document as the raw application/json body.",
        ("application/json",),
    ),
    responses={403: {"description": "Only the portal operator imports advisories"},
               422: {"description": "A document could not be read (named); nothing imported"}},
)
async def import_advisories(
    request: Request,
    operator: OperatorDep,
    session: SessionDep,
    lenient: Annotated[bool, Query(
        description="Import the sound parts of documents that break their standard."
    )] = False,
    strict: Annotated[bool, Query(
        description="Refuse the vendor quirks that are otherwise accepted and listed in `warnings`."
    )] = False,
    filename: Annotated[str | None, Query(description="Name of a raw-body document.")] = None,
) -> AdvisoryImportOut:
    """Import advisories, all-or-nothing; a newer revision replaces a stored one.

    Vendor quirks are accepted and returned in `warnings`, once per document."""
    documents = await read_documents(request, max_bytes=MAX_ADVISORY_BYTES, filename=filename)
    # Reading documents is CPU work: keep it off the event loop.
    return await run_in_threadpool(_import, session, documents, lenient, strict, operator.actor)


def _import(session: Session, documents: list[tuple[str, bytes]], lenient: bool, strict: bool,
            actor: str) -> AdvisoryImportOut:
    results: list[ReadResult] = []
    failures: list[str] = []
    for name, data in documents:
        if len(data) > MAX_ADVISORY_BYTES:
            failures.append(f"{name}: larger than {MAX_ADVISORY_BYTES // (1024 * 1024)} MB")
            continue
        try:
            results.append(read_document(data, name, lenient=lenient, strict=strict))
        except InvalidInput as exc:
            failures.append(exc.message)
    if failures:
        raise InvalidInput("; ".join(failures) + "; nothing was imported")
    report = service.import_results(session, results, actor=actor)
    if report.created or report.updated:
        recheck(session, cause="advisories import (api)")
    return AdvisoryImportOut(
        created=report.created, updated=report.updated, unchanged=report.unchanged,
        dropped=[DroppedOut(file=f, where=d.where, reason=d.reason) for f, d in report.dropped],
        unplaced=[UnplacedProductOut(advisory_id=a, product=u.product, reason=u.reason)
                  for a, u in report.unplaced],
        warnings=[QuirkOut(file=f, kind=w.kind, where=w.where, reason=w.reason, count=w.count)
                  for f, w in report.warnings],
        platform_warnings=report.platform_warnings,
    )


# -- KEV and EPSS feeds --------------------------------------------------------------------

_FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only the portal operator imports feeds"},
    422: {"description": "The file could not be read (line or JSON path named); nothing changed"},
}


async def _one_document(request: Request, filename: str | None) -> tuple[str, bytes]:
    documents = await read_documents(request, max_bytes=MAX_FEED_BYTES, filename=filename)
    if len(documents) != 1:
        raise InvalidInput(f"send one file; got {len(documents)}")
    name, data = documents[0]
    if len(data) > MAX_FEED_BYTES:
        raise InvalidInput(f"{name}: larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    return name, data


@router.post(
    "/advisories/kev", response_model=FeedImportOut, tags=["advisories"],
    openapi_extra=upload_body("CISA's known_exploited_vulnerabilities.json, as multipart `files` "
                              "or the raw application/json body.", ("application/json",)),
    responses=_FEED_RESPONSES,
)
async def import_kev(request: Request, operator: OperatorDep, session: SessionDep,
                     filename: Annotated[str | None, Query(description="Name of the file.")] = None
                     ) -> FeedImportOut:
    """Replace the stored CISA Known Exploited Vulnerabilities catalog."""
    name, data = await _one_document(request, filename)
    result = await run_in_threadpool(exploits.import_kev, session, data, name, actor=operator.actor)
    return FeedImportOut(**asdict(result))


@router.post(
    "/advisories/epss", response_model=FeedImportOut, tags=["advisories"],
    openapi_extra=upload_body("FIRST's EPSS scores CSV (or .csv.gz), as multipart `files` or the "
                              "raw text/csv body.", ("text/csv", "application/gzip")),
    responses=_FEED_RESPONSES,
)
async def import_epss(request: Request, operator: OperatorDep, session: SessionDep,
                      filename: Annotated[str | None, Query(description="Name of the file.")] = None
                      ) -> FeedImportOut:
    """Replace the stored FIRST EPSS scores."""
    name, data = await _one_document(request, filename)
    result = await run_in_threadpool(exploits.import_epss, session, data, name, actor=operator.actor)
    return FeedImportOut(**asdict(result))
