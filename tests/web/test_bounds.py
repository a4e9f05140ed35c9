"""Numbers beyond a 64-bit SQL integer are refused at the edge; times carry their zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fixright.accounts import service as accounts
from fixright.audit.models import AuditEvent
from fixright.audit.service import record
from fixright.config import Settings
from fixright.http.params import MAX_SQL_INT
from fixright.web.app import create_app

HUGE = str(10**19 + 1)  # the 10000000000000000001, above 2^63-1


@pytest.fixture
def client(db_url, data_dir, session) -> Iterator[tuple[TestClient, dict[str, str]]]:
    org, _ = accounts.get_or_create_organization(session, "acme")
    user = accounts.add_user(session, email="a@acme.test", password=None, organization=org)
    headers = {"Authorization": f"Bearer {accounts.create_token(session, user, 't')[1]}"}
    session.commit()
    with TestClient(create_app(Settings(data_dir=data_dir, database_url=db_url))) as test:
        yield test, headers


API_ROUTES = [
    ("GET", f"/api/v1/devices?offset={HUGE}"),
    ("GET", f"/api/v1/devices/{HUGE}"),
    ("GET", f"/api/v1/images/{HUGE}"),
    ("GET", f"/api/v1/images/{HUGE}/entitlement"),
    ("POST", f"/api/v1/images/{HUGE}/download"),
    ("GET", f"/api/v1/audit/events?offset={HUGE}"),
    ("GET", "/api/v1/devices/0"),
    ("GET", f"/api/v1/advisories?offset={MAX_SQL_INT}"),
]


def test_numbers_beyond_sql_integers_are_422_naming_the_parameter(client) -> None:
    test, headers = client
    for method, path in API_ROUTES:
        response = test.request(method, path, headers=headers)
        assert response.status_code == 422, (path, response.status_code, response.text)
        name = "offset" if "offset" in path else ("device_id" if "devices" in path else "image_id")
        assert name in response.json()["detail"], path


def test_largest_offset_is_an_empty_page(client) -> None:
    test, headers = client
    from fixright.http.pagination import MAX_OFFSET

    response = test.get(f"/api/v1/devices?offset={MAX_OFFSET}&limit=500", headers=headers)
    assert response.status_code == 200 and response.json()["items"] == []


def test_ui_answers_impossible_ids_with_a_not_found_page(client) -> None:
    test, headers = client
    html = {**headers, "Accept": "text/html"}
    for method, path in (("GET", f"/devices/{HUGE}"), ("POST", f"/images/{HUGE}/download"),
                         ("GET", f"/devices?page={HUGE}"), ("GET", f"/images?page={HUGE}")):
        response = test.request(method, path, headers=html)
        assert response.status_code == 404, (path, response.text[:200])
        assert "text/html" in response.headers["content-type"]
        assert "no such page" in response.text


def test_api_times_carry_their_time_zone(client) -> None:
    test, headers = client
    created = test.post("/api/v1/devices", headers=headers, json={
        "serial": "FOC1", "vendor": "cisco", "os_family": "ios", "running_version": "15.2(4)E10"})
    assert created.status_code == 201, created.text
    for row in test.get("/api/v1/devices", headers=headers).json()["items"]:
        for field in ("first_seen", "last_seen"):
            assert datetime.fromisoformat(row[field]).utcoffset() == timedelta(0), row[field]


def test_times_are_stored_as_utc_and_read_back_aware(session) -> None:
    """A non-UTC moment is the same moment after the round trip, now in UTC."""
    paris = datetime(2026, 12, 5, 11, 33, 16, 394720, tzinfo=timezone(timedelta(hours=1)))
    record(session, actor="t", organization_id=None, action="test:zone:write", subject="x",
           at=paris)
    session.commit()
    session.expire_all()
    at = session.scalars(select(AuditEvent.at).order_by(AuditEvent.seq.desc())).first()
    assert at is not None and at.tzinfo is not None
    assert at == paris and at.utcoffset() == timedelta(0) and at.hour == 10
    assert at.astimezone(UTC) == at
