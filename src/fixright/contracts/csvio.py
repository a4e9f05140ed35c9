"""Reading contract CSV files: one row per covered serial, as vendors export them.

Columns are found by their header, in any order, any case, with or without a
UTF-8 BOM; other columns are ignored (and reported). Accepted headers:

| field | headers | required |
| --- | --- | --- |
| contract_number | contract number, contract, contract no, contract id | yes |
| service_level | service level, sla, service | yes |
| serial | serial, serial number, sn | yes |
| product_id | product id, pid, product, product number | yes |
| start | start, start date, coverage start, begin date | yes |
| end | end, end date, coverage end, expiry, expiration date | yes |
| list_price | list price, price, cost | no (empty: unknown) |
| currency | currency | when the row has a price (ISO 4217, e.g. EUR) |
| provider | provider, vendor, partner | no |

Dates are ISO (2025-03-01), 01-Mar-2025 or 2025/03/01. Prices are plain
numbers (1234.50, or 1,234.50). Every problem names the row (as a
spreadsheet numbers it: the header is row 1) and the column; the whole file
is refused if any row is bad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from fixright.csvtext import decode_csv_bytes, read_csv, shorten
from fixright.errors import InvalidInput

FIELDS: dict[str, tuple[str, ...]] = {
    "contract_number": ("contract number", "contract", "contract no", "contract id",
                        "contract nr"),
    "service_level": ("service level", "sla", "service", "service level agreement"),
    "serial": ("serial", "serial number", "sn", "serial no"),
    "product_id": ("product id", "pid", "product", "product number"),
    "start": ("start", "start date", "coverage start", "coverage start date", "begin date",
              "begin"),
    "end": ("end", "end date", "coverage end", "coverage end date", "expiry", "expiry date",
            "expiration date", "expiration"),
    "list_price": ("list price", "price", "cost"),
    "currency": ("currency",),
    "provider": ("provider", "vendor", "partner"),
}
REQUIRED = ("contract_number", "service_level", "serial", "product_id", "start", "end")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%d %b %Y", "%Y/%m/%d")
_PRICE = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MAX_ERRORS = 20


@dataclass(frozen=True)
class CoverageRow:
    """One valid row: a serial covered by a contract from `start` to `end` (inclusive)."""

    row: int
    contract_number: str
    service_level: str
    serial: str
    product_id: str
    start: date
    end: date
    list_price: Decimal | None = None
    currency: str | None = None
    provider: str | None = None


@dataclass(frozen=True)
class ContractFile:
    rows: list[CoverageRow]
    ignored_columns: list[str]


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip().replace("#", "")


_ALIASES = {alias: field for field, aliases in FIELDS.items() for alias in aliases}
_ALIASES.update({field.replace("_", " "): field for field in FIELDS})


def parse_date(text: str) -> date:
    """A date in one of the accepted spellings; ValueError otherwise."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD, e.g. 2025-03-01)")


# The cost columns are NUMERIC(14, 2): more whole digits overflowed on PostgreSQL
# (a 500) and were stored approximately on SQLite.
MAX_PRICE_DIGITS = 12


def _price(text: str) -> Decimal:
    if text.startswith("-"):
        raise ValueError(f"price {shorten(text)} is negative")
    if not _PRICE.match(text):
        raise ValueError(f"{shorten(text)} is not a price (digits, optional decimals: 1234.50)")
    whole = text.split(".", 1)[0].replace(",", "")
    if len(whole.lstrip("0")) > MAX_PRICE_DIGITS:
        raise ValueError(f"price {shorten(text)} has more than {MAX_PRICE_DIGITS} digits before "
                         "the decimal point")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise ValueError(f"{text!r} is not a price") from None


def _listed(header: list[str], limit: int = 12) -> str:
    shown = ", ".join(shorten(h) for h in header[:limit])
    return shown + (f" and {len(header) - limit} more" if len(header) > limit else "")


def read_contract_csv(data: bytes | str, *, source: str = "<csv>") -> ContractFile:
    """Parse and validate a contract CSV; `InvalidInput` lists every bad row and column."""
    text = decode_csv_bytes(data, source) if isinstance(data, bytes) else data
    reader = read_csv(text, source)
    header = reader.header
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        field = _ALIASES.get(_header_key(name))
        if field is None:
            if name.strip():
                ignored.append(name.strip())
            continue
        if field in columns:
            raise InvalidInput(
                f"{source}: row 1: columns {header[columns[field]]!r} and {name!r} both "
                f"give {field}"
            )
        columns[field] = index
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise InvalidInput(
            f"{source}: row 1: missing column(s) {', '.join(missing)}; found "
            f"{_listed(header)}. See `fixright contracts import --help`."
        )
    errors: list[str] = []
    rows: list[CoverageRow] = []
    seen: dict[tuple[str, str], int] = {}
    contract_first: dict[str, CoverageRow] = {}
    try:
        for number, record in reader:
            if not any(cell.strip() for cell in record):
                continue
            row_errors: list[str] = []

            def cell(field: str, record: list[str] = record) -> str:
                index = columns.get(field)
                return record[index].strip() if index is not None and index < len(record) else ""

            def bad(field: str, why: str, number: int = number,
                    row_errors: list[str] = row_errors) -> None:
                row_errors.append(f"{source}: row {number}, column {field}: {why}")

            values: dict[str, str] = {f: cell(f) for f in FIELDS}
            for field in REQUIRED:
                if not values[field]:
                    bad(field, "empty")
            start = end = None
            for field in ("start", "end"):
                if values[field]:
                    try:
                        parsed = parse_date(values[field])
                    except ValueError as exc:
                        bad(field, str(exc))
                        continue
                    if field == "start":
                        start = parsed
                    else:
                        end = parsed
            if start and end and end < start:
                bad("end", f"ends {end} before it starts {start}")
            price = None
            if values["list_price"]:
                try:
                    price = _price(values["list_price"])
                except ValueError as exc:
                    bad("list_price", str(exc))
            currency = values["currency"].upper() or None
            if currency and not _CURRENCY.match(currency):
                bad("currency", f"{values['currency']!r} is not a 3-letter currency code")
            elif price is not None and currency is None:
                # A price without its currency cannot be added up or compared: "850 ?".
                bad("currency", f"the price {values['list_price']} has no currency; add a "
                    "currency column (ISO 4217, e.g. EUR)")
            if row_errors:
                errors.extend(row_errors)
                if len(errors) >= _MAX_ERRORS:
                    break
                continue
            assert start is not None and end is not None
            row = CoverageRow(number, values["contract_number"], values["service_level"],
                              values["serial"].upper(), values["product_id"], start, end,
                              price, currency, values["provider"] or None)
            key = (row.contract_number, row.serial)
            if key in seen:
                errors.append(f"{source}: row {number}, column serial: duplicate line: "
                              f"contract {row.contract_number} serial {row.serial} is already "
                              f"on row {seen[key]}")
                continue
            seen[key] = number
            first = contract_first.setdefault(row.contract_number, row)
            for field in ("service_level", "currency", "provider"):
                if getattr(row, field) != getattr(first, field):
                    errors.append(
                        f"{source}: row {number}, column {field}: contract "
                        f"{row.contract_number} has {field} {getattr(first, field)!r} on row "
                        f"{first.row} but {getattr(row, field)!r} here"
                    )
            rows.append(row)
    except InvalidInput as exc:
        errors.append(exc.message)
    if errors:
        more = "\n(stopped after the first errors)" if len(errors) >= _MAX_ERRORS else ""
        raise InvalidInput("\n".join(errors[:_MAX_ERRORS]) + more)
    if not rows:
        raise InvalidInput(f"{source}: no coverage rows under the header")
    return ContractFile(rows, ignored)
