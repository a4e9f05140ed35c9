"""The fix access page, its drill-down, and the preview before a policy is activated.

On the demo data (two owners and the operator). Expected values come from the
exposure of each organisation's devices and from the database, not from the
page's own service.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fixright.accounts.models import Organization
from fixright.advisories.fleet import exposure_for_org
from fixright.audit import service as audit
from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.db import make_engine, make_session_factory
from fixright.demo import load_demo
from fixright.entitlement import service as entitlement
from fixright.inventory.models import Device
from fixright.web import templating, ui_fixaccess
from fixright.web.app import create_app

GLOBEX = ("it@globex.example", "demo-globex")
ACME = ("noc@acme.example", "demo-acme")
OPERATOR = ("operator@demo.fixright.org", "demo-operator")
CELLS = ("may-download", "needs-contract", "refused", "no-fix", "triaged")


@dataclass
class Fleet:
    """Per owner slug: serial of every device with an advisory, and those with no fix."""

    exposed: dict[str, set[str]]
    no_fix: dict[str, set[str]]


@pytest.fixture
def demo(db_url, data_dir) -> Iterator[tuple[Settings, Fleet]]:
    settings = Settings(data_dir=data_dir, database_url=db_url, demo=True)
    list(load_demo(AppContext(settings=settings)))
    engine = make_engine(db_url)
    exposed: dict[str, set[str]] = {}
    no_fix: dict[str, set[str]] = {}
    with make_session_factory(engine)() as session:
        for org in session.scalars(select(Organization).where(Organization.role == "owner")):
            serials = dict(session.execute(select(Device.id, Device.serial)
                                           .where(Device.organization_id == org.id)).all())
            fleet = exposure_for_org(session, org.id)
            exposed[org.slug] = {serials[d] for d, e in fleet.devices.items() if e.advisories}
            no_fix[org.slug] = {serials[d] for d, e in fleet.devices.items()
                                if e.advisories and (e.exposure.combined_fix is None
                                                     or e.exposure.combined_fix.version is None)}
    engine.dispose()
    yield settings, Fleet(exposed, no_fix)


def _client(settings: Settings, who: tuple[str, str]) -> TestClient:
    client = TestClient(create_app(settings), base_url="https://testserver")
    client.__enter__()
    token = _csrf(client.get("/login").text)
    done = client.post("/login", data={"email": who[0], "password": who[1], "csrf_token": token})
    assert done.status_code == 200 and "/login" not in str(done.url)
    return client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _total(page: str) -> int:
    found = re.search(r'id="fa-total">(\d+)<', page)
    assert found, page
    return int(found.group(1))


def _cells(page: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r'data-cell="([^"]+)">(\d+)</a>', page)}


def _listed(client: TestClient, path: str) -> list[str]:
    """Every serial of a drill-down, through all its pages."""
    serials: list[str] = []
    page = 1
    while True:
        answer = client.get(path, params={"page": page} if page > 1 else None)
        assert answer.status_code == 200, answer.text
        body = answer.text
        table = body[body.index('id="fa-devices"'):] if 'id="fa-devices"' in body else ""
        serials += [html.unescape(s) for s in re.findall(
            r'<td class="mono serial">(?:<a href="/devices/\d+">)?([^<]+)', table)]
        if 'rel="next"' not in body:
            return serials
        page += 1


def test_owner_sees_their_fleet_and_each_cell_lists_its_devices(demo, monkeypatch) -> None:
    settings, fleet = demo
    monkeypatch.setattr(ui_fixaccess, "PAGE_SIZE", 4)  # several pages of one cell
    monkeypatch.setattr(templating, "PAGE_SIZE", 4)
    client = _client(settings, GLOBEX)
    try:
        page = client.get("/fix-access")
        assert page.status_code == 200
        assert 'href="/fix-access"' in page.text and 'aria-current="page"' in page.text
        assert _total(page.text) == len(fleet.exposed["globex"]) > 0
        # Asking for another owner changes nothing for an owner.
        assert _total(client.get("/fix-access", params={"org": "acme"}).text) == _total(
            page.text)
        assert 'name="org"' not in page.text
        assert 'href="/cliff"' in page.text
        for policy in ("contract-only", "lifetime-updates"):
            seen: list[str] = []
            for cell in CELLS:
                serials = _listed(client, f"/fix-access/{policy}/{cell}")
                assert len(serials) == len(set(serials))
                assert len(serials) == _cells(page.text).get(f"{policy}/{cell}", 0)
                if cell == "no-fix":
                    assert set(serials) == fleet.no_fix["globex"]
                seen += serials
            # The cells partition the owner's exposed devices, and no other owner's.
            assert sorted(seen) == sorted(fleet.exposed["globex"])
        assert client.get("/fix-access/no-such-policy/no-fix").status_code == 404
        assert client.get("/fix-access/open/no-such-cell").status_code == 404
    finally:
        client.__exit__(None, None, None)


def test_operator_chooses_an_owner_or_the_whole_portal(demo) -> None:
    settings, fleet = demo
    client = _client(settings, OPERATOR)
    try:
        portal = client.get("/fix-access").text
        assert '<option value="acme"' in portal and '<option value="globex"' in portal
        assert _total(portal) == sum(len(s) for s in fleet.exposed.values())
        for slug in ("acme", "globex"):
            one = client.get("/fix-access", params={"org": slug})
            assert _total(one.text) == len(fleet.exposed[slug])
            assert f'<option value="{slug}" selected' in one.text
            listed = _listed(client, f"/fix-access/open/no-fix?org={slug}")
            assert set(listed) == fleet.no_fix[slug]
        assert fleet.no_fix["acme"]  # the comparison above is not of two empty sets
        assert client.get("/fix-access", params={"org": "nobody"}).status_code == 404
    finally:
        client.__exit__(None, None, None)


def _active(db_url: str) -> str:
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        name = entitlement.active_policy(session)[0]
        activations = audit.count_events(session, action="entitlement:policy:activate")
    engine.dispose()
    return f"{name}#{activations}"


def test_preview_then_confirm_activates_and_nothing_else_does(demo, db_url) -> None:
    settings, fleet = demo
    before = _active(db_url)
    client = _client(settings, OPERATOR)
    try:
        token = _csrf(client.get("/policy").text)
        assert "Preview and activate" in client.get("/policy").text
        preview = client.post("/policy", data={"csrf_token": token, "name": "contract-only"})
        assert preview.status_code == 200
        assert "Activate contract-only?" in preview.text
        assert _active(db_url) == before  # a preview changes nothing
        # The preview's "now" column is the fix access page's active policy.
        portal = _cells(client.get("/fix-access").text)
        now_name = before.split("#")[0]
        rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>\s*<td class="num">(\d+)</td>'
                          r'<td class="num">(\d+)</td>', preview.text)
        assert rows and dict((h, int(n)) for h, n, _p in rows)["May download its fix"] == (
            portal.get(f"{now_name}/may-download", 0))
        confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text)
        assert confirm
        # A confirmation of another policy, or none, only previews again.
        for data in ({"name": "open", "confirm": confirm[1]}, {"name": "contract-only"},
                     {"name": "contract-only", "confirm": "0" * 64}):
            again = client.post("/policy", data={"csrf_token": token, **data})
            assert again.status_code == 200 and "preview" in again.text
            assert _active(db_url) == before
        done = client.post("/policy", data={"csrf_token": token, "name": "contract-only",
                                            "confirm": confirm[1]}, follow_redirects=False)
        assert done.status_code == 303
        name, activations = _active(db_url).split("#")
        assert name == "contract-only" and int(activations) == int(before.split("#")[1]) + 1
    finally:
        client.__exit__(None, None, None)


def test_a_toml_error_keeps_the_text_and_names_the_line(demo, db_url) -> None:
    settings, _fleet = demo
    before = _active(db_url)
    client = _client(settings, OPERATOR)
    typed = ('name = "typo"\r\ndescription = "mine <b>"\r\n\r\n[[grant]]\r\n'
             'name = "owners"\r\nowns_devise = true\r\n')
    try:
        token = _csrf(client.get("/policy").text)
        answer = client.post("/policy", data={"csrf_token": token, "toml": typed})
        assert answer.status_code == 422
        body = answer.text
        area = re.search(r'<textarea name="toml"[^>]*>(.*?)</textarea>', body, re.S)
        assert area and html.unescape(area[1]) == typed.replace("\r\n", "\n")
        error = body[body.index('id="toml-error"'):body.index('<textarea name="toml"')]
        assert "Line 6" in error and "owns_devise" in error and "owns_device" in error
        assert 'aria-invalid="true"' in body
        # TOML syntax: the line and the column.
        broken = client.post("/policy", data={"csrf_token": token,
                                              "toml": 'name = "x"\n[[grant]]\nname = = 1\n'})
        assert broken.status_code == 422 and re.search(r"Line 3, column \d+", broken.text)
        assert _active(db_url) == before
        # A valid text previews with the text carried along, then activates as typed.
        fixed = typed.replace("owns_devise", "owns_device")
        preview = client.post("/policy", data={"csrf_token": token, "toml": fixed})
        assert preview.status_code == 200 and "Activate typo?" in preview.text
        carried = re.search(r'name="toml" value="([^"]*)"', preview.text)
        confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', preview.text)
        assert carried and confirm
        done = client.post("/policy", data={"csrf_token": token, "name": "",
                                            "toml": html.unescape(carried[1]),
                                            "confirm": confirm[1]}, follow_redirects=False)
        assert done.status_code == 303 and _active(db_url).startswith("typo#")
    finally:
        client.__exit__(None, None, None)
