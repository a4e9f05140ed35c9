"""Dotted-number grammars: IOS XR, Arista EOS and the generic fallback."""

from __future__ import annotations

import re

from fixright.versions.core import Parsed, Unreadable, dotted, ints

# --- IOS XR and EOS ------------------------------------------------------------

# IOS XR: 7.9.2, 6.1.4, 24.1.1, 7.3.2.34I (engineering build letter), 7.9.2 LNT
_IOSXR = re.compile(
    r"(?P<numbers>\d+(?:\.\d+)+)(?P<letters>[A-Za-z]*)(?:[ \t]+LNT)?", re.ASCII | re.IGNORECASE
)

# EOS: 4.28.3M, 4.20.15.1M, 4.23.0, 4.31.6M-39953990.4316M (build id after "-")
_EOS = re.compile(
    r"(?P<numbers>\d+(?:\.\d+)+)(?P<letters>[A-Za-z]*)(?:-[A-Za-z0-9][A-Za-z0-9._-]*)?",
    re.ASCII,
)


def _numbered(numbers: tuple[int, ...], letters: str) -> Parsed:
    normalized = dotted(numbers) + letters
    return Parsed(normalized, dotted(numbers[:2]), (numbers, letters))


def parse_iosxr(text: str) -> Parsed:
    """IOS XR: dotted numbers, train MAJOR.MINOR (`7.9.2` -> `7.9`); key (numbers, letters).

    The ` LNT` that XR7 devices print after the release (`7.9.2 LNT`) names the
    software flavour, not the release, and is dropped: `7.9.2 LNT` == `7.9.2`.
    """
    m = _IOSXR.fullmatch(text)
    if m is None:
        raise Unreadable("expected dotted numbers, like 7.9.2")
    return _numbered(ints(m["numbers"]), m["letters"].upper())


def parse_eos(text: str) -> Parsed:
    """Arista EOS: `4.31.6M-39953990.4316M` == `4.31.6M` (train `4.31`).

    The build identifier after `-` is dropped. Key: (numbers, letters): numbers
    decide (`4.24.9M < 4.24.10M`, `4.20.15M < 4.20.15.1M`); a release number
    is only ever F or M, so the letters only break ties, alphabetically
    (`4.23.0 < 4.23.0F < 4.23.0M`).
    """
    m = _EOS.fullmatch(text)
    if m is None:
        raise Unreadable("expected dotted numbers and a release letter, like 4.28.3M")
    return _numbered(ints(m["numbers"]), m["letters"].upper())


# --- generic ----------------------------------------------------------------------

_GENERIC_CHARS = re.compile(r"[0-9A-Za-z._+~,-]+", re.ASCII)
_GENERIC_PREFIX = re.compile(r"(?P<prefix>[A-Za-z]+\.?)(?=[0-9])", re.ASCII)
_GENERIC_TOKEN = re.compile(r"[0-9]+|[A-Za-z]+|[._+~,-]", re.ASCII)
_SEPARATORS = frozenset("._+~,-")


def parse_generic(text: str) -> Parsed:
    """Any vendor: an optional letter prefix, then numbers and words with separators.

    `FL.10.11.1021`, `K.15.06.0017`, `V2024.3`, `10.2.7-h3`, `7.6.1`. The prefix
    is upper-cased, later letters lower-cased, numbers lose leading zeros
    (`K.15.06.0017` -> `K.15.6.17`). Train: the first two dot-separated
    fields of the normalized spelling, a dotted prefix being one field
    (`FL.10.11.1021` -> `FL.10`, `K.15.06.0017` -> `K.15`, `V2024.3` -> `V2024.3`,
    `10.2.7-h3` -> `10.2`).

    Key: the tokens in order, then the prefix, so numbers decide across
    prefixes (`10.11.1021 < FL.10.11.1021 < 10.11.1022`). Numbers compare as
    numbers; a version sorts before any longer version it starts
    (`10.2.7 < 10.2.7-h3`, a hotfix after its base); at one position a word sorts
    before a number; separators only break ties.
    """
    if _GENERIC_CHARS.fullmatch(text) is None:
        raise Unreadable("only letters, digits and . - _ + ~ , are allowed")
    prefix = ""
    m = _GENERIC_PREFIX.match(text)
    if m is not None:
        prefix = m["prefix"].upper()
        text = text[m.end() :]
    if not text[:1].isdigit():
        raise Unreadable("expected a number, optionally after a letter prefix, like 7.6.1")
    tokens = _GENERIC_TOKEN.findall(text)
    elements: list[tuple[int, int, str, str]] = []
    spelled: list[str] = []
    separator = ""
    for token in tokens:
        if token in _SEPARATORS:
            if separator:
                raise Unreadable("two separators in a row")
            separator = token
            continue
        if token.isdigit():
            number = int(token)
            elements.append((1, number, "", separator))
            spelled.append(f"{separator}{number}")
        else:
            word = token.lower()
            elements.append((0, 0, word, separator))
            spelled.append(f"{separator}{word}")
        separator = ""
    if separator:
        raise Unreadable("ends with a separator")
    normalized = prefix + "".join(spelled)
    train = ".".join(normalized.split(".", 2)[:2])
    return Parsed(normalized, train, (tuple(elements), prefix))
