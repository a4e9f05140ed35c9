"""Parsing TOML from outside (policies, hardware files) without tracebacks. PURE.

`tomllib.loads` raises more than `TOMLDecodeError` on hostile input: 100,000
nested arrays or inline tables give `RecursionError`, an integer of over
4,300 digits gives `ValueError` (CPython's int-conversion limit). Both became
tracebacks in the CLI and 500s in the API. They are mapped here to one short
`InvalidInput` naming the source; a `TOMLDecodeError` is re-raised unchanged
so each caller can name the line in its own words.
"""

from __future__ import annotations

import tomllib
from typing import Any

from fixright.errors import InvalidInput


def load_toml(text: str, source: str) -> dict[str, Any]:
    """The table of TOML `text`; `InvalidInput` naming `source` for nesting or huge numbers."""
    if "\x00" in text:
        # UTF-16 read as UTF-8 is valid text with a NUL beside each letter.
        raise InvalidInput(f"{source}: NUL characters: binary data or UTF-16 text; TOML is UTF-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise InvalidInput(f"{source}: TOML nested too deeply to be a real document") from None
    except ValueError as exc:
        if "digits" not in str(exc):
            raise
        raise InvalidInput(f"{source}: not valid TOML (a number with too many digits)") from None
