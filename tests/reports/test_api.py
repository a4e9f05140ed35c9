"""The exposure report and the fix plan are served by the reports router (same URLs as before)."""

from __future__ import annotations

from fastapi.routing import APIRoute

from fixright.advisories.api import router as advisories_router
from fixright.reports.api import router as reports_router


def _paths(router: object) -> set[str]:
    return {r.path for r in getattr(router, "routes", ()) if isinstance(r, APIRoute)}


def test_reports_own_the_exposure_and_fix_routes() -> None:
    assert _paths(reports_router) == {"/exposure", "/exposure/export", "/fixes"}
    assert not _paths(advisories_router) & {"/exposure", "/exposure/export", "/fixes"}
