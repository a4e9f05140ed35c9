"""Platform names from every network library netutils' lib_mapper knows are accepted."""

from __future__ import annotations

import pytest
from netutils import lib_mapper
from tests.shared import SHOW

from fixright.errors import InvalidInput
from fixright.inventory.detect import PLATFORMS, canonical_platform
from fixright.inventory.parse import parse_output


@pytest.mark.parametrize(
    ("name", "key"),
    [("cisco_iosxe", "cisco_ios"), ("cisco_ios_ssh", "cisco_ios"), ("cisco_ios_telnet", "cisco_ios"),
     ("nxos_ssh", "cisco_nxos"), ("cisco.ios.ios", "cisco_ios"), ("ios", "cisco_ios"),
     ("iosxe", "cisco_ios"), ("cisco_xe", "cisco_ios"), ("eos", "arista_eos"), ("junos", "juniper_junos"),
     ("cisco.nxos.nxos", "cisco_nxos"), ("cisco_iosxr", "cisco_xr"), ("cisco.iosxr.iosxr", "cisco_xr"),
     ("arista.eos.eos", "arista_eos"), ("junipernetworks.junos.junos", "juniper_junos"),
     ("cisco.asa.asa", "cisco_asa"), ("fortinet.fortios.fortios", "fortinet"), ("fortios", "fortinet"),
     ("panos", "paloalto_panos"), ("paloaltonetworks.panos.panos", "paloalto_panos"),
     ("aoscx", "aruba_aoscx"), ("arubanetworks.aoscx", "aruba_aoscx"), ("cisco_ftd", "cisco_ftd"),
     ("aruba_osswitch", "hp_procurve"), ("h3c_comware", "hp_comware"), ("CISCO_IOS", "cisco_ios"),
     ("cisco_iosxr_ssh", "cisco_xr"), ("arista_eos_eapi", "arista_eos")],
)
def test_names_map_to_our_keys(name: str, key: str) -> None:
    assert canonical_platform(name) == key


def test_every_netutils_name_for_a_supported_platform_is_accepted() -> None:
    netmiko = lib_mapper.NETMIKO_LIB_MAPPER_REVERSE
    ours = {canonical_platform(p) for p in PLATFORMS}
    checked = 0
    for library, names in lib_mapper.NAME_TO_LIB_MAPPER.items():
        for name, normalised in names.items():
            target = canonical_platform(netmiko.get(normalised, normalised))
            if target is None:
                continue
            checked += 1
            assert canonical_platform(name) in ours, (library, name)
    assert checked > 60


@pytest.mark.parametrize("name", ["cisco_nope", "linux", "bigip_f5", ""])
def test_unknown_names_are_refused(name: str) -> None:
    assert canonical_platform(name) is None


def test_parse_accepts_a_netutils_name() -> None:
    raw = SHOW / "cisco_nxos/show_version/cisco_nxos_show_version4.raw"
    if not raw.exists():
        pytest.skip("shared data not found")
    for name in ("nxos_ssh", "cisco.nxos.nxos", "cisco_nxos_ssh"):
        assert parse_output(raw.read_text(), platform=name, source_name="a")[0].os_family == "nxos"
    with pytest.raises(InvalidInput, match="unknown platform 'bigip_f5'"):
        parse_output(raw.read_text(), platform="bigip_f5", source_name="a")
