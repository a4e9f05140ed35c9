"""`/api/v1/contracts` and `/api/v1/coverage`: the caller's service contracts.

Every route reads and writes the caller's organisation only. A contract is
addressed by its number (what the vendor and the customer call it; unique
within an organisation): another organisation's number is a 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from fixright.changes.service import recheck
from fixright.contracts import service
from fixright.contracts.csvio import read_contract_csv
from fixright.contracts.schemas import (
    ContractDetail,
    ContractImportOut,
    ContractOut,
    CoverageDeviceOut,
    CoverageLineOut,
    CoverageReportOut,
    ExpiringOut,
    ImportSummary,
    ServiceLevelOut,
    UnknownSerialOut,
)
from fixright.errors import InvalidInput, NotFound
from fixright.http.deps import PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.http.uploads import DocumentsDep, upload_body

router = APIRouter(tags=["contracts"])

TodayQuery = Annotated[date | None, Query(
    description="Compute status and expiry as of this date (default: today)."
)]


def _contract_out(summary: service.ContractSummary, today: date) -> ContractOut:
    return ContractOut(
        number=summary.number, provider=summary.provider, service_level=summary.service_level,
        start=summary.start, end=summary.end, lines=summary.lines, cost=summary.cost,
        currency=summary.currency, status=summary.status(today),
    )


@router.get("/contracts", response_model=Page[ContractOut])
def list_contracts(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(active|expired|future)$")] = None,
    today: TodayQuery = None,
) -> Page[ContractOut]:
    """The caller's contracts by number, with span, line count, cost and status."""
    day = today or date.today()
    rows, total = service.page_contracts(session, principal.organization_id, status=status,
                                         today=day, limit=page.limit, offset=page.offset)
    return Page[ContractOut].of([_contract_out(c, day) for c in rows], total, page)


@router.get("/contracts/expiring", response_model=Page[ExpiringOut])
def expiring(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 90,
    today: TodayQuery = None,
) -> Page[ExpiringOut]:
    """Coverage lines ending within the window, soonest first; `renewed` when another line
    continues the serial's coverage."""
    rows = [
        ExpiringOut(contract_number=e.contract_number, service_level=e.service_level,
                    serial=e.serial, pid=e.pid, end=e.end, days_left=e.days_left,
                    renewed=e.renewed)
        for e in service.expiring(session, principal.organization_id, today or date.today(),
                                  within_days)
    ]
    return Page[ExpiringOut].slice(rows, page)


@router.get("/contracts/{number}", response_model=ContractDetail)
def get_contract(
    number: str, session: SessionDep, principal: PrincipalDep, today: TodayQuery = None
) -> ContractDetail:
    """One contract of the caller's with its coverage lines; 404 for any other number."""
    org = principal.organization_id
    found = [c for c in service.list_contracts(session, org) if c.number == number]
    if not found:
        raise NotFound(f"no contract {number!r}")
    lines = [
        CoverageLineOut(contract_number=c.contract_number, service_level=c.service_level,
                        serial=c.serial, pid=c.pid, start=c.start, end=c.end, cost=c.cost,
                        currency=c.currency)
        for per_serial in service.coverage_by_serial(session, org).values()
        for c in per_serial if c.contract_number == number
    ]
    lines.sort(key=lambda c: (c.serial, c.start))
    base = _contract_out(found[0], today or date.today())
    return ContractDetail(**base.model_dump(), coverage=lines)


@router.post(
    "/contracts/import",
    response_model=ContractImportOut,
    openapi_extra=upload_body(
        "Contract CSV file(s), one row per covered serial, as multipart `files`, or one "
        "CSV as the raw text/csv body. See docs/policies.md for the columns.",
        ("text/csv", "text/plain"),
    ),
    responses={422: {"description": "A row or column is bad (named); nothing imported"}},
)
def import_contracts(
    session: SessionDep,
    principal: PrincipalDep,  # before the documents: no body is read for an anonymous caller
    documents: DocumentsDep,
    provider: Annotated[str | None, Query(
        max_length=100, description="Provider for contracts whose rows name none."
    )] = None,
    replace: Annotated[bool, Query(
        description="Remove stored lines of the named contracts that the files no longer list."
    )] = False,
) -> ContractImportOut:
    """Import contracts and coverage lines, all-or-nothing; importing again is idempotent."""
    parsed = []
    failures = []
    for name, data in documents:
        try:
            parsed.append((name, read_contract_csv(data, source=name)))
        except InvalidInput as exc:
            failures.append(exc.message)
    if failures:
        raise InvalidInput("; ".join(failures) + "; nothing was imported")
    totals = dict.fromkeys(ImportSummary.model_fields, 0)
    created: list[str] = []
    updated: list[str] = []
    unknown: list[UnknownSerialOut] = []
    ignored: list[str] = []
    batches = [(name, f.rows) for name, f in parsed]
    if replace:
        # One batch: a line in any of the files is kept, whichever file names it.
        batches = [(", ".join(name for name, _ in parsed)[:200],
                    [row for _, f in parsed for row in f.rows])]
    for name, rows in batches:
        report = service.import_rows(session, principal.organization_id, rows,
                                     actor=principal.actor, provider=provider, source=name,
                                     replace=replace)
        for key, value in report.summary().items():
            totals[key] += value if isinstance(value, int) else 0
        created += report.contracts_created
        updated += [n for n in report.contracts_updated if n not in updated]
        unknown += [UnknownSerialOut(row=r.row, contract=r.contract_number, serial=r.serial,
                                     product_id=r.product_id) for r in report.unknown_serials]
    recheck(session, [principal.organization_id], cause="contracts import (api)")
    for _, contract_file in parsed:
        ignored += [c for c in contract_file.ignored_columns if c not in ignored]
    return ContractImportOut(
        files=[name for name, _ in parsed], summary=ImportSummary(**totals),
        contracts_created=created, contracts_updated=updated, unknown_serials=unknown,
        ignored_columns=ignored,
    )


@router.get("/coverage", response_model=CoverageReportOut)
def coverage(
    session: SessionDep,
    principal: PrincipalDep,
    today: TodayQuery = None,
    devices: Annotated[bool, Query(description="Include one row per device.")] = False,
) -> CoverageReportOut:
    """Covered and uncovered devices, lapses within 30/60/90 days, yearly cost per currency
    and per service level."""
    day = today or date.today()
    report = service.coverage_report(session, principal.organization_id, day)
    rows = None
    if devices:
        rows = [
            CoverageDeviceOut(serial=d.serial, model=d.model, platform=d.platform, covered=True,
                              covered_until=until, days_left=(until - day).days)
            for d, until in report.covered
        ] + [
            CoverageDeviceOut(serial=d.serial, model=d.model, platform=d.platform, covered=False,
                              covered_until=None, days_left=None)
            for d in report.uncovered
        ]
    return CoverageReportOut(
        today=day, devices=report.devices, covered=len(report.covered),
        uncovered=len(report.uncovered),
        lapsing={str(n): len(report.lapsing[n]) for n in service.LAPSE_WINDOWS},
        yearly_cost=report.yearly_cost,
        per_service_level=[
            ServiceLevelOut(service_level=r.service_level, devices=r.devices, lines=r.lines,
                            yearly_cost=r.yearly_cost)
            for r in report.per_service_level
        ],
        lines_on_unknown_serials=report.lines_on_unknown_serials,
        device_rows=rows,
    )
