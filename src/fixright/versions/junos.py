"""Juniper Junos OS and Junos OS Evolved grammar."""

from __future__ import annotations

import re

from fixright.versions.core import Parsed, Unreadable

# MAJOR.MINOR[TYPE NUM[-SPIN NUM][.BUILD]][-EVO]
# 21.2, 22.4R3, 21.4R3-S5.4, 12.1X46-D10.2, 15.1F6, 21.4R3-S5-EVO
_JUNOS = re.compile(
    r"(?P<major>\d+)\.(?P<minor>\d+)"
    r"(?:(?P<type>[A-Za-z])(?P<num>\d+)"
    r"(?:-(?P<spin>[A-Za-z])(?P<spinnum>\d+))?"
    r"(?:\.\d+)?)?"
    r"(?P<evo>-[Ee][Vv][Oo])?",
    re.ASCII,
)

# Release types in the order they appear in a train's life; unknown letters
# sort after these, alphabetically. X (`12.1X46-D10`) names its own train.
_TYPE_RANK = {"": 0, "I": 1, "B": 2, "R": 3, "S": 4, "F": 5, "X": 6}
_SPIN_RANK = {"": 0, "S": 1, "D": 1}


def parse_junos(text: str) -> Parsed:
    """Junos: `21.4R3-S5.4` == `21.4R3-S5` (train `21.4`), `12.1X46-D10.2` -> train `12.1X46`.

    The trailing `.N` build number is dropped. A bare `21.4`, as written in CVE
    ranges, is the start of its train: `21.4 < 21.4B1 < 21.4R1 < 21.4R3 <
    21.4R3-S1 < 21.4R3-S10 < 21.4R4`. `-EVO` (Junos OS Evolved) stays in the
    normalized spelling and in the train (`21.4-EVO`), so Evolved and classic
    Junos never share a train; by number they order side by side
    (`21.4R3-S5 < 21.4R3-S5-EVO < 21.4R3-S6`).
    """
    m = _JUNOS.fullmatch(text)
    if m is None:
        raise Unreadable(
            "expected MAJOR.MINOR[R|X|B..NUM[-S|-D NUM]][.BUILD][-EVO], like 21.4R3-S5"
        )
    major, minor = int(m["major"]), int(m["minor"])
    kind = (m["type"] or "").upper()
    num = -1 if m["num"] is None else int(m["num"])
    spin = (m["spin"] or "").upper()
    spinnum = -1 if m["spinnum"] is None else int(m["spinnum"])
    evo = "-EVO" if m["evo"] else ""
    normalized = f"{major}.{minor}"
    if kind:
        normalized += f"{kind}{num}"
        if spin:
            normalized += f"-{spin}{spinnum}"
    normalized += evo
    train = f"{major}.{minor}" + (f"X{num}" if kind == "X" else "") + evo
    key = (
        major,
        minor,
        (_TYPE_RANK.get(kind, len(_TYPE_RANK)), kind),
        num,
        (_SPIN_RANK.get(spin, len(_SPIN_RANK)), spin),
        spinnum,
        evo,
    )
    return Parsed(normalized, train, key)
