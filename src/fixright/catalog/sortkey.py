"""An order-preserving text encoding of `Version.key`, for `release.version_key`. PURE.

`encode_key(v.key)` returns a string of `0-9a-f` only whose plain string order
(byte order in SQLite, and any collation that orders digits before letters
and a prefix before its extensions, as PostgreSQL's do) is the order of the
keys themselves. So `ORDER BY train, version_key` in SQL lists the releases
of one train oldest first. Across classic-IOS trains the strings still sort,
but that order means nothing (see `fixright.versions.compare`).

Encoding, element by element (tuples are flattened with an end marker):
- tuple end: `0` (sorts before any element, so a prefix sorts first)
- negative int: `1`, then `ff - len(hex)` as 2 hex digits, then each hex digit `d` as `f - d`
- non-negative int: `2`, then `len(hex)` as 2 hex digits, then the hex digits
- str: `3`, then each character's code point as 6 hex digits, then `000000`
- nested tuple: `4`, then its elements, then `0`
"""

from __future__ import annotations

from typing import Any

_COMPLEMENT = str.maketrans("0123456789abcdef", "fedcba9876543210")


def _int(n: int) -> str:
    if n >= 0:
        digits = format(n, "x")
        if len(digits) > 0xFF:
            raise ValueError("integer too large for a version key")
        return f"2{len(digits):02x}{digits}"
    digits = format(-n, "x")
    if len(digits) > 0xFF:
        raise ValueError("integer too large for a version key")
    return f"1{0xFF - len(digits):02x}{digits.translate(_COMPLEMENT)}"


def _encode(value: Any, out: list[str]) -> None:
    if isinstance(value, bool):
        out.append(_int(int(value)))
    elif isinstance(value, int):
        out.append(_int(value))
    elif isinstance(value, str):
        out.append("3" + "".join(format(ord(c), "06x") for c in value) + "000000")
    elif isinstance(value, tuple):
        out.append("4")
        for item in value:
            _encode(item, out)
        out.append("0")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} in a version key")


def encode_key(key: tuple[Any, ...]) -> str:
    """The sortable text form of a `Version.key` (a tuple of ints, strs and tuples)."""
    out: list[str] = []
    for item in key:
        _encode(item, out)
    out.append("0")
    return "".join(out)
