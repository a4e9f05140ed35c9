"""Roles refuse what they must; revoked tokens and disabled users get 401 at once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web.access_support import bearer, build, csrf, login

from fixright.audit.models import AuditEvent
from fixright.inventory.models import Device

DEVICE = {"serial": "FOC0001", "vendor": "cisco", "os_family": "ios",
          "model": "WS-C2960X-48FPD-L", "running_version": "15.2(2)E3"}


def _actions(session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_revoked_token_and_disabled_user_get_401_at_once(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    admin = bearer(world.tokens["admin@acme.test"])
    member = bearer(world.tokens["member@acme.test"])
    with TestClient(world.app) as client:
        assert client.get("/api/v1/me", headers=member).status_code == 200
        tokens = client.get("/api/v1/tokens", headers=admin).json()
        mine = client.get("/api/v1/tokens", headers=member).json()
        assert {t["user"] for t in mine} == {"member@acme.test"}
        assert {t["user"] for t in tokens} >= {"member@acme.test", "viewer@acme.test"}
        assert "admin@other.test" not in {t["user"] for t in tokens}
        member_token = next(t for t in tokens if t["user"] == "member@acme.test")
        revoked = client.delete(f"/api/v1/tokens/{member_token['id']}", headers=admin)
        assert revoked.status_code == 200 and revoked.json()["revoked"] is True
        assert client.get("/api/v1/me", headers=member).status_code == 401

        viewer = bearer(world.tokens["viewer@acme.test"])
        users = {u["email"]: u for u in client.get("/api/v1/users", headers=admin).json()}
        assert set(users) == {"admin@acme.test", "member@acme.test", "viewer@acme.test"}
        off = client.patch(f"/api/v1/users/{users['viewer@acme.test']['id']}",
                           json={"disabled": True}, headers=admin)
        assert off.status_code == 200 and off.json()["disabled"] is True
        assert client.get("/api/v1/me", headers=viewer).status_code == 401
        on = client.patch(f"/api/v1/users/{users['viewer@acme.test']['id']}",
                          json={"disabled": False}, headers=admin)
        assert on.status_code == 200
        assert client.get("/api/v1/me", headers=viewer).status_code == 200
    actions = _actions(session)
    assert {"accounts:token:revoked", "accounts:user:disabled",
            "accounts:user:enabled"} <= set(actions)


def test_only_admins_manage_users_and_only_their_organisation(db_url, data_dir,
                                                              session) -> None:
    world = build(session, db_url, data_dir)
    member = bearer(world.tokens["member@acme.test"])
    other_admin = bearer(world.tokens["admin@other.test"])
    admin = bearer(world.tokens["admin@acme.test"])
    with TestClient(world.app) as client:
        refused = client.get("/api/v1/users", headers=member)
        assert refused.status_code == 403 and "member" in refused.json()["detail"]
        users = {u["email"]: u["id"] for u in client.get("/api/v1/users", headers=admin).json()}
        # Another organisation's admin does not even learn the user exists.
        assert client.patch(f"/api/v1/users/{users['member@acme.test']}", json={"role": "admin"},
                            headers=other_admin).status_code == 404
        theirs = client.get("/api/v1/tokens", headers=other_admin).json()
        acme_token = client.get("/api/v1/tokens", headers=member).json()[0]["id"]
        assert acme_token not in {t["id"] for t in theirs}
        assert client.delete(f"/api/v1/tokens/{acme_token}",
                             headers=other_admin).status_code == 404
        viewer_token = next(t["id"] for t in client.get("/api/v1/tokens", headers=admin).json()
                            if t["user"] == "viewer@acme.test")
        assert client.delete(f"/api/v1/tokens/{viewer_token}",
                             headers=member).status_code == 403
        # An admin may not lock themself out.
        assert client.patch(f"/api/v1/users/{users['admin@acme.test']}",
                            json={"disabled": True}, headers=admin).status_code == 409
        link = client.post(f"/api/v1/users/{users['member@acme.test']}/reset-link",
                           headers=admin)
        assert link.status_code == 201 and "/reset/" in link.json()["url"]


def test_viewer_reads_but_every_write_is_refused_naming_the_role(db_url, data_dir,
                                                                 session) -> None:
    world = build(session, db_url, data_dir)
    viewer = bearer(world.tokens["viewer@acme.test"])
    member = bearer(world.tokens["member@acme.test"])
    with TestClient(world.app) as client:
        assert client.get("/api/v1/devices", headers=viewer).status_code == 200
        created = client.post("/api/v1/devices", json=DEVICE, headers=member)
        assert created.status_code == 201
        device_id = created.json()["id"]
        before = _actions(session)
        writes = [
            client.post("/api/v1/devices", json={**DEVICE, "serial": "X2"}, headers=viewer),
            client.post("/api/v1/devices/import", content=b"x", headers={
                **viewer, "content-type": "text/plain"}),
            client.post(f"/api/v1/devices/{device_id}/retire", headers=viewer),
            client.delete(f"/api/v1/devices/{device_id}", headers=viewer),
            client.post("/api/v1/contracts/import", content=b"x", headers={
                **viewer, "content-type": "text/csv"}),
        ]
        for response in writes:
            assert response.status_code == 403, response.text
            assert "viewer" in response.json()["detail"]
        # Self-service stays open: a viewer manages its own tokens.
        own = client.post("/api/v1/tokens", json={"name": "mine"}, headers=viewer)
        assert own.status_code == 201 and own.json()["token"].startswith("fxr_")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Device)) == 1
    assert _actions(session)[len(before):] == ["accounts:token:created"]


def test_viewer_ui_forms_are_refused(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    with TestClient(world.app) as client:
        assert login(client, "viewer@acme.test") == 303
        token = csrf(client, "/import")
        refused = client.post("/import", data={"csrf_token": token, "text": "x"},
                              headers={"accept": "text/html"})
        assert refused.status_code == 403
        assert "viewer" in refused.text
        contracts = client.post("/contracts/import", data={"csrf_token": token},
                                files={"file": ("c.csv", b"x", "text/csv")},
                                headers={"accept": "text/html"})
        assert contracts.status_code == 403
        assert client.get("/users").status_code == 403
        page = client.get("/tokens")
        assert page.status_code == 200
        created = client.post("/tokens", data={"csrf_token": token, "name": "ui"})
        assert created.status_code == 201 and "fxr_" in created.text


def test_admin_users_page_changes_role_and_disables(db_url, data_dir, session) -> None:
    world = build(session, db_url, data_dir)
    with TestClient(world.app) as client:
        assert login(client, "admin@acme.test") == 303
        users = {u["email"]: u["id"] for u in client.get("/api/v1/users").json()}
        token = csrf(client, "/users")
        role = client.post(f"/users/{users['member@acme.test']}",
                           data={"csrf_token": token, "action": "role", "role": "viewer"},
                           follow_redirects=False)
        assert role.status_code == 303
        off = client.post(f"/users/{users['member@acme.test']}",
                          data={"csrf_token": token, "action": "disable"},
                          follow_redirects=False)
        assert off.status_code == 303
        page = client.get("/users")
        assert "disabled" in page.text
    assert {"accounts:user:role-changed", "accounts:user:disabled"} <= set(_actions(session))
