"""Mounts every domain's API router and the UI pages on the app.

This is the one module that imports every domain's router: the domains know
nothing of each other's routes or of the UI.
"""

from __future__ import annotations

from fastapi import FastAPI

from fixright.accounts.api import router as accounts_router
from fixright.advisories.api import router as advisories_router
from fixright.audit.api import router as audit_router
from fixright.catalog.api import router as catalog_router
from fixright.contracts.api import router as contracts_router
from fixright.downloads.api import link_router
from fixright.downloads.api import router as downloads_router
from fixright.entitlement.api import router as entitlement_router
from fixright.inventory.api import router as inventory_router
from fixright.reports.api import router as reports_router
from fixright.triage.api import router as triage_router
from fixright.web.ui_auth import router as auth_pages
from fixright.web.ui_fleet import router as fleet_pages
from fixright.web.ui_portal import router as portal_pages

API_PREFIX = "/api/v1"


def include_routers(app: FastAPI) -> None:
    """Every domain's API under `/api/v1`, the download links at `/dl`, the UI at `/`."""
    for domain_router in (accounts_router, downloads_router, inventory_router,
                          advisories_router, reports_router, contracts_router, catalog_router,
                          entitlement_router, triage_router, audit_router):
        app.include_router(domain_router, prefix=API_PREFIX)
    app.include_router(link_router)
    for pages in (auth_pages, fleet_pages, portal_pages):
        app.include_router(pages)
