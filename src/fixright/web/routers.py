"""Mounts every domain's API router and the UI pages on the app.

This is the one module that imports every domain's router: the domains know
nothing of each other's routes or of the UI.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from fixright.access.api import router as access_router
from fixright.accounts.api import router as accounts_router
from fixright.advisories.api import router as advisories_router
from fixright.alerts.api import router as alerts_router
from fixright.audit.api import router as audit_router
from fixright.catalog.api import router as catalog_router
from fixright.changes.api import router as changes_router
from fixright.claims.api import router as claims_router
from fixright.contracts.api import router as contracts_router
from fixright.downloads.api import link_router
from fixright.downloads.api import router as downloads_router
from fixright.entitlement.api import router as entitlement_router
from fixright.http.deps import refuse_viewer_writes
from fixright.inventory.api import router as inventory_router
from fixright.reports.api import router as reports_router
from fixright.triage.api import router as triage_router
from fixright.web.ui_access import router as access_pages
from fixright.web.ui_auth import router as auth_pages
from fixright.web.ui_cliff import router as cliff_pages
from fixright.web.ui_fixaccess import router as fix_access_pages
from fixright.web.ui_fleet import router as fleet_pages
from fixright.web.ui_portal import router as portal_pages

API_PREFIX = "/api/v1"


def include_routers(app: FastAPI) -> None:
    """Every domain's API under `/api/v1`, the download links at `/dl`, the UI at `/`."""
    # A viewer only reads: every route of these routers that is not a read answers
    # 403 naming the role. Left out: one's own tokens and account (access,
    # accounts), asking for a download link (reading a fix), logging in and out.
    read_only_for_viewers = [Depends(refuse_viewer_writes)]
    for domain_router in (inventory_router, advisories_router, reports_router,
                          contracts_router, catalog_router, entitlement_router, triage_router,
                          audit_router, claims_router, changes_router, alerts_router):
        app.include_router(domain_router, prefix=API_PREFIX, dependencies=read_only_for_viewers)
    for domain_router in (accounts_router, access_router, downloads_router):
        app.include_router(domain_router, prefix=API_PREFIX)
    app.include_router(link_router)
    app.include_router(fleet_pages, dependencies=read_only_for_viewers)
    app.include_router(cliff_pages, dependencies=read_only_for_viewers)
    for pages in (auth_pages, access_pages, portal_pages, fix_access_pages):
        app.include_router(pages)
