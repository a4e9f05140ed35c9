"""The API contract, written centrally from the routes rather than by each route.

- Operation ids read like names: `create_download_link` becomes `createDownloadLink`.
- A `bearer` security scheme (the docs' Authorize button); each operation that
  needs a caller says so, one that merely accepts one says it is optional.
- Every operation documents the errors it really answers, all with the real
  `{"error", "detail"}` body: 401 when it depends on `require_principal`, 403
  when it depends on another `require_*` check, 404 when it takes a path
  parameter (an unknown id, or another organisation's object), 422 when it
  takes parameters or a body, 409 where a service refuses duplicates, and the
  download refusal (403 with the decision and its reasons).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from fixright.http import deps
from fixright.http.errors import document_errors

ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["error", "detail"],
    "properties": {"error": {"type": "string", "description": "stable machine-readable code"},
                   "detail": {"type": "string", "description": "what went wrong, for a person"}},
}
REFUSAL_SCHEMA = {
    "title": "DownloadRefused", "type": "object",
    "required": ["error", "detail", "allowed", "decision"],
    "properties": {
        "error": {"type": "string", "enum": ["not_entitled"]},
        "detail": {"type": "string"},
        "allowed": {"type": "boolean", "enum": [False]},
        "url": {"type": "null"},
        "expires": {"type": "null"},
        "decision": {"type": "object", "description": "the policy's decision: every grant "
                     "tried, the conditions it failed and what would change that",
                     "additionalProperties": True},
    },
}
# Routes whose service refuses a duplicate with 409, by route (function) name.
CONFLICTS = {
    "create_device": "A device with this vendor and serial exists",
    "upload_image": "The file name is taken by other bytes",
    "set_policy": "The name is a preset's",
    "create_user": "A user with this e-mail exists",
}
REFUSALS = {"create_download_link": "The active policy does not allow this download: "
            "the decision and its reasons"}
DESCRIPTIONS = {
    401: "No valid bearer token or session", 403: "The caller may not do this",
    404: "No such object, or one of another organisation", 409: "Conflicts with existing data",
    422: "A parameter or the body is invalid (each problem named)",
}


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Every API route with its full path and its routers' dependencies.

    FastAPI >= 0.150 keeps included routers as they are and resolves their routes
    lazily (`iter_route_contexts`); older releases copy each route onto the app.
    """
    contexts = getattr(routing, "iter_route_contexts", None)
    for route in (contexts(app.routes) if contexts else app.routes):
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def operation_id(route: APIRoute) -> str:
    """`create_download_link` -> `createDownloadLink`."""
    head, *rest = route.name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _can_fail(schema: dict[str, Any]) -> bool:
    """Whether some value of a parameter with this schema is refused (a free string is not)."""
    options = schema.get("anyOf", [schema])
    return any(option.get("type") not in ("string", "null") or
               any(key in option for key in ("enum", "pattern", "minLength", "maxLength",
                                             "format", "const"))
               for option in options)


def _validates(operation: dict[str, Any]) -> bool:
    return "requestBody" in operation or any(
        _can_fail(param.get("schema", {})) for param in operation.get("parameters", []))


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _errors_for(route: Any, operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
    calls = set(_calls(route.dependant))
    errors: dict[int, dict[str, Any]] = {}
    if deps.require_principal in calls:
        errors[401] = _error(DESCRIPTIONS[401])
        errors[401]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                       "description": "Bearer"}}
    elif deps.noted_principal in calls:
        # A bad bearer token is refused even where anonymity is allowed.
        errors[401] = _error("The bearer token given is not valid")
    if any(getattr(call, "__name__", "").startswith("require_") and call is not deps.require_principal
           for call in calls if getattr(call, "__module__", "") == deps.__name__):
        errors[403] = _error(DESCRIPTIONS[403])
    if route.name in REFUSALS:
        errors[403] = _error(REFUSALS[route.name], "DownloadRefused")
    if route.dependant.path_params:
        errors[404] = _error(DESCRIPTIONS[404])
    if route.name in CONFLICTS:
        errors[409] = _error(CONFLICTS[route.name])
    if _validates(operation):
        errors[422] = _error(DESCRIPTIONS[422])
    return errors


def _security(route: Any) -> list[dict[str, list[str]]] | None:
    calls = set(_calls(route.dependant))
    if deps.require_principal in calls:
        return [{"bearer": []}]
    if deps.noted_principal in calls:
        return [{}, {"bearer": []}]
    return None


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` by one that writes the contract above (built once)."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = document_errors(get_openapi(
            title=app.title, version=app.version, routes=app.routes,
            description="fixright's REST API. Errors are "
                        '`{"error": code, "detail": message}`.'))
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer",
            "description": "an API token: `fixright tokens create --email ...`"}
        schemas = components.setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        schemas["DownloadRefused"] = REFUSAL_SCHEMA
        for route in api_routes(app):
            if not route.include_in_schema:
                continue
            for method in route.methods:
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                if not _validates(operation) and "Validation Error" in str(responses.get("422")):
                    del responses["422"]  # FastAPI's guess: nothing here can be refused
                errors = _errors_for(route, operation)
                for code, declared in list(responses.items()):
                    # A route's own 4xx (a described refusal) gets the real body too.
                    if code.isdigit() and int(code) >= 400 and int(code) not in errors:
                        errors[int(code)] = _error(declared.get("description", ""))
                for status, response in errors.items():
                    declared = responses.get(str(status), {})
                    if declared.get("description") not in (None, "", "Validation Error"):
                        response["description"] = declared["description"]
                    responses[str(status)] = {**declared, **response}
                security = _security(route)
                if security is not None:
                    operation["security"] = security
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
