"""Mounts every domain's API router and the UI pages on the app."""

from __future__ import annotations

from fastapi import FastAPI


def include_routers(app: FastAPI) -> None:
    from fixright.accounts.api import router as accounts_router
    from fixright.downloads.api import link_router
    from fixright.downloads.api import router as downloads_router
    from fixright.web.ui_auth import router as auth_pages

    app.include_router(accounts_router, prefix="/api/v1")
    app.include_router(downloads_router, prefix="/api/v1")
    app.include_router(link_router)
    # -- domain routers --
    from fixright.advisories.api import router as advisories_router
    from fixright.audit.api import router as audit_router
    from fixright.catalog.api import router as catalog_router
    from fixright.contracts.api import router as contracts_router
    from fixright.entitlement.api import router as entitlement_router
    from fixright.inventory.api import router as inventory_router
    from fixright.reports.api import router as reports_router

    for domain_router in (inventory_router, advisories_router, reports_router, contracts_router,
                          catalog_router, entitlement_router, audit_router):
        app.include_router(domain_router, prefix="/api/v1")
    app.include_router(auth_pages)
    from fixright.web.ui_fleet import router as fleet_pages
    from fixright.web.ui_portal import router as portal_pages

    app.include_router(fleet_pages)
    app.include_router(portal_pages)
