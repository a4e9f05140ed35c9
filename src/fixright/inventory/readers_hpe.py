"""Readers of HPE ProCurve, Aruba (AOS-CX, ArubaOS) and HPE/H3C Comware outputs.

PURE, like `readers`: ntc-templates records -> `Reading`s, one per serial.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fixright.inventory.readers import (
    Reading,
    Unreadable,
    _one_device,
    _records,
    _require,
    _s,
    _search,
    _unique_by_serial,
)


def read_procurve_system(text: str) -> list[Reading]:
    _one_device(text, r"Status and Counters - General System Information", "'show system'")
    records = _records("hp_procurve_show_system", text)
    if not records:
        raise Unreadable("no fields found: the output looks truncated")
    readings = [
        Reading(
            kind="version",
            vendor="hpe",
            os_family="procurve",
            serial=_s(r.get("serial")),
            version_text=_s(r.get("software_version")) or _s(records[0].get("software_version")),
            hostname=_s(r.get("name")) or _s(records[0].get("name")),
            uptime=_s(r.get("uptime")),
        )
        for r in records
    ]
    return [_require(r, "version_text", "serial") for r in _unique_by_serial(readings)]


def read_procurve_version(text: str) -> list[Reading]:
    records = _records("aruba_os_show_version", text)
    version = _s(records[0].get("image_version")) if records else ""
    reading = Reading(kind="version", vendor="hpe", os_family="procurve", version_text=version)
    return [_require(reading, "version_text")]


def read_arubaos_version(text: str) -> list[Reading]:
    _one_device(text, r"^\s*ArubaOS \(MODEL:", "'show version'")
    records = _records("hp_procurve_show_version", text)
    record = records[0] if records else {}
    version = _s(record.get("version")).split()[0] if _s(record.get("version")) else ""
    reading = Reading(
        kind="version",
        vendor="aruba",
        os_family="arubaos",
        model=_s(record.get("model")),
        version_text=version,
        uptime=_s(record.get("uptime")),
    )
    return [_require(reading, "version_text", "model")]


def read_arubaos_inventory(text: str) -> list[Reading]:
    records = _records("aruba_os_show_inventory", text)
    record = records[0] if records else {}
    reading = Reading(
        kind="inventory",
        vendor="aruba",
        os_family="arubaos",
        model=_s(record.get("sc_model")),
        serial=_s(record.get("system_serial")),
    )
    return [_require(reading, "model", "serial")]


def read_aoscx_system(text: str) -> list[Reading]:
    _one_device(text, r"^\s*(?:ArubaOS-CX|AOS-CX) Version\s*:", "'show system'")
    records = _records("aruba_aoscx_show_system", text)
    if not records:
        raise Unreadable("no 'Hostname' line found: the output looks truncated")
    record = records[0]
    product = _s(record.get("product"))
    reading = Reading(
        kind="version",
        vendor="aruba",
        os_family="aoscx",
        model=product.split()[0] if product else "",  # "JL665A 6300F 48G ..." -> the SKU
        serial=_s(record.get("serial")),
        version_text=_s(record.get("version")),
        hostname=_s(record.get("hostname")),
        uptime=_search(r"^\s*Up Time\s*:\s*(.+?)\s*$", text),
    )
    return [_require(reading, "version_text", "model", "serial")]


def read_aoscx_version(text: str) -> list[Reading]:
    """AOS-CX `show version`: the release only; `show system` in the same paste adds model and serial.

    ntc-templates has no template for it; the banner's "Version : FL.10.11.1021" line is the release.
    """
    _one_device(text, r"^\s*(?:ArubaOS-CX|AOS-CX)\s*$", "'show version'")
    reading = Reading(
        kind="software",
        vendor="aruba",
        os_family="aoscx",
        version_text=_search(r"^\s*Version\s*:\s*(\S+)", text),
    )
    return [_require(reading, "version_text")]


_HPE_SKU = re.compile(r"\b((?:J[A-Z]\d{3}|R\d[A-Z]\d{2})[A-Z])$")


def read_comware_manuinfo(text: str) -> list[Reading]:
    """`display device manuinfo`: the chassis, else each main board with a MAC (IRF members).

    Fans, power supplies, subslots and cards without a MAC address are parts,
    not devices. Comware prints no software version here.
    """
    return comware_devices(_records("hp_comware_display_device_manuinfo", text))


def comware_devices(records: list[dict[str, Any]]) -> list[Reading]:
    """The devices among `display device manuinfo` blocks (keys as the ntc template names
    them: slot_type, device_name, device_serial_number, mac_address, vendor_name)."""

    def usable(record: dict[str, Any]) -> bool:
        serial = _s(record.get("device_serial_number"))
        return bool(serial) and serial.upper() != "NONE"

    chassis = [r for r in records if _s(r.get("slot_type")) == "Chassis" and usable(r)]
    boards = chassis or [
        r
        for r in records
        if _s(r.get("slot_type")).lower() in ("slot", "")
        and usable(r)
        and _s(r.get("mac_address")).upper() not in ("", "NONE")
    ]
    readings = []
    for record in boards:
        vendor = _s(record.get("vendor_name")).lower()
        name = _s(record.get("device_name"))
        sku = _HPE_SKU.search(name)  # "FlexFabric 5945 32QSFP28 JQ077A" -> "JQ077A"
        model = sku.group(1) if sku else name
        readings.append(
            Reading(
                kind="inventory",
                vendor="h3c" if vendor == "h3c" else "hpe",
                os_family="comware",
                model=model,
                serial=_s(record.get("device_serial_number")),
            )
        )
    if not readings:
        raise Unreadable("no chassis or main board with a serial number")
    return _unique_by_serial(readings)


READERS: dict[str, Callable[[str], list[Reading]]] = {
    "hp_procurve show system": read_procurve_system,
    "hp_procurve show version": read_procurve_version,
    "aruba_os show version": read_arubaos_version,
    "aruba_os show inventory": read_arubaos_inventory,
    "aruba_aoscx show system": read_aoscx_system,
    "aruba_aoscx show version": read_aoscx_version,
    "hp_comware display device manuinfo": read_comware_manuinfo,
}
