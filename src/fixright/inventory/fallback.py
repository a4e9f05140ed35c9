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

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from fixright.inventory.readers import (
    _CHASSIS_NAME,
    Reading,
    Unreadable,
    _basename,
    _unique_by_serial,
    inventory_family,
    ios_release,
)
from fixright.inventory.readers_fw import (
    UNLICENSED_VM_NOTE,
    forti_family,
    forti_serial,
    split_forti_version,
)
from fixright.inventory.readers_hpe import comware_devices

# What each kind of output is read for: an empty one of these is named in a warning.
_ESSENTIALS = {
    "version": ("model", "serial", "version_text", "hostname"),
    "inventory": ("model", "serial"),
    "software": ("version_text",),
}


@dataclass(frozen=True)
class _Spec:
    vendor: str
    os_family: str
    kind: str
    patterns: dict[str, tuple[str, ...]]  # field -> regexes, first group of the first match wins


def _first(patterns: tuple[str, ...], text: str) -> str:
    for pattern in patterns:
        match = re.search(pattern, text, re.MULTILINE)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return ""


_IMAGE = (r'^[ \t]*System image file is:?[ \t]*"?([^"\s]+)"?',)
_SPECS: dict[str, _Spec] = {
    "cisco_ios show version": _Spec(
        "cisco", "ios", "version",
        {
            "model": (r"^[Cc]isco (\S+) \(.*\) processor", r"^[Cc]isco (\S+) .*bytes of memory"),
            "serial": (r"^System [Ss]erial [Nn]umber[ \t]*:[ \t]*(\S+)", r"^Processor board ID (\S+)"),
            "hostname": (r"^(\S+) uptime is ",),
            "image_file": _IMAGE,
        },
    ),
    "cisco_asa show version": _Spec(
        "cisco", "asa", "version",
        {
            "version_text": (r"^Cisco Adaptive Security Appliance Software Version (\S+)",),
            "model": (r"^Hardware:[ \t]+([^,\n]+?)[ \t]*(?:,|$)",),
            "serial": (r"^Serial Number:[ \t]*(\S+)",),
            "hostname": (r"^(\S+) up \d",),
            "image_file": _IMAGE,
        },
    ),
    "cisco_nxos show version": _Spec(
        "cisco", "nxos", "version",
        {
            "version_text": (r"^[ \t]*(?:NXOS|system):[ \t]+version[ \t]+([^\s\[]+)",),
            "model": (r"^[ \t]*cisco (?:Nexus\s?\d+[ \t]+)?(\S+)[ \t]+\(?[Cc]hassis",),
            "serial": (r"^[ \t]*Processor [Bb]oard ID[ \t]+(\S+)",),
            "hostname": (r"^[ \t]*Device name:[ \t]*(\S+)",),
            "image_file": (r"^[ \t]*(?:NXOS|system) image file is:[ \t]*(\S+)",),
        },
    ),
    "cisco_xr show version": _Spec(
        "cisco", "iosxr", "version",
        {
            "version_text": (r"^[ \t]*Cisco IOS XR Software, Version[ \t]+([^\s\[]+)", r"^Version[ \t]*:[ \t]*(\S+)"),
            "model": (r"^cisco (.+?) \(.*\) processor", r"^cisco (\S+) .*Chassis"),
            "hostname": (r"^(?!System )(\S+) uptime is ",),
            "image_file": _IMAGE,
        },
    ),
    "juniper_junos show version": _Spec(
        "juniper", "junos", "version",
        {
            "version_text": (r"^[ \t]*Junos:[ \t]*(\S+)",
                             r"^JUNOS (?:Software Release|Base OS boot|EX[ \t]+Software Suite) \[([^\]]+)\]"),
            "model": (r"^[ \t]*Model:[ \t]*(\S+)",),
            "hostname": (r"^[ \t]*Hostname:[ \t]*(\S+)",),
        },
    ),
    "arista_eos show version": _Spec(
        "arista", "eos", "version",
        {
            "version_text": (r"^[ \t]*Software image version:[ \t]*(\S+)",),
            "model": (r"^[ \t]*Arista (\S+)",),
            "serial": (r"^[ \t]*Serial number:[ \t]*(\S+)",),
        },
    ),
    "aruba_aoscx show system": _Spec(
        "aruba", "aoscx", "version",
        {
            "version_text": (r"^[ \t]*(?:ArubaOS-CX|AOS-CX) Version[ \t]*:[ \t]*(\S+)",),
            "model": (r"^[ \t]*Product Name[ \t]*:[ \t]*(\S+)",),
            "serial": (r"^[ \t]*Chassis Serial Nbr[ \t]*:[ \t]*(\S+)",),
            "hostname": (r"^[ \t]*Hostname[ \t]*:[ \t]*(\S+)",),
        },
    ),
    "hp_procurve show system": _Spec(
        "hpe", "procurve", "version",
        {
            "version_text": (r"Software revision[ \t]*:[ \t]*(\S+)",),
            "serial": (r"Serial Number[ \t]*:[ \t]*(\S+)",),
            "hostname": (r"System Name[ \t]*:[ \t]*(\S+)",),
        },
    ),
    "paloalto_panos show system info": _Spec(
        "paloalto", "panos", "version",
        {
            "version_text": (r"^[ \t]*sw-version:[ \t]*(\S+)",),
            "model": (r"^[ \t]*model:[ \t]*(\S+)",),
            "serial": (r"^[ \t]*serial:[ \t]*((?!unknown\b)\S+)",),
            "hostname": (r"^[ \t]*hostname:[ \t]*(\S+)",),
        },
    ),
    # The ProCurve/ArubaOS-Switch banner: "Image stamp: /ws/..." then the release alone
    # on a line (WC.16.05.0007, K.15.06.0017, KB.16.10.0012).
    "hp_procurve show version": _Spec(
        "hpe", "procurve", "version",
        {"version_text": (r"^[ \t]+([A-Z]{1,2}\.\d{2}\.\d{2}\.\d{4})[ \t]*$",)},
    ),
    # ArubaOS controllers and APs: "ArubaOS (MODEL: 7210), Version 8.6.0.4".
    "aruba_os show version": _Spec(
        "aruba", "arubaos", "version",
        {
            "model": (r"^[ \t]*ArubaOS \(MODEL:[ \t]*([^)]*?)[ \t]*\)",),
            "version_text": (r"^[ \t]*ArubaOS \(MODEL:[^)]*\),[ \t]*Version[ \t]+(\S+)",),
        },
    ),
    "cisco_fxos show system firmware": _Spec(
        "cisco", "fxos", "software", {"version_text": (r"^[ \t]*Version:[ \t]*(\S+)",)}
    ),
}


def _all(patterns: tuple[str, ...], text: str) -> list[str]:
    for pattern in patterns:
        found = [v.strip() for v in re.findall(pattern, text, re.MULTILINE) if v.strip()]
        if found:
            return list(dict.fromkeys(found))
    return []


def _read_spec(spec: _Spec, text: str) -> list[Reading]:
    """One reading per serial number the text shows (stack members), sharing the other fields."""
    values = {field: _first(patterns, text) for field, patterns in spec.patterns.items()}
    if "image_file" in values:
        values["image_file"] = _basename(values["image_file"]) if values["image_file"] else ""
    base = Reading(
        kind=spec.kind,
        vendor=spec.vendor,
        os_family=spec.os_family,
        model=values.get("model", ""),
        serial=values.get("serial", ""),
        version_text=values.get("version_text", ""),
        hostname=values.get("hostname", ""),
        image_file=values.get("image_file", ""),
    )
    serials = _all(spec.patterns.get("serial", ()), text)
    return [replace(base, serial=serial) for serial in serials] or [base]


def _ios(text: str) -> list[Reading]:
    xe = re.search(r"IOS[ -]XE|IOSXE|X86_64_LINUX_IOSD", text) is not None
    version = ""
    if xe:
        version = _first((r"^Cisco IOS XE Software, Version[ \t]+(\S+)", r"^IOS XE Version:[ \t]*(\S+)"), text)
    return [
        replace(r, os_family="iosxe" if xe else "ios", version_text=version or ios_release(text))
        for r in _read_spec(_SPECS["cisco_ios show version"], text)
    ]


def _fortinet(text: str) -> list[Reading]:
    model, release, build = split_forti_version(_first((r"^Version[ \t]*:[ \t]*(.+)$",), text))
    model = model or _first((r"^Platform Type[ \t]*:[ \t]*(\S+)",), text)
    printed_serial = _first((r"^Serial-Number[ \t]*:[ \t]*(\S+)",), text)
    return [Reading(
        kind="version",
        vendor="fortinet",
        os_family=forti_family(model),
        model=model,
        serial=forti_serial(printed_serial),
        version_text=release,
        build=build,
        hostname=_first((r"^Hostname[ \t]*:[ \t]*(\S+)",), text),
        warnings=(UNLICENSED_VM_NOTE,) if printed_serial and not forti_serial(printed_serial) else (),
    )]


# "NAME: "Chassis", DESCR: "..."" + "PID: X , VID: V01 , SN: Y", and XR admin's "Name: Rack 0  Descr: ...".
_CISCO_INVENTORY_ITEM = re.compile(
    r'^\s*NAME:\s*"?(?P<name>[^",\n]*?)"?\s*,?\s+DESCR:[^\n]*\n\s*PID:\s*(?P<pid>[^,\n]*?)\s*,?\s*VID:'
    r"[^\n]*?SN:\s*(?P<sn>\S*)",
    re.MULTILINE | re.IGNORECASE,
)


def _cisco_inventory(os_family: str | None) -> Callable[[str], list[Reading]]:
    """Chassis lines of a Cisco `show inventory`; the family told by the text when None."""

    def read(text: str) -> list[Reading]:
        family = os_family or inventory_family(text)[1]
        readings = [
            Reading("inventory", "cisco", family, model=m["pid"].strip(), serial=m["sn"])
            for m in _CISCO_INVENTORY_ITEM.finditer(text)
            if _CHASSIS_NAME.search(m["name"].strip()) and m["sn"] not in ("", "N/A")
        ]
        return _unique_by_serial(readings)

    return read


def _eos_inventory(text: str) -> list[Reading]:
    # "System information" / " DCS-7150S-52-CL 52-port ..." / " 02.00 JPE13120702 2013-03-27"
    match = re.search(r"^System information[ \t]*\n(?:[ \t]*Model.*\n[ \t-]*\n)?[ \t]*(\S+)[^\n]*\n"
                      r"(?:[ \t]*HW Version.*\n[ \t-]*\n)?[ \t]*\S+[ \t]+(\S+)", text, re.MULTILINE)
    if match is None:
        return []
    return [Reading("inventory", "arista", "eos", model=match.group(1), serial=match.group(2))]


# A block header ("Chassis self", " Slot 1", "Fan 1") and its " KEY : value" lines.
_MANUINFO_FIELD = re.compile(r"^[ \t]*([A-Z][A-Z_]+)[ \t]*:[ \t]*(.*?)[ \t]*$")


def _comware_manuinfo(text: str) -> list[Reading]:
    blocks: list[dict[str, str]] = []
    for line in text.splitlines():
        field = _MANUINFO_FIELD.match(line)
        if field:
            if not blocks:  # a one-board device prints its fields without a header
                blocks.append({"slot_type": ""})
            blocks[-1][field.group(1).lower()] = field.group(2)
        elif line.strip():
            blocks.append({"slot_type": line.split()[0]})
    try:
        return comware_devices(blocks)
    except Unreadable:
        return []


def _arubaos_inventory(text: str) -> list[Reading]:
    model = _first((r"^[ \t]*SC Model#[ \t]*:[ \t]*(\S+)",), text)
    serial = _first((r"^[ \t]*System Serial#[ \t]*:[ \t]*(\S+)",), text)
    return [Reading("inventory", "aruba", "arubaos", model=model, serial=serial)]


_READERS: dict[str, Callable[[str], list[Reading]]] = {
    **{key: functools.partial(_read_spec, spec) for key, spec in _SPECS.items()},
    "cisco_ios show version": _ios,
    "fortinet get system status": _fortinet,
    "arista_eos show inventory": _eos_inventory,
    "aruba_os show inventory": _arubaos_inventory,
    "hp_comware display device manuinfo": _comware_manuinfo,
    "cisco_inventory show inventory": _cisco_inventory(None),
    "cisco_xr admin show inventory": _cisco_inventory("iosxr"),
}


def has_fallback(key: str) -> bool:
    """True if the output `key` ("<platform> <command>") has a tolerant reader."""
    return key in _READERS


def read_fallback(key: str, text: str, reason: str) -> list[Reading]:
    """The essentials of output `key`, each reading marked "fallback" with its warnings.

    `reason` says why the template did not read it. Returns [] when not even
    a release, a serial number or a model is found: then the text is not read at all.
    """
    result = []
    for reading in _READERS[key](text):
        if not (reading.version_text or reading.serial or reading.model):
            continue
        missing = [f for f in _ESSENTIALS[reading.kind] if not getattr(reading, f)]
        warnings = [f"read by the fallback reader: {reason}"]
        warnings += [f"no {f.replace('_text', '').replace('_', ' ')} found" for f in missing]
        warnings += list(reading.warnings)
        result.append(replace(reading, read_by="fallback", warnings=tuple(warnings)))
    return result
