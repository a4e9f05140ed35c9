"""`/api/v1/changes` and `/api/v1/alerts` in process: scoped to the caller's organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.changes.world import advisory_path

from fixright.accounts import service as accounts
from fixright.audit.models import AuditEvent
from fixright.config import Settings
from fixright.web.app import create_app


@dataclass
class Api:
    client: TestClient
    acme: dict[str, str]
    acme_member: dict[str, str]
    globex: dict[str, str]
    operator: dict[str, str]


@pytest.fixture
def api(db_url, data_dir, session) -> Iterator[Api]:
    tokens = []
    for slug, email, operator, role in (("acme", "a@acme.test", False, "admin"),
                                        ("acme", "m@acme.test", False, "member"),
                                        ("globex", "g@globex.test", False, "admin"),
                                        ("portal", "o@portal.test", True, "admin")):
        org, _ = accounts.get_or_create_organization(session, slug, operator=operator)
        user = accounts.add_user(session, email=email, password=None, organization=org, role=role)
        tokens.append({"Authorization": f"Bearer {accounts.create_token(session, user, 't')[1]}"})
    session.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url))
    with TestClient(app) as client:
        yield Api(client, *tokens)


def _import_world(api: Api, shared_data) -> None:
    raw = (shared_data / "show/cisco_ios/show_version/cisco_ios_show_version1.raw").read_text()
    done = api.client.post("/api/v1/devices/import", data={"text": raw}, headers=api.acme)
    assert done.status_code == 200, done.text
    # The same hardware for globex, with serials of its own (a serial has one owner).
    serials = [d["serial"] for d in api.client.get("/api/v1/devices", headers=api.acme)
               .json()["items"]]
    theirs = re.sub(r"\b(" + "|".join(map(re.escape, serials)) + r")\b", r"\1G", raw)
    done = api.client.post("/api/v1/devices/import", data={"text": theirs}, headers=api.globex)
    assert done.status_code == 200, done.text
    advisory = advisory_path(shared_data).read_bytes()
    imported = api.client.post("/api/v1/advisories/import", content=advisory,
                               headers={**api.operator, "content-type": "application/json"})
    assert imported.status_code == 200, imported.text


def test_changes_are_the_callers_organisations_and_the_operator_sees_all(api, shared_data):
    _import_world(api, shared_data)
    mine = api.client.get("/api/v1/changes?since=2020-01-01", headers=api.acme).json()
    theirs = api.client.get("/api/v1/changes?since=2020-01-01", headers=api.globex).json()
    everyone = api.client.get("/api/v1/changes?since=2020-01-01&limit=500",
                              headers=api.operator).json()
    assert mine["total"] >= 1 and {c["organization"] for c in mine["items"]} == {"acme"}
    assert {c["organization"] for c in theirs["items"]} == {"globex"}
    assert {c["organization"] for c in everyone["items"]} == {"acme", "globex"}
    assert everyone["total"] == mine["total"] + theirs["total"]
    assert {c["cause"] for c in mine["items"]} == {"advisories import (api)"}
    later = api.client.get("/api/v1/changes?since=2999-01-01", headers=api.acme).json()
    assert later["total"] == 0
    bad = api.client.get("/api/v1/changes?since=2020-01-01&kind=nope", headers=api.acme)
    assert bad.status_code == 422


def test_alert_subscriptions_are_for_admins_of_their_own_organisation(api):
    body = {"kind": "new-exposure", "target": "https://hooks.acme.test/x", "min_severity": "high"}
    assert api.client.post("/api/v1/alerts", json=body, headers=api.acme_member).status_code == 403
    made = api.client.post("/api/v1/alerts", json=body, headers=api.acme)
    assert made.status_code == 201, made.text
    sub = made.json()
    assert sub["channel"] == "webhook" and len(sub["secret"]) == 64
    listed = api.client.get("/api/v1/alerts", headers=api.acme).json()
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]
    assert api.client.get("/api/v1/alerts", headers=api.globex).json() == []
    stolen = api.client.delete(f"/api/v1/alerts/{sub['id']}", headers=api.globex)
    assert stolen.status_code == 404
    refused = api.client.post("/api/v1/alerts", json={**body, "kind": "contract-lapsing"},
                              headers=api.acme)
    assert refused.status_code == 422 and "needs --days" in refused.text
    assert api.client.delete(f"/api/v1/alerts/{sub['id']}", headers=api.acme).status_code == 204
    assert api.client.get("/api/v1/alerts", headers=api.acme).json() == []


def test_subscription_changes_are_audited(api, session):
    body = {"kind": "contract-lapsing", "target": "noc@acme.test", "days": 30}
    sub = api.client.post("/api/v1/alerts", json=body, headers=api.acme).json()
    api.client.delete(f"/api/v1/alerts/{sub['id']}", headers=api.acme)
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("alerts:%")).order_by(AuditEvent.seq)))
    assert actions == ["alerts:subscription:add", "alerts:subscription:remove"]
