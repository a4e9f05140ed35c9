"""SIGKILL in the middle of every import: all or nothing, and an intact audit chain.

Each import runs as a real `python -m fixright.cli` process on an input big
enough that it is still working when it is killed. The kill is aimed from a
marker the test can see from outside: the import's transaction has written
(PostgreSQL: its backend has a transaction id; SQLite: it holds the write
lock), or, for `images add`, its temporary file holds so many bytes. Each
importer is killed at several offsets past its marker; after every kill the
row counts are those from before or those of a complete run, and `fixright
audit verify` passes. A run to completion at the end gives the complete counts
(checks run in-process: only the killed runs pay for a process start).
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from tests.conftest import Cli, CliResult
from tests.faults.inputs import contracts_csv, devices_csv, openvuln_json

from fixright.advisories.models import Advisory
from fixright.audit.models import AuditEvent
from fixright.catalog.models import Image, Release
from fixright.catalog.storage_local import STAGING_DIR, LocalStorage
from fixright.contracts.models import Contract, CoverageLine
from fixright.db import make_session_factory
from fixright.inventory.models import Device

APP_NAME = "fixright-fault"
# Seconds past the marker: at once, early, and well into the work.
DELAYS = (0.0, 0.15, 0.5)
MARKER_TIMEOUT = 60.0
TABLES = (Device, Contract, CoverageLine, Advisory, Release, Image, AuditEvent)


@dataclass
class Runner:
    """Starts the CLI as a subprocess (to be killed) and runs it in-process (to check)."""

    env: dict[str, str]
    cli: Cli
    data_dir: Path
    kills: list[str] = field(default_factory=list)

    def run(self, *args: str) -> CliResult:
        return self.cli(*args)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "fixright.cli", *args], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def runner(cli: Cli, db_url: str, data_dir: Path, tmp_path: Path) -> Runner:
    url = db_url
    if url.startswith("postgresql"):
        # Named, so the test can find the import's own backend in pg_stat_activity.
        url = make_url(url).update_query_dict({"application_name": APP_NAME}).render_as_string(
            hide_password=False)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "PYTHONPATH": os.environ.get("PYTHONPATH", ""), "COLUMNS": "200",
           "FIXRIGHT_DATABASE_URL": url, "FIXRIGHT_DATA_DIR": str(data_dir),
           "FIXRIGHT_STORAGE_URL": f"file://{data_dir / 'blobs'}"}
    return Runner(env, cli, data_dir)


def _counts(engine: Engine) -> dict[str, int]:
    with make_session_factory(engine)() as session:
        return {t.__tablename__: int(session.scalar(select(func.count()).select_from(t)) or 0)
                for t in TABLES}


def _transaction_has_written(engine: Engine) -> Callable[[], bool]:
    """A probe that is true while another connection holds an open, writing transaction."""
    if engine.dialect.name == "postgresql":
        admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")

        def pg() -> bool:
            with admin.connect() as conn:
                return bool(conn.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                    "AND datname = current_database() AND backend_xid IS NOT NULL"),
                    {"name": APP_NAME}))
        return pg
    path = engine.url.database
    assert path

    def lite() -> bool:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:  # "database is locked": a writer is at work
            return "locked" in str(exc)
        finally:
            conn.close()
    return lite


def _kill_when(proc: subprocess.Popen[bytes], marker: Callable[[], bool], delay: float) -> bool:
    """SIGKILL `proc` `delay` seconds after `marker()` first holds; True if it was killed
    while still running (False: it had finished first)."""
    deadline = time.monotonic() + MARKER_TIMEOUT
    while not marker():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the import never reached its marker"
        time.sleep(0.01)
    time.sleep(delay)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return proc.returncode == -signal.SIGKILL


def _audit_ok(runner: Runner) -> None:
    result = runner.run("audit", "verify")
    assert result.exit_code == 0, result.output


def _kill_repeatedly(runner: Runner, engine: Engine, args: tuple[str, ...],
                     delays: tuple[float, ...], changed: tuple[str, ...]) -> None:
    """Kill `args` at each delay past its marker; then run it to completion."""
    before = _counts(engine)
    marker = _transaction_has_written(engine)
    outcomes = []
    for delay in delays:
        proc = runner.start(*args)
        try:
            killed = _kill_when(proc, marker, delay)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        outcomes.append((delay, killed, _counts(engine)))
        _audit_ok(runner)
    done = runner.run(*args)
    assert done.exit_code == 0, done.output
    after = _counts(engine)
    assert all(after[t] > before[t] for t in changed), (before, after)
    for delay, killed, counts in outcomes:
        # All or nothing: the counts of before, or those of a complete run.
        assert counts in (before, after), (delay, killed, counts, before, after)
    # The first kill comes as soon as the transaction has written: it must land mid-work.
    assert outcomes[0][1] and outcomes[0][2] == before, outcomes[0]
    runner.kills.extend(f"{args[0]} +{d}s {'killed' if k else 'finished'}"
                        for d, k, _c in outcomes)
    _audit_ok(runner)


def test_sigkill_during_device_contract_and_advisory_imports(
        runner: Runner, engine: Engine, tmp_path: Path, shared_data: Path) -> None:
    assert runner.run("orgs", "add", "acme").exit_code == 0
    devices = devices_csv(tmp_path / "fleet.csv", 20_000)
    _kill_repeatedly(runner, engine, ("devices", "import", str(devices)), DELAYS,
                     ("device", "audit_event"))
    contracts = contracts_csv(tmp_path / "contracts.csv", 200, 50)
    _kill_repeatedly(runner, engine, ("contracts", "import", str(contracts)), DELAYS,
                     ("contract", "coverage_line", "audit_event"))
    advisories = openvuln_json(tmp_path / "advisories.json", shared_data, 8)
    _kill_repeatedly(runner, engine, ("advisories", "import", str(advisories)), DELAYS,
                     ("advisory", "audit_event"))
    assert sum("killed" in k for k in runner.kills) >= 3, runner.kills
    print("kills:", "; ".join(runner.kills))


IMAGE_SIZE = 160 * 1024 * 1024  # sparse: costs no disk, reads as zeros
KILL_AT_BYTES = (4 * 1024 * 1024, 48 * 1024 * 1024, 120 * 1024 * 1024)


def _staged_bytes(staging: Path) -> int:
    try:
        return max((p.stat().st_size for p in staging.iterdir()), default=0)
    except OSError:
        return 0


def test_sigkill_during_image_add(runner: Runner, engine: Engine, tmp_path: Path) -> None:
    image = tmp_path / "nxos64-cs.10.3.4a.M.bin"
    with image.open("wb") as handle:
        handle.truncate(IMAGE_SIZE)
    key = hashlib.sha256(b"\0" * IMAGE_SIZE).hexdigest()
    storage = LocalStorage(runner.data_dir / "blobs")
    staging = runner.data_dir / "blobs" / STAGING_DIR
    before = _counts(engine)
    for threshold in KILL_AT_BYTES:
        proc = runner.start("images", "add", str(image))
        try:
            deadline = time.monotonic() + MARKER_TIMEOUT
            while proc.poll() is None and _staged_bytes(staging) < threshold:
                assert time.monotonic() < deadline, "the add never got under way"
                time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL, f"the add finished before {threshold} bytes"
        assert _counts(engine) == before
        # No blob under the image's key: what was written is only a temporary file.
        assert not storage.exists(key)
        _audit_ok(runner)
        runner.kills.append(f"images add at {threshold // (1024 * 1024)} MB")
    left = [t for t in storage.temporary_files() if t.name.startswith(STAGING_DIR)]
    assert len(left) == len(KILL_AT_BYTES)  # one per kill, until collected
    done = runner.run("images", "add", str(image))
    assert done.exit_code == 0, done.output
    after = _counts(engine)
    assert (after["image"], after["audit_event"]) == (before["image"] + 1,
                                                       before["audit_event"] + 1)
    assert storage.size(key) == IMAGE_SIZE
    gc = runner.run("images", "gc", "--older-than", "0s")
    assert gc.exit_code == 0 and f"removed {len(KILL_AT_BYTES)} temporary file(s)" in gc.stdout
    assert list(storage.temporary_files()) == []
    verify = runner.run("images", "verify")
    assert verify.exit_code == 0, verify.output
    _audit_ok(runner)
