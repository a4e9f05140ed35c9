"""The API against a real server: who may see and do what.

Two owner organisations (acme, globex) and the operator, set up with the CLI
(tests/e2e/api_world.py). Every list and detail route is called with the other
organisation's token; operator routes with an owner's; every route without
credentials.
"""

from __future__ import annotations

import json
import re

import pytest
from tests.e2e.api_world import TODAY, Org, World, build_world

pytestmark = pytest.mark.e2e

EXPECTED_ROUTES = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/devices"), ("post", "/api/v1/devices"),
    ("post", "/api/v1/devices/import"), ("get", "/api/v1/devices/{device_id}"),
    ("get", "/api/v1/exposure"), ("get", "/api/v1/fixes"),
    ("get", "/api/v1/contracts"), ("get", "/api/v1/contracts/{number}"),
    ("post", "/api/v1/contracts/import"), ("get", "/api/v1/contracts/expiring"),
    ("get", "/api/v1/coverage"),
    ("get", "/api/v1/releases"), ("get", "/api/v1/images"), ("post", "/api/v1/images"),
    ("get", "/api/v1/images/{image_id}"), ("get", "/api/v1/images/{image_id}/entitlement"),
    ("post", "/api/v1/images/{image_id}/download"),
    ("get", "/api/v1/advisories"), ("get", "/api/v1/advisories/{advisory_id}"),
    ("post", "/api/v1/advisories/import"),
    ("get", "/api/v1/policy"), ("put", "/api/v1/policy"), ("get", "/api/v1/policies"),
    ("get", "/api/v1/audit/events"), ("get", "/api/v1/audit/verify"),
    ("get", "/api/v1/claims"), ("post", "/api/v1/claims"), ("get", "/api/v1/claims/{claim_id}"),
    ("post", "/api/v1/claims/{claim_id}/state"), ("get", "/api/v1/claims/{claim_id}/packet.pdf"),
}
PUBLIC_ROUTES = {("get", "/api/v1/policy")}
OPERATOR_ROUTES = {("post", "/api/v1/images"), ("post", "/api/v1/advisories/import"),
                   ("put", "/api/v1/policy"), ("get", "/api/v1/audit/verify")}


@pytest.fixture(scope="module")
def world(live_server, tmp_path_factory, shared_data) -> World:
    return build_world(live_server, tmp_path_factory.mktemp("world"), shared_data)


def _spec_routes(world: World) -> set[tuple[str, str]]:
    spec = world.get(None, "/openapi.json").json()
    return {(method, path) for path, item in spec["paths"].items() for method in item
            if path.startswith("/api/v1/")}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_openapi_lists_every_route(world: World) -> None:
    routes = _spec_routes(world)
    missing = EXPECTED_ROUTES - routes
    assert not missing, f"not in /api/v1/openapi.json: {sorted(missing)}"


def test_every_route_but_the_policy_needs_credentials(world: World) -> None:
    routes = _spec_routes(world)
    assert routes >= EXPECTED_ROUTES
    for method, path in sorted(routes - PUBLIC_ROUTES):
        for headers in ({}, {"Authorization": "Bearer fxr_0000_not-a-token"}):
            with world.client() as client:
                response = client.request(method, _concrete(path), headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.json()["error"] == "unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"


def test_the_active_policy_is_public(world: World) -> None:
    response = world.get(None, "/policy")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "lifetime-updates" and body["active"] is True
    assert body["grants"] and all(g["holds_when"] for g in body["grants"])
    assert 'name = "lifetime-updates"' in body["toml"]


def _operator_attempts(world: World, org: Org) -> dict[tuple[str, str], int]:
    advisory = world.shared / "advisories/csaf/cisco-sa-20180328-smi2.json"
    statuses = {}
    with world.client(org) as client:
        statuses[("post", "/api/v1/images")] = client.post(
            "/api/v1/images",
            files={"file": ("cat9k_iosxe.17.9.5.SPA.bin", b"x" * 1000)},
        ).status_code
        statuses[("post", "/api/v1/advisories/import")] = client.post(
            "/api/v1/advisories/import",
            files={"files": (advisory.name, advisory.read_bytes())},
        ).status_code
        statuses[("put", "/api/v1/policy")] = client.put(
            "/api/v1/policy", json={"name": "open"}).status_code
        statuses[("get", "/api/v1/audit/verify")] = client.get("/api/v1/audit/verify").status_code
    return statuses


def test_owners_are_refused_operator_routes_and_nothing_changes(world: World) -> None:
    images_before = world.get(world.operator, "/images").json()["total"]
    events_before = world.get(world.operator, "/audit/events").json()["total"]
    for org in (world.acme, world.globex):
        statuses = _operator_attempts(world, org)
        assert set(statuses) == OPERATOR_ROUTES
        assert set(statuses.values()) == {403}, statuses
    assert world.get(world.operator, "/images").json()["total"] == images_before
    assert world.get(None, "/policy").json()["name"] == "lifetime-updates"
    assert world.get(world.operator, "/audit/events").json()["total"] == events_before
    verify = world.get(world.operator, "/audit/verify")
    assert verify.status_code == 200 and verify.json()["ok"] is True


PAIRS = [("acme", "globex"), ("globex", "acme")]


def _missing_detail(world: World, org: Org, path: str, ident: str) -> str:
    response = world.get(org, path)
    assert response.status_code == 404
    return response.json()["detail"].replace(ident, "ID")


@pytest.mark.parametrize(("owner", "intruder"), PAIRS)
def test_other_organisations_details_are_404(world: World, owner: str, intruder: str) -> None:
    victim: Org = getattr(world, owner)
    other: Org = getattr(world, intruder)
    unknown = _missing_detail(world, other, "/devices/987654", "987654")
    for device_id in victim.device_ids:
        assert world.get(victim, f"/devices/{device_id}").status_code == 200
        response = world.get(other, f"/devices/{device_id}")
        assert response.status_code == 404, response.text
        # Indistinguishable from an id that does not exist.
        assert response.json()["detail"].replace(str(device_id), "ID") == unknown
        assert not victim.serials & set(re.findall(r"[A-Z0-9]{8,}", response.text))
    unknown = _missing_detail(world, other, "/contracts/NO-SUCH-1", "NO-SUCH-1")
    for number in victim.contracts:
        mine = world.get(victim, f"/contracts/{number}", today=TODAY)
        assert mine.status_code == 200 and mine.json()["coverage"]
        response = world.get(other, f"/contracts/{number}", today=TODAY)
        assert response.status_code == 404
        assert response.json()["detail"].replace(number, "ID") == unknown


def test_images_of_other_platforms_are_404(world: World) -> None:
    cat9k = world.images["cat9k_iosxe.17.12.04.SPA.bin"]
    nxos = world.images["nxos.9.3.16.bin"]
    public = world.images["c2960x-universalk9-mz.152-7.E8.bin"]
    unknown = _missing_detail(world, world.acme, "/images/987654", "987654")
    for org, mine, theirs in ((world.acme, cat9k, nxos), (world.globex, nxos, cat9k)):
        assert world.get(org, f"/images/{mine}").status_code == 200
        assert world.get(org, f"/images/{public}").status_code == 200
        for path in (f"/images/{theirs}", f"/images/{theirs}/entitlement"):
            response = world.get(org, path)
            assert response.status_code == 404, (org.slug, path, response.text)
            assert response.json()["detail"].replace(str(theirs), "ID") == unknown
        listed = {i["id"] for i in world.get(org, "/images", limit=500).json()["items"]}
        assert mine in listed and public in listed and theirs not in listed
    everything = {i["id"] for i in world.get(world.operator, "/images", limit=500).json()["items"]}
    assert {cat9k, nxos, public} <= everything
    assert world.get(world.operator, f"/images/{cat9k}").status_code == 200


def test_images_for_other_hardware_are_404(world: World) -> None:
    # acme's Catalyst 9500s run cat9k_iosxe; a Catalyst 9200 image (cat9k_lite_iosxe)
    # is for other hardware, though both names start with "cat9k".
    lite = world.images["cat9k_lite_iosxe.17.12.04.SPA.bin"]
    cat9k = world.images["cat9k_iosxe.17.12.04.SPA.bin"]
    unknown = _missing_detail(world, world.acme, "/images/987654", "987654")
    acme_devices = world.get(world.acme, "/devices", limit=500).json()["items"]
    assert any(d["platform"] == "cat9k_iosxe" for d in acme_devices)
    assert not any(d["platform"] == "cat9k_lite_iosxe" for d in acme_devices)
    assert world.get(world.acme, f"/images/{cat9k}").json()["platform"] == "cat9k_iosxe"
    for org in (world.acme, world.globex):
        for path in (f"/images/{lite}", f"/images/{lite}/entitlement"):
            response = world.get(org, path)
            assert response.status_code == 404, (org.slug, path, response.text)
            assert response.json()["detail"].replace(str(lite), "ID") == unknown
        listed = {i["id"] for i in world.get(org, "/images", limit=500).json()["items"]}
        assert lite not in listed
    image = world.get(world.operator, f"/images/{lite}").json()
    assert image["platform"] == "cat9k_lite_iosxe"


LIST_ROUTES = [
    ("/devices", {"limit": 500}),
    ("/exposure", {"limit": 500}),
    ("/fixes", {"limit": 500}),
    ("/contracts", {"today": TODAY}),
    ("/contracts/expiring", {"today": TODAY, "within_days": 3650}),
    ("/coverage", {"today": TODAY, "devices": "true"}),
    ("/images", {"limit": 500}),
    ("/audit/events", {"limit": 500}),
]


def _leaks(text: str, victim: Org) -> set[str]:
    names = victim.serials | victim.hostnames | victim.contracts | {victim.email}
    return {name for name in names if name in text}


@pytest.mark.parametrize(("owner", "intruder"), PAIRS)
def test_lists_never_show_another_organisations_data(
    world: World, owner: str, intruder: str
) -> None:
    victim: Org = getattr(world, owner)
    other: Org = getattr(world, intruder)
    # Give both organisations audit events of their own (entitlement checks are recorded).
    public = world.images["c2960x-universalk9-mz.152-7.E8.bin"]
    for org in (victim, other):
        assert world.get(org, f"/images/{public}/entitlement").status_code == 200
    for path, params in LIST_ROUTES:
        theirs = world.get(other, path, **params)
        assert theirs.status_code == 200, (path, theirs.text)
        assert not _leaks(theirs.text, victim), (path, _leaks(theirs.text, victim))
        mine = world.get(victim, path, **params)
        assert mine.status_code == 200
        if path not in ("/images", "/fixes"):  # shared catalogue; fixes need exposure
            assert _leaks(mine.text, victim), f"{path} shows the owner nothing of its own"
    # Searching for the victim's serials finds nothing either.
    for serial in sorted(victim.serials)[:5]:
        found = world.get(other, "/devices", search=serial).json()
        assert found["total"] == 0 and found["items"] == []
    events = world.get(other, "/audit/events", limit=500).json()["items"]
    assert events and {e["actor"] for e in events} <= {f"user:{other.email}", "cli"}


def test_the_operator_reads_every_organisations_events(world: World) -> None:
    text = json.dumps(world.get(world.operator, "/audit/events", limit=500).json())
    assert world.acme.email in text and world.globex.email in text
    assert world.get(world.acme, "/audit/events").json()["total"] < world.get(
        world.operator, "/audit/events").json()["total"]
