"""CVRF 1.1/1.2: the same records as CSAF, malformed and unsafe XML refused clearly."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from fixright.advisories.formats import read_document
from fixright.advisories.records import AdvisoryRecord
from fixright.errors import InvalidInput

NS_11 = "http://www.icasi.org/CVRF/schema/{}/1.1"
NS_12 = "http://docs.oasis-open.org/csaf/ns/csaf-cvrf/v1.2/{}"
_BRANCH_TYPES = {"vendor": "Vendor", "product_family": "Product Family", "product_name": "Product Name",
                 "product_version": "Product Version", "service_pack": "Service Pack"}
# What one advisory says, whichever format it comes in (not: source, revision spelling, notes).
SAME = ("advisory_id", "title", "severity", "cvss", "cves", "bug_ids", "url", "published", "updated",
        "affected", "fixed", "not_affected", "unplaced", "cvss_scores")


def _same(a: AdvisoryRecord, b: AdvisoryRecord) -> None:
    for name in SAME:
        assert getattr(a, name) == getattr(b, name), name


def test_shared_cvrf_twin_gives_the_csaf_records(shared_data: Path) -> None:
    adv = shared_data / "advisories"
    xml = adv / "cvrf/cisco-sa-ios-xr-verii-bypass-HhPwQRvx_cvrf.xml"
    from_cvrf = read_document(xml.read_bytes(), xml.name)
    (csaf,) = read_document((adv / "csaf/cisco-sa-ios-xr-verii-bypass-HhPwQRvx.json").read_bytes(),
                            "x.json").advisories
    (cvrf,) = from_cvrf.advisories
    assert cvrf.source == "cvrf" and csaf.source == "csaf"
    _same(cvrf, csaf)
    assert cvrf.unplaced[0].os_family == "iosxr"
    assert cvrf.remediations[0].category == "workaround"
    assert "naive date-time" in {w.kind for w in from_cvrf.warnings}


def _cvrf_from_csaf(doc: dict, ns: str) -> str:
    """A CVRF document written from a CSAF one, as Cisco published both."""
    tracking = doc["document"]["tracking"]

    def branches(items: list, depth: int) -> str:
        out = []
        for b in items:
            inner = ""
            if "product" in b:
                inner += (f'<FullProductName ProductID={quoteattr(b["product"]["product_id"])}>'
                          f'{escape(b["product"]["name"])}</FullProductName>')
            inner += branches(b.get("branches", []), depth + 1)
            out.append(f'<Branch Type="{_BRANCH_TYPES[b["category"]]}" Name={quoteattr(b["name"])}>'
                       f"{inner}</Branch>")
        return "".join(out)

    vulns = []
    for v in doc["vulnerabilities"]:
        ids = "".join(f'<ID SystemName={quoteattr(i["system_name"])}>{escape(i["text"])}</ID>'
                      for i in v.get("ids", []))
        statuses = "".join(
            f'<Status Type="{key.replace("_", " ").title()}">'
            + "".join(f"<ProductID>{p}</ProductID>" for p in pids) + "</Status>"
            for key, pids in v["product_status"].items())
        scores = "".join(
            f'<ScoreSetV3><BaseScoreV3>{s["cvss_v3"]["baseScore"]}</BaseScoreV3>'
            f'<VectorV3>{s["cvss_v3"]["vectorString"]}</VectorV3></ScoreSetV3>'
            for s in v.get("scores", []) if "cvss_v3" in s)
        vulns.append(
            f'<Vulnerability xmlns="{ns.format("vuln")}" Ordinal="1">{ids}<CVE>{v["cve"]}</CVE>'
            f"<ProductStatuses>{statuses}</ProductStatuses><CVSSScoreSets>{scores}</CVSSScoreSets>"
            "</Vulnerability>")
    refs = "".join(
        f'<cvrf:Reference Type="{"Self" if r.get("category") == "self" else "External"}">'
        f'<cvrf:URL>{escape(r["url"])}</cvrf:URL></cvrf:Reference>'
        for r in doc["document"].get("references", []))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<cvrf:cvrfdoc xmlns:cvrf="{ns.format("cvrf")}">'
        f'<cvrf:DocumentTitle>{escape(doc["document"]["title"])}</cvrf:DocumentTitle>'
        f"<cvrf:DocumentTracking><cvrf:Identification><cvrf:ID>{tracking['id']}</cvrf:ID>"
        f"</cvrf:Identification><cvrf:Status>Final</cvrf:Status>"
        f"<cvrf:Version>{tracking['version']}</cvrf:Version>"
        f"<cvrf:InitialReleaseDate>{tracking['initial_release_date']}</cvrf:InitialReleaseDate>"
        f"<cvrf:CurrentReleaseDate>{tracking['current_release_date']}</cvrf:CurrentReleaseDate>"
        f"</cvrf:DocumentTracking>"
        + (f'<cvrf:AggregateSeverity>{doc["document"]["aggregate_severity"]["text"]}</cvrf:AggregateSeverity>'
           if "aggregate_severity" in doc["document"] else "")
        +         f"<cvrf:DocumentReferences>{refs}</cvrf:DocumentReferences>"
        f'<ProductTree xmlns="{ns.format("prod")}">'
        f'{branches(doc["product_tree"]["branches"], 0)}</ProductTree>'
        + "".join(vulns) + "</cvrf:cvrfdoc>"
    )


@pytest.mark.parametrize("ns", [NS_11, NS_12])
def test_smi2_twin_in_cvrf_gives_the_same_releases(shared_data: Path, ns: str) -> None:
    path = shared_data / "advisories/csaf/cisco-sa-20180328-smi2.json"
    doc = json.loads(path.read_text())
    (csaf,) = read_document(path.read_bytes(), path.name).advisories
    xml = _cvrf_from_csaf(doc, ns)
    result = read_document(xml.encode(), "smi2_cvrf.xml")
    (cvrf,) = result.advisories
    _same(cvrf, csaf)
    assert sum(len(g.versions) for g in cvrf.affected) == 259
    assert result.warnings == []


def test_malformed_xml_names_file_line_and_element() -> None:
    xml = (b'<?xml version="1.0"?>\n<cvrfdoc xmlns="http://www.icasi.org/CVRF/schema/cvrf/1.1">\n'
           b"  <DocumentTitle>t</DocumentTitle>\n  <ProductTree>\n    <Branch Name='x'>\n"
           b"  </ProductTree>\n</cvrfdoc>\n")
    with pytest.raises(InvalidInput) as info:
        read_document(xml, "old/cisco-sa-1.xml")
    message = str(info.value)
    assert message.startswith("old/cisco-sa-1.xml: line 6 column ")
    assert "<Branch>" in message and "not well-formed" in message


def test_billion_laughs_is_refused() -> None:
    lol = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
           b"<cvrfdoc><DocumentTitle>&lol3;</DocumentTitle></cvrfdoc>")
    with pytest.raises(InvalidInput, match=r"^lol.xml: refused: the XML declares a DTD or entities"):
        read_document(lol, "lol.xml")


def test_external_entity_reads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>\n'
           "<cvrfdoc><DocumentTitle>&x;</DocumentTitle></cvrfdoc>").encode()
    with pytest.raises(InvalidInput) as info:
        read_document(xxe, "xxe.xml")
    assert "refused" in str(info.value) and "TOP-SECRET" not in str(info.value)


def test_other_xml_is_not_cvrf() -> None:
    with pytest.raises(InvalidInput, match=r"^x.xml: <html>: not a CVRF document"):
        read_document(b"<html><body/></html>", "x.xml")
