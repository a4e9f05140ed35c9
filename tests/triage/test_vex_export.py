"""`fixright triage export` and `GET /api/v1/triage/export` on the shared fleet, both backends."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.triage.test_triage_cli import ADVISORY, _world
from tests.triage.vex_checks import csaf_schema_errors, csaf_vex_problems, cyclonedx_schema_error

from fixright.accounts import service as accounts
from fixright.accounts.models import Organization
from fixright.config import Settings
from fixright.db import make_session_factory
from fixright.web.app import create_app

SMI2_CVE = "CVE-2018-0171"


def _triage(cli, shared_data) -> tuple[str, str, set[str]]:
    """Two devices matched by smi2 triaged (not_affected, accepted_risk); the serials matched."""
    _world(cli, shared_data)
    rows = json.loads(cli("report", "exposure", "--format", "json").stdout)
    hit = sorted(r["serial"] for r in rows if ADVISORY in r["advisory_ids"])
    assert len(hit) >= 2, "the fixture fleet has several devices smi2 affects"
    away, accepted = hit[0], hit[1]
    assert cli("triage", "set", ADVISORY, "not_affected", "--serial", away,
               "--justification", "requires_configuration",
               "--reason", "no vstack").exit_code == 0
    assert cli("triage", "set", ADVISORY, "accepted_risk", "--serial", accepted,
               "--expires", "2099-01-31", "--reason", "isolated lab").exit_code == 0
    return away, accepted, set(hit)


def _ids(doc: dict, serial: str) -> str:
    return next(p for p in _all_products(doc["product_tree"]["branches"]) if p.endswith(serial))


def _all_products(branches: list[dict]) -> list[str]:
    out = []
    for b in branches:
        if "product" in b:
            out.append(b["product"]["product_id"])
        out += _all_products(b.get("branches", []))
    return out


def test_cli_exports_valid_csaf_vex(cli, shared_data, tmp_path: Path) -> None:
    away, accepted, hit = _triage(cli, shared_data)
    target = tmp_path / "fleet.csaf.json"
    result = cli("triage", "export", "--format", "csaf-vex", "-o", str(target))
    assert result.exit_code == 0, result.output
    doc = json.loads(target.read_text())
    assert csaf_schema_errors(doc) == [] and csaf_vex_problems(doc) == []
    smi2 = next(v for v in doc["vulnerabilities"] if v.get("cve") == SMI2_CVE)
    status = smi2["product_status"]
    assert status["known_not_affected"] == [_ids(doc, away)]
    assert smi2["flags"] == [{"label": "vulnerable_code_not_in_execute_path",
                              "product_ids": [_ids(doc, away)]}]
    # Every other matched device is known_affected (the accepted one included), with an action.
    assert set(status["known_affected"]) == {_ids(doc, s) for s in hit - {away}}
    accepted_id = _ids(doc, accepted)
    assert any(r["category"] == "no_fix_planned" and accepted_id in r["product_ids"]
               and "isolated lab" in r["details"] for r in smi2["remediations"])


def test_cli_exports_valid_cyclonedx_vex_to_stdout(cli, shared_data) -> None:
    away, accepted, hit = _triage(cli, shared_data)
    result = cli("triage", "export", "--format", "cyclonedx-vex")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert cyclonedx_schema_error(doc) is None
    said = {a["ref"]: v["analysis"] for v in doc["vulnerabilities"] if v["id"] == SMI2_CVE
            for a in v["affects"]}
    by_serial = {ref.rsplit("-", 1)[-1]: a for ref, a in said.items()}
    assert set(by_serial) == hit
    assert by_serial[away]["state"] == "not_affected"
    assert by_serial[away]["justification"] == "requires_configuration"
    assert by_serial[accepted]["response"][0] == "will_not_fix"
    assert all(by_serial[s]["state"] == "exploitable" for s in hit - {away})


def test_cli_refuses_an_unknown_format_and_an_unwritable_file(cli, shared_data,
                                                              tmp_path: Path) -> None:
    _world(cli, shared_data)
    bad = cli("triage", "export", "--format", "spdx")
    assert bad.exit_code == 2 and "csaf-vex, cyclonedx-vex" in bad.stderr
    unwritable = cli("triage", "export", "--format", "csaf-vex", "-o",
                     str(tmp_path / "missing" / "x.json"))
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.stderr
    assert "Traceback" not in bad.stderr + unwritable.stderr


def test_api_exports_the_callers_fleet_only(cli, engine, db_url, data_dir,
                                            shared_data) -> None:
    away, _accepted, hit = _triage(cli, shared_data)
    assert cli("orgs", "add", "other").exit_code == 0
    with make_session_factory(engine)() as s:
        tokens = {}
        for slug, role in (("acme", "viewer"), ("other", "admin")):
            org = s.scalars(select(Organization).where(Organization.slug == slug)).one()
            user = accounts.add_user(s, email=f"{role}@{slug}.test", password="x" * 12,
                                     organization=org, role=role)
            tokens[slug] = accounts.create_token(s, user, "t")[1]
        s.commit()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url,
                              storage_url=f"file://{data_dir / 'blobs'}"))
    with TestClient(app) as client:
        ours = client.get("/api/v1/triage/export", params={"format": "cyclonedx-vex"},
                          headers={"Authorization": f"Bearer {tokens['acme']}"})
        assert ours.status_code == 200, ours.text
        assert ours.headers["content-type"].startswith("application/vnd.cyclonedx+json")
        assert cyclonedx_schema_error(ours.json()) is None
        assert {c["properties"][0]["value"] for c in ours.json()["components"]} >= hit
        theirs = client.get("/api/v1/triage/export", params={"format": "csaf-vex"},
                            headers={"Authorization": f"Bearer {tokens['other']}"})
        # Another organisation sees none of it: it has nothing to export.
        assert theirs.status_code == 404 and "nothing to export" in theirs.text
        assert away not in theirs.text
        csaf = client.get("/api/v1/triage/export", params={"format": "csaf-vex"},
                          headers={"Authorization": f"Bearer {tokens['acme']}"})
        assert csaf.status_code == 200 and csaf.json()["document"]["category"] == "csaf_vex"
        assert csaf_schema_errors(csaf.json()) == []
        bad = client.get("/api/v1/triage/export", params={"format": "spdx"},
                         headers={"Authorization": f"Bearer {tokens['acme']}"})
        assert bad.status_code == 422
        assert client.get("/api/v1/triage/export?format=csaf-vex").status_code == 401
