"""Raw CLI output -> `DeviceFacts`: what each device is and what it runs. PURE.

    >>> facts = parse_output(text, source_name="core1.txt")   # doctest: +SKIP
    >>> facts[0].model, facts[0].serial, str(facts[0].version)  # doctest: +SKIP
    ('WS-C3850-48U', 'FOC11111111', '03.06.05E')

The platform and command are read from the text itself (an explicit
netmiko/ntc platform name narrows the choice). ntc-templates does the field
extraction (`readers`); this module cuts the text into command outputs,
merges `show version` with `show inventory`, parses versions and refuses what
it cannot read with an `InvalidInput` naming the source and the reason.

A text with only an inventory (`show inventory`, `show chassis hardware`,
`display device manuinfo`) gives devices with model and serial and no
version (`version_text` "", `version` None). A `show version` that prints no
serial (IOS XR, Junos, ASA contexts, virtual EOS) gives a device with serial
""; add the inventory output to the same text to get it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from fixright.errors import InvalidInput
from fixright.hardware import Catalogue, shipped_catalogue
from fixright.inventory import readers, readers_fw, readers_hpe
from fixright.inventory.clean import Removed, clean_output
from fixright.inventory.detect import (
    CISCO_INVENTORY,
    PLATFORMS,
    Section,
    canonical_platform,
    looks_like_config,
    split_sections,
)
from fixright.inventory.fallback import has_fallback, read_fallback
from fixright.inventory.platforms import platform_for
from fixright.inventory.readers import (
    UNKNOWN_FEATURE_SET,
    Reading,
    TemplateRejected,
    Unreadable,
    read_cisco_inventory,
)
from fixright.versions import InvalidVersion, Version, parse

READERS = {**readers.READERS, **readers_hpe.READERS, **readers_fw.READERS}

# Real show version + inventory outputs are well under 1 MB; anything this
# large is not one device's output and would only cost time and memory.
MAX_OUTPUT_CHARS = 8 * 1024 * 1024
# Share of control characters above which a text is treated as binary.
_BINARY_RATIO = 0.01

__all__ = [
    "MAX_OUTPUT_CHARS",
    "UNKNOWN_FEATURE_SET",
    "DeviceFacts",
    "ParseResult",
    "decode_output",
    "parse_many",
    "parse_output",
    "read_output",
]


@dataclass(frozen=True)
class DeviceFacts:
    """One device (one serial number) as its CLI output describes it.

    Empty strings mean "not shown by this output"; `version` is None when
    no version was shown or it could not be read (never guessed), and
    `feature_set` is "unknown" when the output names none.
    """

    vendor: str
    os_family: str
    model: str
    serial: str
    version_text: str
    version: Version | None
    hostname: str
    image_file: str
    feature_set: str
    uptime: str
    platform: str
    source_name: str
    command: str
    build: str = ""  # a build number printed beside the release (FortiOS "build2795" -> "2795")
    read_by: str = "template"  # "fallback" when a template rejected the text (see `fallback`)
    warnings: tuple[str, ...] = ()
    # Why `platform` is empty though a model was shown (unknown or ambiguous hardware).
    platform_warning: str = ""
    # `platform` was given by the owner, not derived (the API's `platform` field).
    platform_stated: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output: the version as printed, normalized, and its train."""
        data = asdict(self)
        data["version"] = self.version.normalized if self.version else None
        data["train"] = self.version.train if self.version else None
        data["warnings"] = list(self.warnings)
        return data


@dataclass(frozen=True)
class ParseResult:
    """The devices a capture describes and what cleaning removed from it (for verbose output)."""

    facts: list[DeviceFacts]
    removed: tuple[Removed, ...]


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def _nul_kind(data: bytes) -> str:
    """What bytes with NULs probably are: UTF-16 text puts a NUL beside each ASCII letter."""
    head = data[:4096]
    if len(head) >= 8 and (head[1::2].count(0) > 0.4 * len(head) / 2
                           or head[0::2].count(0) > 0.4 * len(head) / 2):
        return "UTF-16 text (save it as UTF-8)"
    return "binary data"


def decode_output(data: bytes, source_name: str, *, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Text of a captured output file: UTF-8 (BOM optional), else Latin-1.

    Raises `InvalidInput` naming `source_name` for binary data and files over `limit`
    bytes (a fleet CSV is allowed more than one device's output).
    """
    if len(data) > limit:
        if limit != MAX_OUTPUT_CHARS:
            raise InvalidInput(f"{source_name}: {len(data) // (1024 * 1024)} MB is over the "
                               f"limit of {limit // (1024 * 1024)} MB")
        raise InvalidInput(
            f"{source_name}: {len(data) // (1024 * 1024)} MB is far larger than any device's "
            f"output (limit {MAX_OUTPUT_CHARS // (1024 * 1024)} MB): not a show output"
        )
    if b"\x00" in data[:65536]:
        raise InvalidInput(f"{source_name}: {_nul_kind(data)}, not text output of a device")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _check_text(text: str, source_name: str) -> None:
    if not text.strip():
        raise InvalidInput(f"{source_name}: empty, no device output")
    if len(text) > MAX_OUTPUT_CHARS:
        raise InvalidInput(
            f"{source_name}: {len(text)} characters is far larger than any device's output "
            f"(limit {MAX_OUTPUT_CHARS}): not a show output"
        )
    if "\x00" in text:
        raise InvalidInput(f"{source_name}: binary data, not text output of a device")


def _check_cleaned(text: str, source_name: str) -> None:
    # After cleaning: escapes and pager backspaces are control characters too.
    if _control_ratio(text) > _BINARY_RATIO:
        raise InvalidInput(f"{source_name}: binary data, not text output of a device")
    if not text.strip():
        raise InvalidInput(f"{source_name}: only prompts and commands, no device output")


def _merge(versions: list[Reading], inventory: list[Reading]) -> list[Reading]:
    """Software facts from `show version`, hardware facts (PID, chassis serial) from inventory."""
    if not inventory:
        return versions
    if not versions:
        return inventory
    software = versions[0]
    if {r.vendor for r in inventory} != {software.vendor}:
        raise Unreadable(
            f"a {software.vendor} 'show version' and a {inventory[0].vendor} inventory: "
            "the output of more than one device"
        )

    def combined(soft: Reading, hard: Reading) -> Reading:
        return replace(soft, kind="version", serial=hard.serial, model=hard.model or soft.model)

    if len(versions) == 1 and len(inventory) == 1:
        # The chassis serial in the inventory is the one service contracts name.
        return [combined(software, inventory[0])]
    if not any(v.serial for v in versions):
        return [combined(software, hard) for hard in inventory]
    by_serial = {hard.serial: hard for hard in inventory}
    merged = [combined(v, by_serial[v.serial]) if v.serial in by_serial else v for v in versions]
    known = {v.serial for v in versions}
    merged += [combined(software, hard) for hard in inventory if hard.serial not in known]
    return merged


def _add_software(devices: list[Reading], software: list[Reading]) -> list[Reading]:
    """Fill the release of devices from an output that shows only software (AOS-CX, FXOS)."""
    if not software:
        return devices
    if not devices:
        return software[:1]
    soft = software[0]
    if {d.vendor for d in devices} != {soft.vendor}:
        raise Unreadable(f"a {soft.vendor} and a {devices[0].vendor} output: more than one device")
    return [
        replace(
            d,
            kind="version",
            version_text=d.version_text or soft.version_text,
            build=d.build or soft.build,
            hostname=d.hostname or soft.hostname,
            os_family=d.os_family if d.version_text else soft.os_family,
        )
        for d in devices
    ]


def _read_section(section: Section, family: str | None) -> list[Reading]:
    key = section.signature.key
    try:
        if key.startswith(CISCO_INVENTORY):
            return read_cisco_inventory(section.text, family)
        return READERS[key](section.text)
    except TemplateRejected as exc:
        if not has_fallback(key):
            raise
        readings = read_fallback(key, section.text, str(exc))
        if not readings:
            raise
        if key.startswith(CISCO_INVENTORY) and family:
            readings = [replace(r, os_family=family) for r in readings]
        return readings


def _facts(reading: Reading, source_name: str, command: str, catalogue: Catalogue) -> DeviceFacts:
    version: Version | None = None
    if reading.version_text:
        try:
            version = parse(reading.os_family, reading.version_text)
        except InvalidVersion:
            version = None
    platform, warning = platform_for(
        catalogue, reading.os_family, reading.model, reading.image_file,
        version_text=reading.version_text,
    )
    return DeviceFacts(
        vendor=reading.vendor,
        os_family=reading.os_family,
        model=reading.model,
        serial=reading.serial,
        version_text=reading.version_text,
        version=version,
        hostname=reading.hostname,
        image_file=reading.image_file,
        feature_set=reading.feature_set or UNKNOWN_FEATURE_SET,
        uptime=reading.uptime,
        platform=platform,
        source_name=source_name,
        command=command,
        build=reading.build,
        read_by=reading.read_by,
        warnings=reading.warnings,
        platform_warning=warning or "",
    )


def read_output(
    text: str, *, platform: str | None = None, source_name: str = "<text>",
    catalogue: Catalogue | None = None,
) -> ParseResult:
    """Every device `text` describes, and what was cleaned out of `text` first.

    `text` is one capture as pasted: a `show version` (or `show system`, `get
    system status`, `show system info`), an inventory output, or several
    commands one after another, with prompts, echoed commands, pager prompts,
    escapes and CRLF left in (see `clean`). `platform` is any driver name
    netutils knows ("cisco_ios", "cisco_iosxe", "nxos_ssh", "cisco.ios.ios",
    ...) and overrides detection. Raises `InvalidInput`, naming `source_name`
    and the reason, for empty, binary or oversized text, configuration
    listings, unrecognised or truncated output, and the outputs of two devices
    in one text. Each device's `platform` (image family) comes from `catalogue`
    (the shipped one when None; services pass `hardware.active_catalogue()`).
    """
    _check_text(text, source_name)
    wanted: str | None = None
    if platform:
        wanted = canonical_platform(platform)
        if wanted is None:
            raise InvalidInput(
                f"unknown platform {platform!r}: use one of {', '.join(PLATFORMS)} "
                "or a netmiko, NAPALM, Ansible, pyATS or scrapli name for one of them"
            )
    cleaned = clean_output(text)
    _check_cleaned(cleaned.text, source_name)
    sections = [s for part in cleaned.parts for s in split_sections(part.text, wanted)]
    if not sections:
        if looks_like_config(cleaned.text):
            raise InvalidInput(
                f"{source_name}: a configuration listing ('show running-config'), "
                "not 'show version' or 'show inventory' output"
            )
        if wanted:
            raise InvalidInput(
                f"{source_name}: does not look like {wanted} 'show version' or inventory output"
            )
        raise InvalidInput(
            f"{source_name}: unrecognised output: not 'show version', 'show inventory', "
            "'show chassis hardware', 'show system', 'get system status', 'show system info' "
            "or 'display device manuinfo' of a supported platform"
        )
    found: dict[str, list[Reading]] = {"version": [], "inventory": [], "software": []}
    commands: list[str] = []
    try:
        for section in sections:
            family = found["version"][0].os_family if found["version"] else None
            readings = _read_section(section, family)
            if readings:
                found[readings[0].kind].extend(readings)
            commands.append(section.signature.command)
        merged = _add_software(_merge(found["version"], found["inventory"]), found["software"])
    except Unreadable as exc:
        command = " + ".join(dict.fromkeys(s.signature.command for s in sections))
        raise InvalidInput(f"{source_name}: '{command}' output: {exc}") from None
    command = " + ".join(dict.fromkeys(commands))
    known = catalogue if catalogue is not None else shipped_catalogue()
    facts = [_facts(reading, source_name, command, known) for reading in merged]
    return ParseResult(facts, cleaned.removed)


def parse_output(
    text: str, *, platform: str | None = None, source_name: str = "<text>",
    catalogue: Catalogue | None = None,
) -> list[DeviceFacts]:
    """Every device `text` describes, one `DeviceFacts` per serial number (see `read_output`)."""
    return read_output(text, platform=platform, source_name=source_name,
                       catalogue=catalogue).facts


def parse_many(
    items: Iterable[tuple[str, str]], *, platform: str | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[list[DeviceFacts], list[tuple[str, str]]]:
    """Parse (source_name, text) pairs. Returns (facts, [(source_name, reason)] of failures)."""
    facts: list[DeviceFacts] = []
    failures: list[tuple[str, str]] = []
    for source_name, text in items:
        try:
            facts.extend(parse_output(text, platform=platform, source_name=source_name,
                                      catalogue=catalogue))
        except InvalidInput as exc:
            failures.append((source_name, exc.message))
    return facts, failures
