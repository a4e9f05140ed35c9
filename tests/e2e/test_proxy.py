"""Forwarded headers through a real `fixright serve`: believed from a trusted proxy only.

Requests come from 127.0.0.1 carrying X-Forwarded-Proto/-For/-Host, as nginx
sends them. With 127.0.0.1 in FIXRIGHT_TRUSTED_PROXIES the session cookie is
Secure, HSTS is sent and the audit log records the forwarded client; with no
proxy trusted (the default) the same headers change nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.e2e.conftest import LiveServer, start_server

pytestmark = pytest.mark.e2e

EMAIL, PASSWORD = "ann@acme.test", "correct horse battery"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
             "X-Forwarded-Host": "portal.example"}


@pytest.fixture(scope="module", params=["trusted", "untrusted"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, LiveServer]]:
    tmp: Path = tmp_path_factory.mktemp(f"proxy-{request.param}")
    env = {"FIXRIGHT_TRUSTED_PROXIES": "127.0.0.1/32,::1"} if request.param == "trusted" else {}
    proc, live = start_server(tmp, f"sqlite:///{tmp / 'fixright.db'}", extra_env=env)
    try:
        added = live.cli("users", "add", EMAIL, "--org", "acme", "--password-stdin",
                         input=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
        yield request.param, live
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _login(live: LiveServer) -> httpx.Response:
    """Log in by hand: httpx would not send a Secure cookie back over http."""
    with httpx.Client(base_url=live.url, timeout=30) as client:
        form = client.get("/login", headers=FORWARDED)
        cookie = form.headers["set-cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        return client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                           "csrf_token": token},
                           headers={**FORWARDED, "Cookie": cookie}, follow_redirects=False)


def test_cookie_hsts_and_audited_client_follow_the_trust(server) -> None:
    trust, live = server
    answer = _login(live)
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"].lower()
    events = json.loads(live.cli("audit", "list", "--action", "accounts:login",
                                 "--format", "json").stdout)
    clients = [event["data"]["client"] for event in events]
    if trust == "trusted":
        assert "; secure" in cookie
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        assert clients == ["203.0.113.9"]
    else:
        assert "; secure" not in cookie
        assert "strict-transport-security" not in answer.headers
        assert clients == ["127.0.0.1"]
