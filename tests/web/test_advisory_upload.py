"""The advisories page's upload says what the CLI and the API say: vendor quirks
accepted (with where), and refuses them when the operator asks for strict."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.shared import SHARED_DATA
from tests.web.access_support import csrf, login

from fixright.advisories.models import Advisory
from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.db import make_engine
from fixright.demo import load_demo
from fixright.demo.loader import OPERATOR
from fixright.web.app import create_app

FORTINET = SHARED_DATA / "advisories" / "vendor" / "FG-IR-24-041.json"


def _advisories(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Advisory)).scalar_one()
    finally:
        engine.dispose()


def _upload(client: TestClient, strict: bool) -> str:
    data = {"csrf_token": csrf(client, "/advisories")}
    if strict:
        data["strict"] = "true"
    page = client.post("/advisories/import", data=data, files={
        "files": (FORTINET.name, FORTINET.read_bytes(), "application/json")}).text
    return html.unescape(" ".join(re.findall(r'<div class="flash [^"]*"[^>]*>(.*?)</div>', page,
                                             re.S)))


def test_quirks_are_shown_and_strict_refuses_them(db_url, data_dir) -> None:
    settings = Settings(data_dir=data_dir, database_url=db_url, demo=True)
    list(load_demo(AppContext(settings=settings)))
    before = _advisories(db_url)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        assert login(client, *OPERATOR) == 303
        refused = _upload(client, strict=True)
        assert "read as published" in refused and "Nothing was imported" in refused
        assert _advisories(db_url) == before

        accepted = _upload(client, strict=False)
        assert "1 created" in accepted
        assert "Accepted with warnings:" in accepted
        assert f"{FORTINET.name}: naive date-time at $.document.tracking.initial_release_date" \
            in accepted
        assert "undefined product id at $.vulnerabilities[0].scores[0].products" in accepted
        assert _advisories(db_url) == before + 1
