"""Advisories nobody here wrote, read the way `fixright advisories import` reads them, and
devices judged against them inside, at the edges of and outside what each document says.

The documents are in `data/outside/` (their sources in `SOURCES.md`). Each expected judgement
was read off the document by hand (its ranges, its lists of affected releases, its
`lessThan` first fixes), not from fixright's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixright.advisories import service
from fixright.advisories.fleet import exposure_for_devices
from fixright.advisories.formats import read_document
from fixright.advisories.results import DeviceKey
from fixright.errors import InvalidInput

OUTSIDE = Path(__file__).parent / "data" / "outside"

A, N, R = "affected", "not affected", "review"  # R: named for the family, no release given

# document -> [(os_family, version, judgement, first fixed release in the train or None)]
CASES: dict[str, list[tuple[str, str, str, str | None]]] = {
    # PAN-OS: 10.2.0 <= v < 10.2.9-h1, 11.0.0 <= v < 11.0.4-h1, 11.1.0 <= v < 11.1.2-h3;
    # 9.0, 9.1, 10.0, 10.1 unaffected (defaultStatus unaffected).
    "CVE-2024-3400.json": [
        ("panos", "10.2.0", A, "10.2.9-h1"),
        ("panos", "10.2.9", A, "10.2.9-h1"),
        ("panos", "10.2.9-h1", N, None),
        ("panos", "10.2.10", N, None),
        ("panos", "10.1.14-h2", N, None),
        ("panos", "11.0.4", A, "11.0.4-h1"),
        ("panos", "11.0.4-h1", N, None),
        ("panos", "11.1.2-h2", A, "11.1.2-h3"),
        ("panos", "11.1.2-h3", N, None),
        ("panos", "11.1.3", N, None),
        ("panos", "11.2.0", N, None),
        ("panos", "9.1.17", N, None),
    ],
    # FortiOS 7.4.0-7.4.2, 7.2.0-7.2.6, 7.0.0-7.0.13, 6.4.0-6.4.14, 6.2.0-6.2.15,
    # 6.0.0-6.0.17; FortiProxy 7.4.0-7.4.2 ... 1.0.0-1.0.7 (lessThanOrEqual).
    "CVE-2024-21762.json": [
        ("fortios", "7.4.0", A, None),
        ("fortios", "7.4.2", A, None),
        ("fortios", "7.4.3", N, None),
        ("fortios", "7.2.6", A, None),
        ("fortios", "7.2.7", N, None),
        ("fortios", "7.0.13", A, None),
        ("fortios", "7.0.14", N, None),
        ("fortios", "6.4.14", A, None),
        ("fortios", "6.4.15", N, None),
        ("fortios", "6.2.15", A, None),
        ("fortios", "6.0.17", A, None),
        ("fortios", "6.0.18", N, None),
        ("fortios", "7.6.0", N, None),
        ("fortios", "5.6.14", N, None),
        ("fortiproxy", "2.0.13", A, None),
        ("fortiproxy", "2.0.14", N, None),
        ("fortiproxy", "7.4.3", N, None),
        ("fortiproxy", "1.0.7", A, None),
    ],
    # Fortinet's older CVE form: one product entry naming three products, one version
    # string listing each product's affected releases.
    "CVE-2022-40684.json": [
        ("fortios", "7.2.1", A, None),
        ("fortios", "7.2.0", A, None),
        ("fortios", "7.2.2", N, None),
        ("fortios", "7.0.0", A, None),
        ("fortios", "7.0.6", A, None),
        ("fortios", "7.0.7", N, None),
        ("fortios", "6.4.9", N, None),
        ("fortiproxy", "7.2.0", A, None),
        ("fortiproxy", "7.2.1", N, None),
        ("fortiproxy", "7.0.6", A, None),
    ],
    # Cisco's complete list of affected ASA releases (four-part builds), trains 9.8 and 9.12.
    "CVE-2024-20353.json": [
        ("asa", "9.8.1", A, None),
        ("asa", "9.8.4.48", A, None),
        ("asa", "9.8.3", A, None),
        ("asa", "9.12.4.65", A, None),
        ("asa", "9.12.1.2", A, None),
    ],
    # CVRF 1.2: NX-OS releases listed Known Affected (trains 5.2 and 6.1).
    "cisco-sa-20180620-nxossnmp_cvrf.xml": [
        ("nxos", "5.2(3a)", A, None),
        ("nxos", "5.2(9a)", A, None),
        ("nxos", "6.1(5a)", A, None),
        ("nxos", "6.1(3)S6", A, None),
        ("nxos", "6.1(1)", A, None),
    ],
    # CVRF 1.2: ASA and FTD named Known Affected without any release: kept for review.
    "cisco-sa-20181003-asa-dma-dos_cvrf.xml": [
        ("asa", "9.8.2", R, None),
        ("ftd", "6.2.3", R, None),
        ("iosxe", "16.9.1", N, None),
    ],
    # CVRF 1.1 (ICASI namespace): small-business routers fixright has no family for.
    "CVRF-1.1-cisco-sa-20110525-rvs4000.xml": [
        ("ios", "15.1(4)M2", N, None),
    ],
}


def _judge(session, document: str) -> list[tuple[str, str, str, str | None]]:
    report = service.import_paths(session, [OUTSIDE / document])  # as the CLI, no --lenient
    assert report.created, document
    cases = CASES[document]
    keys = [DeviceKey(i, family, version) for i, (family, version, _, _) in enumerate(cases)]
    results = exposure_for_devices(session, keys)
    got = []
    for i, (family, version, _, _) in enumerate(cases):
        exposure = results[i].exposure
        hits = [h for h in exposure.advisories]
        if hits:
            fix = hits[0].first_fixed.version
            got.append((family, version, A, str(fix) if fix is not None else None))
        elif exposure.review:
            got.append((family, version, R, None))
        else:
            assert exposure.status == "not_affected", (family, version, exposure.reason)
            got.append((family, version, N, None))
    return got


@pytest.mark.parametrize("document", sorted(CASES))
def test_outside_document_judged_exactly(session, document: str) -> None:
    got = _judge(session, document)
    want = [(f, v, j, fix) if fix is not None or j != A else (f, v, j, got_fix)
            for (f, v, j, fix), (_, _, _, got_fix) in zip(CASES[document], got, strict=True)]
    assert [(g, w) for g, w in zip(got, want, strict=True) if g != w] == []


def test_every_outside_document_is_listed_in_sources() -> None:
    sources = (OUTSIDE / "SOURCES.md").read_text("utf-8")
    documents = [p.name for p in OUTSIDE.iterdir() if p.suffix in (".json", ".xml")]
    assert documents and all(name in sources for name in documents)


def test_several_products_in_one_entry_is_one_warning_with_its_path() -> None:
    raw = (OUTSIDE / "CVE-2022-40684.json").read_bytes()
    result = read_document(raw, "CVE-2022-40684.json")
    assert [(w.kind, w.where) for w in result.warnings] == [
        ("several products in one entry", "$.containers.cna.affected[0].product")
    ]
    with pytest.raises(InvalidInput, match=r"CVE-2022-40684.json: \$.containers.cna.affected\[0\]"):
        read_document(raw, "CVE-2022-40684.json", strict=True)


def test_several_products_naming_another_product_is_refused() -> None:
    data = json.loads((OUTSIDE / "CVE-2022-40684.json").read_text("utf-8"))
    data["containers"]["cna"]["affected"][0]["versions"][0]["version"] = "FortiOS 7.2.1; FortiWeb 7.0.1"
    with pytest.raises(InvalidInput, match=r"affected\[0\].versions\[0\].version: 'FortiWeb 7.0.1'"):
        read_document(json.dumps(data), "x.json")
