"""`parse`: pick the grammar for an os_family and build a `Version`."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from fixright.versions.cisco import parse_asa, parse_ios, parse_iosxe, parse_nxos
from fixright.versions.core import MAX_TEXT_LENGTH, InvalidVersion, Parsed, Unreadable, Version
from fixright.versions.dotted import parse_eos, parse_generic, parse_iosxr
from fixright.versions.firewalls import parse_fortinet, parse_ftd, parse_fxos, parse_panos
from fixright.versions.junos import parse_junos

_GRAMMARS: dict[str, Callable[[str], Parsed]] = {
    "ios": parse_ios,
    "iosxe": parse_iosxe,
    "iosxr": parse_iosxr,
    "nxos": parse_nxos,
    "asa": parse_asa,
    "junos": parse_junos,
    "eos": parse_eos,
    "fortios": parse_fortinet,
    "fortiswitch": parse_fortinet,
    "fortiap": parse_fortinet,
    "fortimanager": parse_fortinet,
    "fortianalyzer": parse_fortinet,
    "fortiproxy": parse_fortinet,
    "panos": parse_panos,
    "ftd": parse_ftd,
    "fxos": parse_fxos,
    "generic": parse_generic,
}

FAMILIES: tuple[str, ...] = tuple(_GRAMMARS)
"""Families with a grammar of their own; any other name uses the generic grammar."""

_FAMILY_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}", re.ASCII)

# Distinct versions in a fleet plus its advisories number in the thousands;
# this bounds memory while keeping every one of them cached.
_CACHE_SIZE = 65536


def _shorten(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "...")


def parse(os_family: str, text: str) -> Version:
    """Read `text` as a version of `os_family`; raise `InvalidVersion` if it is not one.

    `os_family` is matched case-insensitively and stored lower case; a family
    outside `FAMILIES` (`aoscx`, `procurve`, `fortiweb`...) uses the generic grammar
    and keeps its own name. Leading and trailing whitespace is ignored. Results
    are cached. Whatever the arguments, the only exception raised is
    `InvalidVersion`, whose message names the text and the family.
    """
    if not isinstance(os_family, str) or not isinstance(text, str):
        # Never repr() foreign objects: their __repr__ may itself raise.
        kinds = f"{type(os_family).__name__}, {type(text).__name__}"
        raise InvalidVersion(
            f"cannot read a version from ({kinds}): os_family and text must be strings",
            reason="not a string",
        )
    return _parse_cached(os_family, text)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_cached(os_family: str, text: str) -> Version:
    family = os_family.strip().lower()
    stripped = text.strip()
    reason = ""
    if _FAMILY_NAME.fullmatch(family) is None:
        reason = "os_family must be a short name like ios, junos or aoscx"
    elif not stripped:
        reason = "empty"
    elif len(stripped) > MAX_TEXT_LENGTH:
        reason = f"longer than {MAX_TEXT_LENGTH} characters"
    else:
        grammar = _GRAMMARS.get(family, parse_generic)
        try:
            parsed = grammar(stripped)
        except Unreadable as exc:
            reason = str(exc)
        else:
            return Version(family, stripped, parsed.normalized, parsed.train, parsed.key)
    shown_family = family if _FAMILY_NAME.fullmatch(family) else _shorten(os_family)
    raise InvalidVersion(
        f"cannot read {_shorten(stripped or text)} as a version of {shown_family}: {reason}",
        os_family=family[:64],
        text=stripped[:MAX_TEXT_LENGTH],
        reason=reason,
    )


def train_of(os_family: str | None, text: str | None) -> str | None:
    """The train of `text` in `os_family`, or None when either is missing or unreadable."""
    if not os_family or not text:
        return None
    try:
        return parse(os_family, text).train
    except InvalidVersion:
        return None
