"""Device CSV: the documented columns, read header-first with errors naming row and column.

Columns (any order, header names case-insensitive; only the first three are
required): serial, vendor, os_family, model, running_version,
licensed_feature_set, hostname, purchase_date (YYYY-MM-DD), notes, platform
(an image family id of the hardware catalogue, `fixright hardware list`,
overriding the one derived from the model; checked on import). UTF-8,
with or without a byte-order mark. A cell that an export neutralised for
spreadsheets ("'=...") reads back as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fixright.csvtext import read_csv, shorten
from fixright.errors import InvalidInput
from fixright.versions import InvalidVersion, parse

CSV_COLUMNS = (
    "serial",
    "vendor",
    "os_family",
    "model",
    "running_version",
    "licensed_feature_set",
    "hostname",
    "purchase_date",
    "notes",
    "platform",
)
REQUIRED_COLUMNS = ("serial", "vendor", "os_family")
_MAX_LENGTH = {
    "serial": 64,
    "vendor": 32,
    "os_family": 32,
    "model": 100,
    "running_version": 100,
    "licensed_feature_set": 100,
    "hostname": 255,
    "notes": 4000,
    "platform": 64,
}
_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$")
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")
# Errors listed before the rest are summarised, so a wrong file gives a readable message.
_MAX_ERRORS = 10


@dataclass(frozen=True)
class CsvDevice:
    """One valid CSV row; `row` is its line number in the file (header is row 1)."""

    row: int
    serial: str
    vendor: str
    os_family: str
    model: str
    running_version: str
    licensed_feature_set: str
    hostname: str
    purchase_date: date | None
    notes: str
    platform: str = ""  # an image family id, checked against the catalogue on import


def _cell(value: str | None) -> str:
    text = (value or "").strip()
    return text[1:] if _NEUTRALISED.match(text) else text


def _row_device(number: int, values: dict[str, str]) -> tuple[CsvDevice | None, list[str]]:
    errors: list[str] = []
    for column, limit in _MAX_LENGTH.items():
        if len(values.get(column, "")) > limit:
            errors.append(f"column {column}: longer than {limit} characters")
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            errors.append(f"column {column}: empty")
    vendor = values.get("vendor", "").lower()
    family = values.get("os_family", "").lower()
    serial = values.get("serial", "")
    if vendor and not _TOKEN.match(vendor):
        errors.append(f"column vendor: {vendor!r} is not a vendor name like cisco or juniper")
    if family and not _TOKEN.match(family):
        errors.append(f"column os_family: {family!r} is not an OS family like ios or junos")
    if serial and not _SERIAL.match(serial):
        errors.append(f"column serial: {serial!r} has characters a serial number never has")
    version = values.get("running_version", "")
    if version and family and _TOKEN.match(family):
        try:
            parse(family, version)
        except InvalidVersion as exc:
            errors.append(f"column running_version: {exc.message}")
    purchase: date | None = None
    if values.get("purchase_date"):
        try:
            purchase = date.fromisoformat(values["purchase_date"])
        except ValueError:
            errors.append(
                f"column purchase_date: {values['purchase_date']!r} is not a date (YYYY-MM-DD)"
            )
    if errors:
        return None, [f"row {number}, {e}" for e in errors]
    return (
        CsvDevice(
            row=number,
            serial=serial,
            vendor=vendor,
            os_family=family,
            model=values.get("model", ""),
            running_version=version,
            licensed_feature_set=values.get("licensed_feature_set", "").lower() or "unknown",
            hostname=values.get("hostname", ""),
            purchase_date=purchase,
            notes=values.get("notes", ""),
            platform=values.get("platform", ""),
        ),
        [],
    )


def read_devices_csv(text: str, source_name: str) -> list[CsvDevice]:
    """Every row of a device CSV, or `InvalidInput` listing the bad rows and columns.

    All-or-nothing: one bad row and no row is returned.
    """
    reader = read_csv(text, source_name, sniff=False)
    names = [h.strip().lower() for h in reader.header]
    unknown = [h for h in names if h not in CSV_COLUMNS]
    if unknown:
        shown = ", ".join(shorten(h) for h in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise InvalidInput(
            f"{source_name}: row 1: unknown column(s) {shown}{more}; "
            f"columns are {', '.join(CSV_COLUMNS)}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InvalidInput(f"{source_name}: row 1: missing column(s) {', '.join(missing)}")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InvalidInput(f"{source_name}: row 1: column(s) {', '.join(duplicated)} twice")
    devices: list[CsvDevice] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for number, cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                errors.append(f"row {number}: {len(cells)} cells, the header has {len(names)}")
                continue
            values = {name: _cell(cell) for name, cell in zip(names, cells, strict=True)}
            device, row_errors = _row_device(number, values)
            errors.extend(row_errors)
            if device is None:
                continue
            key = (device.vendor, device.serial)
            if key in seen:
                errors.append(
                    f"row {number}, column serial: {device.serial} already on row {seen[key]}"
                )
                continue
            seen[key] = number
            devices.append(device)
    except InvalidInput as exc:
        errors.append(exc.message.removeprefix(f"{source_name}: "))
    if errors:
        shown = "; ".join(errors[:_MAX_ERRORS])
        more = f" (and {len(errors) - _MAX_ERRORS} more)" if len(errors) > _MAX_ERRORS else ""
        raise InvalidInput(f"{source_name}: {shown}{more}")
    if not devices:
        raise InvalidInput(f"{source_name}: no device rows under the header")
    return devices
