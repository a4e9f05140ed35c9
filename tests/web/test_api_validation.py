"""Fast in-process checks of API edge cases (the live-server suites are tests/e2e/test_api_*)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from fixright.accounts import service as accounts
from fixright.config import Settings
from fixright.http.pagination import MAX_LIMIT, Page, PageParams
from fixright.web.app import create_app


@given(st.lists(st.integers(), max_size=60), st.integers(1, 25))
def test_pages_partition_the_list(rows: list[int], limit: int) -> None:
    seen: list[int] = []
    for offset in range(0, len(rows) + limit, limit):
        page = Page[int].slice(rows, PageParams(limit=limit, offset=offset))
        assert page.total == len(rows) and len(page.items) <= limit
        seen += page.items
    assert seen == rows


@dataclass
class Api:
    client: TestClient
    owner: dict[str, str]
    operator: dict[str, str]


@pytest.fixture
def api(db_url, data_dir, session) -> Iterator[Api]:
    tokens = []
    for slug, email, operator in (("acme", "a@acme.test", False), ("portal", "o@portal.test", True)):
        org, _ = accounts.get_or_create_organization(session, slug, operator=operator)
        user = accounts.add_user(session, email=email, password=None, organization=org)
        tokens.append({"Authorization": f"Bearer {accounts.create_token(session, user, 't')[1]}"})
    session.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url))
    with TestClient(app) as client:
        yield Api(client, *tokens)


def _devices(api: Api) -> int:
    return api.client.get("/api/v1/devices", headers=api.owner).json()["total"]


def test_import_takes_pasted_text_and_refuses_nothing(api: Api, shared_data) -> None:
    raw = (shared_data / "show/cisco_ios/show_version/cisco_ios_show_version.raw").read_text()
    pasted = api.client.post("/api/v1/devices/import", data={"text": raw}, headers=api.owner)
    assert pasted.status_code == 200, pasted.text
    assert len(pasted.json()["created"]) == 1
    for kwargs in ({"data": {"text": "   "}}, {"content": b""}):
        refused = api.client.post("/api/v1/devices/import", headers=api.owner, **kwargs)
        assert refused.status_code == 422 and "nothing to import" in refused.json()["detail"]
    assert _devices(api) == 1


def test_an_oversized_body_is_refused_before_anything_is_written(api: Api) -> None:
    body = b"Cisco IOS Software, Version 15.2(7)E3\n" * (9 * 1024 * 1024 // 38)
    refused = api.client.post("/api/v1/devices/import?filename=huge.txt", content=body,
                              headers={**api.owner, "content-type": "text/plain"})
    assert refused.status_code == 422
    assert "huge.txt" in refused.json()["detail"] and "MB" in refused.json()["detail"]
    assert _devices(api) == 0


def test_page_bounds_are_422_naming_the_parameter(api: Api) -> None:
    for query, name in ((f"limit={MAX_LIMIT + 1}", "limit"), ("limit=0", "limit"),
                        ("offset=-5", "offset"), ("limit=ten", "limit")):
        response = api.client.get(f"/api/v1/advisories?{query}", headers=api.owner)
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input" and name in response.json()["detail"]
    ok = api.client.get(f"/api/v1/advisories?limit={MAX_LIMIT}", headers=api.owner).json()
    assert ok == {"items": [], "total": 0, "limit": MAX_LIMIT, "offset": 0}


def test_policy_body_must_name_a_policy(api: Api) -> None:
    for body, words in (({}, "name"), ({"name": "open", "colour": "red"}, "colour"),
                        ({"name": "x\n[[grant]]"}, "name"),
                        ({"toml": "[[grant]\n"}, "toml")):
        response = api.client.put("/api/v1/policy", json=body, headers=api.operator)
        assert response.status_code == 422 and words in response.json()["detail"], body
    assert api.client.get("/api/v1/policy").json()["name"] == "lifetime-updates"


def test_advisory_import_names_the_file_and_line(api: Api) -> None:
    response = api.client.post(
        "/api/v1/advisories/import",
        files=[("files", ("broken.json", b'{"document": \n  oops}'))], headers=api.operator,
    )
    assert response.status_code == 422
    assert "broken.json" in response.json()["detail"] and "line 2" in response.json()["detail"]
    listed = api.client.get("/api/v1/advisories", headers=api.owner).json()
    assert listed["total"] == 0


def test_device_json_is_checked_field_by_field(api: Api) -> None:
    base = {"serial": "FOC1234X0AB", "vendor": "cisco", "os_family": "ios"}
    for change, field in (({"serial": "a b"}, "serial"), ({"model": "x" * 101}, "model"),
                          ({"running_version": "15.2(7"}, "running_version"),
                          ({"colour": "red"}, "colour")):
        response = api.client.post("/api/v1/devices", json={**base, **change},
                                   headers=api.owner)
        assert response.status_code == 422 and field in response.json()["detail"], change
    assert _devices(api) == 0
    created = api.client.post("/api/v1/devices", json=base, headers=api.owner)
    assert created.status_code == 201 and created.json()["running_version"] is None
