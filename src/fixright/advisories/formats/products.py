"""Product names, as vendors write them, mapped to fixright's os_family. PURE.

`Cisco IOS XE Software`, `IOS`, `NX-OS`, `Cisco Adaptive Security Appliance
(ASA) Software`, `Junos OS`, `Arista EOS`, ... A name fixright cannot place
gives None: the caller keeps the product as unplaced and never matches it.
"""

from __future__ import annotations

import re

# Ordered: the first pattern that matches the start of the name wins, so the
# longer Cisco names (IOS XE, IOS XR) come before plain IOS.
_PRODUCTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), family)
    for pattern, family in (
        (r"(?:cisco\s+)?ios[\s-]*xe(?:\s+software)?", "iosxe"),
        (r"(?:cisco\s+)?ios[\s-]*xr(?:\s+software)?", "iosxr"),
        (r"(?:cisco\s+)?ios(?:\s+software)?", "ios"),
        (r"(?:cisco\s+)?nx-?os(?:\s+software)?", "nxos"),
        (
            r"(?:cisco\s+)?(?:adaptive\s+security\s+appliance(?:\s+\(asa\))?|asa)"
            r"(?:\s+software)?",
            "asa",
        ),
        (r"(?:juniper(?:\s+networks)?\s+)?junos(?:\s+os)?(?:\s+evolved)?", "junos"),
        (r"(?:arista(?:\s+networks)?\s+)?eos", "eos"),
        (r"(?:palo\s+alto\s+networks\s+)?pan-?os", "panos"),
        (r"(?:aruba\s*)?aos-?cx|arubaos-cx", "aoscx"),
    )
)
_FORTINET = re.compile(r"(?:fortinet\s+)?(forti[a-z]+)", re.IGNORECASE)
_END = re.compile(r"\s*$|\s+")


def product_family(name: str) -> str | None:
    """The os_family of a product name (`Cisco IOS XE Software` -> `iosxe`), or None."""
    family, rest = split_product(name)
    return family if family is not None and not rest else None


def split_product(text: str) -> tuple[str | None, str]:
    """Split `Cisco IOS 12.2(4)B` into (`ios`, `12.2(4)B`).

    Returns (None, text) when no known product starts `text`. The product must
    end at a word boundary (`IOSv` is not IOS).
    """
    stripped = " ".join(text.split())
    for pattern, family in _PRODUCTS:
        m = pattern.match(stripped)
        if m is not None and _END.match(stripped, m.end()):
            return family, stripped[m.end() :].strip()
    m = _FORTINET.match(stripped)
    if m is not None and _END.match(stripped, m.end()):
        return m.group(1).lower(), stripped[m.end() :].strip()
    return None, stripped


def release_of(text: str) -> str:
    """The release in a Cisco long name's remainder: `12.2SE 12.2(55)SE` -> `12.2(55)SE`."""
    parts = text.split()
    return parts[-1] if parts else ""
