"""Parsing JSON from outside into Python data, with every failure a clear `InvalidInput`. PURE.

`json.loads` raises more than `JSONDecodeError` on hostile input: 100,000
nested brackets give `RecursionError`, an integer of over 4,300 digits gives
`ValueError` (CPython's int-conversion limit), bytes that are not UTF-8 give
`UnicodeDecodeError`. Each became a traceback or a 500. All are mapped here to
one short message that names the source.
"""

from __future__ import annotations

import json
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
