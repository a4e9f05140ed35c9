"""Triage from the device page: the form sets the state (audited), the exposure page and the
dashboard count it, a viewer only reads."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.contracts.contracts_fleet import register_fleet
from tests.web.access_support import build, csrf, login

from fixright.advisories.fleet import exposure_for_org
from fixright.advisories.service import import_paths
from fixright.audit.models import AuditEvent
from fixright.triage.models import Triage

ADVISORY = "cisco-sa-20180328-smi2"


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    return (session.scalar(select(func.count()).select_from(Triage)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "triage:finding:set")) or 0)


def _stat(page: str, name: str) -> str:
    found = re.search(rf'id="{name}">([^<]*)<', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def test_triage_form_sets_state_counts_it_away_and_refuses_viewers(
        session, db_url, data_dir, shared_data) -> None:
    acme = register_fleet(session, shared_data, "acme")
    import_paths(session, [shared_data / "advisories/csaf/cisco-sa-20180328-smi2.json"])
    world = build(session, db_url, data_dir)
    hit = sorted(int(i) for i, d in exposure_for_org(session, acme).devices.items()  # type: ignore[call-overload]
                 if [h.advisory_id for h in d.advisories] == [ADVISORY])
    assert hit, "the shared fleet has devices smi2 affects"
    device = hit[0]
    before = _counts(session)
    with TestClient(world.app) as client:
        assert login(client, "member@acme.test") == 303
        affected_before = int(_stat(client.get("/").text, "stat-affected"))
        page = client.get(f"/devices/{device}")
        assert "Set triage" in page.text and "not triaged" in page.text
        token = csrf(client, f"/devices/{device}")
        form = {"advisory_id": ADVISORY, "state": "not_affected",
                "justification": "requires_configuration", "reason": "vstack disabled",
                "csrf_token": token}
        # Incomplete decisions and forged posts change nothing.
        missing = client.post(f"/devices/{device}/triage", data={**form, "justification": ""})
        assert "needs a justification" in missing.text
        forged = client.post(f"/devices/{device}/triage", data={**form, "csrf_token": "x"},
                             follow_redirects=False)
        assert forged.status_code in (400, 403)
        assert _counts(session) == before
        saved = client.post(f"/devices/{device}/triage", data=form, follow_redirects=False)
        assert saved.status_code == 303
        assert _counts(session) == (before[0] + 1, before[1] + 1)
        shown = client.get(f"/devices/{device}").text
        assert "not_affected" in shown and "vstack disabled" in shown
        assert "member@acme.test" in shown
        exposure = client.get("/exposure").text
        assert re.search(r'id="triaged-away">1 triaged away', exposure)
        dashboard = client.get("/").text
        assert int(_stat(dashboard, "stat-affected")) == affected_before - 1
        assert _stat(dashboard, "stat-triaged") == "1 triaged away"
        # An acceptance needs its review date, and is then shown with it.
        accepted = client.post(f"/devices/{device}/triage", data={
            **form, "state": "accepted_risk", "justification": "", "expires": "2099-01-31"})
        assert "accepted_risk" in accepted.text and "until 2099-01-31" in accepted.text
    with TestClient(world.app) as viewer:
        assert login(viewer, "viewer@acme.test") == 303
        page = viewer.get(f"/devices/{device}")
        assert "accepted_risk" in page.text and "Set triage" not in page.text
        refused = viewer.post(f"/devices/{device}/triage", data={
            **form, "csrf_token": csrf(viewer, f"/devices/{device}")}, follow_redirects=False)
        assert refused.status_code == 403
    session.expire_all()
    assert session.scalar(select(Triage.state)) == "accepted_risk"
    assert _counts(session)[1] == before[1] + 2
