"""Jinja2 rendering for the UI: every page gets the caller, the CSRF token and flashes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fixright import __version__
from fixright.accounts.service import Principal
from fixright.http.params import MAX_SQL_INT
from fixright.web.sessions import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["version"] = __version__

PAGE_SIZE = 50  # rows on one page of a UI list; the pages are cut in SQL

# A page number whose offset would not fit a SQL integer is a "not found" page.
PageNumber = Annotated[int, Query(le=MAX_SQL_INT // PAGE_SIZE, description="1-based page.")]


def page_offset(page: int) -> tuple[int, int]:
    """(page, offset) for a 1-based page number from the query string (below 1 is 1)."""
    page = max(page, 1)
    return page, (page - 1) * PAGE_SIZE


def page_count(total: int) -> int:
    """How many pages `total` rows fill (at least one, to say "page 1 of 1")."""
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Queue a one-time message for the next page shown to this session."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, message])
    request.session["flash"] = messages[-5:]


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    flashes = request.session.pop("flash", []) if "session" in request.scope else []
    return templates.TemplateResponse(
        request,
        template,
        {
            "principal": principal,
            "csrf_token": csrf_token(request),
            "flashes": flashes,
            **context,
        },
        status_code=status_code,
    )
