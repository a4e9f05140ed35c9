"""A server killed (SIGKILL) in the middle of a streamed export leaves the database whole.

The export streams from a read transaction while its body is sent; the only
write such a request may make (the token's once-a-minute `last_used`) is its own
short transaction before the stream starts. After the kill: the client has a
truncated body and an error, never a body that looks complete; the database
holds what it held, passes SQLite's integrity check and `fixright audit verify`,
takes a write at once (no lock outlives the process), and a fresh server
exports every device.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from tests.e2e.conftest import LiveServer, running_server, start_server
from tests.e2e.downloads_support import _ok

from fixright.inventory.models import Device

pytestmark = pytest.mark.e2e

# 10,000 devices with 3,000 characters of notes each: a 30 MB export, far more than the
# kernel's socket buffers hold, so the server is still sending when it is killed.
DEVICES = 10_000
NOTES = "n" * 3000


def _fleet(path: Path, count: int, first: int = 0) -> Path:
    rows = [f"KX{first + i:08d},cisco,ios,WS-C2960X-48FPD-L,15.2(7)E{i % 9 + 1},{NOTES}"
            for i in range(count)]
    path.write_text("serial,vendor,os_family,model,running_version,notes\n"
                    + "\n".join(rows) + "\n")
    return path


def _kill_with_workers(pid: int) -> None:
    """SIGKILL the server and the worker processes it started (granian's workers serve)."""
    workers = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                             check=False).stdout.split()
    for each in [*map(int, workers), pid]:
        os.kill(each, signal.SIGKILL)


def _devices(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            return int(conn.execute(select(func.count()).select_from(Device)).scalar() or 0)
    finally:
        engine.dispose()


def _export_lines(server: LiveServer, token: str) -> int:
    with server.client(token) as client:
        answer = client.get("/api/v1/devices/export")
    assert answer.status_code == 200, answer.text[:200]
    return len(answer.text.splitlines())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_server_killed_mid_export_leaves_the_database_whole(backend: str, tmp_path: Path
                                                              ) -> None:
    with running_server(tmp_path, backend) as server:
        _ok(server.cli("users", "add", "noc@acme.example", "--org", "acme", "--no-password"))
        token = _ok(server.cli("tokens", "create", "--email", "noc@acme.example")).strip()
        _ok(server.cli("devices", "import", str(_fleet(tmp_path / "fleet.csv", DEVICES)),
                       "--org", "acme"))
        assert server.pid is not None
        received, killed = b"", False
        with server.client(token) as client, pytest.raises(httpx.HTTPError), \
                client.stream("GET", "/api/v1/devices/export") as answer:  # noqa: PT012
            assert answer.status_code == 200
            for chunk in answer.iter_bytes():
                received += chunk
                if not killed:  # the stream has begun and is far from its end
                    _kill_with_workers(server.pid)
                    killed = True
        assert killed, "the export ended before the kill"
        assert 0 < received.count(b"\n") < DEVICES + 1  # truncated, and the client knows it
        # The database as it was: every device, an intact chain, a write taken at once.
        assert _devices(server.database_url) == DEVICES
        _ok(server.cli("audit", "verify"))
        _ok(server.cli("devices", "import", str(_fleet(tmp_path / "one.csv", 1, DEVICES)),
                       "--org", "acme"))
        assert _devices(server.database_url) == DEVICES + 1
        (tmp_path / "again").mkdir()
        proc, fresh = start_server(tmp_path / "again", server.database_url)
        try:
            assert _export_lines(fresh, token) == DEVICES + 2  # header, every device
        finally:
            proc.terminate()
            proc.wait(timeout=15)
