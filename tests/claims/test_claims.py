"""Security-fix claims on the demo portal: drafted only for exposed, denied devices; the PDF
is a real PDF with the serial; states are audited; another organisation's claim is 404."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fixright.audit.models import AuditEvent
from fixright.claims import service
from fixright.claims.models import Claim
from fixright.claims.pdf import render_pdf
from fixright.clikit import AppContext
from fixright.config import Settings
from fixright.demo import load_demo
from fixright.errors import Conflict, NotFound
from fixright.web.app import create_app


@pytest.fixture
def demo(db_url, data_dir) -> Settings:
    settings = Settings(data_dir=data_dir, database_url=db_url, demo=True)
    list(load_demo(AppContext(settings=settings)))
    return settings


def _login(client: TestClient, email: str, password: str) -> None:
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    client.post("/login", data={"email": email, "password": password, "csrf_token": csrf[1]})


def test_demo_claim_states_pdf_and_isolation(demo) -> None:
    app = AppContext(settings=demo)
    with app.session() as session:
        (claim,) = session.scalars(select(Claim)).all()
        org, serial = claim.organization_id, claim.serial
        assert claim.state == service.SENT
        packet = claim.packet
        assert packet["device"]["serial"] == serial and packet["advisory"]["cves"]
        assert packet["first_fixed_release"]["version"]
        assert packet["promise"]["source_url"].startswith("https://www.cisco.com/")
        pdf = render_pdf(packet, compress=False)
        assert pdf.startswith(b"%PDF") and serial.encode() in pdf
        with pytest.raises(Conflict):
            service.set_state(session, org, claim.id, "drafted", actor="t")
        service.set_state(session, org, claim.id, "granted", actor="t", note="TAC 123")
        with pytest.raises(NotFound):
            service.get_claim(session, org + 1, claim.id)
        with pytest.raises(Conflict):  # the fix is already claimed: a second is still allowed
            service.create_claim(session, org, serial, "no-such-advisory", actor="t")
        moves = [e.data for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "claims:claim:state"))]
        assert [(m["from"], m["to"]) for m in moves] == [("drafted", "sent"), ("sent", "granted")]
        stats = service.claim_stats(service.list_claims(session, org))
        assert stats.by_state["granted"] == 1 and stats.granted_share == 1.0


def test_allowed_device_needs_no_claim(demo) -> None:
    with AppContext(settings=demo).session() as session:
        # Globex's access switches may download their fix under lifetime-updates.
        org = session.scalar(select(Claim.organization_id))
        other = 3 - org if org in (2, 3) else org
        with pytest.raises((Conflict, NotFound)):
            service.create_claim(session, other, "FOC2118X0QA", "cisco-sa-20180328-smi2",
                                 actor="t")


def test_pdf_download_and_api_isolation(demo) -> None:
    with TestClient(create_app(demo), base_url="https://testserver") as client:
        _login(client, "noc@acme.example", "demo-acme")
        claims = client.get("/api/v1/claims").json()
        assert len(claims) == 1
        pdf = client.get(f"/claims/{claims[0]['id']}/packet.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get(f"/api/v1/claims/{claims[0]['id']}").json()["state"] == "sent"
    with TestClient(create_app(demo), base_url="https://testserver") as client:
        _login(client, "it@globex.example", "demo-globex")
        assert client.get("/api/v1/claims").json() == []
        assert client.get(f"/api/v1/claims/{claims[0]['id']}").status_code == 404
        assert client.get(f"/claims/{claims[0]['id']}/packet.pdf").status_code == 404
        listing = client.get("/devices", params={"q": "globex-core-01"}).text
        link = re.search(r'href="/devices/(\d+)"', listing)
        assert link, listing
        page = client.get(f"/devices/{link[1]}").text
        block = page[page.index('id="lifecycle"'):]
        assert 'id="lc-end_of_security_support">2019-10-30' in block
        cliff = client.get("/cliff")
        assert cliff.status_code == 200 and "<svg" in cliff.text and "lifetime-updates" in cliff.text
