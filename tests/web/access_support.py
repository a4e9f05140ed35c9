"""A small world for the access tests: one owner organisation with an admin, a
member and a viewer (password logins), and a second organisation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fixright.accounts import service
from fixright.config import Settings
from fixright.web.app import create_app

PASSWORD = "correct horse battery"


@dataclass
class World:
    app: FastAPI
    tokens: dict[str, str]  # e-mail -> API token


def build(session: Session, db_url: str, data_dir: Path) -> World:
    acme, _ = service.get_or_create_organization(session, "acme")
    other, _ = service.get_or_create_organization(session, "other")
    tokens = {}
    for email, org, role in (("admin@acme.test", acme, "admin"),
                             ("member@acme.test", acme, "member"),
                             ("viewer@acme.test", acme, "viewer"),
                             ("admin@other.test", other, "admin")):
        user = service.add_user(session, email=email, password=PASSWORD, organization=org,
                                role=role)
        tokens[email] = service.create_token(session, user, "t")[1]
    session.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url,
                              storage_url=f"file://{data_dir / 'blobs'}"))
    return World(app, tokens)


def csrf(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> int:
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf(client)},
                           follow_redirects=False)
    return response.status_code


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
