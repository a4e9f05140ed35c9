"""Render rows of data as a Rich table, JSON or CSV, for every CLI command.

CSV output neutralises cells a spreadsheet would execute as a formula
(OWASP "CSV injection"): a cell starting with = + - @ (or a tab / carriage
return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?%?|\d+/\d+")


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


def _plain(value: Any, *, numbers: bool = False) -> Any:
    """`value` made of JSON types. Decimals (money) are numbers in JSON (`numbers`), and
    keep their written form ("1746.00") in a CSV or table cell."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if numbers else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v, numbers=numbers) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, numbers=numbers) for k, v in value.items()}
    return value


def _json(value: Any) -> Any:
    return _plain(value, numbers=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(_cell(v) for v in value)
    return str(_plain(value))


def _shown(value: Any) -> str:
    """A table cell for people: yes/no rather than True/False."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _cell(value)


def to_json(data: Any) -> str:
    return json.dumps(_json(data), indent=2, ensure_ascii=False)


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
    """A JSON array written item by item, one item per line.

    Items are not indented: `indent` makes `json` use its pure-Python encoder,
    which made `--format json` of a report half as slow again as CSV. The
    separators stay `", "` and `": "`, so the text still reads as JSON usually does.
    """
    first = True
    for item in items:
        stream.write(("[\n" if first else ",\n") + json.dumps(_json(item), ensure_ascii=False))
        first = False
    stream.write("[]\n" if first else "\n]\n")


def write_json_lines(items: Iterable[Any], stream: IO[str]) -> None:
    """One compact JSON document per line (JSON Lines)."""
    for item in items:
        stream.write(json.dumps(_json(item), ensure_ascii=False, separators=(",", ":")) + "\n")


def emit(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: Format | str,
    *,
    title: str | None = None,
    console: Console | None = None,
    json_data: Any = None,
    drop: Sequence[str] = (),
) -> None:
    """Print `rows` in `fmt`. `json_data`, when given, is printed instead of rows for JSON.

    CSV, JSON and JSON Lines are written to the console's file row by row,
    never through Rich: a report of a million devices must not become one
    string in memory. Only the table is rendered by Rich; `drop` names the
    columns a narrow terminal leaves out first (see `fit_columns`).
    """
    out = console or Console(soft_wrap=True)
    fmt = Format(fmt)
    stream = out.file
    if fmt is Format.json:
        if json_data is not None:
            json.dump(_json(json_data), stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        else:
            write_json_array(rows, stream)
    elif fmt is Format.jsonl:
        write_json_lines(rows, stream)
    elif fmt is Format.csv:
        write_csv(rows, columns, stream)
    else:
        print_table(rows, columns, out, title=title, drop=drop)


def header(column: str) -> str:
    """A column name as a table header people read: `combined_fix` -> "combined fix"."""
    return column.replace("_", " ")


def _words(text: str) -> int:
    """Width of the longest word: the narrowest a cell can be without breaking a word."""
    return max((cell_len(word) for word in text.split()), default=0)


def fit_columns(
    columns: Sequence[str], cells: Sequence[Sequence[str]], width: int,
    drop: Sequence[str] = (),
) -> tuple[list[int], list[int]]:
    """Which columns fit in `width` terminal cells, and how wide each kept one is.

    A cell may wrap between words but never inside one, so a serial, a version
    or an advisory id is always shown whole: a column is at least as wide as its
    longest word. When those minimums do not fit, columns are left out, in this
    order: the empty ones, then those named in `drop` (in that order), then from
    the right (the first column only when named); a dropped column comes back
    if room is left. Two columns always stay: if even they do not fit, their
    longest words fold. Returns (kept indices, widths).
    """
    count = len(columns)
    least = [max(_words(header(c)), *(_words(row[i]) for row in cells), 1)
             for i, c in enumerate(columns)]
    most = [max(cell_len(header(c)), *(cell_len(row[i]) for row in cells), 1)
            for i, c in enumerate(columns)]
    empty = [i for i in range(count) if i and cells and not any(row[i] for row in cells)]
    named = [columns.index(c) for c in drop if c in columns]
    order = [*empty, *(i for i in named if i not in empty),
             *(i for i in range(count - 1, 0, -1) if i not in empty and i not in named)]
    kept = list(range(count))

    def room() -> int:  # a bar before every column and after the last, one space each side
        return width - 3 * len(kept) - 1

    dropped: list[int] = []
    for index in order:
        if sum(least[i] for i in kept) <= room() or (len(kept) <= 2 and index not in empty):
            break  # two columns are kept whatever their width: a long word then folds
        kept.remove(index)
        dropped.append(index)
    # Room left over: take back the most important of the dropped columns that fit.
    for index in reversed(dropped):
        if index not in empty and sum(least[i] for i in kept) + least[index] <= room() - 3:
            kept = sorted([*kept, index])
    widths = {i: most[i] for i in kept}
    # Narrow the widest column that can still wrap, one cell at a time, until it fits.
    while sum(widths.values()) > room():
        wrappable = [i for i in kept if widths[i] > least[i]] or [
            i for i in kept if widths[i] > 1]  # nothing else left: fold the widest word
        if not wrappable:
            break
        widest = max(wrappable, key=lambda i: widths[i])
        widths[widest] -= 1
    return kept, [widths[i] for i in kept]


def print_table(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], out: Console,
    *, title: str | None = None, drop: Sequence[str] = (),
) -> None:
    """A Rich table that fits the console: whole words, columns chosen by width.

    Columns that do not fit are named below the table, with the way to see them.
    """
    cells = [[_shown(row.get(c)) for c in columns] for row in rows]
    kept, widths = fit_columns(columns, cells, out.width, drop)
    table = Table(title=title, show_lines=False)
    for index, width in zip(kept, widths, strict=True):
        numeric = bool(cells) and all(_NUMBER.fullmatch(row[index]) for row in cells
                                      if row[index])
        table.add_column(header(columns[index]), width=width, overflow="fold",
                         justify="right" if numeric else "left")
    for row in cells:
        table.add_row(*(row[i] for i in kept))
    out.print(table)
    hidden = [c for i, c in enumerate(columns) if i not in kept]
    if hidden:
        out.print(f"not shown at {out.width} columns: {', '.join(header(c) for c in hidden)} "
                  "(a wider terminal, --format csv or --format json shows every column)",
                  highlight=False, style="dim")
