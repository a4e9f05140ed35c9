"""Render rows of data as a Rich table, JSON or CSV, for every CLI command.

CSV output neutralises cells a spreadsheet would execute as a formula
(OWASP "CSV injection"): a cell starting with = + - @ (or a tab / carriage
return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def neutralise_cell(value: str) -> str:
    """`value`, made inert for spreadsheets if it could start a formula."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(_cell(v) for v in value)
    return str(_plain(value))


def to_json(data: Any) -> str:
    return json.dumps(_plain(data), indent=2, ensure_ascii=False)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise_cell(_cell(row.get(c))) for c in columns])
    return buffer.getvalue()


def emit(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: Format | str,
    *,
    title: str | None = None,
    console: Console | None = None,
    json_data: Any = None,
) -> None:
    """Print `rows` in `fmt`. `json_data`, when given, is printed instead of rows for JSON."""
    out = console or Console(soft_wrap=True)
    fmt = Format(fmt)
    if fmt is Format.json:
        out.print(to_json(json_data if json_data is not None else list(rows)), markup=False,
                  highlight=False)
    elif fmt is Format.csv:
        out.file.write(to_csv(rows, columns))
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        out.print(table)
