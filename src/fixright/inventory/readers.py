"""One reader per known command output: ntc-templates records -> `Reading`s.

PURE (apart from `ntc` loading packaged templates). A reader gets the text of
one command's output and returns one `Reading` per serial number it shows
(a stack or VSS pair gives several), or raises `Unreadable` with a reason.
Values are taken as the device printed them; where the output does not show
something, the field stays empty rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from fixright.inventory.ntc import TemplateError, run_template
from fixright.versions import InvalidVersion, parse

UNKNOWN_FEATURE_SET = "unknown"


class Unreadable(Exception):
    """The output is recognised but cannot be read (truncated, mangled, two devices)."""


class TemplateRejected(Unreadable):
    """The ntc-templates template refused a line: the tolerant fallback reader may still read it."""


@dataclass(frozen=True)
class Reading:
    """What one command output says about one device (empty string: not shown)."""

    kind: str  # "version" (software facts) or "inventory" (hardware facts)
    vendor: str
    os_family: str
    model: str = ""
    serial: str = ""
    version_text: str = ""
    hostname: str = ""
    image_file: str = ""
    feature_set: str = UNKNOWN_FEATURE_SET
    uptime: str = ""
    build: str = ""  # a build number printed beside the release (FortiOS, FTD), "" if none
    read_by: str = "template"  # "template" (ntc-templates or a strict reader) or "fallback"
    warnings: tuple[str, ...] = ()


def _records(template: str, text: str) -> list[dict[str, Any]]:
    try:
        return run_template(template, text)
    except TemplateError as exc:
        raise TemplateRejected(f"unexpected line {exc.line!r} (ntc-templates {template})") from None


def _s(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]).strip() if value else ""
    return str(value or "").strip()


def _search(pattern: str, text: str, flags: int = re.MULTILINE) -> str:
    match = re.search(pattern, text, flags)
    return match.group(1).strip() if match else ""


def _basename(path: str) -> str:
    """'bootflash:/dir/file.bin' -> 'file.bin'; a path from outside never becomes a path here."""
    return re.split(r"[:/\\]", path.strip().strip('"'))[-1]


def _one_device(text: str, pattern: str, what: str) -> None:
    count = len(re.findall(pattern, text, re.MULTILINE))
    if count > 1:
        raise Unreadable(f"holds {count} {what} outputs: the output of more than one device")


def _require(reading: Reading, *fields: str) -> Reading:
    missing = [f for f in fields if not getattr(reading, f)]
    if missing:
        names = ", ".join(f.replace("_text", "").replace("_", " ") for f in missing)
        raise Unreadable(f"no {names} found: the output looks truncated or incomplete")
    return reading


def _unique_by_serial(readings: list[Reading]) -> list[Reading]:
    seen: set[str] = set()
    result = []
    for reading in readings:
        if reading.serial and reading.serial in seen:
            continue
        seen.add(reading.serial)
        result.append(reading)
    return result


# -- Cisco ------------------------------------------------------------------

_IOS_FEATURE = re.compile(r"^[^-]+-([a-z0-9_]+?)(?:k9|k8)?(?:_npe)?-m[a-z]*$", re.IGNORECASE)


def feature_from_image(image: str) -> str:
    """Feature set named by an IOS image ("C2960-LANBASEK9-M" -> "lanbase").

    The k9 (crypto) suffix is dropped, except in "universalk9", which is how
    Cisco names the universal image. "unknown" when the name shows none.
    """
    match = _IOS_FEATURE.match(image.strip())
    if not match:
        return UNKNOWN_FEATURE_SET
    feature = match.group(1).lower()
    return "universalk9" if feature == "universal" else feature


def _license_feature(text: str) -> str:
    """The licensed level: "License Level:" or the Technology Package table."""
    level = _search(r"^License Level:\s*(\S+)", text)
    if level:
        return level.lower().removesuffix("k9")
    header = re.search(r"^Technology(?:-package)?\s+Technology-package.*\n.*\n-{10,}\s*\n", text, re.M)
    if header is None:
        return UNKNOWN_FEATURE_SET
    # ISR G2 tables list one row per technology (ipbase, security, data...),
    # "None" where not licensed; Catalyst 9000 tables list the base package
    # first and add-on subscriptions (dna-advantage) after it.
    isr_style = header.group(0).startswith("Technology ")
    packages = []
    for line in text[header.end() :].splitlines():
        cells = line.split()
        if not cells or ":" in line or line.startswith("-"):
            break
        current = cells[1] if isr_style and len(cells) > 1 else cells[0]
        if current.lower() not in ("none", "n/a"):
            packages.append(current.lower().removesuffix("k9"))
        if not isr_style:
            break
    return "+".join(dict.fromkeys(packages)) or UNKNOWN_FEATURE_SET


def _ios_xe_version(text: str, record: dict[str, Any]) -> str:
    candidates = [
        _search(r"^Cisco IOS XE Software, Version\s+(\S+)", text),
        _search(r"^IOS XE Version:\s*(\S+)", text),
        _s(record.get("version")).rstrip(","),
    ]
    for candidate in candidates:
        if not candidate:
            continue
        try:
            parse("iosxe", candidate)
        except InvalidVersion:
            continue
        return candidate
    return next((c for c in candidates if c), "")


# The system software line, never the ROM/BOOTLDR/BOOTFLASH line that also says "Version".
_IOS_SYSTEM_LINE = re.compile(
    r"^(?:Cisco IOS Software|IOS \(tm\)|Cisco IOS XE Software)[^\n]*?,\s*Version\s+([^\s,]+)",
    re.MULTILINE,
)


def ios_release(text: str) -> str:
    """The IOS release on the system software line, qualifiers dropped.

    "IOS (tm) C2600 Software (C2600-IS-M), Version 12.2(2)XA1, EARLY DEPLOYMENT
    RELEASE SOFTWARE (fc1)" -> "12.2(2)XA1". "" when the text has no such line.
    """
    match = _IOS_SYSTEM_LINE.search(text)
    return match.group(1) if match else ""


def read_ios_version(text: str) -> list[Reading]:
    _one_device(text, r"^\S+ uptime is ", "'show version'")
    records = _records("cisco_ios_show_version", text)
    if not records:
        raise Unreadable("no fields found: the output looks truncated")
    record = records[0]
    xe = re.search(r"IOS[ -]XE|IOSXE|X86_64_LINUX_IOSD", text) is not None
    if xe:
        version = _ios_xe_version(text, record)
    else:
        version = ios_release(text) or _s(record.get("version")).split(",")[0].strip()
    feature = _license_feature(text)
    if feature == UNKNOWN_FEATURE_SET:
        feature = feature_from_image(_s(record.get("software_image")))
    base = Reading(
        kind="version",
        vendor="cisco",
        os_family="iosxe" if xe else "ios",
        version_text=version,
        hostname=_s(record.get("hostname")),
        image_file=_basename(_s(record.get("running_image"))),
        feature_set=feature,
        uptime=_s(record.get("uptime")),
    )
    models = record.get("hardware") or []
    serials = record.get("serial") or []
    readings = [
        replace(base, model=models[i] if i < len(models) else _s(models), serial=serial)
        for i, serial in enumerate(serials)
    ] or [replace(base, model=_s(models))]
    return [_require(r, "version_text", "model", "serial") for r in _unique_by_serial(readings)]


def read_nxos_version(text: str) -> list[Reading]:
    _one_device(text, r"^\s*Device name:", "'show version'")
    records = _records("cisco_nxos_show_version", text)
    record = records[0] if records else {}
    version = _s(record.get("os")).split("[")[0].split()[0] if _s(record.get("os")) else ""
    model = _search(r"^\s*cisco (?:Nexus\s?\d+\s+)?(\S+)\s+\(?[Cc]hassis", text) or _s(
        record.get("platform")
    )
    if model.isdigit():  # "cisco Nexus 5596 Chassis": the number alone is no product id
        model = f"Nexus {model}"
    image = _search(r"^\s*(?:NXOS|system) image file is:\s*(\S+)", text)
    reading = Reading(
        kind="version",
        vendor="cisco",
        os_family="nxos",
        model=model,
        serial=_s(record.get("serial")),
        version_text=version,
        hostname=_s(record.get("hostname")),
        image_file=_basename(image),
        uptime=_s(record.get("uptime")),
    )
    return [_require(reading, "version_text", "model")]


def read_asa_version(text: str) -> list[Reading]:
    _one_device(text, r"^\s*Cisco Adaptive Security Appliance Software Version", "'show version'")
    records = _records("cisco_asa_show_version", text)
    if not records:
        raise Unreadable("no fields found: the output looks truncated")
    record = records[0]
    reading = Reading(
        kind="version",
        vendor="cisco",
        os_family="asa",
        model=_s(record.get("hardware")).split(",")[0].strip(),
        serial=_s(record.get("serial")),
        version_text=_s(record.get("version")),
        hostname=_s(record.get("hostname")),
        image_file=_basename(_s(record.get("image"))),
        uptime=_s(record.get("uptime")),
    )
    return [_require(reading, "version_text", "model")]


def read_xr_version(text: str) -> list[Reading]:
    _one_device(text, r"^\s*Cisco IOS XR Software, Version", "'show version'")
    records = _records("cisco_xr_show_version", text)
    if not records:
        raise Unreadable("no fields found: the output looks truncated")
    record = records[0]
    hostname = _search(r"^(\S+) uptime is ", text)
    reading = Reading(
        kind="version",
        vendor="cisco",
        os_family="iosxr",
        model=_s(record.get("hardware")),
        version_text=_s(record.get("version")).split()[0] if _s(record.get("version")) else "",
        hostname="" if hostname == "System" else hostname,
        image_file=_basename(_search(r'^System image file is "([^"]+)"', text)),
        uptime=_s(record.get("uptime")),
    )
    return [_require(reading, "version_text", "model")]


_CHASSIS_NAME = re.compile(r"chassis|^rack \d+$|^switch ?\d+$|^\d+$|^stack", re.IGNORECASE)


def inventory_family(text: str) -> tuple[str, str]:
    """(ntc platform, os_family) of a Cisco `show inventory` without its show version."""
    if re.search(r'^\s*NAME: "(?:Rack \d|\d+/RS?P\d|module \d+/RS?P\d)|IOS[ -]XRv? |/CPU\d"', text, re.M):
        return "cisco_xr", "iosxr"
    if re.search(r"^Name:", text, re.M) or re.search(r'DESCR: "ASA', text):
        return "cisco_asa", "asa"
    if re.search(r"N\dK-|Nexus", text):
        return "cisco_nxos", "nxos"
    return "cisco_ios", "ios"


def read_cisco_inventory(text: str, os_family: str | None = None) -> list[Reading]:
    platform, family = inventory_family(text)
    template = {
        "cisco_asa": "cisco_asa_show_inventory",
        "cisco_nxos": "cisco_nxos_show_inventory",
    }.get(platform, "cisco_ios_show_inventory")
    records = _records(template, text)
    readings = []
    for record in records:
        name = _s(record.get("name"))
        serial = _s(record.get("sn"))
        if not _CHASSIS_NAME.search(name) or serial in ("", "N/A"):
            continue
        readings.append(
            Reading(
                kind="inventory",
                vendor="cisco",
                os_family=os_family or family,
                model=_s(record.get("pid")),
                serial=serial,
            )
        )
    if not readings:
        raise Unreadable("'show inventory' lists no chassis with a serial number")
    return _unique_by_serial(readings)


# -- Juniper ----------------------------------------------------------------

_JUNOS_MEMBER = re.compile(r"^\s*(?:fpc|node|member|localre|re)\d*:\s*$", re.MULTILINE)


def read_junos_version(text: str) -> list[Reading]:
    hostnames = re.findall(r"^\s*Hostname:\s*(\S+)", text, re.MULTILINE)
    if len(hostnames) > 1 and not _JUNOS_MEMBER.search(text):
        raise Unreadable(f"holds {len(hostnames)} 'show version' outputs: more than one device")
    # Each member (fpcN / nodeN) prints its own block; fakenos and some captures
    # indent lines, which the template's anchored rules would not accept.
    cleaned = "\n".join(line.strip() for line in text.splitlines())
    records = _records("juniper_junos_show_version", cleaned)
    if not records:
        raise Unreadable("no 'Hostname:' line found: the output looks truncated")
    record = records[0]
    version = _s(record.get("junos_version"))
    if not version:  # older releases print only the package lines
        version = _search(r"^JUNOS (?:Software Release|Base OS boot|EX\s+Software Suite) \[([^\]]+)\]", cleaned)
    reading = Reading(
        kind="version",
        vendor="juniper",
        os_family="junos",
        model=_s(record.get("model")),
        serial=_s(record.get("serial_number")),
        version_text=version,
        hostname=_s(record.get("hostname")),
    )
    return [_require(reading, "model")]


_JUNOS_ROW = re.compile(r"^(?P<item>\S.*?)\s{2,}")


def read_junos_chassis(text: str) -> list[Reading]:
    """`show chassis hardware`: the chassis, or the members of a virtual chassis.

    Read by column position from the header line: ntc-templates' template
    misreads chassis lines without a part number ("Virtual Chassis").
    """
    lines = text.splitlines()
    header_index = next(
        (
            i
            for i, line in enumerate(lines)
            if "Item" in line and "Serial number" in line and "Description" in line
        ),
        None,
    )
    if header_index is None:
        raise Unreadable("no 'Item  Version  Part number  Serial number' header")
    header = lines[header_index]
    col_serial = header.index("Serial number")
    col_desc = header.index("Description")
    rows: list[tuple[str, str, str]] = []
    for line in lines[header_index + 1 :]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        item = re.split(r"\s{2,}", line.strip())[0]
        serial = line[col_serial:col_desc].strip() if len(line) > col_serial else ""
        if " " in serial:  # misaligned row: fall back to whitespace fields
            serial = serial.split()[0]
        description = line[col_desc:].strip() if len(line) > col_desc else ""
        rows.append((f"{indent}:{item}", serial, description))
    chassis = [(s, d) for item, s, d in rows if item.split(":", 1)[1] == "Chassis"]
    if not chassis:
        raise Unreadable("no 'Chassis' line: the output looks truncated")
    serial, description = chassis[0]
    if description.lower() == "virtual chassis":
        members = [
            (s, d) for item, s, d in rows if re.fullmatch(r"\d:FPC \d+", item) and s not in ("", "BUILTIN")
        ]
        if not members:
            raise Unreadable("a virtual chassis with no member (FPC) lines: truncated output")
        return _unique_by_serial(
            [Reading("inventory", "juniper", "junos", model=d, serial=s) for s, d in members]
        )
    model = description
    bracket = re.search(r"\[(\S+)\]", description)
    if bracket:  # "JNP204 [MX204]": the marketing name is what releases are built for
        model = bracket.group(1)
    if not serial:
        raise Unreadable("the 'Chassis' line has no serial number")
    return [Reading("inventory", "juniper", "junos", model=model, serial=serial)]


# -- Arista -----------------------------------------------------------------


def read_eos_version(text: str) -> list[Reading]:
    _one_device(text, r"^\s*Software image version:", "'show version'")
    records = _records("arista_eos_show_version", text)
    if not records:
        raise Unreadable("no fields found: the output looks truncated")
    record = records[0]
    reading = Reading(
        kind="version",
        vendor="arista",
        os_family="eos",
        model=_s(record.get("model")),
        serial=_s(record.get("serial_number")),
        version_text=_s(record.get("image")),
        uptime=_s(record.get("uptime")),
    )
    return [_require(reading, "version_text", "model")]


def read_eos_inventory(text: str) -> list[Reading]:
    records = _records("arista_eos_show_inventory", text)
    system = [r for r in records if not _s(r.get("port")) and _s(r.get("sn"))]
    if not system:
        raise Unreadable("no system model and serial number found")
    record = system[0]
    return [Reading("inventory", "arista", "eos", model=_s(record.get("pid")), serial=_s(record.get("sn")))]


def read_xr_admin_inventory(text: str, os_family: str | None = None) -> list[Reading]:
    """IOS XR `admin show inventory` ("Name: Rack 0   Descr: ..." without quotes)."""
    records = _records("cisco_xr_admin_show_inventory", text)
    readings = [
        Reading("inventory", "cisco", os_family or "iosxr", model=_s(r.get("pid")), serial=_s(r.get("sn")))
        for r in records
        if _CHASSIS_NAME.search(_s(r.get("name"))) and _s(r.get("sn")) not in ("", "N/A")
    ]
    if not readings:
        raise Unreadable("'admin show inventory' lists no chassis (Rack) with a serial number")
    return _unique_by_serial(readings)


READERS: dict[str, Callable[[str], list[Reading]]] = {
    "cisco_ios show version": read_ios_version,
    "cisco_nxos show version": read_nxos_version,
    "cisco_asa show version": read_asa_version,
    "cisco_xr show version": read_xr_version,
    "cisco_inventory show inventory": read_cisco_inventory,
    "cisco_xr admin show inventory": read_xr_admin_inventory,
    "juniper_junos show version": read_junos_version,
    "juniper_junos show chassis hardware": read_junos_chassis,
    "arista_eos show version": read_eos_version,
    "arista_eos show inventory": read_eos_inventory,
}
"""Readers of Cisco, Juniper and Arista outputs; `readers_hpe.READERS` has the rest."""
