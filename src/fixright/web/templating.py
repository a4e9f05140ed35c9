"""Jinja2 rendering for the UI: every page gets the caller, the CSRF token and flashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fixright import __version__
from fixright.accounts.service import Principal
from fixright.web.sessions import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["version"] = __version__

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
