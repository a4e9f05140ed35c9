"""Parsing JSON from outside into Python data, with every failure a clear `InvalidInput`. PURE.

`json.loads` raises more than `JSONDecodeError` on hostile input: 100,000
nested brackets give `RecursionError`, an integer of over 4,300 digits gives
`ValueError` (CPython's int-conversion limit), bytes that are not UTF-8 give
`UnicodeDecodeError`. Each became a traceback or a 500. All are mapped here to
one short message that names the source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fixright.errors import InvalidInput


def load_json(raw: bytes | str, source: str) -> Any:
    """The data of JSON text `raw`; `InvalidInput` naming `source` when it is not readable."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise InvalidInput(f"{source}: JSON nested too deeply to be a real document") from None
    except ValueError as exc:
        # The int-conversion limit; its message is long and mentions internals.
        reason = "a number with too many digits" if "digits" in str(exc) else "unreadable"
        raise InvalidInput(f"{source}: not valid JSON ({reason})") from None


def _mapped(exc: Exception, source: str) -> InvalidInput:
    """`load_json`'s message for a failure of the decoder at some place."""
    if isinstance(exc, json.JSONDecodeError):
        return InvalidInput(
            f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})")
    if isinstance(exc, RecursionError):
        return InvalidInput(f"{source}: JSON nested too deeply to be a real document")
    reason = "a number with too many digits" if "digits" in str(exc) else "unreadable"
    return InvalidInput(f"{source}: not valid JSON ({reason})")


def decode_text(raw: bytes | str, source: str) -> str:
    """`raw` as text: UTF-8 bytes decoded, `InvalidInput` naming `source` when they are not."""
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text ({exc.reason})") from None


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def iter_first_member(text: str, member: str, source: str) -> Iterator[Any]:
    """The elements of the array `member` of the JSON object `text`, parsed one at a time.

    For documents like `{"advisories": [...]}` too large to hold as Python data:
    only one element is built at a time. `member` must be the object's first
    member and an array; the rest of the object is still read (and discarded),
    so a document that is not valid JSON as a whole still fails, as `load_json`
    would, with the same short messages (depth, long integers, syntax).
    """
    pos = 0

    def skip() -> int:
        match = _SPACE.match(text, pos)
        return match.end() if match else pos

    def expect(char: str, what: str) -> int:
        at = skip()
        if text[at:at + 1] != char:
            raise _mapped(json.JSONDecodeError(f"Expecting {what}", text, at), source)
        return at + 1

    def value() -> tuple[Any, int]:
        at = skip()
        try:
            return _DECODER.raw_decode(text, at)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            raise _mapped(exc, source) from None

    pos = expect("{", "'{'")
    key, pos = value()
    if key != member:
        raise InvalidInput(f"{source}: $: expected {member!r} as the first member")
    pos = expect(":", "':' delimiter")
    pos = expect("[", "'['")
    pos = skip()
    if text[pos:pos + 1] == "]":
        pos += 1
    else:
        while True:
            element, pos = value()
            yield element
            del element
            pos = skip()
            if text[pos:pos + 1] == "]":
                pos += 1
                break
            pos = expect(",", "',' delimiter")
    pos = skip()
    while text[pos:pos + 1] == ",":
        pos += 1
        key, pos = value()
        if not isinstance(key, str):
            raise _mapped(json.JSONDecodeError("Expecting property name enclosed in double "
                                               "quotes", text, skip()), source)
        if key == member:
            raise InvalidInput(f"{source}: $: member {member!r} given twice")
        pos = expect(":", "':' delimiter")
        _ignored, pos = value()
        pos = skip()
    pos = expect("}", "',' delimiter")
    pos = skip()
    if pos != len(text):
        raise _mapped(json.JSONDecodeError("Extra data", text, pos), source)
