"""Render rows of data as a Rich table, JSON or CSV, for every CLI command.

CSV output neutralises cells a spreadsheet would execute as a formula
(OWASP "CSV injection"): a cell starting with = + - @ (or a tab / carriage
return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from rich.console import Console
from rich.table import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


def neutralise_cell(value: str) -> str:
    """`value`, made inert for spreadsheets if it could start a formula."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# Values JSON and CSV take as they are: the common case, checked first by exact type.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
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
    write_csv(rows, columns, buffer)
    return buffer.getvalue()


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], stream: IO[str]) -> None:
    """CSV with a header, written row by row (memory stays flat whatever the row count)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise_cell(_cell(row.get(c))) for c in columns])


def csv_chunks(rows: Iterable[Mapping[str, Any]], columns: Sequence[str],
               size: int = 64 * 1024) -> Iterator[str]:
    """The text of `write_csv`, handed out in pieces of about `size` characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise_cell(_cell(row.get(c))) for c in columns])
        if buffer.tell() >= size:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def json_lines_chunks(items: Iterable[Any], size: int = 64 * 1024) -> Iterator[str]:
    """The text of `write_json_lines`, handed out in pieces of about `size` characters."""
    lines: list[str] = []
    length = 0
    for item in items:
        line = json.dumps(_plain(item), ensure_ascii=False, separators=(",", ":")) + "\n"
        lines.append(line)
        length += len(line)
        if length >= size:
            yield "".join(lines)
            lines, length = [], 0
    if lines:
        yield "".join(lines)


def write_json_array(items: Iterable[Any], stream: IO[str]) -> None:
    """A JSON array written item by item; the text equals `to_json(list(items))`."""
    first = True
    for item in items:
        text = json.dumps(_plain(item), indent=2, ensure_ascii=False)
        # JSON text holds no raw newline inside strings: indenting every line is a replace.
        stream.write(("[\n  " if first else ",\n  ") + text.replace("\n", "\n  "))
        first = False
    stream.write("[]\n" if first else "\n]\n")


def write_json_lines(items: Iterable[Any], stream: IO[str]) -> None:
    """One compact JSON document per line (JSON Lines)."""
    for item in items:
        stream.write(json.dumps(_plain(item), ensure_ascii=False, separators=(",", ":")) + "\n")


def emit(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: Format | str,
    *,
    title: str | None = None,
    console: Console | None = None,
    json_data: Any = None,
) -> None:
    """Print `rows` in `fmt`. `json_data`, when given, is printed instead of rows for JSON.

    CSV, JSON and JSON Lines are written to the console's file row by row,
    never through Rich: a report of a million devices must not become one
    string in memory. Only the table is rendered by Rich.
    """
    out = console or Console(soft_wrap=True)
    fmt = Format(fmt)
    stream = out.file
    if fmt is Format.json:
        if json_data is not None:
            json.dump(_plain(json_data), stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        else:
            write_json_array(rows, stream)
    elif fmt is Format.jsonl:
        write_json_lines(rows, stream)
    elif fmt is Format.csv:
        write_csv(rows, columns, stream)
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            # Fold, never cut: an id or a serial with an ellipsis is useless.
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        out.print(table)
