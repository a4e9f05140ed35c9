"""Historical IOS `show version` forms: the release comes from the system software line.

The texts are built here line by line in the shapes IOS 10.x-12.x printed (no real
capture of these releases is in shared data); each case says which line must win.
"""

from __future__ import annotations

import pytest

from fixright.inventory.parse import parse_output
from fixright.inventory.readers import ios_release
from fixright.versions import parse as parse_version


def _show_version(system_line: str, rom_lines: list[str], image: str) -> str:
    return "\n".join([
        "Cisco Internetwork Operating System Software ",
        system_line,
        "TAC Support: http://www.cisco.com/tac",
        "Copyright (c) 1986-2001 by cisco Systems, Inc.",
        "Compiled Wed 11-Jul-01 11:52 by ccai",
        "Image text-base: 0x80008088, data-base: 0x80D3A5B8",
        "",
        *rom_lines,
        "",
        "r-old uptime is 1 week, 2 days, 3 hours, 4 minutes",
        "System returned to ROM by power-on",
        f'System image file is "flash:{image}"',
        "",
        "cisco 2610 (MPC860) processor (revision 0x203) with 26624K/6144K bytes of memory.",
        "Processor board ID JAB03060AX0 (1841736386)",
        "M860 processor: part number 0, mask 49",
        "32K bytes of non-volatile configuration memory.",
        "8192K bytes of processor board System flash (Read/Write)",
        "",
        "Configuration register is 0x2102",
        "",
    ])


CASES = [
    # (system software line, ROM/boot lines, image, release)
    ("IOS (tm) C2600 Software (C2600-IS-M), Version 12.2(2)XA1, EARLY DEPLOYMENT RELEASE SOFTWARE (fc1)",
     ["ROM: System Bootstrap, Version 11.3(2)XA4, RELEASE SOFTWARE (fc1)"], "c2600-is-mz.122-2.XA1.bin",
     "12.2(2)XA1"),
    ("IOS (tm) 3600 Software (C3640-IS-M), Version 12.0(7)T,  RELEASE SOFTWARE (fc2)",
     ["ROM: System Bootstrap, Version 11.1(20)AA2, EARLY DEPLOYMENT RELEASE SOFTWARE (fc1)",
      "BOOTFLASH: 3600 Software (C3640-BOOT-M), Version 11.0(10c)XB1, PLATFORM SPECIFIC RELEASE SOFTWARE (fc1)"],
     "c3640-is-mz.120-7.T", "12.0(7)T"),
    ("IOS (tm) 2500 Software (C2500-JS-L), Version 11.2(17), RELEASE SOFTWARE (fc1)",
     ["ROM: System Bootstrap, Version 11.0(10c), SOFTWARE",
      "BOOTFLASH: 3000 Bootstrap Software (IGS-BOOT-R), Version 11.0(10c), RELEASE SOFTWARE (fc1)"],
     "c2500-js-l.112-17", "11.2(17)"),
    ("IOS (tm) 7200 Software (C7200-JS-M), Version 12.2(4)XB1, EARLY DEPLOYMENT RELEASE SOFTWARE (fc1)",
     ["ROM: System Bootstrap, Version 12.0(1)XE, PLATFORM SPECIFIC RELEASE SOFTWARE (fc1)"],
     "c7200-js-mz.122-4.XB1", "12.2(4)XB1"),
    ("IOS (tm) s72033_rp Software (s72033_rp-ADVIPSERVICESK9_WAN-M), Version 12.2(33)SXH8, RELEASE SOFTWARE (fc1)",
     ["ROM: System Bootstrap, Version 12.2(17r)SX7, RELEASE SOFTWARE (fc1)"],
     "s72033-advipservicesk9_wan-mz.122-33.SXH8.bin", "12.2(33)SXH8"),
    ("Cisco IOS Software, 1841 Software (C1841-ADVIPSERVICESK9-M), Version 12.4(24)T8, RELEASE SOFTWARE (fc1)",
     ["ROM: System Bootstrap, Version 12.4(13r)T, RELEASE SOFTWARE (fc1)"],
     "c1841-advipservicesk9-mz.124-24.T8.bin", "12.4(24)T8"),
    ("IOS (tm) C2950 Software (C2950-I6Q4L2-M), Version 12.1(22)EA14, RELEASE SOFTWARE (fc1)",
     ["ROM: Bootstrap program is CALHOUN boot loader"], "c2950-i6q4l2-mz.121-22.EA14.bin",
     "12.1(22)EA14"),
]


@pytest.mark.parametrize(("system", "rom", "image", "release"), CASES, ids=[c[3] for c in CASES])
def test_release_from_the_system_line(system: str, rom: list[str], image: str, release: str) -> None:
    text = _show_version(system, rom, image)
    (facts,) = parse_output(text, source_name="old.txt")
    assert facts.version_text == release
    assert facts.version == parse_version("ios", release)
    assert facts.os_family == "ios"
    assert (facts.serial, facts.model, facts.image_file) == ("JAB03060AX0", "2610", image)
    assert facts.read_by == "template"


@pytest.mark.parametrize(
    ("line", "release"),
    [("IOS (tm) C2600 Software (C2600-IS-M), Version 12.2(2)XA1, EARLY DEPLOYMENT RELEASE SOFTWARE (fc1)",
      "12.2(2)XA1"),
     ("Cisco IOS Software, C3750E Software (C3750E-UNIVERSALK9-M), Version 15.0(2)SE11, RELEASE SOFTWARE (fc3)",
      "15.0(2)SE11"),
     ("IOS (tm) 7000 Software (C7000-JS-M), Version 11.0(10c)XB1, PLATFORM SPECIFIC RELEASE SOFTWARE (fc1)",
      "11.0(10c)XB1"),
     ("BOOTFLASH: 7000 Software (C7000-BOOT-M), Version 11.0(10c)XB1, PLATFORM SPECIFIC RELEASE SOFTWARE", ""),
     ("ROM: System Bootstrap, Version 12.2(8r) [cmong 8r], RELEASE SOFTWARE (fc1)", "")],
)
def test_ios_release_line(line: str, release: str) -> None:
    assert ios_release(line) == release
