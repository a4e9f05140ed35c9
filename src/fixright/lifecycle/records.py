"""Lifecycle files as typed records: CSV, JSON and Cisco EoX API answers. PURE.

Every problem raises `InvalidInput` naming the file and the row (CSV) or the
record (JSON, counted from 1). docs/hardware.md documents the formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from fixright.csvtext import read_csv
from fixright.errors import InvalidInput
from fixright.jsontext import load_json

# Milestones in the order they fall, with the words a customer reads.
MILESTONES: tuple[tuple[str, str], ...] = (
    ("end_of_sale", "end of sale"),
    ("end_of_sw_maintenance", "end of software maintenance"),
    ("end_of_security_support", "end of security support"),
    ("last_date_of_support", "last date of support"),
)
DATE_FIELDS = tuple(name for name, _words in MILESTONES)
CSV_COLUMNS = ("pid", "family", "vendor", "description", *DATE_FIELDS, "bulletin_url")
# Cisco EoX API record keys -> our fields.
EOX_FIELDS = {
    "EndOfSaleDate": "end_of_sale",
    "EndOfSWMaintenanceReleases": "end_of_sw_maintenance",
    "EndOfSecurityVulSupportDate": "end_of_security_support",
    "LastDateOfSupport": "last_date_of_support",
}
_PID = re.compile(r"^\S(?:[^\t\r\n]{0,98}\S)?$")
_FAMILY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_URL = re.compile(r"^https?://\S{1,490}$")


@dataclass(frozen=True)
class LifecycleRecord:
    """The lifecycle dates of one hardware model (`pid`) or one image family (`family`)."""

    pid: str | None = None
    family: str | None = None
    vendor: str = "cisco"
    description: str = ""
    end_of_sale: date | None = None
    end_of_sw_maintenance: date | None = None
    end_of_security_support: date | None = None
    last_date_of_support: date | None = None
    bulletin_url: str | None = None

    @property
    def key(self) -> str:
        """Unique key in the store: `pid:WS-C3750X-48PF-S` or `family:c3750e`."""
        return f"pid:{self.pid.upper()}" if self.pid else f"family:{(self.family or '').lower()}"

    def dates(self) -> dict[str, date | None]:
        return {name: getattr(self, name) for name in DATE_FIELDS}


@dataclass(frozen=True)
class Milestone:
    name: str
    words: str
    day: date
    passed: bool


def milestones(record: LifecycleRecord, today: date) -> list[Milestone]:
    """The record's known milestones, in date order, each marked passed or not."""
    found = [Milestone(name, words, day, day < today)
             for name, words in MILESTONES if (day := getattr(record, name)) is not None]
    return sorted(found, key=lambda m: m.day)


def next_milestone(record: LifecycleRecord, today: date) -> Milestone | None:
    return next((m for m in milestones(record, today) if not m.passed), None)


def _date(value: Any, where: str, name: str) -> date | None:
    if isinstance(value, Mapping):  # EoX: {"value": "2019-10-30", "dateFormat": "YYYY-MM-DD"}
        value = value.get("value")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: {name} must be a date YYYY-MM-DD, not {value!r}")
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{where}: {name} {text[:40]!r} is not a date YYYY-MM-DD") from None


def _text(value: Any, where: str, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: {name} must be text")
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{where}: {name} is longer than {limit} characters")
    return text


def build(raw: Mapping[str, Any], where: str) -> LifecycleRecord:
    """One record from a mapping of our field names; `InvalidInput` naming `where`."""
    unknown = sorted(set(raw) - {f.name for f in fields(LifecycleRecord)})
    if unknown:
        raise InvalidInput(f"{where}: unknown field {unknown[0]!r}; fields are "
                           f"{', '.join(CSV_COLUMNS)}")
    pid = _text(raw.get("pid"), where, "pid", 100) or None
    family = _text(raw.get("family"), where, "family", 64) or None
    if bool(pid) == bool(family):
        raise InvalidInput(f"{where}: give exactly one of pid (a hardware model) or family "
                           "(an image family)")
    if pid and not _PID.match(pid):
        raise InvalidInput(f"{where}: pid {pid[:40]!r} is not a product id")
    if family and not _FAMILY.match(family):
        raise InvalidInput(f"{where}: family {family[:40]!r} is not an image family id")
    url = _text(raw.get("bulletin_url"), where, "bulletin_url", 500) or None
    if url and not _URL.match(url):
        raise InvalidInput(f"{where}: bulletin_url must be an http(s) URL")
    dates = {name: _date(raw.get(name), where, name) for name in DATE_FIELDS}
    if not any(dates.values()):
        raise InvalidInput(f"{where}: no lifecycle date given")
    return LifecycleRecord(
        pid=pid, family=family.lower() if family else None,
        vendor=(_text(raw.get("vendor"), where, "vendor", 32) or "cisco").lower(),
        description=_text(raw.get("description"), where, "description", 300),
        bulletin_url=url, **dates)


def _from_eox(raw: Any, where: str) -> LifecycleRecord:
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: an EOXRecord entry must be an object")
    error = raw.get("EOXError")
    if isinstance(error, Mapping) and error.get("ErrorID"):
        raise InvalidInput(f"{where}: the EoX answer is an error: "
                           f"{_text(error.get('ErrorDescription'), where, 'EOXError', 300)}")
    mapped: dict[str, Any] = {"pid": raw.get("EOLProductID"),
                              "description": raw.get("ProductIDDescription"),
                              "bulletin_url": raw.get("LinkToProductBulletinURL") or None}
    for eox, ours in EOX_FIELDS.items():
        mapped[ours] = raw.get(eox)
    return build(mapped, where)


def _unique(records: Iterable[LifecycleRecord], source: str) -> list[LifecycleRecord]:
    seen: dict[str, int] = {}
    result = []
    for number, record in enumerate(records, start=1):
        if record.key in seen:
            raise InvalidInput(f"{source}: record {number}: {record.key} is listed twice "
                               f"(first as record {seen[record.key]})")
        seen[record.key] = number
        result.append(record)
    if not result:
        raise InvalidInput(f"{source}: no lifecycle records")
    return result


def read_json(text: str | bytes, source: str) -> list[LifecycleRecord]:
    """Our JSON (`{"records": [...]}` or a list) or a Cisco EoX answer (`{"EOXRecord": [...]}`)."""
    data = load_json(text, source)
    if isinstance(data, Mapping) and "EOXRecord" in data:
        items, convert = data["EOXRecord"], _from_eox
    elif isinstance(data, Mapping) and "records" in data:
        items, convert = data["records"], None
    elif isinstance(data, list):
        items, convert = data, None
    else:
        raise InvalidInput(f"{source}: expected a list of records, {{\"records\": [...]}} or a "
                           "Cisco EoX answer {\"EOXRecord\": [...]}")
    if not isinstance(items, list):
        raise InvalidInput(f"{source}: the records must be a JSON list")
    records = []
    for number, item in enumerate(items, start=1):
        where = f"{source}: record {number}"
        if convert is not None:
            records.append(convert(item, where))
        elif isinstance(item, Mapping):
            records.append(build(item, where))
        else:
            raise InvalidInput(f"{where}: a record must be an object")
    return _unique(records, source)


def read_csv_text(text: str, source: str) -> list[LifecycleRecord]:
    """CSV with a header naming some of `CSV_COLUMNS` (pid or family, and dates)."""
    rows = read_csv(text, source)
    header = [h.strip().lower() for h in rows.header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(f"{source}: row 1: unknown column {unknown[0]!r}; columns are "
                           f"{', '.join(CSV_COLUMNS)}")
    records = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InvalidInput(f"{source}: row {line}: {len(cells)} cells, the header has "
                               f"{len(header)}")
        records.append(build(dict(zip(header, cells, strict=True)), f"{source}: row {line}"))
    return _unique(records, source)


def read_lifecycle(data: bytes, source: str) -> list[LifecycleRecord]:
    """A lifecycle file by its content: JSON when it starts with `{` or `[`, else CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text ({exc.reason})") from None
    if text.lstrip().startswith(("{", "[")):
        return read_json(text, source)
    return read_csv_text(text, source)
