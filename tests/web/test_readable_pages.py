"""Issue 16, "readable everywhere", in the UI: the operator sees the portal, device lists
sort and filter by exposure, serials stay with one owner, contracts explain their cost,
errors are pages (UI) or {"error", "detail"} (API). On the demo portal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.shared import SHOW

from fixright.accounts.models import ROLE_OWNER, Organization
from fixright.advisories import fleet as advisories
from fixright.advisories.severity import SEVERITIES
from fixright.catalog.models import Image
from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.contracts import service as contracts
from fixright.demo import load_demo
from fixright.entitlement import service as entitlement
from fixright.hardware import active_catalogue
from fixright.inventory import queries as inventory
from fixright.inventory.models import Device
from fixright.web import app as web_app
from fixright.web.app import create_app

OPERATOR = ("operator@demo.fixright.org", "demo-operator")
ACME = ("noc@acme.example", "demo-acme")
GLOBEX = ("it@globex.example", "demo-globex")


@pytest.fixture
def demo(db_url, data_dir) -> Iterator[tuple[Settings, AppContext]]:
    settings = Settings(data_dir=data_dir, database_url=db_url, demo=True)
    app_ctx = AppContext(settings=settings)
    list(load_demo(app_ctx))
    yield settings, app_ctx
    app_ctx.close()


def _csrf(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found[1]


def _client(settings: Settings, who: tuple[str, str] | None) -> TestClient:
    client = TestClient(create_app(settings), base_url="https://testserver")
    if who is not None:
        answer = client.post("/login", data={"email": who[0], "password": who[1],
                                             "csrf_token": _csrf(client)})
        assert answer.status_code in (200, 303), answer.text
    return client


def _stat(page: str, ident: str) -> int:
    found = re.search(rf'id="{ident}">\s*(\d+)\s*<', page)
    assert found, ident
    return int(found[1])


def test_operator_dashboard_shows_the_whole_portal(demo) -> None:
    settings, app_ctx = demo
    with app_ctx.session() as session:
        owners = session.scalar(select(func.count()).select_from(Organization)
                                .where(Organization.role == ROLE_OWNER))
        devices = session.scalar(select(func.count()).select_from(Device)
                                 .where(Device.retired_at.is_(None)))
        exposed = advisories.exposure_for_org(session, None).affected
        globex = session.scalar(select(Organization).where(Organization.slug == "globex"))
        assert globex is not None
        image = session.scalar(select(Image).where(Image.filename.like("cat9k_iosxe.17.15%")))
        assert image is not None
        decision = entitlement.decide(session, globex.id, image, actor="test", record=True)
        before = entitlement.decision_counts(session, datetime.now(UTC) - timedelta(days=7))
    assert devices and exposed and owners == 2
    with _client(settings, OPERATOR) as client:
        page = client.get("/").text
    assert "the whole portal" in page
    assert _stat(page, "stat-owners") == owners
    assert _stat(page, "stat-devices") == devices
    assert _stat(page, "stat-affected") == exposed
    assert _stat(page, "stat-decisions") == before[0] >= 1
    assert _stat(page, "stat-refused") == before[1] == (0 if decision.allowed else 1)
    with _client(settings, ACME) as client:  # an owner still sees only their fleet
        mine = client.get("/").text
    assert _stat(mine, "stat-devices") < devices and "stat-owners" not in mine


def test_operator_lists_every_organisation(demo) -> None:
    settings, app_ctx = demo
    with app_ctx.session() as session:
        by_org = {o.slug: inventory.list_devices(session, o.id)
                  for o in session.scalars(select(Organization))}
        numbers = {slug: [c.number for c in contracts.list_contracts(session, o_id)]
                   for slug, o_id in session.execute(select(Organization.slug, Organization.id))}
    with _client(settings, OPERATOR) as client:
        devices = client.get("/devices", params={"sort": "serial"}).text
        exposure = client.get("/exposure").text
        contract_page = client.get("/contracts").text
        other_device = client.get(f"/devices/{by_org['globex'][0].id}")
    assert "<th>Organisation</th>" in devices
    for slug in ("acme", "globex"):
        assert by_org[slug]
        assert f'data-label="Organisation">{slug}<' in devices
        assert f"({slug})" in exposure
        for number in numbers[slug]:
            assert f'data-label="Contract">{number}<' in contract_page
    assert other_device.status_code == 200
    with _client(settings, ACME) as client:  # scoping for owners is unchanged
        assert client.get(f"/devices/{by_org['globex'][0].id}").status_code == 404
        assert "<th>Organisation</th>" not in client.get("/devices").text


def test_device_list_sorts_by_exposure_filters_and_names_platforms(demo) -> None:
    settings, app_ctx = demo
    with app_ctx.session() as session:
        acme = session.scalar(select(Organization).where(Organization.slug == "acme"))
        assert acme is not None
        fleet = advisories.exposure_for_org(session, acme.id)
        rows = inventory.list_devices(session, acme.id)
    affected = {d.serial for d in rows if fleet.devices[d.id].status == "affected"}
    assert affected and len(affected) < len(rows)
    with _client(settings, ACME) as client:
        page = client.get("/devices").text
        only = client.get("/devices", params={"exposed": "true"}).text
    serials = re.findall(r'data-label="Serial" class="mono">([^<]+)<', page)
    assert len(serials) == len(rows)
    # Most exposed first: every affected device before every other one.
    assert set(serials[:len(affected)]) == affected
    assert set(re.findall(r'data-label="Serial" class="mono">([^<]+)<', only)) == affected
    catalogue = active_catalogue()
    named = {d.platform for d in rows if d.platform and catalogue.get(d.platform)}
    assert named
    for family in named:
        description = catalogue.get(family).description  # type: ignore[union-attr]
        assert description and description in page


def test_pasted_serial_of_another_organisation_is_refused(demo) -> None:
    settings, app_ctx = demo
    raw = (SHOW / "cisco_ios/show_version/cisco_ios_show_version.raw").read_text()
    serial = "CAT1451S15C"  # acme's 4948E in the demo
    with app_ctx.session() as session:
        owners = session.scalars(select(Device.organization_id).where(Device.serial == serial))
        assert len(list(owners)) == 1
    with _client(settings, GLOBEX) as client:
        answer = client.post("/import", data={"pasted": raw, "csrf_token": _csrf(client, "/import")})
    assert answer.status_code == 422
    assert f"serial {serial} is registered to another organisation" in answer.text
    assert "acme" not in answer.text.split("<main", 1)[1]
    with app_ctx.session() as session:
        assert session.scalar(select(func.count()).select_from(Device)
                              .where(Device.serial == serial)) == 1


def test_contracts_explain_yearly_cost_and_need_a_currency(demo) -> None:
    settings, _ = demo
    with _client(settings, ACME) as client:
        page = client.get("/contracts").text
        per_year = re.findall(r'data-label="Per year" class="num">([\d,.]+) USD<', page)
        total = re.search(r'id="yearly-cost">([\d,.]+) USD', page)
        assert total and per_year
        assert sum(float(v.replace(",", "")) for v in per_year) == pytest.approx(
            float(total[1].replace(",", "")), abs=0.01)
        assert "× 365" in page
        csv_text = ("contract number,service level,serial,product id,start,end,list price\n"
                    "5001,8X5,FOC1,WS-C2960X,2026-01-01,2026-12-31,850\n")
        token = _csrf(client, "/contracts")
        refused = client.post("/contracts/import", data={"csrf_token": token},
                              files={"file": ("c.csv", csv_text.encode(), "text/csv")})
        assert "row 2, column currency: the price 850 has no currency" in refused.text
        good = csv_text.replace("list price\n", "list price,currency\n").replace("850\n", "850,EUR\n")
        token = _csrf(client, "/contracts")
        done = client.post("/contracts/import", data={"csrf_token": token},
                           files={"file": ("c.csv", good.encode(), "text/csv")})
        assert "Imported 1 contract line: 1 new, 0 updated." in done.text


def test_error_pages_and_api_errors(demo) -> None:
    settings, _ = demo
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/no-such-page", headers={"Accept": "text/html"})
        assert page.status_code == 404 and 'id="error-page" data-status="404"' in page.text
        assert '<link rel="stylesheet" href="/static/style.css">' in page.text
        api = client.get("/api/v1/no-such-thing")
        assert api.status_code == 404 and set(api.json()) == {"error", "detail"}
        failed = client.get("/boom", headers={"Accept": "text/html"})
        assert failed.status_code == 500 and 'data-status="500"' in failed.text
        assert "a bug" not in failed.text and "Traceback" not in failed.text
        plain = client.get("/boom")
        assert plain.status_code == 500 and plain.json() == {
            "error": "internal", "detail": "internal server error"}


def test_every_severity_has_a_colour_in_the_stylesheet() -> None:
    """The dashboard colours a bar `var(--<severity>)` and `sev()` a badge `.sev.<severity>`:
    every name of the one vocabulary needs both, or a bar or badge goes colourless."""
    css = (Path(web_app.__file__).parent / "static" / "style.css").read_text()
    for name in SEVERITIES:
        assert re.search(rf"--{name}:", css), f"no --{name} colour"
        assert f".sev.{name}" in css, f"no .sev.{name} badge"
