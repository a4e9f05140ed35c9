"""Fortinet and Palo Alto advisories judged against a fleet: inside, at the edges of and outside
each range, through the exposure service (import documents, import devices, ask exposure).

Expected sets are read off the documents by hand (Fortinet's `FortiOS/>=7.4.0|<=7.4.4`,
`7.0 all versions`, `7.0.6 and above`, listed releases; Palo Alto's
`vers:generic/PAN-OS<10.2.5` per train), not from fixright's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixright.accounts.service import get_or_create_organization
from fixright.advisories import service
from fixright.advisories.fleet import exposure_for_devices, exposure_for_org
from fixright.advisories.results import DeviceKey
from fixright.inventory.csvio import read_devices_csv
from fixright.inventory.importing import import_csv_rows
from fixright.inventory.parse import decode_output, parse_output
from fixright.inventory.queries import list_devices

A17, A21, A259, A041, A385, PAN = ("FG-IR-17-173", "FG-IR-21-173", "FG-IR-24-259",
                                   "FG-IR-24-041", "FG-IR-24-385", "CVE-2025-0114")

FLEET = [
    # FortiGate (fortios)
    ("fortios", "7.4.3", {A259, A041, A385}),   # inside all three 7.4 ranges; 24-041's upper edge
    ("fortios", "7.4.4", {A259, A385}),         # 24-259's upper edge; 24-041 fixed here
    ("fortios", "7.4.5", {A385}),
    ("fortios", "7.4.7", {A385}),               # 24-385's upper edge
    ("fortios", "7.4.8", set()),                # above every range
    ("fortios", "7.6.0", {A259}),               # a single listed release
    ("fortios", "7.6.1", set()),
    ("fortios", "7.2.0", {A259, A041, A385}),   # lower edges
    ("fortios", "7.2.7", {A259, A041, A385}),
    ("fortios", "7.2.8", {A259, A385}),
    ("fortios", "7.2.12", set()),
    ("fortios", "7.0.2", {A21, A259, A041}),    # last release 21-173 lists
    ("fortios", "7.0.5", {A259, A041}),         # below 24-385's `7.0.6 and above`
    ("fortios", "7.0.6", {A259, A041, A385}),
    ("fortios", "7.0.16", {A041, A385}),        # above 24-259's 7.0.15; `7.0 all versions`
    ("fortios", "6.4.7", {A21, A259, A041}),
    ("fortios", "6.4.10", {A259, A041}),        # 21-173 names it not affected
    ("fortios", "6.4.15", {A259, A041}),
    ("fortios", "6.2.16", {A041}),
    ("fortios", "6.0.14", set()),
    ("fortios", "5.4.1", {A17, A21}),           # 17-173's `5.4.0 - 5.4.1` upper edge
    ("fortios", "5.4.2", {A21}),
    ("fortios", "5.2.9", {A17, A21}),
    # FortiSwitch (fortiswitch): 21-173 lists 6.0.0 .. 7.0.3
    ("fortiswitch", "6.0.0", {A21}),
    ("fortiswitch", "7.0.3", {A21}),
    ("fortiswitch", "7.0.4", set()),
    ("fortiswitch", "7.2.1", set()),
    # PAN-OS: < 10.1.14-h11, < 10.2.5, < 11.0.2, each within its train
    ("panos", "10.1.14", {PAN}),
    ("panos", "10.1.14-h10", {PAN}),
    ("panos", "10.1.14-h11", set()),
    ("panos", "10.2.4-h3", {PAN}),
    ("panos", "10.2.5", set()),
    ("panos", "10.2.10", set()),
    ("panos", "11.0.1", {PAN}),
    ("panos", "11.0.2", set()),
    ("panos", "11.1.0", set()),
]

SHOWN = {  # FortiGates of ../shared/data/show/fortinet/, by version
    "6.0.7": {A21}, "6.2.6": {A21, A041}, "7.0.3": {A259, A041},
    "7.0.7": {A259, A041, A385}, "7.0.13": {A259, A041, A385}, "7.0.15": {A259, A041, A385},
    "7.4.1": {A259, A041, A385}, "7.4.8": set(),
}


def _documents(shared_data: Path) -> list[Path]:
    adv = shared_data / "advisories"
    return [adv / "vendor", adv / "invalid" / "FG-IR-21-173.json",
            adv / "invalid" / "FG-IR-24-259.json", adv / "invalid" / "paloalto-CVE-2025-0114.json"]


def _csv() -> str:
    vendor = {"fortios": "fortinet", "fortiswitch": "fortinet", "panos": "paloalto"}
    lines = ["serial,vendor,os_family,model,running_version"]
    lines += [f"SN{i:03d},{vendor[f]},{f},dev-{f},{v}" for i, (f, v, _) in enumerate(FLEET)]
    return "\n".join(lines) + "\n"


def test_fleet_csv_judged_exactly(session, shared_data: Path) -> None:
    report = service.import_paths(session, _documents(shared_data))  # no --lenient needed
    assert report.warnings, "Fortinet's quirks are accepted with warnings"
    org, _ = get_or_create_organization(session, "fleet")
    import_csv_rows(session, org.id, read_devices_csv(_csv(), "fleet.csv"))
    fleet = exposure_for_org(session, org.id)
    got = {}
    by_serial = {d.id: d.serial for d in list_devices(session, org.id)}
    for device_id, result in fleet.devices.items():
        got[by_serial[device_id]] = {h.advisory_id for h in result.advisories}
    wrong = [(f, v, got[f"SN{i:03d}"], want) for i, (f, v, want) in enumerate(FLEET)
             if got[f"SN{i:03d}"] != want]
    assert wrong == []
    assert fleet.unknown == 0


def test_fortigates_from_show_output(session, shared_data: Path) -> None:
    service.import_paths(session, _documents(shared_data))
    facts = []
    for raw in sorted((shared_data / "show" / "fortinet").rglob("*.raw")):
        facts.extend(parse_output(decode_output(raw.read_bytes(), raw.name), source_name=raw.name))
    assert {f.os_family for f in facts} == {"fortios"} and len(facts) == len(SHOWN)
    keys = [DeviceKey(i, f.os_family, f.version_text, f.platform or None, f.model or None)
            for i, f in enumerate(facts)]
    result = exposure_for_devices(session, keys)
    got = {facts[i].version_text: {h.advisory_id for h in r.advisories} for i, r in result.items()}
    assert got == SHOWN


# The document lists `Cisco Secure Firewall Threat Defense (FTD) Software 7.3.0` .. `7.7.0`,
# four-part builds among them (7.4.2.1 .. 7.4.2.4); 7.2.x and 7.4.3 are not listed.
@pytest.mark.parametrize("version, affected", [
    ("7.4.2", True), ("7.4.2.4", True), ("7.3.1.2", True), ("7.7.0", True),
    ("7.2.9", False), ("7.8.0", False),
])
def test_ftd_releases_of_snort3_advisory(session, shared_data: Path, version: str,
                                         affected: bool) -> None:
    """FTD releases the openVuln document lists are placed on family `ftd` and matched."""
    document = shared_data / "advisories" / "openvuln" / "cisco-sa-snort3-mime-vulns-tTL8PgVH.json"
    service.import_paths(session, [document])
    listed = {v for r in service.load_records(session) for g in r.affected
              if g.os_family == "ftd" for v in getattr(g, "versions", ())}
    assert len(listed) == 15
    result = exposure_for_devices(session, [DeviceKey(1, "ftd", version)])[1]
    assert (result.status == "affected") is affected, result.exposure.reason
