"""Advisories as Fortinet, Palo Alto and Cisco (Firepower, ASA) really publish them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixright.advisories.formats import read_document
from fixright.advisories.formats.products import load_product_names, split_product
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedRange,
    AffectedReleases,
    range_contains,
)
from fixright.errors import InvalidInput
from fixright.versions import parse

QUIRKY = [
    "vendor/FG-IR-17-173.json",
    "vendor/FG-IR-24-041.json",
    "vendor/FG-IR-24-385.json",
    "invalid/FG-IR-21-173.json",
    "invalid/FG-IR-24-259.json",
    "invalid/paloalto-CVE-2025-0114.json",
]


def _record(shared_data: Path, rel: str) -> AdvisoryRecord:
    (record,) = read_document((shared_data / "advisories" / rel).read_bytes(), rel).advisories
    return record


def _affects(record: AdvisoryRecord, family: str, text: str) -> bool:
    version = parse(family, text)
    for group in record.affected:
        if isinstance(group, AffectedRange) and range_contains(group, version):
            return True
        if isinstance(group, AffectedReleases) and group.os_family == family and any(
            parse(family, v) == version for v in group.versions
        ):
            return True
    return False


@pytest.mark.parametrize("rel", QUIRKY)
def test_vendor_documents_read_by_default_with_warnings(shared_data: Path, rel: str) -> None:
    result = read_document((shared_data / "advisories" / rel).read_bytes(), rel)
    assert result.dropped == [] and len(result.advisories) == 1
    kinds = [w.kind for w in result.warnings]
    assert kinds and len(kinds) == len(set(kinds))  # each quirk once per document
    assert all(w.where.startswith("$") for w in result.warnings)
    with pytest.raises(InvalidInput, match=rel):
        read_document((shared_data / "advisories" / rel).read_bytes(), rel, strict=True)


def test_a_quirk_counts_its_places(shared_data: Path) -> None:
    rel = "invalid/FG-IR-24-259.json"
    result = read_document((shared_data / "advisories" / rel).read_bytes(), rel)
    (naive,) = [w for w in result.warnings if w.kind == "naive date-time"]
    raw = json.loads((shared_data / "advisories" / rel).read_text())
    assert naive.where == "$.document.tracking.initial_release_date"
    assert naive.count >= 2 and "and" in naive.describe()
    assert raw["document"]["tracking"]["initial_release_date"] in naive.reason


def test_siemens_stays_refused(shared_data: Path) -> None:
    with pytest.raises(InvalidInput, match="vers 'all' scheme"):
        _record(shared_data, "invalid/ssa-426509.json")


# (document, family, version, affected?) — inside, at the edges of and outside each range.
TABLE = [
    ("invalid/FG-IR-24-259.json", "fortios", "7.4.0", True),
    ("invalid/FG-IR-24-259.json", "fortios", "7.4.4", True),
    ("invalid/FG-IR-24-259.json", "fortios", "7.4.5", False),
    ("invalid/FG-IR-24-259.json", "fortios", "7.2.9", True),
    ("invalid/FG-IR-24-259.json", "fortios", "7.2.10", False),
    ("invalid/FG-IR-24-259.json", "fortios", "7.0.0", True),
    ("invalid/FG-IR-24-259.json", "fortios", "7.0.16", False),
    ("invalid/FG-IR-24-259.json", "fortios", "6.4.15", True),
    ("invalid/FG-IR-24-259.json", "fortios", "6.2.16", False),
    ("invalid/FG-IR-24-259.json", "fortios", "7.6.0", True),
    ("invalid/FG-IR-24-259.json", "fortios", "v7.6.1,build3355,241205 (GA.F)", False),
    ("invalid/FG-IR-24-259.json", "fortimanager", "7.4.1", True),
    ("invalid/FG-IR-24-259.json", "fortimanager", "7.4.0", False),
    ("invalid/FG-IR-24-259.json", "fortimanager", "7.2.5", False),
    ("vendor/FG-IR-24-041.json", "fortios", "7.6.0", False),
    ("vendor/FG-IR-24-041.json", "fortios", "7.4.3", True),
    ("vendor/FG-IR-24-041.json", "fortios", "7.4.4", False),
    ("vendor/FG-IR-24-041.json", "fortios", "7.2.7", True),
    ("vendor/FG-IR-24-041.json", "fortios", "7.2.8", False),
    ("vendor/FG-IR-24-041.json", "fortios", "7.0.0", True),
    ("vendor/FG-IR-24-041.json", "fortios", "7.0.17", True),  # "7.0 all versions"
    ("vendor/FG-IR-24-041.json", "fortios", "6.2.16", True),
    ("vendor/FG-IR-24-041.json", "fortios", "6.0.18", False),
    ("vendor/FG-IR-24-385.json", "fortios", "7.4.7", True),
    ("vendor/FG-IR-24-385.json", "fortios", "7.4.8", False),
    ("vendor/FG-IR-24-385.json", "fortios", "7.2.11", True),
    ("vendor/FG-IR-24-385.json", "fortios", "7.2.12", False),
    ("vendor/FG-IR-24-385.json", "fortios", "7.0.5", False),  # "7.0.6 and above"
    ("vendor/FG-IR-24-385.json", "fortios", "7.0.6", True),
    ("vendor/FG-IR-24-385.json", "fortios", "7.0.17", True),
    ("vendor/FG-IR-24-385.json", "fortios", "6.4.16", False),
    ("vendor/FG-IR-24-385.json", "fortiproxy", "7.0.4", False),
    ("vendor/FG-IR-24-385.json", "fortiproxy", "7.0.5", True),
    ("vendor/FG-IR-17-173.json", "fortios", "5.4.1", True),
    ("vendor/FG-IR-17-173.json", "fortios", "5.4.2", False),
    ("vendor/FG-IR-17-173.json", "fortios", "5.2.9", True),
    ("vendor/FG-IR-17-173.json", "fortios", "5.2.10", False),
    # FortiAnalyzer has ranges in the product tree but no vulnerability lists them.
    ("vendor/FG-IR-17-173.json", "fortianalyzer", "5.6.3", False),
    ("vendor/FG-IR-17-173.json", "fortianalyzer", "5.4.6", False),
    ("invalid/FG-IR-21-173.json", "fortios", "5.0.0", True),
    ("invalid/FG-IR-21-173.json", "fortios", "7.0.2", True),
    ("invalid/FG-IR-21-173.json", "fortios", "7.0.3", False),
    ("invalid/FG-IR-21-173.json", "fortiswitch", "6.4.9", True),
    ("invalid/FG-IR-21-173.json", "fortiswitch", "6.4.10", False),
    ("invalid/FG-IR-21-173.json", "fortiswitch", "7.0.3", True),
    ("invalid/FG-IR-21-173.json", "fortiswitch", "7.0.4", False),
    ("invalid/FG-IR-21-173.json", "fortiswitch", "7.2.0", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.1.13", True),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.1.14-h10", True),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.1.14-h11", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.1.15", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.2.4-h3", True),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.2.5", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "10.2.9-h1", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "11.0.1", True),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "11.0.2", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "11.1.0", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "11.2.4", False),
    ("invalid/paloalto-CVE-2025-0114.json", "panos", "9.1.0", False),
]


@pytest.mark.parametrize(("rel", "family", "version", "affected"), TABLE)
def test_ranges_judge_versions_exactly(shared_data: Path, rel, family, version, affected) -> None:
    assert _affects(_record(shared_data, rel), family, version) is affected


def test_palo_alto_fixes_and_fortinet_releases_not_affected(shared_data: Path) -> None:
    palo = _record(shared_data, "invalid/paloalto-CVE-2025-0114.json")
    assert {(f.train, f.version) for f in palo.fixed} == {
        ("10.1", "10.1.14-h11"), ("10.2", "10.2.5"), ("11.0", "11.0.2")}
    assert palo.cvss_scores[0].version == "4.0" and palo.cvss_scores[0].vector.startswith("CVSS:4.0/")
    forti = _record(shared_data, "vendor/FG-IR-24-385.json")
    assert ("fortios", "7.4.8") in forti.not_affected  # the undefined id FortiOS-7.4.8
    (fix,) = [r for r in forti.remediations if "fortios" in r.os_families]
    assert fix.category == "vendor_fix" and "Upgrade to 7.4.8" in fix.text
    assert {s.version for s in forti.cvss_scores} == {"3.1"}
    assert all(s.vector and s.vector.startswith("CVSS:3.1/") for s in forti.cvss_scores)


def test_ftd_releases_are_placed(shared_data: Path) -> None:
    rel = "openvuln/cisco-sa-snort3-mime-vulns-tTL8PgVH.json"
    raw = json.loads((shared_data / "advisories" / rel).read_text())
    record = _record(shared_data, rel)
    ftd = [v for g in record.affected if isinstance(g, AffectedReleases) and g.os_family == "ftd"
           for v in g.versions]
    named = [n for n in raw["productNames"] if "Threat Defense" in n]
    assert named and len(ftd) == len(named)
    assert "7.4.2.2" in ftd
    assert all("Threat Defense" not in u.product for u in record.unplaced)


def test_four_part_asa_releases_are_placed() -> None:
    doc = {"advisoryId": "cisco-sa-asa-test", "advisoryTitle": "t", "sir": "High",
           "productNames": ["Cisco Adaptive Security Appliance (ASA) Software 9.20.2.21",
                            "Cisco Adaptive Security Appliance (ASA) Software 9.18.4.47"],
           "firstFixed": ["9.20.3"]}
    (record,) = read_document(json.dumps(doc), "asa.json").advisories
    (group,) = record.affected
    assert group.os_family == "asa" and record.unplaced == ()
    assert _affects(record, "asa", "9.20(2)21") and not _affects(record, "asa", "9.20(2)22")
    assert record.fixed[0].train == "9.20"


def test_product_names_table_is_validated() -> None:
    assert split_product("Cisco Firepower Threat Defense Software 7.4.2.1") == ("ftd", "7.4.2.1")
    assert split_product("FortiManager Cloud")[0] is None
    bad = """
[[product]]
family = "ios"
pattern = 'ios'
examples = ["IOS XE"]
source = "test"
"""
    with pytest.raises(InvalidInput, match="example 'IOS XE'"):
        load_product_names(bad, "bad.toml")
    with pytest.raises(InvalidInput, match="source"):
        load_product_names(bad.replace('source = "test"', ""), "bad.toml")
