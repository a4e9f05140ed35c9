"""Every importer (CLI and API) and route parameter refuses the hostile-input corpus cleanly.

One parametrised test runs each (target, case) and asserts: exit 2 or a 4xx; a
message under 1 KB, on one line, naming the problem; no traceback; nothing of
`/etc/passwd` in it; the database unchanged (row counts of every table and a
verified audit chain); bounded time (pytest-timeout) and bounded memory
growth. The CLI runs in-process (typer's runner), so its memory is measured
too.
"""

from __future__ import annotations

import os
import resource
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from tests.conftest import Cli
from tests.corpus.cases import CASES, ROUTES, Case

import fixright.models  # noqa: F401  (every table, for the row counts)
from fixright.accounts import service as accounts
from fixright.audit.service import record, verify_chain
from fixright.config import Settings
from fixright.db import Base, make_engine, make_session_factory
from fixright.web.app import create_app

MEMORY_BOUND_MB = 300  # peak RSS growth one case may cause (the issue saw 339 MB for one header)
PASSWD_FIRST = Path("/etc/passwd").read_text(errors="replace").splitlines()[0]


@dataclass(frozen=True)
class Target:
    name: str  # also the `target` a case's content is made for
    kind: str
    cli: tuple[str, ...] | None = None  # the command, the file is appended
    api: str | None = None  # how the API is sent the document (see `_send`)
    operator: bool = False


TARGETS = [
    Target("devices", "csv", cli=("devices", "import", "--org", "acme")),
    Target("contracts", "csv", cli=("contracts", "import", "--org", "acme")),
    Target("advisories", "json", cli=("advisories", "import"), operator=True),
    Target("policy", "toml", cli=("policy", "set"), operator=True),
    Target("hardware", "toml", cli=("hardware", "validate")),
    Target("images", "image", cli=("images", "add", "--version", "15.2(4)E10", "--platform",
                                   "c2960x"), operator=True),
]
API_TARGETS = [
    Target("devices", "csv", api="multipart:/api/v1/devices/import"),
    Target("contracts", "csv", api="raw:/api/v1/contracts/import"),
    Target("advisories", "json", api="multipart:/api/v1/advisories/import", operator=True),
    Target("policy", "toml", api="policy", operator=True),
    Target("images", "image", api="image", operator=True),
    Target("json-body", "json", api="json:/api/v1/devices"),
]


def _params() -> list[object]:
    params: list[object] = []
    for target in TARGETS:
        for case in CASES:
            if case.make(target.kind, target.name) is not None:
                params.append(pytest.param("cli", target, case, id=f"cli-{target.name}-{case.name}"))
    for target in API_TARGETS:
        for case in CASES:
            if case.symlink:
                continue  # an upload has no file system behind it
            if case.make(target.kind, target.name) is not None:
                params.append(pytest.param("api", target, case, id=f"api-{target.name}-{case.name}"))
    for method, path, operator, words in ROUTES:
        target = Target("route", "route", api=f"{method} {path}", operator=operator)
        case = Case("param", lambda _k, _t: b"", words)
        params.append(pytest.param("route", target, case, id=f"route-{method}-{path[:60]}"))
    return params


@dataclass
class World:
    url: str
    engine: Engine
    data_dir: Path
    client: TestClient
    owner: dict[str, str]
    operator: dict[str, str]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    """One seeded database per backend for the whole corpus: nothing may change it."""
    folder = tmp_path_factory.mktemp("corpus")
    if request.param == "sqlite":
        path = folder / "fixright.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("_postgres_url")
    data_dir = folder / "data"
    data_dir.mkdir()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        tokens = []
        for slug, operator in (("acme", False), ("portal", True)):
            org, _ = accounts.get_or_create_organization(session, slug, operator=operator)
            user = accounts.add_user(session, email=f"u@{slug}.test", password=None,
                                     organization=org)
            tokens.append({"Authorization": f"Bearer {accounts.create_token(session, user, 't')[1]}"})
        record(session, actor="corpus", organization_id=None, action="test:corpus:seed",
               subject="seed")
        session.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=url,
                              storage_url=f"file://{data_dir / 'blobs'}"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(url, engine, data_dir, client, *tokens)
    engine.dispose()
    if request.param == "postgresql":
        plain = create_engine(url)
        with plain.begin() as conn:
            quoted = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        plain.dispose()


def _state(engine: Engine) -> tuple[dict[str, int], bool]:
    with make_session_factory(engine)() as session:
        counts = {t.name: session.scalar(select(func.count()).select_from(t)) or 0
                  for t in Base.metadata.sorted_tables}
        return counts, verify_chain(session).ok


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_cli(world: World, target: Target, case: Case, content: bytes, tmp: Path
             ) -> tuple[int, str]:
    suffix = {"csv": ".csv", "json": ".json", "toml": ".toml", "image": ".bin"}[target.kind]
    path = tmp / (case.filename or f"{target.name}-{case.name}{suffix}")
    if case.symlink:
        path = tmp / f"{target.name}{suffix}"
        os.symlink("/etc/passwd", path)
    else:
        path.write_bytes(content)
    args = [*(target.cli or ()), str(path)]
    if target.name == "images" and case.name == "unknown-enum":
        args[2:2] = ["--kind", "galactic", "--feature-set", "universalk9"]
    result = Cli(world.url, world.data_dir)(*args)
    return result.exit_code, result.output


def _run_api(world: World, target: Target, case: Case, content: bytes) -> tuple[int, str]:
    headers = world.operator if target.operator else world.owner
    how = target.api or ""
    name = case.filename or f"{target.name}-{case.name}.{target.kind}"
    client = world.client
    if how.startswith("multipart:"):
        response = client.post(how.split(":", 1)[1], headers=headers,
                               files=[("files", (name, content, "application/octet-stream"))])
    elif how.startswith("raw:"):
        response = client.post(how.split(":", 1)[1], content=content,
                               headers={**headers, "content-type": "text/csv"})
    elif how.startswith("json:"):
        response = client.post(how.split(":", 1)[1], content=content,
                               headers={**headers, "content-type": "application/json"})
    elif how == "policy":
        response = client.put("/api/v1/policy", headers=headers,
                              json={"toml": content.decode("utf-8", errors="replace")})
    elif how == "image":
        form = {"version": "15.2(4)E10", "platform": "c2960x"}
        if case.name == "unknown-enum":
            form.update(kind="galactic", feature_set="universalk9")
        response = client.post("/api/v1/images", headers=headers, data=form,
                               files=[("file", (name, content, "application/octet-stream"))])
    else:
        method, path = how.split(" ", 1)
        html = {"Accept": "text/html"} if not path.startswith("/api/") else {}
        response = client.request(method, path, headers={**headers, **html})
    return response.status_code, response.text


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("via", "target", "case"), _params())
def test_hostile_input_is_refused_cleanly(world: World, via: str, target: Target, case: Case,
                                          tmp_path: Path) -> None:
    before = _state(world.engine)
    assert before[1], "the audit chain was broken before this case"
    content = case.make(target.kind, target.name) or b""
    peak = _peak_mb()
    if via == "cli":
        status, message = _run_cli(world, target, case, content, tmp_path)
        assert status == 2, f"exit {status}: {message[:500]}"
    else:
        status, message = _run_api(world, target, case, content)
        assert 400 <= status < 500, f"HTTP {status}: {message[:500]}"
    growth = _peak_mb() - peak
    assert growth < MEMORY_BOUND_MB, f"peak RSS grew by {growth:.0f} MB"
    assert "Traceback" not in message
    if not message.lstrip().startswith("<"):  # an HTML error page is the UI, not a message
        assert len(message.encode()) < 1024, f"{len(message)} characters: {message[:300]}..."
    # A CR or LF from a file name must not forge a line of output.
    assert "\r" not in message and "\nerror: forged" not in message, repr(message)
    assert PASSWD_FIRST not in message
    lowered = message.lower()
    assert any(word in lowered for word in case.words), f"does not name the problem: {message}"
    assert _state(world.engine) == before, "the database changed"
