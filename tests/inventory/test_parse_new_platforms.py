"""FortiGate, PAN-OS, FXOS (real ntc-templates samples in shared/data/show), FTD and AOS-CX.

Sources: shared/data/show/fortinet/get_system_status/*.raw, paloalto_panos/show_system_info/,
cisco_fxos/show_system_firmware/, aruba_aoscx/show_system/ (networktocode/ntc-templates tests,
see shared/data/README.md). No real FTD `show version` or AOS-CX `show version` is in shared
data: those two texts are written here in the layout the devices print, with made-up values.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.shared import SHOW

from fixright.inventory.parse import parse_output

FORTI = sorted((SHOW / "fortinet/get_system_status").glob("*.raw")) if SHOW.is_dir() else []

FTD_SHOW_VERSION = """\
-------------------[ ftd-edge1 ]--------------------
Model                     : Cisco Firepower 2110 Threat Defense (77) Version 7.2.5 (Build 208)
UUID                      : 0f0e0d0c-0000-1111-2222-333344445555
LSP version               : lsp-rel-20230712-1621
VDB version               : 353
----------------------------------------------------

Cisco Adaptive Security Appliance Software Version 9.18(3)56
SSP Operating System Version 2.12(0.1104)

Compiled on Fri 14-Jul-23 20:51 GMT by builders
System image file is "disk0:/installables/switch/fxos-k8-fp2k-lfbff.2.12.0.1104.SPA"
Config file at boot was "startup-config"

ftd-edge1 up 41 days 20 hours
Start-up time 34 secs

Hardware:   FPR-2110, 6854 MB RAM, CPU MIPS 1200 MHz, 1 CPU (12 cores)

Serial Number: JAD98765XYZ
Configuration last modified by enable_1 at 05:42:12.616 UTC Fri May 1 2026
"""

AOSCX_SHOW_VERSION = """\
-----------------------------------------------------------------------------
ArubaOS-CX
(c) Copyright 2017-2023 Hewlett Packard Enterprise Development LP
-----------------------------------------------------------------------------
Version      : {version}
Build Date   : 2023-03-14 10:12:01 UTC
Build ID     : ArubaOS-CX:{version}:0123456789ab:202303141003
Build SHA    : 0123456789abcdef0123456789abcdef01234567
Hot Patches  :
Active Image : primary

Service OS Version : FL.01.12.0003
BIOS Version       : FL.01.0002
"""


def _expected(raw: Path) -> dict:
    return yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"][0]


@pytest.mark.parametrize("raw", FORTI, ids=lambda p: p.name)
def test_fortigate_get_system_status(raw: Path) -> None:
    (facts,) = parse_output(raw.read_text(encoding="utf-8"), source_name=raw.name)
    expected = _expected(raw)
    product, rest = expected["version"].split(" v", 1)
    release, build = rest.split(",")[:2]
    assert (facts.vendor, facts.os_family) == ("fortinet", "fortios")
    assert (facts.model, facts.version_text, facts.build) == (product, release, build.removeprefix("build"))
    assert (facts.serial, facts.hostname) == (expected["serial_number"], expected["hostname"].strip())
    assert facts.command == "get system status" and facts.read_by == "template"


def test_fortigate_60f_748() -> None:
    raw = SHOW / "fortinet/get_system_status/fortinet_get_system_status_7.4.8.raw"
    (facts,) = parse_output(f"FGT60F # get system status\n{raw.read_text()}\nFGT60F # ", source_name="a")
    assert (facts.model, facts.version_text, facts.build) == ("FortiGate-60F", "7.4.8", "2795")
    assert str(facts.version) == "7.4.8"


def test_panos_show_system_info() -> None:
    raw = SHOW / "paloalto_panos/show_system_info/paloalto_panos_show_system_info.raw"
    text = raw.read_text(encoding="utf-8")
    (facts,) = parse_output(f"admin@PA-220> show system info\n\n{text}\nadmin@PA-220> ", source_name="pa")
    expected = _expected(raw)
    assert (facts.vendor, facts.os_family) == ("paloalto", "panos")
    assert (facts.model, facts.version_text, facts.hostname) == (
        expected["model"], expected["os"], expected["hostname"])
    assert expected["serial"] == "unknown" and facts.serial == ""  # a VM without a serial


def test_fxos_show_system_firmware() -> None:
    raw = SHOW / "cisco_fxos/show_system_firmware/cisco_fxos_show_system_firmware.raw"
    (facts,) = parse_output(raw.read_text(encoding="utf-8"), source_name="fxos")
    assert (facts.vendor, facts.os_family, facts.version_text) == ("cisco", "fxos", _expected(raw)["version"])
    assert facts.serial == "" and facts.model == ""


def test_ftd_show_version() -> None:
    (facts,) = parse_output(f"> show version\n{FTD_SHOW_VERSION}\n> ", source_name="ftd")
    assert (facts.vendor, facts.os_family) == ("cisco", "ftd")
    assert (facts.model, facts.serial, facts.version_text, facts.build) == (
        "FPR-2110", "JAD98765XYZ", "7.2.5", "208")
    assert facts.hostname == "ftd-edge1"
    assert facts.image_file == "fxos-k8-fp2k-lfbff.2.12.0.1104.SPA"


def test_ftd_and_fxos_in_one_paste_keep_the_ftd_release() -> None:
    fxos = (SHOW / "cisco_fxos/show_system_firmware/cisco_fxos_show_system_firmware.raw").read_text()
    paste = f"> show version\n{FTD_SHOW_VERSION}\n> show system firmware\n{fxos}"
    (facts,) = parse_output(paste, source_name="ftd")
    assert (facts.os_family, facts.version_text, facts.serial) == ("ftd", "7.2.5", "JAD98765XYZ")


@pytest.mark.parametrize("raw", sorted((SHOW / "aruba_aoscx/show_system").glob("*.raw")) if FORTI else [],
                         ids=lambda p: p.name)
def test_aoscx_show_version_and_show_system(raw: Path) -> None:
    system = raw.read_text(encoding="utf-8")
    release = _expected(raw)["version"]
    paste = (f"sw1# show version\n{AOSCX_SHOW_VERSION.format(version=release)}\n"
             f"sw1# show system\n{system}\nsw1# ")
    (facts,) = parse_output(paste, source_name="cx")
    (alone,) = parse_output(system, source_name="cx")
    assert (facts.model, facts.serial, facts.version_text) == (alone.model, alone.serial, release)
    assert facts.command == "show version + show system"


def test_aoscx_show_version_alone_gives_the_release() -> None:
    (facts,) = parse_output(AOSCX_SHOW_VERSION.format(version="FL.10.11.1021"), source_name="cx")
    assert (facts.vendor, facts.os_family, facts.version_text) == ("aruba", "aoscx", "FL.10.11.1021")
    assert facts.serial == ""
