"""Readers of firewall outputs: Fortinet, Palo Alto PAN-OS, Cisco FTD and FXOS.

PURE, like `readers`: command text -> `Reading`s. ntc-templates has templates
for FortiOS `get system status`, PAN-OS `show system info` and FXOS `show
system firmware`; it has none for FTD `show version`, read here from its
banner lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fixright.inventory.readers import (
    Reading,
    Unreadable,
    _basename,
    _one_device,
    _records,
    _require,
    _s,
    _search,
)

# "FortiGate-60F v7.4.8,build2795,250523 (GA.M)"; FortiManager/FortiAnalyzer print
# "v7.0.5-build0365 220606 (GA)" with the product on a "Platform Type" line.
_FORTI_VERSION = re.compile(
    r"^(?:(?P<model>\S+)\s+)?v(?P<release>\d+(?:\.\d+)+)[,-]\s*build\s*(?P<build>\d+)", re.IGNORECASE
)
# Product name prefix -> (os_family, vendor). Ordered: longest prefixes first where they overlap.
_FORTI_FAMILIES: tuple[tuple[str, str], ...] = (
    ("fortigate", "fortios"),
    ("fortiwifi", "fortios"),
    ("fgt", "fortios"),
    ("fortiswitch", "fortiswitch"),
    ("fortiap", "fortiap"),
    ("fortiproxy", "fortiproxy"),
    ("fortiadc", "fortiadc"),
    ("fortimanager", "fortimanager"),
    ("fmg", "fortimanager"),
    ("fortianalyzer", "fortianalyzer"),
    ("faz", "fortianalyzer"),
)


def forti_family(product: str) -> str:
    """The os_family of a Fortinet product name ("FortiGate-60F" -> "fortios"); "fortios" if unknown."""
    name = product.strip().lower()
    return next((family for prefix, family in _FORTI_FAMILIES if name.startswith(prefix)), "fortios")


# What every unlicensed FortiGate-VM prints as its serial number: shared by all of them,
# so it names no box (an import would otherwise make all such VMs one device).
_UNLICENSED_VM_SERIAL = "FGVM00UNLICENSED"
UNLICENSED_VM_NOTE = f"serial {_UNLICENSED_VM_SERIAL} is what every unlicensed FortiGate-VM prints, not a serial number"


def forti_serial(value: str) -> str:
    """The serial number printed, or "" for the placeholder of an unlicensed FortiGate-VM."""
    value = value.strip()
    return "" if value.upper() == _UNLICENSED_VM_SERIAL else value


def split_forti_version(line: str) -> tuple[str, str, str]:
    """(model, release, build) of a FortiOS "Version:" value; "" where absent."""
    match = _FORTI_VERSION.match(line.strip())
    if not match:
        return "", "", ""
    return match.group("model") or "", match.group("release"), match.group("build")


def read_fortinet_status(text: str) -> list[Reading]:
    _one_device(text, r"^Version\s*:\s", "'get system status'")
    # The template records nothing when a line it requires (Hostname) is missing, as in
    # a capture cut short: the vendor's own "Version:" and "Serial-Number:" lines still
    # say what they say, so a missing field is named rather than all of them.
    record = (_records("fortinet_get_system_status", text) or [{}])[0]
    version_line = _s(record.get("version")) or _search(r"^Version\s*:[ \t]*(.+)$", text)
    model, release, build = split_forti_version(version_line)
    model = model or _search(r"^Platform Type\s*:\s*(\S+)", text)
    printed_serial = _s(record.get("serial_number")) or _search(r"^Serial-Number\s*:[ \t]*(\S+)", text)
    unlicensed = bool(printed_serial) and not forti_serial(printed_serial)
    reading = Reading(
        kind="version",
        vendor="fortinet",
        os_family=forti_family(model),
        model=model,
        serial=forti_serial(printed_serial),
        version_text=release,
        build=build,
        hostname=_s(record.get("hostname")) or _search(r"^Hostname\s*:[ \t]*(\S+)", text),
        uptime=_s(record.get("cluster_uptime")),
        warnings=(UNLICENSED_VM_NOTE,) if unlicensed else (),
    )
    if unlicensed:  # printed, just not a serial number: not a truncated output
        return [_require(reading, "version_text", "model")]
    return [_require(reading, "version_text", "model", "serial")]


def _known(value: str) -> str:
    """PAN-OS prints "unknown" for what a VM does not have (its serial, say): that is no value."""
    return "" if value.lower() in ("unknown", "none", "") else value


def read_panos_system_info(text: str) -> list[Reading]:
    _one_device(text, r"^sw-version:", "'show system info'")
    record = (_records("paloalto_panos_show_system_info", text) or [{}])[0]
    reading = Reading(
        kind="version",
        vendor="paloalto",
        os_family="panos",
        model=_known(_s(record.get("model"))),
        serial=_known(_s(record.get("serial"))),
        version_text=_s(record.get("os")),
        hostname=_s(record.get("hostname")),
        uptime=_s(record.get("uptime")),
    )
    return [_require(reading, "version_text", "model")]


_FTD_MODEL = re.compile(
    r"^Model\s*:\s*(?P<product>Cisco .*?Threat Defense[^(\n]*?)\s*(?:\(\d+\)\s*)?"
    r"Version\s+(?P<release>\d+(?:\.\d+)+)(?:\s+\(Build\s+(?P<build>\d+)\))?",
    re.MULTILINE,
)


def read_ftd_version(text: str) -> list[Reading]:
    """FTD `show version`: the Threat Defense release from the banner, the PID from "Hardware:"."""
    _one_device(text, r"^Model\s*:\s*Cisco .*Threat Defense", "'show version'")
    match = _FTD_MODEL.search(text)
    if match is None:
        raise Unreadable("no 'Model : Cisco ... Threat Defense ... Version' line")
    hardware = _search(r"^Hardware:\s+([^,\n]+)", text)
    reading = Reading(
        kind="version",
        vendor="cisco",
        os_family="ftd",
        model=hardware or match.group("product").removeprefix("Cisco ").strip(),
        serial=_search(r"^Serial Number:\s*(\S+)", text),
        version_text=match.group("release"),
        build=match.group("build") or "",
        hostname=_search(r"^-+\[\s*(\S+?)\s*\]-+", text),
        image_file=_basename(_search(r'^System image file is "([^"]+)"', text)),
        uptime=_search(r"^\S+ up (\d.*?)\s*$", text),
    )
    return [_require(reading, "version_text", "model")]


def read_fxos_firmware(text: str) -> list[Reading]:
    """FXOS `show system firmware`: the running chassis (FXOS) release, nothing about the hardware."""
    record = (_records("cisco_fxos_show_system_firmware", text) or [{}])[0]
    reading = Reading(
        kind="software", vendor="cisco", os_family="fxos", version_text=_s(record.get("version"))
    )
    return [_require(reading, "version_text")]


READERS: dict[str, Callable[[str], list[Reading]]] = {
    "fortinet get system status": read_fortinet_status,
    "paloalto_panos show system info": read_panos_system_info,
    "cisco_ftd show version": read_ftd_version,
    "cisco_fxos show system firmware": read_fxos_firmware,
}
