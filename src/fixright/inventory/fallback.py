"""Tolerant readers for when an ntc-templates template rejects a whole output. PURE.

A template with an `Error` rule refuses the entire text for one line it does
not know (an ASA licence row, `SSP Slot Number: 1`, a line a new release
added). Losing the device for that is worse than reading less of it, so these
readers take only the essentials (model, serial, release, hostname, image
file) from each vendor's well-known lines. A field they cannot find stays
empty and is named in a warning; nothing is guessed. Their readings are
marked `read_by="fallback"`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from fixright.inventory.readers import (
    _CHASSIS_NAME,
    Reading,
    _basename,
    _unique_by_serial,
    ios_release,
)
from fixright.inventory.readers_fw import forti_family, split_forti_version

_FIELDS = ("model", "serial", "version_text", "hostname", "image_file")


@dataclass(frozen=True)
class _Spec:
    vendor: str
    os_family: str
    kind: str
    patterns: dict[str, tuple[str, ...]]  # field -> regexes, first group of the first match wins
    expected: tuple[str, ...]  # fields this output normally shows: warn when one is missing


def _first(patterns: tuple[str, ...], text: str) -> str:
    for pattern in patterns:
        match = re.search(pattern, text, re.MULTILINE)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return ""


_IMAGE = (r'^\s*System image file is:?\s*"?([^"\s]+)"?',)
_SPECS: dict[str, _Spec] = {
    "cisco_ios show version": _Spec(
        "cisco", "ios", "version",
        {
            "model": (r"^[Cc]isco (\S+) \(.*\) processor", r"^[Cc]isco (\S+) .*bytes of memory"),
            "serial": (r"^System [Ss]erial [Nn]umber\s*:\s*(\S+)", r"^Processor board ID (\S+)"),
            "hostname": (r"^(\S+) uptime is ",),
            "image_file": _IMAGE,
        },
        ("model", "serial", "version_text", "hostname"),
    ),
    "cisco_asa show version": _Spec(
        "cisco", "asa", "version",
        {
            "version_text": (r"^Cisco Adaptive Security Appliance Software Version (\S+)",),
            "model": (r"^Hardware:\s+([^,\n]+?)\s*(?:,|$)",),
            "serial": (r"^Serial Number:\s*(\S+)",),
            "hostname": (r"^(\S+) up \d",),
            "image_file": _IMAGE,
        },
        ("model", "version_text", "hostname"),
    ),
    "cisco_nxos show version": _Spec(
        "cisco", "nxos", "version",
        {
            "version_text": (r"^\s*(?:NXOS|system):\s+version\s+([^\s\[]+)",),
            "model": (r"^\s*cisco (?:Nexus\s?\d+\s+)?(\S+)\s+\(?[Cc]hassis",),
            "serial": (r"^\s*Processor [Bb]oard ID\s+(\S+)",),
            "hostname": (r"^\s*Device name:\s*(\S+)",),
            "image_file": (r"^\s*(?:NXOS|system) image file is:\s*(\S+)",),
        },
        ("model", "serial", "version_text", "hostname"),
    ),
    "cisco_xr show version": _Spec(
        "cisco", "iosxr", "version",
        {
            "version_text": (r"^\s*Cisco IOS XR Software, Version\s+([^\s\[]+)", r"^Version\s*:\s*(\S+)"),
            "model": (r"^cisco (.+?) \(.*\) processor", r"^cisco (\S+) .*Chassis"),
            "hostname": (r"^(\S+) uptime is ",),
            "image_file": _IMAGE,
        },
        ("model", "version_text"),
    ),
    "juniper_junos show version": _Spec(
        "juniper", "junos", "version",
        {
            "version_text": (r"^\s*Junos:\s*(\S+)", r"^\s*JUNOS [\w ]*?(?:Software|Base OS boot)[\w ]*\[([^\]]+)\]"),
            "model": (r"^\s*Model:\s*(\S+)",),
            "hostname": (r"^\s*Hostname:\s*(\S+)",),
        },
        ("model", "version_text", "hostname"),
    ),
    "arista_eos show version": _Spec(
        "arista", "eos", "version",
        {
            "version_text": (r"^\s*Software image version:\s*(\S+)",),
            "model": (r"^\s*Arista (\S+)",),
            "serial": (r"^\s*Serial number:\s*(\S+)",),
        },
        ("model", "serial", "version_text"),
    ),
    "aruba_aoscx show system": _Spec(
        "aruba", "aoscx", "version",
        {
            "version_text": (r"^\s*(?:ArubaOS-CX|AOS-CX) Version\s*:\s*(\S+)",),
            "model": (r"^\s*Product Name\s*:\s*(\S+)",),
            "serial": (r"^\s*Chassis Serial Nbr\s*:\s*(\S+)",),
            "hostname": (r"^\s*Hostname\s*:\s*(\S+)",),
        },
        ("model", "serial", "version_text", "hostname"),
    ),
    "hp_procurve show system": _Spec(
        "hpe", "procurve", "version",
        {
            "version_text": (r"Software revision\s*:\s*(\S+)",),
            "serial": (r"Serial Number\s*:\s*(\S+)",),
            "hostname": (r"System Name\s*:\s*(\S+)",),
        },
        ("serial", "version_text"),
    ),
    "paloalto_panos show system info": _Spec(
        "paloalto", "panos", "version",
        {
            "version_text": (r"^\s*sw-version:\s*(\S+)",),
            "model": (r"^\s*model:\s*(\S+)",),
            "serial": (r"^\s*serial:\s*((?!unknown\b)\S+)",),
            "hostname": (r"^\s*hostname:\s*(\S+)",),
        },
        ("model", "serial", "version_text", "hostname"),
    ),
    "cisco_fxos show system firmware": _Spec(
        "cisco", "fxos", "software", {"version_text": (r"^\s*Version:\s*(\S+)",)}, ("version_text",)
    ),
}


def _read_spec(spec: _Spec, text: str) -> Reading:
    values = {field: _first(patterns, text) for field, patterns in spec.patterns.items()}
    if "image_file" in values:
        values["image_file"] = _basename(values["image_file"]) if values["image_file"] else ""
    return Reading(kind=spec.kind, vendor=spec.vendor, os_family=spec.os_family, **values)


def _ios(text: str) -> Reading:
    reading = _read_spec(_SPECS["cisco_ios show version"], text)
    xe = re.search(r"IOS[ -]XE|IOSXE|X86_64_LINUX_IOSD", text) is not None
    version = ""
    if xe:
        version = _first((r"^Cisco IOS XE Software, Version\s+(\S+)", r"^IOS XE Version:\s*(\S+)"), text)
    return replace(reading, os_family="iosxe" if xe else "ios", version_text=version or ios_release(text))


def _fortinet(text: str) -> Reading:
    model, release, build = split_forti_version(_first((r"^Version:\s*(.+)$",), text))
    model = model or _first((r"^Platform Type\s*:\s*(\S+)",), text)
    return Reading(
        kind="version",
        vendor="fortinet",
        os_family=forti_family(model),
        model=model,
        serial=_first((r"^Serial-Number:\s*(\S+)",), text),
        version_text=release,
        build=build,
        hostname=_first((r"^Hostname:\s*(\S+)",), text),
    )


# "NAME: "Chassis", DESCR: "..."" + "PID: X , VID: V01 , SN: Y", and XR admin's "Name: Rack 0  Descr: ...".
_CISCO_INVENTORY_ITEM = re.compile(
    r'^\s*NAME:\s*"?(?P<name>[^",\n]*?)"?\s*,?\s+DESCR:[^\n]*\n\s*PID:\s*(?P<pid>[^,\n]*?)\s*,?\s*VID:'
    r"[^\n]*?SN:\s*(?P<sn>\S*)",
    re.MULTILINE | re.IGNORECASE,
)


def _cisco_inventory(os_family: str) -> Callable[[str], list[Reading]]:
    def read(text: str) -> list[Reading]:
        readings = [
            Reading("inventory", "cisco", os_family, model=m["pid"].strip(), serial=m["sn"])
            for m in _CISCO_INVENTORY_ITEM.finditer(text)
            if _CHASSIS_NAME.search(m["name"].strip()) and m["sn"] not in ("", "N/A")
        ]
        return _unique_by_serial(readings)

    return read


_EXPECTED = {"cisco_ios show version": _SPECS["cisco_ios show version"].expected,
             "fortinet get system status": ("model", "serial", "version_text", "hostname")}
_READERS: dict[str, Callable[[str], list[Reading]]] = {
    **{key: (lambda text, spec=spec: [_read_spec(spec, text)]) for key, spec in _SPECS.items()},
    "cisco_ios show version": lambda text: [_ios(text)],
    "fortinet get system status": lambda text: [_fortinet(text)],
    "cisco_inventory show inventory": _cisco_inventory("ios"),
    "cisco_xr admin show inventory": _cisco_inventory("iosxr"),
}


def has_fallback(key: str) -> bool:
    """True if the output `key` ("<platform> <command>") has a tolerant reader."""
    return key in _READERS


def read_fallback(key: str, text: str, reason: str) -> list[Reading]:
    """The essentials of output `key`, each reading marked "fallback" with its warnings.

    `reason` says why the template did not read it. Returns [] when not even
    a release or a serial number is found: then the text is not read at all.
    """
    expected = _EXPECTED.get(key) or (_SPECS[key].expected if key in _SPECS else ("model", "serial"))
    result = []
    for reading in _READERS[key](text):
        if not (reading.version_text or reading.serial):
            continue
        missing = [f for f in expected if f in _FIELDS and not getattr(reading, f)]
        warnings = [f"read by the fallback reader: {reason}"]
        warnings += [f"no {f.replace('_text', '').replace('_', ' ')} found" for f in missing]
        result.append(replace(reading, read_by="fallback", warnings=tuple(warnings)))
    return result
