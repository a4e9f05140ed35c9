"""The pure VEX builders: every state and justification, valid against the official schemas."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from tests.triage.vex_checks import csaf_schema_errors, csaf_vex_problems, cyclonedx_schema_error

from fixright.triage.states import JUSTIFICATIONS, STATES
from fixright.triage.vex import CSAF_FLAG, CYCLONEDX_JUSTIFICATION, Finding, Product, build
from fixright.triage.vex_csaf import STATUS, csaf_vex
from fixright.triage.vex_cyclonedx import STATE, cyclonedx_vex

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
SERIAL = "3f1c2a4e-9d1b-4c55-8e21-0a6f5d2b7c10"


def _product(i: int) -> Product:
    return Product(f"cisco-FOC{i:04d}", "cisco", "C9500-40X", "iosxe", "16.9.3",
                   f"FOC{i:04d}", f"sw{i}" if i % 2 else None)


def _findings() -> list[Finding]:
    """Every state on its own device, every justification, and an untriaged match."""
    out = []
    i = 0
    for state in STATES:
        reasons = JUSTIFICATIONS if state == "not_affected" else (None,)
        for why in reasons:
            out.append(Finding(
                _product(i).key, "cisco-sa-a", ("CVE-2026-0001",), "Smart Install", None,
                "critical", state, justification=why, reason=f"reason {i}",
                expires=date(2027, 1, 31) if state == "accepted_risk" else None,
                updated_at=NOW, fix="16.9.4" if i % 3 else None))
            i += 1
    # An advisory without a CVE, matched and never triaged; and one with two CVEs.
    out.append(Finding(_product(0).key, "vendor-x-1", (), "Weak crypto",
                       "https://example.test/x-1", "informational", "affected"))
    out.append(Finding(_product(1).key, "cisco-sa-b", ("CVE-2026-0002", "CVE-2026-0003"),
                       "Two bugs", "https://example.test/b", "high", "fixed",
                       reason="hot patch", updated_at=NOW))
    return out


def _vex():
    findings = _findings()
    count = len({f.product for f in findings}) + 2
    return build([_product(i) for i in range(count)], findings), findings


def _csaf():
    vex, _ = _vex()
    return csaf_vex(vex, publisher="Acme", namespace="urn:fixright:acme",
                    document_id="fixright-vex-acme-1", generated_at=NOW, engine_version="0.1.0")


def _cdx():
    vex, _ = _vex()
    return cyclonedx_vex(vex, serial_number=SERIAL, generated_at=NOW, engine_version="0.1.0",
                         fleet="Acme")


def test_every_state_and_justification_is_mapped() -> None:
    assert set(STATUS) == set(STATES) == set(STATE)
    assert set(CSAF_FLAG) == set(JUSTIFICATIONS) == set(CYCLONEDX_JUSTIFICATION)


def test_csaf_vex_is_valid_and_passes_the_profile_tests() -> None:
    doc = _csaf()
    assert csaf_schema_errors(doc) == []
    assert csaf_vex_problems(doc) == []
    assert doc["document"]["category"] == "csaf_vex"
    by_cve = {v.get("cve") or v["ids"][0]["text"]: v for v in doc["vulnerabilities"]}
    assert set(by_cve) == {"CVE-2026-0001", "CVE-2026-0002", "CVE-2026-0003", "vendor-x-1"}
    smi = by_cve["CVE-2026-0001"]
    status = smi["product_status"]
    assert set(status) == set(STATUS.values())
    # Each not_affected device carries its justification's label and its reason.
    flagged = {p: f["label"] for f in smi["flags"] for p in f["product_ids"]}
    findings = [f for f in _findings() if f.state == "not_affected"]
    assert flagged == {f.product: CSAF_FLAG[f.justification or ""] for f in findings}
    assert sorted(status["known_not_affected"]) == sorted(flagged)
    impacts = " ".join(t["details"] for t in smi["threats"])
    assert all(f.reason and f.reason in impacts for f in findings)
    remedies = {(r["category"], p) for r in smi["remediations"] for p in r["product_ids"]}
    accepted = next(f for f in _findings() if f.state == "accepted_risk").product
    mitigated = next(f for f in _findings() if f.state == "mitigated").product
    assert ("no_fix_planned", accepted) in remedies and ("workaround", mitigated) in remedies
    assert "2027-01-31" in next(r["details"] for r in smi["remediations"]
                                if r["category"] == "no_fix_planned")
    # The untriaged, fixless match still has an action statement.
    assert by_cve["vendor-x-1"]["remediations"][0]["category"] == "none_available"


def test_cyclonedx_vex_is_valid_and_says_each_analysis() -> None:
    doc = _cdx()
    assert cyclonedx_schema_error(doc) is None
    refs = {c["components"][0]["bom-ref"] for c in doc["components"]}
    assert all(a["ref"] in refs for v in doc["vulnerabilities"] for a in v["affects"])
    analysis = {(v["id"], a["ref"]): v["analysis"] for v in doc["vulnerabilities"]
                for a in v["affects"]}
    for f in _findings():
        for vid in f.cves or (f.advisory_id,):
            said = analysis[(vid, f"firmware:{f.product}")]
            assert said["state"] == STATE[f.state]
            if f.state == "not_affected":
                assert said["justification"] == CYCLONEDX_JUSTIFICATION[f.justification or ""]
            if f.reason:
                assert f.reason in said["detail"]
    accepted = next(v for v in doc["vulnerabilities"]
                    if v["analysis"].get("response", [None])[0] == "will_not_fix")
    assert "2027-01-31" in accepted["analysis"]["detail"]


def test_the_validators_catch_what_they_guard() -> None:
    # Honest validators: a document broken in one place is refused.
    broken = copy.deepcopy(_csaf())
    broken["document"]["category"] = ""
    assert csaf_schema_errors(broken)
    vex_broken = copy.deepcopy(_csaf())
    vuln = vex_broken["vulnerabilities"][0]
    vuln.pop("flags", None), vuln.pop("threats", None), vuln.pop("remediations", None)
    assert any(p.startswith(("6.1.27.9", "6.1.27.10")) for p in csaf_vex_problems(vex_broken))
    cdx = copy.deepcopy(_cdx())
    cdx["vulnerabilities"][0]["analysis"]["justification"] = "trust_me"
    assert cyclonedx_schema_error(cdx) is not None


@pytest.mark.parametrize(("first", "second", "kept"), [
    ("not_affected", "affected", "affected"),
    ("fixed", "under_investigation", "under_investigation"),
    ("mitigated", "not_affected", "mitigated"),
])
def test_one_cve_in_two_advisories_keeps_the_more_exposed_state(
        first: str, second: str, kept: str) -> None:
    product = _product(1)
    findings = [
        Finding(product.key, adv, ("CVE-2026-0009",), adv, None, "high", state,
                justification=JUSTIFICATIONS[0] if state == "not_affected" else None,
                reason="r")
        for adv, state in (("sa-1", first), ("sa-2", second))]
    vex = build([product], findings)
    assert [(s.state, sorted(s.advisories)) for s in vex.statements] == [
        (kept, ["sa-1", "sa-2"])]
    doc = csaf_vex(vex, publisher="Acme", namespace="urn:fixright:acme", document_id="d",
                   generated_at=NOW, engine_version="0")
    assert csaf_vex_problems(doc) == [] and csaf_schema_errors(doc) == []
