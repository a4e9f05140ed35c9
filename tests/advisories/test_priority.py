"""What to fix first: KEV and EPSS feeds, the priority order, remediations and CVSS kept,
strict imports and the re-import fast path.

The feed files are small but shaped as published: CISA's
known_exploited_vulnerabilities.json (schema
https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json)
and FIRST's epss_scores-YYYY-MM-DD.csv (https://www.first.org/epss/data_stats).
"""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from fixright.accounts.service import get_or_create_organization
from fixright.advisories import exploits, service
from fixright.advisories.formats import peek_identity, read_document
from fixright.advisories.formats.exploits import read_epss, read_kev
from fixright.advisories.priority import CveFacts, Priority, advisory_priority
from fixright.errors import InvalidInput
from fixright.inventory import importing as inventory
from fixright.inventory.csvio import read_devices_csv
from fixright.reports.exposure import exposure_report, fixes_report

KEV = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities",
    "catalogVersion": "2025.03.14",
    "dateReleased": "2025-03-14T17:01:22.4575Z",
    "count": 2,
    "vulnerabilities": [
        {"cveID": "CVE-2024-26008", "vendorProject": "Fortinet", "product": "FortiOS",
         "vulnerabilityName": "Fortinet FortiOS Improper Check for Unusual Conditions",
         "dateAdded": "2025-03-01", "shortDescription": "...", "requiredAction": "Apply updates.",
         "dueDate": "2025-03-22", "knownRansomwareCampaignUse": "Known", "notes": "",
         "cwes": ["CWE-754"]},
        {"cveID": "CVE-2018-0171", "vendorProject": "Cisco", "product": "IOS and IOS XE",
         "vulnerabilityName": "Cisco IOS and IOS XE Smart Install", "dateAdded": "2021-11-03",
         "shortDescription": "...", "requiredAction": "Apply updates.", "dueDate": "2022-05-03",
         "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": []},
    ],
}
EPSS = ("#model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000\n"
        "cve,epss,percentile\n"
        "CVE-2025-0114,0.90112,0.99610\n"
        "CVE-2024-48884,0.10320,0.93012\n"
        "CVE-2024-26008,0.00210,0.44100\n")
FLEET = ("serial,vendor,os_family,model,running_version\n"
         "D1,fortinet,fortios,FortiGate-60F,7.4.8\n"   # not affected
         "D2,fortinet,fortios,FortiGate-60F,7.6.0\n"   # FG-IR-24-259 high, EPSS 0.10
         "D3,fortinet,fortios,FortiGate-60F,5.4.2\n"   # FG-IR-21-173 medium, no CVE
         "D4,paloalto,panos,PA-440,10.2.4\n"           # CVE-2025-0114 high, EPSS 0.90
         "D5,fortinet,fortios,FortiGate-60F,6.2.16\n")  # FG-IR-24-041 medium, KEV


def _vendor(shared_data: Path) -> list[Path]:
    adv = shared_data / "advisories"
    return [adv / "vendor", adv / "invalid" / "FG-IR-21-173.json",
            adv / "invalid" / "FG-IR-24-259.json", adv / "invalid" / "paloalto-CVE-2025-0114.json"]


def test_kev_and_epss_readers() -> None:
    catalog = read_kev(json.dumps(KEV), "kev.json")
    assert catalog.catalog_version == "2025.03.14"
    assert [(e.cve, e.due_date, e.ransomware) for e in catalog.entries] == [
        ("CVE-2024-26008", date(2025, 3, 22), "Known"), ("CVE-2018-0171", date(2022, 5, 3), "Unknown")]
    scores = read_epss(gzip.compress(EPSS.encode()), "epss.csv.gz")
    assert (scores.model_version, scores.score_date) == ("v2025.03.14", date(2025, 3, 14))
    assert scores.scores[0].cve == "CVE-2025-0114" and scores.scores[0].epss == pytest.approx(0.90112)


@pytest.mark.parametrize("bad, where", [
    ({"vulnerabilities": [{"cveID": "CVE-2024-1"}]}, "$.vulnerabilities[0].cveID"),
    ({"vulnerabilities": [{"cveID": "CVE-2024-12345", "dueDate": "soon"}]},
     "$.vulnerabilities[0].dueDate"),
    ({"catalog": []}, "not a CISA KEV catalog"),
])
def test_kev_errors_name_the_place(bad: dict, where: str) -> None:
    with pytest.raises(InvalidInput, match=r"kev\.json: .*") as info:
        read_kev(json.dumps(bad), "kev.json")
    assert where in info.value.message


@pytest.mark.parametrize("text, where", [
    ("cve,epss,percentile\nCVE-2024-12345,high,0.1\n", "line 2"),
    ("cve,epss,percentile\nCVE-2024-12345,1.5,0.1\n", "line 2"),
    ("id,score\n", "line 1"),
])
def test_epss_errors_name_the_line(text: str, where: str) -> None:
    with pytest.raises(InvalidInput) as info:
        read_epss(text, "epss.csv")
    assert info.value.message.startswith(f"epss.csv: {where}")


def test_priority_order() -> None:
    facts = {"A": CveFacts("A", kev=True, kev_due=date(2025, 1, 2)),
             "B": CveFacts("B", kev=True, kev_due=date(2025, 1, 1)),
             "C": CveFacts("C", epss=0.5), "D": CveFacts("D", epss=0.01)}
    items = {name: advisory_priority(cves, sev, facts) for name, cves, sev in [
        ("kev-later", ["A"], "low"), ("kev-sooner", ["B"], "low"), ("epss-high", ["C"], "medium"),
        ("epss-low", ["D"], "critical"), ("critical", [], "critical"), ("low", [], "low")]}
    ordered = sorted(items, key=lambda n: items[n].sort_key())
    assert ordered == ["kev-sooner", "kev-later", "epss-high", "epss-low", "critical", "low"]
    assert Priority().sort_key() > items["low"].sort_key()


def test_exposure_report_puts_kev_then_epss_first(session, shared_data: Path) -> None:
    service.import_paths(session, _vendor(shared_data))
    org, _ = get_or_create_organization(session, "prio")
    inventory.import_csv_rows(session, org.id, read_devices_csv(FLEET, "fleet.csv"))
    before, _ = exposure_report(session, org.id)
    assert [r["serial"] for r in before][:2] in (["D2", "D4"], ["D4", "D2"])  # severity only
    assert not any(r["kev"] for r in before)
    kev = exploits.import_kev(session, json.dumps(KEV), "kev.json")
    assert (kev.count, kev.added, kev.removed) == (2, 2, 0)
    exploits.import_epss(session, EPSS, "epss.csv")
    rows, _ = exposure_report(session, org.id)
    assert [r["serial"] for r in rows] == ["D5", "D4", "D2", "D3", "D1"]
    first = rows[0]
    assert (first["kev"], first["kev_due"]) == (True, date(2025, 3, 22))
    assert rows[1]["epss"] == pytest.approx(0.90112) and rows[1]["epss_date"] == date(2025, 3, 14)
    assert exploits.kev_advisory_ids(session) == {"FG-IR-24-041"}
    # A new catalog replaces the old one: CVEs it no longer lists are gone.
    smaller = dict(KEV, vulnerabilities=KEV["vulnerabilities"][1:])
    again = exploits.import_kev(session, json.dumps(smaller), "kev.json")
    assert (again.count, again.added, again.removed) == (1, 0, 1)
    assert exploits.kev_advisory_ids(session) == frozenset()


def test_remediations_and_cvss_are_stored_and_reach_the_fix_plan(session, shared_data: Path
                                                                   ) -> None:
    document = shared_data / "advisories" / "vendor" / "FG-IR-24-041.json"
    read = read_document(document.read_bytes(), str(document)).advisories[0]
    assert read.remediations and read.cvss_scores
    service.import_paths(session, [document])
    (stored,) = service.load_records(session)
    assert stored.remediations == read.remediations
    assert stored.cvss_scores == read.cvss_scores
    org, _ = get_or_create_organization(session, "rem")
    inventory.import_csv_rows(session, org.id, read_devices_csv(FLEET, "fleet.csv"))
    (row,) = [r for r in fixes_report(session, org.id) if r["serial"] == "D5"]
    want = [{"category": r.category, "text": r.text, "url": r.url} for r in read.remediations
            if not r.os_families or "fortios" in r.os_families]
    assert want and row["remediations"] == want


def test_strict_refuses_quirks_through_the_service(session, shared_data: Path) -> None:
    document = shared_data / "advisories" / "vendor" / "FG-IR-24-041.json"
    with pytest.raises(InvalidInput, match="FG-IR-24-041.json"):
        service.import_paths(session, [document], strict=True)
    report = service.import_paths(session, [document])
    assert report.created == ["FG-IR-24-041"]
    assert {name for name, _w in report.warnings} == {str(document)}


def test_cvrf_folder_reimport_skips_unchanged_files(session, shared_data: Path, tmp_path: Path
                                                    ) -> None:
    cvrf = shared_data / "advisories" / "cvrf" / "cisco-sa-ios-xr-verii-bypass-HhPwQRvx_cvrf.xml"
    shutil.copy(cvrf, tmp_path / cvrf.name)
    (tmp_path / "notes.txt").write_text("not an advisory")
    assert peek_identity(cvrf.read_bytes()) == ("cisco-sa-ios-xr-verii-bypass-HhPwQRvx", "1.0")
    first = service.import_paths(session, [tmp_path])
    assert first.created == ["cisco-sa-ios-xr-verii-bypass-HhPwQRvx"]
    seen: list[tuple[int, int]] = []
    again = service.import_paths(session, [tmp_path], progress=lambda d, t: seen.append((d, t)))
    assert again.unchanged == ["cisco-sa-ios-xr-verii-bypass-HhPwQRvx"]
    assert again.skipped_unchanged == [str(tmp_path / cvrf.name)] and seen == [(1, 1)]
    # A new revision is read in full and replaces the stored one.
    text = cvrf.read_text().replace("<cvrf:Version>1.0</cvrf:Version>", "<cvrf:Version>1.1</cvrf:Version>")
    assert text != cvrf.read_text()
    (tmp_path / cvrf.name).write_text(text)
    assert service.import_paths(session, [tmp_path]).skipped_unchanged == []


@pytest.mark.parametrize("raw", [b"[" * 100_000, b'{"document": ' + b"9" * 5000 + b"}"])
def test_hostile_json_is_invalid_input(raw: bytes) -> None:
    with pytest.raises(InvalidInput, match="bad.json"):
        read_document(raw, "bad.json")


def test_check_json_lists_remediations_per_advisory(cli, shared_data: Path) -> None:
    show = shared_data / "show" / "fortinet" / "get_system_status" / "fortinet_get_system_status_7.4.raw"
    result = cli("check", str(show), "--advisories", str(shared_data / "advisories" / "vendor"),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    (device,) = json.loads(result.stdout)
    hits = {a["advisory_id"]: a for a in device["advisories"]}
    assert set(hits) == {"FG-IR-24-041", "FG-IR-24-385"}
    for hit in hits.values():
        assert hit["remediations"], hit["advisory_id"]
        assert all(set(r) == {"category", "text", "url"} for r in hit["remediations"])


def test_cli_imports_feeds(cli, tmp_path: Path) -> None:
    kev = tmp_path / "known_exploited_vulnerabilities.json"
    kev.write_text(json.dumps(KEV))
    epss = tmp_path / "epss_scores-2025-03-14.csv.gz"
    epss.write_bytes(gzip.compress(EPSS.encode()))
    result = cli("advisories", "kev", str(kev))
    assert result.exit_code == 0 and "2 CVEs (2 added, 0 removed)" in result.stdout, result.output
    result = cli("advisories", "epss", str(epss))
    assert result.exit_code == 0 and "EPSS scores of 2025-03-14" in result.stdout, result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("cve,epss,percentile\nCVE-2024-1,0.1,0.2\n")
    refused = cli("advisories", "epss", str(bad))
    assert refused.exit_code == 2 and "bad.csv: line 2" in refused.stderr
    assert "Traceback" not in refused.output
