"""Mounts every domain's API router (and, later, the UI) on the app."""

from __future__ import annotations

from fastapi import FastAPI


def include_routers(app: FastAPI) -> None:
    from fixright.accounts.api import router as accounts_router

    app.include_router(accounts_router, prefix="/api/v1")
    # -- domain routers --
