"""The OpenAPI document against the server that publishes it.

For every operation and every error status it documents, a request that
should produce that status is sent to a real `fixright serve`, and the answer
must have that status and the documented `{"error", "detail"}` body:
401 without a token, 403 for an owner on operator routes, 404 for an unknown
id, 422 for a bad path parameter, query parameter or body, 409 for a second
identical device. The download refusal (403 with a decision) is exercised by
test_api_routes.py, which has images and policies to be refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.e2e.conftest import LiveServer, running_server

pytestmark = pytest.mark.e2e

UNKNOWN = "987654"  # no object has this id, number or advisory id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    with running_server(tmp_path_factory.mktemp("contract"), "sqlite") as live:
        tokens = {}
        # The operator is also its organisation's admin, so routes refused to a
        # member (operator-only or admin-only) answer it with their 404/422.
        for who, email, extra in (("operator", "op@portal.test", ("--operator", "--role",
                                                                  "admin")),
                                  ("owner", "ann@acme.test", ())):
            org = "portal" if who == "operator" else "acme"
            assert live.cli("users", "add", email, "--org", org, "--no-password",
                            *extra).returncode == 0
            made = live.cli("tokens", "create", "--email", email)
            assert made.returncode == 0, made.stderr
            tokens[who] = made.stdout.strip()
        yield live, tokens


def _minimal_body(spec: dict[str, Any], op: dict[str, Any]) -> Any:
    """A body the operation's request schema accepts: its required fields, each with the
    simplest value of its type (an enum's first value)."""
    content = op["requestBody"].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return {}

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in node:
                return resolve(next(n for n in node[key] if n.get("type") != "null"))
        return node

    def value(node: dict[str, Any]) -> Any:
        node = resolve(node)
        if "enum" in node:
            return node["enum"][0]
        kind = node.get("type")
        if kind == "object":
            return {name: value(sub) for name, sub in node.get("properties", {}).items()
                    if name in node.get("required", [])}
        return {"string": "x", "integer": 1, "number": 1, "boolean": False,
                "array": []}.get(kind, "x")

    return value(schema)


def _path(template: str, params: list[dict[str, Any]], value: str) -> str:
    for param in params:
        if param["in"] == "path":
            template = template.replace("{" + param["name"] + "}", value)
    return template


def _bad_value(schema: dict[str, Any]) -> str | None:
    for option in schema.get("anyOf", [schema]):
        kind = option.get("type")
        if kind in ("integer", "number"):
            return "not-a-number"
        if kind == "boolean":
            return "maybe"
        if "enum" in option:
            return "no-such-choice"
        if option.get("format") in ("date", "date-time"):
            return "not-a-date"
        if "maxLength" in option:
            return "x" * (option["maxLength"] + 1)
        if "pattern" in option:
            return "!! \t !!"
    return None


def _bad_query(params: list[dict[str, Any]]) -> dict[str, str] | None:
    """A query string one parameter of which cannot be valid, if the schema allows one."""
    for param in params:
        value = _bad_value(param.get("schema", {})) if param["in"] == "query" else None
        if value is not None:
            return {param["name"]: value}
    return None


def _send(live: LiveServer, token: str | None, method: str, path: str, *,
          params: dict[str, str] | None = None, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=live.url, timeout=60) as client:
        if isinstance(body, bytes):
            return client.request(method, path, params=params, content=body,
                                  headers={**headers, "Content-Type": "text/plain"})
        return client.request(method, path, params=params, json=body, headers=headers)


def test_every_documented_error_is_what_the_server_answers(server) -> None:
    live, tokens = server
    with httpx.Client(base_url=live.url) as client:
        spec = client.get("/api/v1/openapi.json").json()
    checked: list[tuple[str, str, int]] = []
    wrong: list[str] = []

    def expect(name: str, status: int, answer: httpx.Response) -> None:
        checked.append((name, answer.request.method, status))
        body = answer.json() if answer.headers.get("content-type", "").startswith(
            "application/json") else {}
        if answer.status_code != status or set(body) < {"error", "detail"}:
            wrong.append(f"{name}: documented {status}, got {answer.status_code} {answer.text[:120]}")

    for template, item in spec["paths"].items():
        for method, op in item.items():
            name, documented = op["operationId"], {int(s) for s in op["responses"]}
            params = op.get("parameters", [])
            operator_only = 403 in documented and name != "createDownloadLink"
            path = _path(template, params, UNKNOWN)
            if 401 in documented and op.get("security") == [{"bearer": []}]:
                expect(name, 401, _send(live, None, method.upper(), path))
                expect(name, 401, _send(live, "fxr_bogus_token", method.upper(), path))
            if operator_only:
                expect(name, 403, _send(live, tokens["owner"], method.upper(), path, body={}))
            actor = tokens["operator"] if operator_only else tokens["owner"]
            if 404 in documented:
                # A well-formed body, so the unknown id is what is refused.
                body_404 = _minimal_body(spec, op) if "requestBody" in op else None
                expect(name, 404, _send(live, actor, method.upper(), path, body=body_404))
            if 422 in documented:
                if any(p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
                       for p in params):
                    answer = _send(live, actor, method.upper(), _path(template, params, "x"))
                elif method in ("post", "put"):
                    body: Any = b"" if "requestBody" not in op else ["not", "an", "object"]
                    answer = _send(live, actor, method.upper(), path, body=body)
                else:
                    query = _bad_query(params)
                    if query is None:
                        wrong.append(f"{name}: documents 422 but no parameter can be made bad")
                        continue
                    answer = _send(live, actor, method.upper(), path, params=query)
                expect(name, 422, answer)
    device = {"serial": "FOC0000X0AA", "vendor": "cisco", "os_family": "ios"}
    assert _send(live, tokens["owner"], "POST", "/api/v1/devices", body=device).status_code == 201
    expect("createDevice", 409, _send(live, tokens["owner"], "POST", "/api/v1/devices", body=device))
    assert not wrong, "\n".join(wrong)
    statuses = {status for _, _, status in checked}
    assert statuses == {401, 403, 404, 409, 422}
    assert len({name for name, _, _ in checked}) >= 20
