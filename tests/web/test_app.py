from __future__ import annotations

import re

from fastapi.testclient import TestClient

from fixright.accounts import service
from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.demo import load_demo
from fixright.web.app import create_app


def test_healthz_and_openapi(db_url, data_dir) -> None:
    app = create_app(Settings(data_dir=data_dir, database_url=db_url))
    with TestClient(app) as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["database"] == "ok"
        spec = client.get("/api/v1/openapi.json")
        assert spec.status_code == 200
        assert "/api/v1/me" in spec.json()["paths"]


def test_me_requires_a_valid_token(db_url, data_dir, session) -> None:
    org, _ = service.get_or_create_organization(session, "acme")
    user = service.add_user(session, email="a@acme.test", password=None, organization=org)
    _, token = service.create_token(session, user, "t")
    session.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url))
    with TestClient(app) as client:
        assert client.get("/api/v1/me").status_code == 401
        bad = client.get("/api/v1/me", headers={"Authorization": "Bearer fxr_x_y"})
        assert bad.status_code == 401
        assert bad.json()["error"] == "unauthorized"
        ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert ok.json() == {"email": "a@acme.test", "organization": "acme", "role": "member",
                             "operator": False}


def test_login_page_lists_demo_logins_only_in_demo_mode(db_url, data_dir) -> None:
    plain = create_app(Settings(data_dir=data_dir, database_url=db_url))
    with TestClient(plain) as client:
        page = client.get("/login")
        assert page.status_code == 200
        assert "demo-logins" not in page.text
    demo = create_app(Settings(data_dir=data_dir, database_url=db_url, demo=True))
    with TestClient(demo) as client:
        page = client.get("/login")
        assert "it@globex.example" in page.text and "demo-globex" in page.text


def test_device_page_shows_upgrade_targets_with_images(db_url, data_dir) -> None:
    settings = Settings(data_dir=data_dir, database_url=db_url, demo=True)
    list(load_demo(AppContext(settings=settings)))
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        form = client.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf
        client.post("/login", data={"email": "it@globex.example", "password": "demo-globex",
                                    "csrf_token": csrf[1]})
        listing = client.get("/devices", params={"q": "globex-acc-01"}).text
        link = re.search(r'href="/devices/(\d+)"', listing)
        assert link, listing
        page = client.get(f"/devices/{link[1]}").text
        fix = page[page.index('id="fix"'):]
        assert "same-train" in fix and "runs c2960x images" in fix
        assert re.search(r'class="mono">c2960x-universalk9-mz\.152-\d\.E8\.bin<', fix)
        assert re.search(r'class="mono md5">[0-9a-f]{32}<', fix)
