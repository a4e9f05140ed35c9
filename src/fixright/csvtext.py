"""Reading CSV files from outside safely: decoding, delimiter, header and cell limits. PURE.

Contract and device imports both read spreadsheet exports that anyone can
upload, so each step is bounded:

- the delimiter is chosen by counting `,` `;` and tab in the header line
  outside quotes (linear time; `csv.Sniffer` grows faster than quadratically
  and froze the server for 8 s on a 48 KB line);
- a header with more than `MAX_COLUMNS` columns or a cell over
  `MAX_FIELD_CHARS` characters is refused with a short message, not a dump
  of the header or a traceback;
- UTF-16 exports (Excel's "Unicode text") are decoded from their BOM; other
  bytes that are not UTF-8 are named as such.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fixright.errors import InvalidInput

MAX_COLUMNS = 256
MAX_FIELD_CHARS = 65536
_DELIMITERS = (",", ";", "\t")
_SHOWN = 60


def shorten(text: str, limit: int = _SHOWN) -> str:
    """`text` quoted, cut to `limit` characters so an error message stays short."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def decode_csv_bytes(data: bytes, source: str) -> str:
    """The text of an uploaded CSV: UTF-8 (BOM optional) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{source}: UTF-16 text broken at byte {exc.start}") from None
    if b"\x00" in data[:4096]:
        raise InvalidInput(
            f"{source}: binary data or UTF-16 without a byte-order mark; save the sheet as "
            "CSV UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{source}: not UTF-8 text (byte {exc.start}); save the sheet as CSV UTF-8"
        ) from None


def choose_delimiter(first_line: str) -> str:
    """The delimiter used most often outside quotes in `first_line`; `,` when none is."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvRows:
    """A CSV's header and an iterator over its data rows, with spreadsheet row numbers."""

    header: list[str]
    _reader: Any  # a csv.reader: an iterator with line_num
    _source: str

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) per data row; a malformed row raises `InvalidInput`."""
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidInput(_csv_problem(self._source, self.line, exc)) from None
            _check_cells(cells, self._source, self.line)
            yield self.line, cells

    @property
    def line(self) -> int:
        return int(self._reader.line_num)


def _csv_problem(source: str, row: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"{source}: row {row}: a cell over {MAX_FIELD_CHARS} characters; is this the "
                "right file?")
    return f"{source}: row {row}: unreadable CSV ({exc})"


def _check_cells(cells: list[str], source: str, row: int) -> None:
    if len(cells) > MAX_COLUMNS:
        raise InvalidInput(
            f"{source}: row {row}: {len(cells)} columns; a contract or device CSV has at most "
            f"{MAX_COLUMNS}"
        )
    for cell in cells:
        if len(cell) > MAX_FIELD_CHARS:
            raise InvalidInput(
                f"{source}: row {row}: a cell of {len(cell)} characters (limit "
                f"{MAX_FIELD_CHARS}); is this the right file?"
            )


def read_csv(text: str, source: str, *, sniff: bool = True) -> CsvRows:
    """Open `text` as CSV: the header (row 1) read and checked, the rows ready to iterate.

    `sniff` chooses the delimiter from the header; without it `,` is used.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InvalidInput(f"{source}: empty CSV file")
    first_line = text.split("\n", 1)[0][: MAX_FIELD_CHARS * 4]
    delimiter = choose_delimiter(first_line) if sniff else ","
    reader = _bounded_reader(text, delimiter)
    rows = CsvRows([], reader, source)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InvalidInput(_csv_problem(source, 1, exc)) from None
    _check_cells(header, source, 1)
    rows.header = header
    return rows


def _bounded_reader(text: str, delimiter: str) -> Any:
    # The limit is process-wide in the csv module; set it on every use, not at
    # import, so another library lowering it cannot reintroduce tracebacks.
    csv.field_size_limit(MAX_FIELD_CHARS + 1)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
