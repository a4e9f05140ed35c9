"""Mounts every domain's API router and the UI pages on the app."""

from __future__ import annotations

from fastapi import FastAPI


def include_routers(app: FastAPI) -> None:
    from fixright.accounts.api import router as accounts_router
    from fixright.web.ui_auth import router as auth_pages

    app.include_router(accounts_router, prefix="/api/v1")
    # -- domain routers --
    app.include_router(auth_pages)
