"""Product names, as vendors write them, mapped to fixright's os_family.

`Cisco IOS XE Software`, `Cisco Secure Firewall Threat Defense (FTD) Software`,
`FortiOS`, `PAN-OS`, ... The knowledge is the data file
`fixright/advisories/data/product_names.toml` (with its sources), read once
from the package and validated (`load_product_names`). A name fixright cannot
place gives None: the caller keeps the product as unplaced and never matches it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from fixright.errors import InvalidInput

_FAMILY = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}", re.ASCII)
_END = re.compile(r"\s*$|\s+")
# Families with these names are not families: see the data file's header.
NOT_PLACED = "none"
FROM_NAME = "lower-name"


@dataclass(frozen=True, slots=True)
class ProductName:
    """One entry of the table: a name pattern and the family it means."""

    family: str
    vendor: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]
    source: str


def load_product_names(text: str, source: str) -> tuple[ProductName, ...]:
    """Parse and validate a product-name table (TOML); `InvalidInput` names the entry at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: not valid TOML ({exc})") from None
    entries = data.get("product")
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(f"{source}: expected [[product]] entries")
    table: list[ProductName] = []
    for i, entry in enumerate(entries):
        where = f"{source}: product[{i}]"
        if not isinstance(entry, dict):
            raise InvalidInput(f"{where}: expected a table")
        family, pattern = entry.get("family"), entry.get("pattern")
        examples, origin = entry.get("examples"), entry.get("source")
        if not isinstance(family, str) or _FAMILY.fullmatch(family) is None:
            raise InvalidInput(f"{where}: family must be a short lower-case name")
        if not isinstance(pattern, str):
            raise InvalidInput(f"{where}: pattern is missing")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise InvalidInput(f"{where}: pattern does not compile ({exc})") from None
        if family == FROM_NAME and compiled.groups < 1:
            raise InvalidInput(f"{where}: a lower-name pattern needs a group naming the product")
        if not isinstance(origin, str) or not origin.strip():
            raise InvalidInput(f"{where}: every entry names its source")
        if not isinstance(examples, list) or not examples or not all(
            isinstance(x, str) for x in examples
        ):
            raise InvalidInput(f"{where}: examples must be a non-empty list of names")
        table.append(
            ProductName(family, str(entry.get("vendor") or ""), compiled, tuple(examples), origin)
        )
    result = tuple(table)
    for i, item in enumerate(result):
        for example in item.examples:
            found = _lookup(result, example)
            if found is None or found[0] is not item or found[2]:
                raise InvalidInput(
                    f"{source}: product[{i}]: example {example!r} does not resolve to this entry "
                    "(an earlier pattern takes it, or the pattern does not match it whole)"
                )
    return result


@cache
def default_product_names() -> tuple[ProductName, ...]:
    """The table shipped with fixright (read once)."""
    resource = files("fixright.advisories").joinpath("data", "product_names.toml")
    return load_product_names(resource.read_text("utf-8"), "product_names.toml")


def _lookup(
    table: tuple[ProductName, ...], text: str
) -> tuple[ProductName, str, str] | None:
    """(entry, matched product, rest of the text) for the first entry that starts `text`."""
    stripped = " ".join(text.split())
    for item in table:
        m = item.pattern.match(stripped)
        if m is not None and _END.match(stripped, m.end()):
            return item, m.group(0), stripped[m.end() :].strip()
    return None


def family_of_entry(item: ProductName, matched: str) -> str | None:
    """The os_family an entry gives the product it matched (None: known, never placed)."""
    if item.family == NOT_PLACED:
        return None
    if item.family == FROM_NAME:
        m = item.pattern.match(matched)
        return m.group(1).lower() if m is not None else None
    return item.family


def product_family(name: str) -> str | None:
    """The os_family of a product name (`Cisco IOS XE Software` -> `iosxe`), or None."""
    family, rest = split_product(name)
    return family if family is not None and not rest else None


# Cisco's lists repeat one name in advisory after advisory (an openVuln answer
# holds millions of product names, a few thousand distinct ones).
@lru_cache(maxsize=1 << 16)
def split_product(text: str) -> tuple[str | None, str]:
    """Split `Cisco IOS 12.2(4)B` into (`ios`, `12.2(4)B`).

    Returns (None, text) when no known product starts `text`, or the product is
    one fixright deliberately does not place. The product must end at a word
    boundary (`IOSv` is not IOS).
    """
    found = _lookup(default_product_names(), text)
    if found is None:
        return None, " ".join(text.split())
    item, matched, rest = found
    family = family_of_entry(item, matched)
    if family is None:
        return None, " ".join(text.split())
    return family, rest


def release_of(text: str) -> str:
    """The release in a Cisco long name's remainder: `12.2SE 12.2(55)SE` -> `12.2(55)SE`."""
    parts = text.split()
    return parts[-1] if parts else ""
