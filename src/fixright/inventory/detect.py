"""Tell which device platform and command printed a text, and cut it into sections.

PURE. Operators paste whatever they captured: one `show version`, a `show
version` followed by `show inventory`, with or without the prompt lines. Each
known output has a signature line; a text is cut before each prompt line and,
where there are no prompts, before the first signature line of each further
command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Platform names follow netmiko / ntc-templates; aliases people type map onto them.
PLATFORM_ALIASES = {
    "cisco_xe": "cisco_ios",
    "ios": "cisco_ios",
    "iosxe": "cisco_ios",
    "nxos": "cisco_nxos",
    "cisco_nxos_ssh": "cisco_nxos",
    "asa": "cisco_asa",
    "cisco_ftd": "cisco_asa",
    "iosxr": "cisco_xr",
    "xr": "cisco_xr",
    "junos": "juniper_junos",
    "juniper": "juniper_junos",
    "eos": "arista_eos",
    "aruba_procurve": "hp_procurve",
    "procurve": "hp_procurve",
    "aoscx": "aruba_aoscx",
    "aruba_os_cx": "aruba_aoscx",
    "arubaos": "aruba_os",
    "comware": "hp_comware",
    "hp_comware": "hp_comware",
}
PLATFORMS = (
    "cisco_ios",
    "cisco_nxos",
    "cisco_asa",
    "cisco_xr",
    "juniper_junos",
    "arista_eos",
    "hp_procurve",
    "aruba_aoscx",
    "aruba_os",
    "hp_comware",
)
CISCO_INVENTORY = "cisco_inventory"  # one signature, the family is worked out later


@dataclass(frozen=True)
class Signature:
    key: str  # reader key: "<platform> <command>"
    platforms: tuple[str, ...]  # explicit --platform values this output may come from
    command: str
    pattern: re.Pattern[str]


def _sig(key: str, platforms: tuple[str, ...], command: str, regex: str, flags: int = 0) -> Signature:
    return Signature(key, platforms, command, re.compile(regex, re.MULTILINE | flags))


# Order matters only where one output could match two patterns (XR before IOS).
SIGNATURES: tuple[Signature, ...] = (
    _sig("cisco_xr show version", ("cisco_xr",), "show version", r"^\s*Cisco IOS XR Software"),
    _sig(
        "cisco_nxos show version",
        ("cisco_nxos",),
        "show version",
        r"^\s*Cisco Nexus Operating System|^\s*(?:NXOS|kickstart|system):\s+version\s",
    ),
    _sig(
        "cisco_asa show version",
        ("cisco_asa",),
        "show version",
        r"^\s*Cisco Adaptive Security Appliance Software Version",
    ),
    _sig(
        "cisco_ios show version",
        ("cisco_ios",),
        "show version",
        r"^\s*(?:Cisco IOS(?: XE)? Software|IOS \(tm\)|Cisco Internetwork Operating System Software)",
    ),
    _sig(
        "arista_eos show version",
        ("arista_eos",),
        "show version",
        r"^\s*Software image version:|^Arista [\w-]+[ \t]*\r?\n[ \t]*Hardware version:",
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
        r"^\s*Hardware inventory:\s*$",
    ),
    _sig(
        "aruba_aoscx show system",
        ("aruba_aoscx",),
        "show system",
        r"^\s*(?:ArubaOS-CX|AOS-CX) Version\s*:",
    ),
    _sig(
        "hp_procurve show system",
        ("hp_procurve",),
        "show system",
        r"Status and Counters - General System Information|^\s*Software revision\s*:",
    ),
    _sig("hp_procurve show version", ("hp_procurve", "aruba_os"), "show version", r"^\s*Image stamp:"),
    _sig("aruba_os show version", ("aruba_os",), "show version", r"^\s*ArubaOS \(MODEL:"),
    _sig(
        "aruba_os show inventory",
        ("aruba_os",),
        "show inventory",
        r"^\s*SC Model#|^\s*System Serial#",
    ),
    _sig(
        "hp_comware display device manuinfo",
        ("hp_comware",),
        "display device manuinfo",
        r"^\s*DEVICE_(?:SERIAL_NUMBER|NAME)\s*:",
    ),
    _sig(
        "arista_eos show inventory",
        ("arista_eos",),
        "show inventory",
        r"^System information\s*$|^\s*System has \d+ power supply slots",
    ),
    _sig(
        f"{CISCO_INVENTORY} show inventory",
        ("cisco_ios", "cisco_nxos", "cisco_asa", "cisco_xr"),
        "show inventory",
        r'^\s*NAME:\s*"?[^\n]*?,\s+DESCR:',
        re.IGNORECASE,
    ),
)

# A prompt followed by a command: "router#show version", "user@mx> show chassis hardware".
_PROMPT = re.compile(
    r"^[^\s#>]{1,80}[#>][ \t]*(?:show|sh|display|dis)\b[^\n]*$", re.MULTILINE | re.IGNORECASE
)
# Lines only a configuration listing has.
_SHOW_RUN = re.compile(
    r"^(?:Building configuration\.\.\.|Current configuration\s*:|!\s*Last configuration change|"
    r"#\s*sysname\s|set version \S+|## Last commit:)",
    re.MULTILINE,
)
_CONFIG_LINES = re.compile(r"^(?:hostname \S+|interface \S+|router \S+|line vty)", re.MULTILINE)


def canonical_platform(name: str) -> str | None:
    """The netmiko/ntc platform name for `name` (aliases accepted), or None if unknown."""
    key = name.strip().lower()
    key = PLATFORM_ALIASES.get(key, key)
    return key if key in PLATFORMS else None


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
    """The recognised command outputs in `text`, in order; empty if none is known.

    `platform` (a canonical name) restricts recognition to that platform's outputs.
    """
    chunks: list[str] = []
    last = 0
    for match in _PROMPT.finditer(text):
        chunks.append(text[last : match.start()])
        last = match.end()
    chunks.append(text[last:])
    sections: list[Section] = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        hits = _first_hits(chunk, platform)
        if not hits:
            continue
        cuts = [0] + [_line_start(chunk, pos) for pos, _ in hits[1:]] + [len(chunk)]
        for index, (_, sig) in enumerate(hits):
            sections.append(Section(sig, chunk[cuts[index] : cuts[index + 1]]))
    return sections
