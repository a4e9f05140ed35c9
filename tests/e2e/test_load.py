"""32 clients at once against a real `fixright serve`, on SQLite and on PostgreSQL.

For a bounded time, threads with their own httpx clients mix reads (device,
image and contract lists, device pages), download-link requests (audited,
allowed or denied) and imports (device CSV with new serials, contract CSV).
Afterwards: no 5xx and no connection error, the audit chain verifies, and it
holds exactly one event per audited action that succeeded.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from tests.conftest import Cli
from tests.e2e.conftest import LiveServer, running_server

CLIENTS = 32
SECONDS = 20.0
PUBLIC_IMAGE = "c2960x-universalk9-mz.152-7.E8.bin"
# No owner has a cat9k, so this image is invisible to them: 404, and not audited.
PRIVATE_IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"


@dataclass
class Setup:
    server: LiveServer
    operator: str
    owners: list[str]
    images: dict[str, int]


def _cli(server: LiveServer) -> Cli:
    """The CLI in-process against the server's database, data folder and secret key."""
    cli = Cli(server.database_url, server.data_dir)
    cli.env["FIXRIGHT_SECRET_KEY"] = server.env["FIXRIGHT_SECRET_KEY"]
    cli.env["FIXRIGHT_STORAGE_URL"] = server.env["FIXRIGHT_STORAGE_URL"]
    return cli


def _setup(server: LiveServer, tmp: Path) -> Setup:
    cli = _cli(server)

    def ok(*args: str) -> str:
        result = cli(*args)
        assert result.exit_code == 0, f"fixright {' '.join(args)}: {result.output}"
        return result.stdout

    tokens = []
    for email, slug, extra in (("op@portal.test", "portal", ("--operator",)),
                               ("alice@acme.test", "acme", ()), ("bob@globex.test", "globex", ())):
        ok("users", "add", email, "--org", slug, "--no-password", *extra)
        tokens.append(ok("tokens", "create", "--email", email, "--name", "load").strip())
    for i, name in enumerate((PUBLIC_IMAGE, PRIVATE_IMAGE)):
        path = tmp / name
        path.write_bytes(bytes([i + 1]) * 10_000)
        ok("images", "add", str(path), *(["--public"] if name == PUBLIC_IMAGE else []))
    ok("policy", "set", "lifetime-updates")
    with server.client(tokens[0]) as client:
        listed = client.get("/api/v1/images", params={"limit": 100}).json()["items"]
    images = {row["filename"]: row["id"] for row in listed}
    return Setup(server, tokens[0], tokens[1:], images)


# On SQLite this found 1-6 "database is locked" 500s in ~1,250 requests until the
# server's writers queued on a lock (fixright.db._WriterQueue).
@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("load")
    with running_server(tmp, request.param) as server:
        yield _setup(server, tmp)


@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)
    audited: int = 0
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    connection_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _devices_csv(worker: int, n: int) -> str:
    rows = ["serial,vendor,os_family,model,running_version"]
    rows += [f"LD{worker:02d}{n:05d}{k:02d},cisco,ios,WS-C2960X-48FPD-L,15.2(7)E4" for k in range(20)]
    return "\n".join(rows) + "\n"


def _contracts_csv(worker: int, n: int) -> str:
    rows = ["contract number,serial,pid,service level,start,end"]
    rows += [f"LC{worker:02d}-{n % 5},LD{worker:02d}{n:05d}{k:02d},WS-C2960X,8X5XNBD,"
             "2024-01-01,2027-12-31" for k in range(10)]
    return "\n".join(rows) + "\n"


def _client_loop(setup: Setup, worker: int, stop: float, tally: Tally) -> None:
    rng = random.Random(worker)
    token = setup.owners[worker % len(setup.owners)]
    images = list(setup.images.values())
    n = 0
    with httpx.Client(base_url=setup.server.url, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        while time.monotonic() < stop:
            n += 1
            roll = rng.random()
            audited_on = frozenset()
            try:
                if roll < 0.55:
                    kind = "read"
                    path = rng.choice(["/api/v1/devices", "/api/v1/images", "/api/v1/contracts"])
                    response = client.get(path, params={"limit": 20, "offset": rng.randrange(50)})
                    if path == "/api/v1/devices" and response.status_code == 200:
                        items = response.json()["items"]
                        if items:
                            response = client.get(f"/api/v1/devices/{rng.choice(items)['id']}")
                    expected = frozenset({200})
                elif roll < 0.85:
                    kind = "download-link"
                    response = client.post(f"/api/v1/images/{rng.choice(images)}/download")
                    expected, audited_on = frozenset({200, 403, 404}), frozenset({200, 403})
                elif roll < 0.93:
                    kind = "device-import"
                    response = client.post("/api/v1/devices/import", content=_devices_csv(worker, n),
                                           params={"filename": f"w{worker}-{n}.csv"},
                                           headers={"content-type": "text/csv"})
                    expected = audited_on = frozenset({200})
                else:
                    kind = "contract-import"
                    response = client.post("/api/v1/contracts/import",
                                           content=_contracts_csv(worker, n),
                                           headers={"content-type": "text/csv"})
                    expected = audited_on = frozenset({200})
            except httpx.HTTPError as exc:
                with tally.lock:
                    tally.connection_errors.append(f"{type(exc).__name__}: {exc}")
                continue
            status = response.status_code
            with tally.lock:
                tally.requests[f"{kind} {status}"] += 1
                if status >= 500:
                    tally.server_errors.append(f"{kind} {status} {response.text[:200]}")
                elif status not in expected:
                    tally.unexpected.append(f"{kind} {status} {response.text[:200]}")
                if status in audited_on:
                    tally.audited += 1


def _server_exceptions(setup: Setup) -> list[str]:
    """The last line of each traceback in the server's log: what CI needs to see a 5xx's cause."""
    log = setup.server.data_dir.parent / "server.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [line for line in lines if line and not line.startswith((" ", "Traceback"))
            and ("Error" in line.split(":")[0] or "Exception" in line.split(":")[0])][-5:]


def _audit_count(setup: Setup) -> tuple[bool, int, str]:
    with setup.server.client(setup.operator) as client:
        body = client.get("/api/v1/audit/verify").json()
    return bool(body["ok"]), int(body["count"]), str(body["message"])


def test_32_clients_mixing_reads_links_and_imports(setup: Setup) -> None:
    ok, before, message = _audit_count(setup)
    assert ok, message
    tally = Tally()
    stop = time.monotonic() + SECONDS
    threads = [threading.Thread(target=_client_loop, args=(setup, w, stop, tally))
               for w in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 180)
    assert not any(t.is_alive() for t in threads), "a client never finished"
    total = sum(tally.requests.values())
    print(f"\n{total} requests in {SECONDS:.0f} s by {CLIENTS} clients: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(tally.requests.items())))
    assert tally.connection_errors == [], tally.connection_errors[:5]
    assert tally.server_errors == [], (tally.server_errors[:5], _server_exceptions(setup))
    assert tally.unexpected == [], tally.unexpected[:5]
    kinds = {key.split()[0] for key in tally.requests}
    assert kinds == {"read", "download-link", "device-import", "contract-import"}
    ok, after, message = _audit_count(setup)
    assert ok, message
    assert after - before == tally.audited, (before, after, tally.audited)
