"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a CLI runner.

Every test that asks for `engine` (or `session`, or `cli`) runs once per
backend. PostgreSQL comes from FIXRIGHT_TEST_POSTGRES_URL (a server URL; each
test process creates and drops its own database there). When the server is not
reachable the PostgreSQL runs are skipped, unless FIXRIGHT_REQUIRE_POSTGRES=1
(set by `make test`), which turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from fixright.db import Base, make_engine, make_session_factory, upgrade

# Wall-clock deadlines make property tests flaky on a busy 2-core CI machine;
# speed is measured in benchmarks/, not here.
settings.register_profile(
    "fixright", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("fixright")

from tests.shared import SHARED_DATA  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://fixright:fixright@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    server = os.environ.get("FIXRIGHT_TEST_POSTGRES_URL", DEFAULT_PG)
    required = os.environ.get("FIXRIGHT_REQUIRE_POSTGRES") == "1"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"fixright_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        if required:
            pytest.fail(f"PostgreSQL required but not reachable at {server}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {server}")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "fixright.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("_postgres_url")
    yield url
    engine = create_engine(url)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        # The task queue's own schema (migration 0020): jobs a test queued or left behind.
        queue = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = "
                                  "'procrastinate'")).all()
        if queue:
            quoted = ", ".join(f'procrastinate."{t}"' for t in queue)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    factory = make_session_factory(engine)
    with factory() as s:
        yield s


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Cli:
    """Runs `fixright ...` in-process against the test database."""

    def __init__(self, db_url: str, data_dir: Path) -> None:
        self.env = {
            "FIXRIGHT_DATABASE_URL": db_url,
            "FIXRIGHT_DATA_DIR": str(data_dir),
            "FIXRIGHT_STORAGE_URL": f"file://{data_dir / 'blobs'}",
            "COLUMNS": "200",
        }

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        from fixright.cli import app

        runner = CliRunner()
        result = runner.invoke(app, list(args), input=input, env=self.env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli(db_url: str, data_dir: Path) -> Cli:
    return Cli(db_url, data_dir)
