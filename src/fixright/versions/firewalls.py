"""Firewall and security-appliance grammars: Fortinet products, PAN-OS, Cisco FTD and FXOS.

Each `parse_*` function takes stripped text and returns a `Parsed` or raises
`Unreadable`. All of these families are numbered: versions of different
trains order by their numbers.
"""

from __future__ import annotations

import re

from fixright.versions.core import Parsed, Unreadable, dotted, ints

# --- Fortinet ------------------------------------------------------------------

# 7.4.3, v7.4.8, v7.4.8,build2795,250523 (GA.M), 7.0.12 build0523, 7.2 (a whole train)
_FORTINET = re.compile(
    r"[vV]?(?P<numbers>\d+\.\d+(?:\.\d+)?)"
    r"(?:(?:[ ,]+|-)?[Bb]uild\s*\d+)?"
    r"(?:,\s*\d{6})?"
    r"(?:\s*\([A-Za-z0-9 ._-]*\))?",
    re.ASCII,
)


def parse_fortinet(text: str) -> Parsed:
    """FortiOS, FortiSwitch, FortiAP, FortiManager, FortiAnalyzer, FortiProxy: `7.4.3` (train `7.4`).

    Devices print `v7.4.8,build2795,250523 (GA.M)`: the `v`, the build number,
    the build date and the release label are dropped, since one release number
    is only ever one build (`v7.4.8,build2795,250523 (GA.M)` == `7.4.8`). A bare
    `7.4`, as advisories write "7.4 all versions", is the start of its train and
    sorts before `7.4.0`. Key: the numbers.
    """
    m = _FORTINET.fullmatch(text)
    if m is None:
        raise Unreadable("expected MAJOR.MINOR.PATCH, like 7.4.3 or v7.4.8,build2795")
    numbers = ints(m["numbers"])
    return Parsed(dotted(numbers), dotted(numbers[:2]), (numbers,))


# --- PAN-OS --------------------------------------------------------------------

# 10.2.9, 10.2.9-h1, 10.1.14-H11, 11.1 (a whole train)
_PANOS = re.compile(r"(?P<numbers>\d+\.\d+(?:\.\d+)?)(?:-[hH](?P<hotfix>\d+))?", re.ASCII)


def parse_panos(text: str) -> Parsed:
    """PAN-OS: `10.2.9-h1` (train `10.2`); a hotfix sorts after its base and before the next.

    `10.2.9 < 10.2.9-h1 < 10.2.9-h10 < 10.2.10`. Key: (numbers, hotfix number
    or -1).
    """
    m = _PANOS.fullmatch(text)
    if m is None:
        raise Unreadable("expected MAJOR.MINOR.PATCH[-hN], like 10.2.9-h1")
    numbers = ints(m["numbers"])
    hotfix = -1 if m["hotfix"] is None else int(m["hotfix"])
    normalized = dotted(numbers) + ("" if hotfix < 0 else f"-h{hotfix}")
    return Parsed(normalized, dotted(numbers[:2]), (numbers, hotfix))


# --- Cisco FTD and FXOS ------------------------------------------------------------

# FTD: 7.4.2.1, 7.4.2, 6.2.3.18-73, 7.0.1 (Build 84)
_FTD = re.compile(
    r"(?P<numbers>\d+\.\d+(?:\.\d+){0,2})(?:-\d+|\s*\([Bb]uild\s+\d+\))?", re.ASCII
)
# FXOS: 2.12(0.498) == 2.12.0.498, 2.16(0.128), 2.3(1.58)
_FXOS_PARENS = re.compile(r"(?P<major>\d+)\.(?P<minor>\d+)\((?P<inner>\d+(?:\.\d+)?)\)", re.ASCII)
_FXOS_DOTTED = re.compile(r"\d+\.\d+(?:\.\d+){0,2}", re.ASCII)


def parse_ftd(text: str) -> Parsed:
    """Firepower / Secure Firewall Threat Defense: `7.4.2.1` (train `7.4`).

    A build number (`6.2.3.18-73`, `7.0.1 (Build 84)`) is dropped. Key: the
    numbers, so `7.4.2 < 7.4.2.1 < 7.4.2.2 < 7.4.3`.
    """
    m = _FTD.fullmatch(text)
    if m is None:
        raise Unreadable("expected dotted numbers, like 7.4.2.1")
    numbers = ints(m["numbers"])
    return Parsed(dotted(numbers), dotted(numbers[:2]), (numbers,))


def parse_fxos(text: str) -> Parsed:
    """FXOS: `2.12(0.498)` == `2.12.0.498` (train `2.12`); normalized is the dotted form.

    The Firepower chassis prints `2.16(0.128)`; advisories write both forms.
    Key: the numbers.
    """
    m = _FXOS_PARENS.fullmatch(text)
    if m is not None:
        numbers = (int(m["major"]), int(m["minor"]), *ints(m["inner"]))
    elif _FXOS_DOTTED.fullmatch(text) is not None:
        numbers = ints(text)
    else:
        raise Unreadable("expected MAJOR.MINOR(BUILD) or dotted, like 2.12(0.498) or 2.12.0.498")
    return Parsed(dotted(numbers), dotted(numbers[:2]), (numbers,))
