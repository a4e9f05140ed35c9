"""Tell which device platform and command printed a text, and cut it into sections.

PURE. `clean` has already taken the prompts out and cut the capture at each
echoed command; within one part, each known output has a signature line and
the part is cut before the first signature line of each further command (a
paste of `show version` and `show inventory` without prompts).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from netutils import lib_mapper

# Our parser keys follow netmiko / ntc-templates names. Any network-driver name netutils'
# lib_mapper knows (NAPALM, Ansible, pyATS, scrapli, Nornir...) is mapped through its
# normalised name to netmiko's, then here to a key; these aliases cover what it lacks.
PLATFORM_ALIASES = {
    "cisco_xe": "cisco_ios",
    "ios": "cisco_ios",
    "iosxe": "cisco_ios",
    "nxos": "cisco_nxos",
    "asa": "cisco_asa",
    "ftd": "cisco_ftd",
    "fxos": "cisco_fxos",
    "firepower": "cisco_ftd",
    "iosxr": "cisco_xr",
    "xr": "cisco_xr",
    "junos": "juniper_junos",
    "juniper": "juniper_junos",
    "eos": "arista_eos",
    "aruba_procurve": "hp_procurve",
    "aruba_osswitch": "hp_procurve",
    "procurve": "hp_procurve",
    "aoscx": "aruba_aoscx",
    "aruba_os_cx": "aruba_aoscx",
    "arubaos": "aruba_os",
    "comware": "hp_comware",
    "h3c_comware": "hp_comware",
    "fortios": "fortinet",
    "fortigate": "fortinet",
    "panos": "paloalto_panos",
    "paloalto": "paloalto_panos",
}
PLATFORMS = (
    "cisco_ios",
    "cisco_nxos",
    "cisco_asa",
    "cisco_ftd",
    "cisco_fxos",
    "cisco_xr",
    "juniper_junos",
    "arista_eos",
    "hp_procurve",
    "aruba_aoscx",
    "aruba_os",
    "hp_comware",
    "fortinet",
    "paloalto_panos",
)
# Connection-method suffixes netmiko and pyntc add to a platform name.
_SUFFIXES = ("_ssh", "_telnet", "_serial", "_netconf", "_nxapi", "_eapi", "_api")
CISCO_INVENTORY = "cisco_inventory"  # one signature, the family is worked out later


@dataclass(frozen=True)
class Signature:
    key: str  # reader key: "<platform> <command>"
    platforms: tuple[str, ...]  # explicit --platform values this output may come from
    command: str
    pattern: re.Pattern[str]
    needles: tuple[str, ...] = ()  # the pattern can only match a text holding one of these


def _sig(key: str, platforms: tuple[str, ...], command: str, regex: str, flags: int = 0) -> Signature:
    return Signature(key, platforms, command, re.compile(regex, re.MULTILINE | flags))


# Order matters only where one output could match two patterns (XR before IOS).
SIGNATURES: tuple[Signature, ...] = (
    _sig("cisco_xr show version", ("cisco_xr",), "show version", r"^[ \t]*Cisco IOS XR Software"),
    _sig(
        "cisco_nxos show version",
        ("cisco_nxos",),
        "show version",
        r"^[ \t]*Cisco Nexus Operating System|^[ \t]*(?:NXOS|kickstart|system):\s+version\s",
    ),
    _sig(
        "cisco_ftd show version",
        ("cisco_ftd", "cisco_asa"),
        "show version",
        r"^Model\s*:\s*Cisco [^\n]*Threat Defense",
    ),
    _sig(
        "cisco_asa show version",
        ("cisco_asa",),
        "show version",
        r"^[ \t]*Cisco Adaptive Security Appliance Software Version",
    ),
    _sig(
        "cisco_ios show version",
        ("cisco_ios",),
        "show version",
        r"^[ \t]*(?:Cisco IOS(?: XE)? Software|IOS \(tm\)|Cisco Internetwork Operating System Software)",
    ),
    _sig(
        "arista_eos show version",
        ("arista_eos",),
        "show version",
        r"^[ \t]*Software image version:|^Arista [\w-]+[ \t]*\r?\n[ \t]*Hardware version:",
    ),
    _sig(
        "juniper_junos show version",
        ("juniper_junos",),
        "show version",
        r"^[ \t]*Hostname:[ \t]*\S+[ \t]*\r?\n[ \t]*Model:[ \t]*\S+",
    ),
    _sig(
        "juniper_junos show chassis hardware",
        ("juniper_junos",),
        "show chassis hardware",
        r"^[ \t]*Hardware inventory:\s*$",
    ),
    _sig(
        "aruba_aoscx show version",
        ("aruba_aoscx",),
        "show version",
        r"^[ \t]*(?:ArubaOS-CX|AOS-CX)[ \t]*\r?\n[ \t]*\(c\) Copyright",
    ),
    _sig(
        "fortinet get system status",
        ("fortinet",),
        "get system status",
        r"^Version[ \t]*:[ \t]*(?:(?:Forti\w+|F[A-Z]{2}[\w-]*)-?\S*[ \t]+v\d|v\d+\.\d+\S*-build)",
    ),
    _sig(
        "paloalto_panos show system info",
        ("paloalto_panos",),
        "show system info",
        r"^sw-version:[ \t]*\d",
    ),
    _sig(
        "cisco_fxos show system firmware",
        ("cisco_fxos", "cisco_ftd"),
        "show system firmware",
        r"^[ \t]*Version:[ \t]*\S+[ \t]*\r?\n[ \t]*Startup-Vers:",
    ),
    _sig(
        "cisco_xr admin show inventory",
        ("cisco_xr",),
        "admin show inventory",
        r"^[ \t]*Name:[ \t]+\S[^\n]*?[ \t]Descr:[ \t]",
    ),
    _sig(
        "aruba_aoscx show system",
        ("aruba_aoscx",),
        "show system",
        r"^[ \t]*(?:ArubaOS-CX|AOS-CX) Version\s*:",
    ),
    _sig(
        "hp_procurve show system",
        ("hp_procurve",),
        "show system",
        r"Status and Counters - General System Information|^[ \t]*Software revision\s*:",
    ),
    _sig("hp_procurve show version", ("hp_procurve", "aruba_os"), "show version", r"^[ \t]*Image stamp:"),
    _sig("aruba_os show version", ("aruba_os",), "show version", r"^[ \t]*ArubaOS \(MODEL:"),
    _sig(
        "aruba_os show inventory",
        ("aruba_os",),
        "show inventory",
        r"^[ \t]*SC Model#|^[ \t]*System Serial#",
    ),
    _sig(
        "hp_comware display device manuinfo",
        ("hp_comware",),
        "display device manuinfo",
        r"^[ \t]*DEVICE_(?:SERIAL_NUMBER|NAME)\s*:",
    ),
    _sig(
        "arista_eos show inventory",
        ("arista_eos",),
        "show inventory",
        r"^System information\s*$|^[ \t]*System has \d+ power supply slots",
    ),
    _sig(
        f"{CISCO_INVENTORY} show inventory",
        ("cisco_ios", "cisco_nxos", "cisco_asa", "cisco_xr"),
        "show inventory",
        r'^[ \t]*NAME:\s*"?[^\n]*?,\s+DESCR:',
        re.IGNORECASE,
    ),
)

# Plain substrings every match of a signature contains: a text without any of them is
# not searched with the (slower, multi-line) pattern.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "cisco_xr show version": ("IOS XR Software",),
    "cisco_nxos show version": ("Nexus Operating System", "NXOS:", "kickstart:", "system:"),
    "cisco_ftd show version": ("Threat Defense",),
    "cisco_asa show version": ("Adaptive Security Appliance Software Version",),
    "cisco_ios show version": ("IOS", "Internetwork Operating System"),
    "arista_eos show version": ("Software image version:", "Hardware version:"),
    "juniper_junos show version": ("Hostname:",),
    "juniper_junos show chassis hardware": ("Hardware inventory:",),
    "aruba_aoscx show version": ("ArubaOS-CX", "AOS-CX"),
    # FortiADC and FortiOS 7.6 align the value ("Version:        FortiADC-420F v7.6.7").
    "fortinet get system status": ("Version:", "Version "),
    "paloalto_panos show system info": ("sw-version:",),
    "cisco_fxos show system firmware": ("Startup-Vers:",),
    "cisco_xr admin show inventory": ("Descr:",),
    "aruba_aoscx show system": ("CX Version",),
    "hp_procurve show system": ("General System Information", "Software revision"),
    "hp_procurve show version": ("Image stamp:",),
    "aruba_os show version": ("ArubaOS (MODEL:",),
    "aruba_os show inventory": ("SC Model#", "System Serial#"),
    "hp_comware display device manuinfo": ("DEVICE_",),
    "arista_eos show inventory": ("System information", "power supply slots"),
    f"{CISCO_INVENTORY} show inventory": ("DESCR:", "Descr:", "descr:"),
}
SIGNATURES = tuple(replace(sig, needles=_NEEDLES[sig.key]) for sig in SIGNATURES)

# Lines only a configuration listing has.
_SHOW_RUN = re.compile(
    r"^(?:Building configuration\.\.\.|Current configuration\s*:|!\s*Last configuration change|"
    r"#\s*sysname\s|set version \S+|## Last commit:)",
    re.MULTILINE,
)
_CONFIG_LINES = re.compile(r"^(?:hostname \S+|interface \S+|router \S+|line vty)", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def _driver_names() -> dict[str, str]:
    """Every driver name netutils knows (lower-case) -> netmiko's name for that platform."""
    netmiko = lib_mapper.NETMIKO_LIB_MAPPER_REVERSE
    names: dict[str, str] = {}
    # netmiko's and ntc-templates' own spellings first: where libraries disagree, they win.
    order = ["netmiko", "ntc_templates"] + sorted(lib_mapper.NAME_TO_LIB_MAPPER)
    for library in order:
        for name, normalised in lib_mapper.NAME_TO_LIB_MAPPER[library].items():
            names.setdefault(name.lower(), netmiko.get(normalised, normalised))
    return names


def canonical_platform(name: str) -> str | None:
    """Our parser key for a platform name, or None if unknown.

    Accepts netmiko / ntc-templates names, every network-driver name netutils'
    lib_mapper knows (NAPALM "nxos_ssh", Ansible "cisco.ios.ios", scrapli
    "cisco_iosxe", pyATS "iosxe", ...), connection suffixes ("cisco_ios_ssh")
    and the local aliases.
    """
    key = name.strip().lower()
    candidates = [key] + [key.removesuffix(s) for s in _SUFFIXES if key.endswith(s)]
    for candidate in candidates:
        for step in (candidate, _driver_names().get(candidate, "")):
            resolved = PLATFORM_ALIASES.get(step, step)
            if resolved in PLATFORMS:
                return resolved
    return None


def looks_like_config(text: str) -> bool:
    """True for `show running-config` / configuration listings."""
    return bool(_SHOW_RUN.search(text)) or len(_CONFIG_LINES.findall(text)) >= 3


@dataclass(frozen=True)
class Section:
    signature: Signature
    text: str


def _first_hits(text: str, platform: str | None) -> list[tuple[int, Signature]]:
    hits: dict[str, tuple[int, Signature]] = {}
    for sig in SIGNATURES:
        if platform is not None and platform not in sig.platforms:
            continue
        if not any(needle in text for needle in sig.needles):
            continue
        match = sig.pattern.search(text)
        if match is None:
            continue
        group = (sig.command, sig.key.split()[0] if sig.command == "show version" else sig.key)
        name = " ".join(group)
        if name not in hits or match.start() < hits[name][0]:
            hits[name] = (match.start(), sig)
    # One show version per text: the earliest wins (IOS XR before a later IOS line, say).
    ordered = sorted(hits.values(), key=lambda hit: hit[0])
    seen_version = False
    result = []
    for pos, sig in ordered:
        if sig.command == "show version":
            if seen_version:
                continue
            seen_version = True
        result.append((pos, sig))
    return result


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def split_sections(text: str, platform: str | None = None) -> list[Section]:
    """The recognised command outputs in `text` (one cleaned part of a capture), in order.

    Empty if none is known. `platform` (a canonical name) restricts
    recognition to that platform's outputs.
    """
    if not text.strip():
        return []
    hits = _first_hits(text, platform)
    if not hits:
        return []
    cuts = [0] + [_line_start(text, pos) for pos, _ in hits[1:]] + [len(text)]
    return [Section(sig, text[cuts[i] : cuts[i + 1]]) for i, (_, sig) in enumerate(hits)]
