"""A real `fixright serve` process on 127.0.0.1 for API and browser tests.

The server fixture is module-scoped (starting a process per test would dominate
the run) and parametrized over SQLite and PostgreSQL like the unit tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.conftest import DEFAULT_PG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    data_dir: Path
    database_url: str
    pid: int | None = None  # the server process (for resource checks)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fixright.cli", *args], env=self.env, input=input,
            capture_output=True, text=True, timeout=120,
        )


def _pg_database() -> tuple[str, str] | None:
    server = os.environ.get("FIXRIGHT_TEST_POSTGRES_URL", DEFAULT_PG)
    name = f"fixright_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001
        return None
    finally:
        admin.dispose()
    return server, make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop_pg(server: str, url: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def start_server(tmp: Path, database_url: str, extra_args: tuple[str, ...] = (),
                 extra_env: dict[str, str] | None = None) -> tuple[
    subprocess.Popen[bytes], LiveServer
]:
    port = free_port()
    data_dir = tmp / "data"
    data_dir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "FIXRIGHT_DATA_DIR": str(data_dir),
        "FIXRIGHT_DATABASE_URL": database_url,
        "FIXRIGHT_STORAGE_URL": f"file://{data_dir / 'blobs'}",
        "FIXRIGHT_SECRET_KEY": "e2e-" + uuid.uuid4().hex,
        **(extra_env or {}),
    }
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixright.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), *extra_args],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((tmp / "server.log").read_text())
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + (tmp / "server.log").read_text())
    return proc, LiveServer(url=url, env=env, data_dir=data_dir, database_url=database_url,
                            pid=proc.pid)


@contextmanager
def running_server(tmp: Path, backend: str, extra_args: tuple[str, ...] = ()
                   ) -> Iterator[LiveServer]:
    """A `fixright serve` on a fresh database of `backend` ("sqlite" or "postgresql"),
    stopped (and its PostgreSQL database dropped) on exit."""
    pg: tuple[str, str] | None = None
    if backend == "sqlite":
        database_url = f"sqlite:///{tmp / 'fixright.db'}"
    else:
        pg = _pg_database()
        if pg is None:
            if os.environ.get("FIXRIGHT_REQUIRE_POSTGRES") == "1":
                pytest.fail("PostgreSQL required but not reachable")
            pytest.skip("PostgreSQL not reachable")
        database_url = pg[1]
    proc, server = start_server(tmp, database_url, extra_args)
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if pg is not None:
            _drop_pg(*pg)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("live"), request.param) as server:
        yield server
