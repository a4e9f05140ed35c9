"""Readers against the real shared advisory documents (and the broken ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixright.advisories import formats
from fixright.advisories.formats import detect_format, read_document
from fixright.advisories.formats.products import product_family, split_product
from fixright.advisories.records import AffectedRange, AffectedReleases, is_newer
from fixright.errors import InvalidInput
from fixright.versions import parse


def _read(shared_data: Path, rel: str, **kw):
    path = shared_data / "advisories" / rel
    return read_document(path.read_bytes(), rel, **kw)


def _releases(record, family):
    return [v for g in record.affected if isinstance(g, AffectedReleases) and g.os_family == family
            for v in g.versions]


def test_csaf_cisco_smart_install(shared_data: Path) -> None:
    raw = json.loads((shared_data / "advisories/csaf/cisco-sa-20180328-smi2.json").read_text())
    leaves = []

    def walk(branches):
        for b in branches:
            if "product" in b:
                leaves.append(b["name"])
            walk(b.get("branches", []))

    walk(raw["product_tree"]["branches"])
    (record,) = _read(shared_data, "csaf/cisco-sa-20180328-smi2.json").advisories
    assert record.advisory_id == raw["document"]["tracking"]["id"]
    assert record.cves == ("CVE-2018-0171",)
    assert record.bug_ids == ("CSCvg76186",)
    assert record.severity == "critical" and record.cvss == 9.8
    assert record.revision == raw["document"]["tracking"]["version"]
    ios, xe = _releases(record, "ios"), _releases(record, "iosxe")
    # Every service_pack leaf is placed, on the family its product_name says.
    assert sorted(ios + xe) == sorted(leaves)
    assert "12.2(55)SE" in ios and "3.6.5E" in xe
    assert all(isinstance(g, AffectedReleases) and g.complete for g in record.affected)
    assert record.fixed == () and record.unplaced == ()


def test_csaf_product_without_release_is_unplaced(shared_data: Path) -> None:
    (record,) = _read(shared_data, "csaf/cisco-sa-ios-xr-verii-bypass-HhPwQRvx.json").advisories
    assert record.affected == ()
    (unplaced,) = record.unplaced
    assert unplaced.os_family == "iosxr" and "no release" in unplaced.reason


def test_openvuln_all(shared_data: Path) -> None:
    raw = json.loads((shared_data / "advisories/openvuln/all.json").read_text())["advisories"]
    result = _read(shared_data, "openvuln/all.json")
    by_id = {r.advisory_id: r for r in result.advisories}
    assert set(by_id) == {a["advisoryId"] for a in raw}
    snmp = by_id["cisco-sa-snmp-dos-sdxnSUcW"]
    source = next(a for a in raw if a["advisoryId"] == snmp.advisory_id)
    names = source["productNames"]
    assert len(_releases(snmp, "ios")) == sum(n.startswith("Cisco IOS 1") for n in names)
    assert len(_releases(snmp, "iosxe")) == sum(n.startswith("Cisco IOS XE Software") for n in names)
    assert snmp.cvss == float(source["cvssBaseScore"]) and snmp.severity == "high"
    assert snmp.cves == tuple(source["cves"])
    assert [u.os_family for u in snmp.unplaced] == ["iosxr"]
    anyconnect = by_id["cisco-sa-anyconnect-mac-priv-esc-VqST2nrT"]
    assert anyconnect.cves == () and anyconnect.cvss is None
    assert anyconnect.severity == "informational" and anyconnect.affected == ()


def test_openvuln_single_nxos(shared_data: Path) -> None:
    (record,) = _read(shared_data, "openvuln/cisco-sa-n39k-isis-dos-JhJA8Rfx.json").advisories
    versions = _releases(record, "nxos")
    assert len(versions) == 126 and "7.0(3)I7(9)" in versions
    assert all(parse("nxos", v) for v in versions)


def test_cve5_juniper_ranges(shared_data: Path) -> None:
    (record,) = _read(shared_data, "cve5/CVE-2024-21591.json").advisories
    ranges = [g for g in record.affected if isinstance(g, AffectedRange)]
    assert len(ranges) == 8
    first = ranges[0]
    # "version": "0" is no lower bound: every release below 20.4R3-S9, any train.
    assert first.introduced is None and first.fixed == "20.4R3-S9" and first.train is None
    assert first.platforms == ("SRX Series", "EX Series")
    last = ranges[-1]
    # "22.4R2-S2, 22.4R3": the range ends at the lowest; both are first fixed releases.
    assert last.train == "22.4" and last.fixed == "22.4R2-S2"
    assert {f.version for f in record.fixed if f.train == "22.4"} == {"22.4R2-S2", "22.4R3"}
    assert record.url == "https://supportportal.juniper.net/JSA75729"


def test_cve5_arista_spellings(shared_data: Path) -> None:
    (record,) = _read(shared_data, "cve5/CVE-2023-24509.json").advisories
    ranges = {g.train: g for g in record.affected if isinstance(g, AffectedRange)}
    assert ranges["4.23"].introduced == "4.23.0" and ranges["4.23"].last_affected == "4.23.13M"
    # 4.286.0 .. 4.26.8M: the inverted lower bound is dropped, with a note.
    assert ranges["4.26"].introduced is None and ranges["4.26"].last_affected == "4.26.8M"
    assert any("4.286.0" in note for note in record.notes)
    assert record.severity == "critical"


# Strict: every vendor quirk is refused, as before quirks were accepted. Without
# --strict only the Siemens document is refused (see test_formats_vendors.py).
@pytest.mark.parametrize(
    ("name", "where", "words", "strict"),
    [
        ("paloalto-CVE-2025-0114.json", "$.product_tree.branches[0].branches[0].branches[0].name",
         "PAN-OS", True),
        ("ssa-426509.json", "$.product_tree.branches[0].branches[0].branches[0].name", "vers:all/<V2024.3",
         False),
        ("FG-IR-24-259.json", "$.document.tracking.version", "final", True),
        ("FG-IR-21-173.json", "$.document.tracking.version", "final", True),
    ],
)
def test_invalid_documents_fail_clearly(shared_data: Path, name, where, words, strict) -> None:
    with pytest.raises(InvalidInput) as info:
        _read(shared_data, f"invalid/{name}", strict=strict)
    message = str(info.value)
    assert message.startswith(f"invalid/{name}: {where}: ")
    assert words in message


def test_strict_lenient_lists_what_it_dropped(shared_data: Path) -> None:
    palo = _read(shared_data, "invalid/paloalto-CVE-2025-0114.json", lenient=True, strict=True)
    reasons = " | ".join(d.reason for d in palo.dropped)
    assert "defined more than once" in reasons
    assert "inside the vers constraint" in reasons
    forti = _read(shared_data, "invalid/FG-IR-24-259.json", lenient=True, strict=True)
    reasons = " | ".join(d.reason for d in forti.dropped)
    assert "'product' is not a CSAF branch category" in reasons
    assert "is not defined in the product tree" in reasons
    fortios = _read(shared_data, "invalid/FG-IR-21-173.json", lenient=True, strict=True).advisories[0]
    assert "5.0.0" in _releases(fortios, "fortios")


def test_not_an_advisory() -> None:
    with pytest.raises(InvalidInput, match=r"^x.json: line 1 column 2: not valid JSON"):
        read_document(b"{oops", "x.json")
    with pytest.raises(InvalidInput, match=r"^x.json: \$: not a CSAF 2.0"):
        read_document(b'{"hello": 1}', "x.json")
    assert detect_format([]) is None


def test_a_document_over_the_limit_is_refused_unread(shared_data: Path, monkeypatch) -> None:
    # Whole-document formats are held parsed: the size limit bounds memory. The real
    # limit is 64 MB; a small one keeps the test fast and the rule the same.
    smi2 = (shared_data / "advisories" / "csaf" / "cisco-sa-20180328-smi2.json").read_bytes()
    monkeypatch.setattr(formats, "MAX_DOCUMENT_BYTES", len(smi2) - 1)
    for raw in (smi2, b"<cvrfdoc>" + b" " * len(smi2)):
        with pytest.raises(InvalidInput, match=r"^big: larger than .* MB; not read"):
            read_document(raw, "big")
    monkeypatch.setattr(formats, "MAX_DOCUMENT_BYTES", len(smi2))
    assert read_document(smi2, "big").advisories


def test_product_names() -> None:
    assert split_product("Cisco IOS XE Software 17.16.1a") == ("iosxe", "17.16.1a")
    assert split_product("Cisco IOS 12.2(4)B") == ("ios", "12.2(4)B")
    assert split_product("Cisco NX-OS Software 7.0(3)I7(9)") == ("nxos", "7.0(3)I7(9)")
    assert product_family("Junos OS") == "junos"
    assert product_family("Arista EOS") == "eos"
    assert product_family("Cisco Adaptive Security Appliance (ASA) Software") == "asa"
    assert product_family("IOSv") is None
    assert product_family("ModelSim") is None


@given(st.datetimes(timezones=st.just(__import__("datetime").UTC)), st.integers(0, 9), st.integers(0, 9))
def test_is_newer_is_a_strict_order(when, a, b) -> None:
    assert not is_newer(when, str(a), when, str(a))
    assert is_newer(when, str(a), when, str(b)) == (a > b)
