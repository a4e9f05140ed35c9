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
import sys
from collections.abc import Iterator
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
            # A fleet has few distinct values of these: one string each, not one per row
            # (a million-row import keeps a line per device in its report).
            vendor=sys.intern(vendor),
            os_family=sys.intern(family),
            model=sys.intern(values.get("model", "")),
            running_version=sys.intern(version),
            licensed_feature_set=sys.intern(
                values.get("licensed_feature_set", "").lower() or "unknown"),
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
    devices: list[CsvDevice] = []
    for chunk in iter_devices_csv(text, source_name):
        devices.extend(chunk)
    return devices


# Rows handed over at a time: memory stays that of one chunk, whatever the file's length.
CHUNK_ROWS = 10_000


def _check_header(header: list[str], source_name: str) -> list[str]:
    names = [h.strip().lower() for h in header]
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
    return names


def iter_devices_csv(
    text: str, source_name: str, chunk_rows: int | None = None
) -> Iterator[list[CsvDevice]]:
    """The valid rows of a device CSV in chunks of `chunk_rows` (default `CHUNK_ROWS`),
    for imports that stream.

    Once a row is bad no further chunk is given, but the rest of the file is still
    checked: at the end `InvalidInput` lists the bad rows and columns, as
    `read_devices_csv` does. A caller that wrote the chunks it got rolls its
    transaction back on that error, so a file still goes in whole or not at all.
    """
    reader = read_csv(text, source_name, sniff=False)
    names = _check_header(reader.header, source_name)
    chunk: list[CsvDevice] = []
    errors: list[str] = []
    given = 0
    # Duplicates span the whole file; one short key per row (not the row) is what stays.
    seen: dict[str, int] = {}
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
            key = f"{device.vendor}\0{device.serial}"
            first = seen.setdefault(key, number)
            if first != number:
                errors.append(
                    f"row {number}, column serial: {device.serial} already on row {first}"
                )
                continue
            if errors:
                continue
            chunk.append(device)
            if len(chunk) >= (chunk_rows or CHUNK_ROWS):
                given += len(chunk)
                yield chunk
                chunk = []
    except InvalidInput as exc:
        errors.append(exc.message.removeprefix(f"{source_name}: "))
    if errors:
        shown = "; ".join(errors[:_MAX_ERRORS])
        more = f" (and {len(errors) - _MAX_ERRORS} more)" if len(errors) > _MAX_ERRORS else ""
        raise InvalidInput(f"{source_name}: {shown}{more}")
    if not given and not chunk:
        raise InvalidInput(f"{source_name}: no device rows under the header")
    if chunk:
        yield chunk
