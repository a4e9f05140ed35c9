"""Jinja2 rendering for the UI: every page gets the caller, the CSRF token and flashes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from fixright import __version__
from fixright.accounts.service import Principal
from fixright.http.params import MAX_SQL_INT
from fixright.web.sessions import csrf_token


def root_path(request: Request) -> str:
    """The sub-path the proxy serves fixright under (`--root-path`), "" at the top."""
    scope = request.scope
    # Inside a mount Starlette extends root_path; app_root_path keeps the app's own.
    return str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")


def app_url(request: Request, path: str) -> str:
    """The address the browser must use for app path `path` ("/devices/3"): under the
    root path. Every link, form action, redirect and asset of the UI goes through here
    (in templates: `{{ url('/devices') }}`)."""
    return root_path(request) + path


def route_path(request: Request) -> str:
    """This request's path inside the app, without the root path (whether or not the
    proxy stripped it): what `next=` and `back=` carry."""
    path, root = request.url.path, root_path(request)
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root):] or "/"
    return path


def redirect(request: Request, path: str, status_code: int = 303) -> RedirectResponse:
    """A redirect to app path `path` (under the root path)."""
    return RedirectResponse(app_url(request, path), status_code=status_code)


@pass_context
def _url(context: Any, path: str) -> str:
    request = context.get("request")
    if request is None:  # a macro imported without the page's context
        raise RuntimeError('url() needs the request: {% from "_macros.html" import x with context %}')
    return app_url(request, path)


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["version"] = __version__
templates.env.globals["url"] = _url

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
