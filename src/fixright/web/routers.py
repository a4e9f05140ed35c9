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
    app.include_router(auth_pages)
    from fixright.web.ui_fleet import router as fleet_pages
    from fixright.web.ui_portal import router as portal_pages

    app.include_router(fleet_pages)
    app.include_router(portal_pages)
