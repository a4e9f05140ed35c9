"""Through a real server: failed logins do not stall the portal, logout ends the session.

The timing assertion is deliberately loose (median of the /healthz probes taken
while 10 wrong-password logins are in flight under 100 ms; the old code slept
up to 8 s per failure in a worker thread, inside the audit transaction).
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time

import httpx
from tests.e2e.conftest import LiveServer

PASSWORD = "correct horse battery"


def _csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def _login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": _csrf(client)})


def _user(server: LiveServer, email: str) -> None:
    done = server.cli("users", "add", email, "--org", "load", "--password-stdin",
                      input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr


def test_failed_logins_leave_healthz_fast_and_are_all_audited(live_server: LiveServer) -> None:
    emails = [f"load{i}@load.test" for i in range(10)]
    for email in emails[:2]:
        _user(live_server, email)
    codes: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(emails) + 1)

    def guess(email: str) -> None:
        with live_server.client() as client:
            token = _csrf(client)
            start.wait()
            response = client.post("/login", data={"email": email, "password": "wrong!",
                                                   "csrf_token": token})
            with lock:
                codes.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    probes: list[float] = []
    with live_server.client() as probe:
        probe.get("/healthz")  # open the connection first
        start.wait()
        while any(t.is_alive() for t in threads) or len(probes) < 5:
            began = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            probes.append(time.perf_counter() - began)
    for thread in threads:
        thread.join()
    assert sorted(set(codes)) <= [401, 429] and len(codes) == 10
    assert statistics.median(probes) < 0.1, f"/healthz probes: {probes}"
    with live_server.client() as client:
        assert _login(client, emails[0], PASSWORD).status_code in (200, 303)
    audited = live_server.cli("audit", "list", "--action", "accounts:login:", "--limit", "500",
                              "--format", "json")
    assert audited.returncode == 0, audited.stderr
    events = json.loads(audited.stdout)
    refused = [e["subject"] for e in events
               if e["action"] in ("accounts:login:failed", "accounts:login:throttled")]
    assert sorted(e for e in refused if e in emails) == sorted(emails)  # each once


def test_cookie_replayed_after_logout_is_sent_to_login(live_server: LiveServer) -> None:
    _user(live_server, "replay@load.test")
    with live_server.client() as client:
        assert _login(client, "replay@load.test", PASSWORD).status_code == 303
        cookie = client.cookies["fixright_session"]
        assert client.get("/api/v1/me").status_code == 200
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/devices").text)
        assert found
        assert client.post("/logout", data={"csrf_token": found.group(1)}).status_code == 303
    with httpx.Client(base_url=live_server.url, cookies={"fixright_session": cookie}) as replay:
        page = replay.get("/devices")
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert replay.get("/api/v1/me").status_code == 401
