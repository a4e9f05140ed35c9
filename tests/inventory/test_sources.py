"""NetBox / Nautobot device exports: JSON pages and CSV, mapped through netutils.

The fixtures in tests/inventory/data/ were written for these tests after the
NetBox REST API documentation (`/api/dcim/devices/`, NetBox 4.x brief nested
objects), Nautobot 2.x REST API with `?depth=1` (`network_driver`,
`software_version`, `object_type`), NetBox's device table export (column
titles from dcim/tables/devices.py) and Nautobot's CSV export (field paths).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixright.errors import InvalidInput
from fixright.inventory.sources import read_source, sniff_source

DATA = Path(__file__).parent / "data"


def _read(name: str, fmt: str = "netbox", **kw):
    return read_source((DATA / name).read_text(), name, fmt, **kw)


def test_netbox_json_maps_platform_model_version_and_skips_no_serial() -> None:
    read = _read("netbox_devices.json")
    by_serial = {d.serial: d for d in read.devices}
    assert set(by_serial) == {"FOC2233X0AB", "JN11F2A3BAFA", "FDO24010ABC"}
    core = by_serial["FOC2233X0AB"]
    # slug "cisco-ios-xe" is IOS XE; part_number is preferred to the marketing model
    assert (core.vendor, core.os_family, core.model, core.version, core.address, core.name) == (
        "cisco", "iosxe", "C9300-48P", "17.09.04a", "192.0.2.11", "core-sw1")
    edge = by_serial["JN11F2A3BAFA"]
    assert (edge.vendor, edge.os_family, edge.version) == ("juniper", "junos", "21.4R3-S5")
    leaf = by_serial["FDO24010ABC"]
    assert (leaf.os_family, leaf.version, leaf.address) == ("nxos", "", "2001:db8::14")
    assert read.skipped == ["row 3 (spare-sw): no serial number"]
    # an unknown key is named once, standard NetBox keys and *_count are not
    assert read.ignored == ["keys rack_unit_height"]


def test_nautobot_json_network_driver_and_software_version() -> None:
    read = _read("nautobot_devices.json", "nautobot")
    by_serial = {d.serial: d for d in read.devices}
    fw = by_serial["FGT60FTK20001234"]
    assert (fw.vendor, fw.os_family, fw.version, fw.platform) == (
        "fortinet", "fortios", "7.4.3", "fortinet")
    # platform cisco_ios, but the release 16.12.10a is IOS XE's grammar
    sw = by_serial["FOC1932X1YZ"]
    assert (sw.os_family, sw.version) == ("iosxe", "16.12.10a")
    assert read.skipped == [] and read.ignored == []


def test_netbox_csv_export() -> None:
    read = _read("netbox_devices.csv")
    assert {d.serial: (d.vendor, d.os_family, d.version) for d in read.devices} == {
        "FOC2233X0AB": ("cisco", "iosxe", "17.09.04a"),
        "JN11F2A3BAFA": ("juniper", "junos", "21.4R3-S5"),
        "024101009999": ("paloalto", "panos", "10.2.9-h1"),
    }
    assert read.skipped == ["row 4 (spare-sw): no serial number",
                            "row 6 (ap1): platform 'UniFi' is not one fixright reads"]
    assert len(read.ignored) == 1 and "'Tenant'" in read.ignored[0]
    assert "Serial number" not in read.ignored[0]


def test_nautobot_csv_prefers_network_driver() -> None:
    read = _read("nautobot_devices.csv", "nautobot")
    assert [(d.serial, d.platform, d.os_family) for d in read.devices] == [
        ("FGT60FTK20001234", "fortinet", "fortios"), ("FOC1932X1YZ", "cisco_ios", "iosxe")]
    assert read.ignored == ["columns 'status__name', 'location__name'"]


@pytest.mark.parametrize(("slug", "family"), [
    ("cisco_ios", "ios"), ("ios", "ios"), ("cisco-ios-xe", "iosxe"), ("cisco_xe", "iosxe"),
    ("cisco.nxos.nxos", "nxos"), ("nxos_ssh", "nxos"), ("junos", "junos"),
    ("arista_eos", "eos"), ("eos", "eos"), ("paloalto_panos", "panos"), ("iosxr", "iosxr"),
    ("aruba_aoscx", "aoscx"), ("hp_procurve", "procurve"), ("cisco_asa", "asa"),
])
def test_platform_slugs_through_netutils(slug: str, family: str) -> None:
    page = {"results": [{"name": "d", "serial": "SER1", "platform": {"slug": slug},
                         "device_type": {"model": "X"}}]}
    read = read_source(json.dumps(page), "p.json")
    assert [d.os_family for d in read.devices] == [family], read.skipped


def test_missing_platform_uses_default_and_bad_version_is_left_empty() -> None:
    page = [{"name": "a", "serial": "S1", "device_type": {"model": "WS-C2960X-48TS-L"},
             "platform": None, "custom_fields": {"software_version": "15.2(7)E8"}},
            {"name": "b", "serial": "S2", "device_type": {"model": "m"},
             "platform": {"slug": "cisco_ios"}, "custom_fields": {"sw_version": "latest"}}]
    skipped = read_source(json.dumps(page), "l.json")
    assert [d.serial for d in skipped.devices] == ["S2"]
    assert "no platform" in skipped.skipped[0]
    read = read_source(json.dumps(page), "l.json", default_platform="cisco_ios")
    assert [(d.serial, d.os_family, d.version) for d in read.devices] == [
        ("S1", "ios", "15.2(7)E8"), ("S2", "ios", "")]
    assert len(read.warnings) == 1 and "row 2 (b): version left empty" in read.warnings[0]


@pytest.mark.parametrize(("text", "message"), [
    ('{"count": 1, "results": "nope"}', r"^x\.json: results: expected a list of devices, got str"),
    ('{"devices": []}', r"^x\.json: not a NetBox/Nautobot dcim/devices export"),
    ('"just a string"', r"^x\.json: not a NetBox/Nautobot dcim/devices export \(JSON str\)"),
    ('{"results": [1]}', r"^x\.json: results\[0\]: expected a device object, got int"),
    ('{"results": [{"id": 1}]}', r"^x\.json: results\[0\]: not a device"),
    ('{"results": []}', r"^x\.json: the export lists no devices"),
    ('{"results": [{"serial": "A", "device_type": "x"}]}',
     r"^x\.json: results\[0\]\.device_type: expected an object"),
    ('{"results": [{"serial": "A", "device_type": {"id": "u", "url": "http://n/api/x/"}}]}',
     r"\?depth=1"),
    ('{"results": [', r"^x\.json: line 1 column \d+: not valid JSON"),
])
def test_wrong_shape_names_file_and_place(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_source(text, "x.json")


def test_csv_without_serial_column() -> None:
    with pytest.raises(InvalidInput, match=r"^n\.csv: row 1: no serial number column"):
        read_source("Name,Type,Platform\na,b,c\n", "n.csv")


def test_sniff() -> None:
    assert sniff_source("x", '  {"results": []}') == "json"
    assert sniff_source("x.json", "garbage") == "json"
    assert sniff_source("x", "Name,Manufacturer,Type,Serial number\n") == "csv"
    assert sniff_source("x", "serial,vendor,os_family,model\n") is None  # our own CSV
    assert sniff_source("x", "Cisco IOS Software, Version 15.2\n") is None
