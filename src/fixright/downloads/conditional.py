"""Conditional and range requests for a download, decided by RFC 9110. PURE.

Starlette's `FileResponse` streams ranges well but decides three cases
against the RFC, so the download route asks this module first and hands
Starlette only a Range it will serve correctly:

- an unknown range unit (`Range: items=0-1`) must be ignored (§14.2), not 400;
- a ranges-specifier with one satisfiable range and one beyond the end must be
  answered 206 with the satisfiable part (§14.1.1, §15.3.7), not 416;
- `If-None-Match` matching the current ETag must be 304 for GET/HEAD (§13.1.2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# More ranges than this in one request is treated as no Range at all (a full
# 200): the RFC lets a server ignore a Range, and it bounds the multipart work.
MAX_RANGES = 16

_SPEC = re.compile(r"\s*(?:(\d{1,19})\s*-\s*(\d{0,19})|-\s*(\d{1,19}))\s*", re.ASCII)


@dataclass(frozen=True)
class Outcome:
    """What to send: `status` 200, 206, 304 or 416, and for 206 the byte ranges (end inclusive)."""

    status: int
    ranges: tuple[tuple[int, int], ...] = ()

    def range_header(self) -> str | None:
        """The normalised `Range` value for the streaming layer, None when not partial."""
        if self.status != 206:
            return None
        return "bytes=" + ",".join(f"{first}-{last}" for first, last in self.ranges)


def _etags(field: str) -> list[str]:
    return [tag.strip() for tag in field.split(",") if tag.strip()]


def _weak_match(field: str, etag: str) -> bool:
    if field.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in _etags(field))


def _if_range_holds(field: str, etag: str, last_modified: str | None) -> bool:
    field = field.strip()
    if field.startswith('"'):
        # Strong comparison only (§13.1.5): a weak tag never validates a range.
        return not etag.startswith("W/") and field == etag
    return last_modified is not None and field == last_modified


def _parse_ranges(field: str, size: int) -> tuple[tuple[int, int], ...] | None:
    """Satisfiable ranges of a `bytes=` field; None when the field must be ignored."""
    unit, sep, specs = field.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    parts = specs.split(",")
    if len(parts) > MAX_RANGES:
        return None
    satisfiable: list[tuple[int, int]] = []
    for part in parts:
        match = _SPEC.fullmatch(part)
        if match is None:
            return None  # an invalid ranges-specifier: ignore the whole field
        first, last, suffix = match.groups()
        if suffix is not None:
            length = int(suffix)
            if length > 0 and size > 0:
                satisfiable.append((max(size - length, 0), size - 1))
            continue
        start = int(first)
        end = int(last) if last else size - 1
        if last and end < start:
            return None
        if start < size:
            satisfiable.append((start, min(end, size - 1)))
    return tuple(satisfiable)


def decide(method: str, headers: Mapping[str, str], *, etag: str, size: int,
           last_modified: str | None = None) -> Outcome:
    """The response a GET or HEAD of a `size`-byte representation with `etag` deserves.

    `headers` are the request's, with lower-case names.
    """
    if method not in ("GET", "HEAD"):
        return Outcome(200)
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and _weak_match(if_none_match, etag):
        return Outcome(304)
    range_field = headers.get("range")
    if range_field is None or method != "GET":
        return Outcome(200)
    if_range = headers.get("if-range")
    if if_range is not None and not _if_range_holds(if_range, etag, last_modified):
        return Outcome(200)
    ranges = _parse_ranges(range_field, size)
    if ranges is None:
        return Outcome(200)
    if not ranges:
        return Outcome(416)
    return Outcome(206, ranges)
