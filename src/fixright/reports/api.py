"""`/api/v1` routes of the fleet reports: the exposure report and the fix plan.

Both are the caller's organisation's only, and read the same rows as
`fixright report exposure` and `fixright report fixes`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from fixright.advisories.severity import FILTER_HELP, severity_filter
from fixright.http.deps import PrincipalDep, SessionDep
from fixright.http.pagination import Page, PageDep
from fixright.http.streaming import EXPORT_FORMATS, export_response
from fixright.reports.exposure import EXPOSURE_COLUMNS, exposure_rows, fix_rows
from fixright.reports.schemas import ExposurePage, ExposureRow, FixRow

router = APIRouter()


@router.get("/exposure", response_model=ExposurePage, tags=["exposure"])
def exposure(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[str | None, Query(
        pattern="^(affected|not_affected|unknown)$", description="Only devices in this status."
    )] = None,
) -> ExposurePage:
    """Per device of the caller's organisation: status, advisory counts, combined fix.

    Affected devices come first, most urgent first (KEV-listed, then highest EPSS, then
    severity: `fixright.advisories.priority`); the totals
    count the whole fleet whatever the filter.
    """
    report = exposure_rows(session, principal.organization_id)
    fleet = report.fleet
    # Rows stream past: only the page asked for is kept.
    window, total = _window((r for r in report.rows if not status or r["status"] == status),
                            page.offset, page.limit)
    return ExposurePage(
        items=[ExposureRow(**r) for r in window], total=total, limit=page.limit,
        offset=page.offset, affected=fleet.affected, not_affected=fleet.not_affected,
        unknown=fleet.unknown,
    )


@router.get("/exposure/export", response_class=StreamingResponse, tags=["exposure"],
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export_exposure(
    request: Request,
    principal: PrincipalDep,
    format: Annotated[str, Query(pattern=EXPORT_FORMATS, description="csv or jsonl.")] = "csv",
) -> StreamingResponse:
    """The whole exposure report of the caller's organisation, streamed in the order of
    `GET /exposure` (CSV: the columns of `fixright report exposure`; JSON Lines: every field)."""
    org = principal.organization_id
    return export_response(request, lambda session: exposure_rows(session, org).rows,
                           EXPOSURE_COLUMNS, format, "exposure")


@router.get("/fixes", response_model=Page[FixRow], tags=["exposure"])
def fixes(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    severity: Annotated[str | None, Query(description=FILTER_HELP)] = None,
) -> Page[FixRow]:
    """The fix plan: one row per (affected device, advisory) with the first fixed release
    and the device's combined fix."""
    wanted = severity_filter(severity)
    window, total = _window((r for r in fix_rows(session, principal.organization_id)
                             if wanted is None or r["severity"] in wanted),
                            page.offset, page.limit)
    return Page[FixRow].of([FixRow(**r) for r in window], total, page)


def _window(rows: Iterator[dict[str, Any]], offset: int, limit: int
            ) -> tuple[list[dict[str, Any]], int]:
    """The rows from `offset` to `offset + limit`, and how many there were in all."""
    window: list[dict[str, Any]] = []
    total = 0
    for row in rows:
        if offset <= total < offset + limit:
            window.append(row)
        total += 1
    return window, total
