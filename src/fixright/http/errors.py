"""Errors as JSON: a FixrightError becomes `{"error": code, "detail": message}` with its
status, a request that fails validation a 422 naming each bad parameter.

The application factory installs these handlers; the UI decides first whether
a browser should get an HTML page instead.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from fixright.errors import FixrightError


def error_json(exc: FixrightError) -> JSONResponse:
    """The JSON answer for `exc` (401s say how to authenticate)."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(
        {"error": exc.code, "detail": exc.message}, status_code=exc.http_status, headers=headers,
    )


# FastAPI's answer when the body cannot be parsed at all (100,000-deep JSON,
# a 5,000-digit number, bytes that are not UTF-8); it names nothing.
BODY_PARSE_DETAIL = "There was an error parsing the body"


def body_parse_error_json() -> JSONResponse:
    """A 400 that says why a request body could not be read as JSON."""
    return JSONResponse({"error": "invalid_input", "detail": (
        "request body: not readable JSON (nested too deeply, a number with too many digits, "
        "or not UTF-8 text)")}, status_code=400)


def database_value_json() -> JSONResponse:
    """A 422 for a value the database refused to store (a NUL character, an out-of-range
    number) although it passed validation."""
    return JSONResponse({"error": "invalid_input", "detail": (
        "a value in the request cannot be stored (a NUL character or a number out of range)")},
        status_code=422)


def validation_error_json(exc: RequestValidationError) -> JSONResponse:
    """A 422 naming every parameter that failed validation, with why."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return JSONResponse({"error": "invalid_input", "detail": problems}, status_code=422)



# What every error answer looks like; FastAPI documents its own 422 shape
# (`{"detail": [{"loc": ...}]}`), which this application never sends.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "A short code, e.g. invalid_input"},
        "detail": {"type": "string", "description": "What is wrong, naming the parameter"},
    },
}


def document_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """`openapi` with the 422 answers documented as they are sent (`ERROR_SCHEMA`)."""
    schemas = openapi.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in schemas:
        schemas["HTTPValidationError"] = ERROR_SCHEMA
        schemas.pop("ValidationError", None)
    return openapi
