"""Streamed exports and keyset pages: bodies go out in chunks while rows are still being
read, and `?after=` pages cover every row exactly once while rows are being added."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fixright.accounts import service as accounts
from fixright.config import Settings
from fixright.db import make_session_factory
from fixright.http.streaming import _body
from fixright.inventory.csvio import CSV_COLUMNS, read_devices_csv
from fixright.inventory.importing import import_csv_rows
from fixright.inventory.queries import iter_export_rows
from fixright.web.app import create_app

HEADER = "serial,vendor,os_family,model,running_version,hostname\n"


def _fleet(first: int, count: int) -> str:
    return HEADER + "".join(
        f"SN{i:06d},cisco,ios,WS-C2960X-48FPD-L,15.2(7)E{i % 4 + 1},host-{i:06d}-{'x' * 40}\n"
        for i in range(first, first + count))


@pytest.fixture
def world(db_url, data_dir, session) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    org, _ = accounts.get_or_create_organization(session, "acme")
    user = accounts.add_user(session, email="a@acme.test", password=None, organization=org)
    headers = {"Authorization": f"Bearer {accounts.create_token(session, user, 't')[1]}"}
    import_csv_rows(session, org.id, read_devices_csv(_fleet(0, 2000), "f.csv"))
    session.commit()
    with TestClient(create_app(Settings(data_dir=data_dir, database_url=db_url))) as test:
        yield test, headers, org.id


def test_export_body_goes_out_before_every_row_is_read(engine, world) -> None:
    _test, _headers, org = world
    read = 0

    def rows(session: Session) -> Iterator[dict[str, Any]]:
        nonlocal read
        for row in iter_export_rows(session, org):
            read += 1
            yield row

    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(
        read_session_factory=make_session_factory(engine))))
    body = _body(request, rows, CSV_COLUMNS, "csv")
    first = next(body)
    assert 0 < read < 2000  # the first chunk left before the last device was read
    rest = list(body)
    assert len(rest) >= 1 and read == 2000
    text = (first + b"".join(rest)).decode()
    assert len(list(csv.DictReader(io.StringIO(text)))) == 2000


def test_device_export_is_the_import_csv(world) -> None:
    test, headers, _org = world
    with test.stream("GET", "/api/v1/devices/export?format=csv", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        chunks = list(response.iter_bytes())
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode())))
    assert [r["serial"] for r in rows] == [f"SN{i:06d}" for i in range(2000)]
    assert list(rows[0]) == list(CSV_COLUMNS)
    lines = test.get("/api/v1/devices/export?format=jsonl", headers=headers).text.splitlines()
    assert [json.loads(line)["serial"] for line in lines] == [r["serial"] for r in rows]
    assert test.get("/api/v1/devices/export?format=xml", headers=headers).status_code == 422


def test_exposure_export_has_a_row_per_device_in_the_report_order(world) -> None:
    test, headers, _org = world
    lines = test.get("/api/v1/exposure/export?format=jsonl", headers=headers).text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert sorted(r["serial"] for r in rows) == [f"SN{i:06d}" for i in range(2000)]
    page = test.get("/api/v1/exposure?limit=50", headers=headers).json()
    assert [r["serial"] for r in page["items"]] == [r["serial"] for r in rows[:50]]
    assert page["total"] == 2000


def test_keyset_pages_cover_every_row_once_while_rows_are_added(world, session) -> None:
    test, headers, org = world
    seen: list[str] = []
    after = None
    added = 0
    while True:
        query = "limit=300" + (f"&after={after}" if after is not None else "")
        page = test.get(f"/api/v1/devices?{query}", headers=headers).json()
        if not page["items"]:
            break
        seen += [d["serial"] for d in page["items"]]
        after = page["items"][-1]["id"]
        if added < 3:  # another client adds devices between our pages
            import_csv_rows(session, org, read_devices_csv(
                _fleet(10_000 + added * 100, 100), "more.csv"))
            session.commit()
            added += 1
    assert len(seen) == len(set(seen))  # no row twice
    everything = {f"SN{i:06d}" for i in range(2000)}
    everything |= {f"SN{i:06d}" for n in range(3) for i in range(10_000 + n * 100, 10_100 + n * 100)}
    assert set(seen) == everything  # rows added behind the cursor are reached too
