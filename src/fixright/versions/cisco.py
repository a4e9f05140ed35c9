"""Cisco grammars: classic IOS, IOS XE, NX-OS and ASA.

Each `parse_*` function takes stripped text and returns a `Parsed` or raises
`Unreadable`. Letters are case-normalised: train letters upper case, rebuild
letters lower case. Numbers lose their leading zeros (`17.03.04a` -> `17.3.4a`).
"""

from __future__ import annotations

import re

from fixright.versions.core import Parsed, Unreadable, dotted, ints, rebuild_key

# --- classic IOS -------------------------------------------------------------

# MAJOR.MINOR(THROTTLE[.BUILD...][rebuild])[TRAIN[MAINT[rebuild]]]
# 15.2(7b)E0b, 12.2(33)SXI4a, 12.4(21a), 15.2(4.0.55)E, 12.2(58)EZ
_IOS = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)"
    r"\((?P<throttle>\d+(?:\.\d+)*)(?P<tletter>[A-Za-z]*)\)"
    r"(?:(?P<train>[A-Za-z]+)(?:(?P<maint>\d+)(?P<mletter>[A-Za-z]*))?)?",
    re.ASCII,
)


def parse_ios(text: str) -> Parsed:
    """Classic IOS: `15.2(7b)E0b`; train `15.2E`, mainline `12.4(21a)` -> `12.4`.

    Order within a train is (throttle number, maintenance number, maintenance
    rebuild letter, throttle rebuild letter):

        15.2(7)E0b < 15.2(7a)E0b < 15.2(7b)E0b < 15.2(7)E1
        15.0(2)SE9 < 15.0(2a)SE9 < 15.0(2)SE10 < 15.0(2)SE10a < 15.0(2)SE11
        12.2(55)SE < 12.2(55)SE0 < 12.2(55)SE1;  12.4(21) < 12.4(21a) < 12.4(22)

    A letter on the throttle (`15.0(2a)SE9`) marks a platform rebuild of that
    maintenance release, built from SE9's code: it holds none of SE10's fixes,
    so it must sort below SE10 (sorting it above would report SE10's fixes as
    present). Internal builds (`15.2(4.0.55)E`) order by the whole dotted
    throttle, so they sort after every 15.2(4)E* and before 15.2(5)E.
    """
    m = _IOS.fullmatch(text)
    if m is None:
        raise Unreadable("expected MAJOR.MINOR(THROTTLE)TRAIN[MAINT], like 15.2(4)E10")
    major, minor = int(m["major"]), int(m["minor"])
    throttle = ints(m["throttle"])
    tletter = m["tletter"].lower()
    letters = (m["train"] or "").upper()
    maint = -1 if m["maint"] is None else int(m["maint"])
    mletter = (m["mletter"] or "").lower()
    normalized = f"{major}.{minor}({dotted(throttle)}{tletter}){letters}"
    if maint >= 0:
        normalized += f"{maint}{mletter}"
    key = (
        major,
        minor,
        letters,
        throttle,
        maint,
        rebuild_key(mletter),
        rebuild_key(tletter),
    )
    return Parsed(normalized, f"{major}.{minor}{letters}", key)


# --- IOS XE --------------------------------------------------------------------

# 17.03.04a, 16.12.4, 16.12.1z1, 3.18.3bSP, 03.16.10.S, 03.06.05E
_IOSXE = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)(?P<patch>(?:\.\d+){0,3})"
    r"(?P<letters>[A-Za-z]*)(?P<rebuildnum>\d+)?(?:\.(?P<dotsuffix>[A-Za-z]+))?",
    re.ASCII,
)
_MIXED_TAIL = re.compile(r"(?P<rebuild>[a-z]+)(?P<suffix>[A-Z]+)", re.ASCII)

# Two-letter IOS XE 3.x train suffixes. Only used to split an all-one-case tail
# such as "3.2.0SG" (train SG) or "3.18.3BSP" (rebuild b, train SP); correctly
# cased text ("3.18.3bSP") never needs the list.
_XE3_SUFFIXES = frozenset({"S", "E", "SG", "SE", "SP", "SQ", "SY", "XO", "EX", "EZ", "SA"})


def _split_xe3_tail(tail: str) -> tuple[str, str]:
    """Split the letters after a 3.x version into (rebuild, train suffix)."""
    mixed = _MIXED_TAIL.fullmatch(tail)
    if mixed is not None:
        return mixed["rebuild"], mixed["suffix"]
    upper = tail.upper()
    if upper in _XE3_SUFFIXES or len(upper) < 2:
        return "", upper
    if upper[1:] in _XE3_SUFFIXES:
        return upper[0].lower(), upper[1:]
    return "", upper


def _split_xe16_tail(tail: str) -> tuple[str, str]:
    """Split the letters after a 16.x+ version: one letter is a rebuild, more a suffix."""
    mixed = _MIXED_TAIL.fullmatch(tail)
    if mixed is not None:
        return mixed["rebuild"], mixed["suffix"]
    if len(tail) <= 1:
        return tail.lower(), ""
    return "", tail.upper()


def parse_iosxe(text: str) -> Parsed:
    """IOS XE: `17.03.04a` == `17.3.4a` (train `17.3`), `03.16.10.S` == `3.16.10S` (train `3.16S`).

    16.x and later: one letter after the numbers is a rebuild (lower case),
    optionally numbered (`16.12.1z < 16.12.1z1 < 16.12.1z2 < 16.12.2`); two or
    more letters are a special-release suffix that names its own train
    (`17.11.99SW`, train `17.11SW`). 3.x (and 2.x): an optional rebuild letter,
    then the train suffix (`3.18.3bSP`: rebuild b, train `3.18SP`).

    Key: (major, minor, patch numbers, rebuild letters, rebuild number, suffix),
    so 3.x sorts below 16.x, `17.3 < 17.3.4 < 17.3.4a < 17.3.5`, and versions
    whose numbers are equal but whose suffixes differ order by suffix name.
    """
    m = _IOSXE.fullmatch(text)
    if m is None:
        raise Unreadable("expected MAJOR.MINOR.PATCH[rebuild], like 17.3.4a or 3.16.10S")
    major, minor = int(m["major"]), int(m["minor"])
    patch = ints(m["patch"][1:]) if m["patch"] else ()
    letters, dotsuffix = m["letters"], m["dotsuffix"]
    if dotsuffix is not None:
        # The dot is a device spelling of 3.x (03.16.10.S); 17.3.4.a is 17.3.4a.
        if major >= 16 and (letters or m["rebuildnum"] is not None):
            raise Unreadable("IOS XE 16.x and later take one group of letters")
        letters += dotsuffix
    # Both splitters return a pair that splits back to itself, so the
    # normalized spelling always reads back as the same version.
    rebuild, suffix = (_split_xe16_tail if major >= 16 else _split_xe3_tail)(letters)
    rebuildnum = -1 if m["rebuildnum"] is None else int(m["rebuildnum"])
    if rebuildnum >= 0 and (major < 16 or len(rebuild) != 1 or suffix):
        raise Unreadable("a rebuild number follows a 16.x or later rebuild letter, like 16.12.1z1")
    numbers = f"{major}.{minor}" + "".join(f".{n}" for n in patch)
    rebuilt = rebuild + (str(rebuildnum) if rebuildnum >= 0 else "")
    normalized = f"{numbers}{rebuilt}{suffix}"
    key = (major, minor, patch, rebuild_key(rebuild), rebuildnum, suffix)
    return Parsed(normalized, f"{major}.{minor}{suffix}", key)


# --- NX-OS -----------------------------------------------------------------------

# 9.3(8), 14.0(1h), 7.0(3)I7(10), 5.2(1)N1(8b), 4.2(1)SV2(2.3), 10.2(1)F,
# 10.4(5) [Maintenance Release]
_NXOS = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)"
    r"\((?P<throttle>\d+(?:\.\d+)*)(?P<tletter>[A-Za-z]*)\)"
    r"(?:(?P<train>[A-Za-z]+)(?P<trainnum>\d+)"
    r"(?:\((?P<maint>\d+(?:\.\d+)*)(?P<mletter>[A-Za-z]*)\))?"
    r"|(?P<kind>[FfMm]))?"
    r"(?:[ \t]*\[[^\[\]\x00-\x1f\x7f]*\])?",
    re.ASCII,
)


def parse_nxos(text: str) -> Parsed:
    """NX-OS (and ACI): `9.3(8)` (train `9.3`), `7.0(3)I7(9)` (train `7.0(3)I7`).

    A trailing `[...]` (`10.4(5) [Maintenance Release]`) is dropped, and so is
    the 10.x release-type letter (`10.2(1)F` == `10.2(1)`): devices print
    `10.2(1) [Feature Release]` where advisories print `10.2(1)F`, and one
    number is only ever one of F or M. Key: (major, minor, throttle, throttle
    rebuild, train letters, train number, maintenance, maintenance rebuild), so
    `7.0(3)I7(9) < 7.0(3)I7(10) < 9.3(8)` and `7.0(3)I7 < 7.0(3)I7(1)`.
    """
    m = _NXOS.fullmatch(text)
    if m is None:
        raise Unreadable("expected MAJOR.MINOR(THROTTLE)[TRAIN(MAINT)], like 9.3(8) or 7.0(3)I7(9)")
    major, minor = int(m["major"]), int(m["minor"])
    throttle = ints(m["throttle"])
    tletter = m["tletter"].lower()
    base = f"{major}.{minor}({dotted(throttle)}{tletter})"
    letters = (m["train"] or "").upper()
    if letters:
        trainnum = int(m["trainnum"])
        train = f"{base}{letters}{trainnum}"
        maint = ints(m["maint"]) if m["maint"] is not None else ()
        mletter = (m["mletter"] or "").lower()
        normalized = f"{train}({dotted(maint)}{mletter})" if m["maint"] is not None else train
    else:
        trainnum, maint, mletter = -1, (), ""
        train = f"{major}.{minor}"
        normalized = base
    key = (
        major,
        minor,
        throttle,
        rebuild_key(tletter),
        letters,
        trainnum,
        maint,
        rebuild_key(mletter),
    )
    return Parsed(normalized, train, key)


# --- ASA --------------------------------------------------------------------------

# 9.8(4)45, 9.12(4), 9.6(4.8) (interim); 9.8.4.45, 9.12.4, 9.8 (train start)
_ASA_PARENS = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)\((?P<throttle>\d+)(?:\.(?P<interim>\d+(?:\.\d+)*))?\)"
    r"(?P<maint>\d+)?",
    re.ASCII,
)
_ASA_DOTTED = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<throttle>\d+)(?:\.(?P<maint>\d+))?)?",
    re.ASCII,
)


def parse_asa(text: str) -> Parsed:
    """ASA: `9.8(4)45` == `9.8.4.45` (train `9.8`); normalized is the dotted form.

    Interim builds keep their parentheses (`9.6(4.8)`), since their dotted form
    would collide with a maintenance release; they sort after every release of
    their throttle. Key: (major, minor, throttle, interim, maintenance), so
    `9.8 < 9.8.4 < 9.8.4.1 < 9.8.4.45 < 9.8(4.10) < 9.8.5`.
    """
    m = _ASA_PARENS.fullmatch(text) or _ASA_DOTTED.fullmatch(text)
    if m is None:
        raise Unreadable("expected MAJOR.MINOR(THROTTLE)MAINT or dotted, like 9.8(4)45 or 9.8.4.45")
    groups = m.groupdict()
    major, minor = int(m["major"]), int(m["minor"])
    throttle = -1 if m["throttle"] is None else int(m["throttle"])
    interim_text = groups.get("interim")
    interim = ints(interim_text) if interim_text is not None else ()
    maint = -1 if m["maint"] is None else int(m["maint"])
    if interim:
        normalized = f"{major}.{minor}({throttle}.{dotted(interim)})"
        if maint >= 0:
            normalized += str(maint)
    else:
        parts = [n for n in (major, minor, throttle, maint) if n >= 0]
        normalized = dotted(tuple(parts))
    key = (major, minor, throttle, interim, maint)
    return Parsed(normalized, f"{major}.{minor}", key)
