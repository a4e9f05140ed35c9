"""Errors as JSON: a FixrightError becomes `{"error": code, "detail": message}` with its
status, a request that fails validation a 422 naming each bad parameter.

The application factory installs these handlers; the UI decides first whether
a browser should get an HTML page instead.
"""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from fixright.errors import FixrightError


def error_json(exc: FixrightError) -> JSONResponse:
    """The JSON answer for `exc` (401s say how to authenticate)."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(
        {"error": exc.code, "detail": exc.message}, status_code=exc.http_status, headers=headers,
    )


def validation_error_json(exc: RequestValidationError) -> JSONResponse:
    """A 422 naming every parameter that failed validation, with why."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return JSONResponse({"error": "invalid_input", "detail": problems}, status_code=422)

