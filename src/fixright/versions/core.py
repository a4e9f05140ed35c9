"""The `Version` value, its errors, and the comparison rules shared by every family.

A grammar module turns text into a `Parsed` (normalized spelling, train, sort
key); `fixright.versions.families.parse` wraps that into a `Version`. Nothing
here knows any vendor's syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from fixright.errors import FixrightError, InvalidInput

# A sort key is a tuple of ints, strings and nested tuples of those. Within one
# os_family every key has the same shape position by position, so any two keys
# of one family compare without TypeError.
VersionKey = tuple[Any, ...]

# Families where versions of different trains have no meaningful order (classic
# IOS: is 15.2(4)E10 older than 15.2(4)M1?). Every other family orders across
# trains by its numbers.
PER_TRAIN_ORDER_FAMILIES = frozenset({"ios"})

# Longest text we try to read. Real versions are < 60 characters; the cap keeps
# the cache small and int() far from its 4300-digit limit.
MAX_TEXT_LENGTH = 200


class InvalidVersion(InvalidInput):
    """`parse` could not read the text as a version of the given family.

    `message` names the text and the family; `os_family`, `text` and `reason`
    are kept separately for callers that want to report them apart.
    """

    code = "invalid_version"

    def __init__(
        self, message: str, *, os_family: str = "", text: str = "", reason: str = ""
    ) -> None:
        super().__init__(message)
        self.os_family = os_family
        self.text = text
        self.reason = reason


class IncomparableVersions(FixrightError):
    """The two versions have no defined order (different family, or classic IOS trains)."""

    code = "incomparable_versions"
    http_status = 422


class Unreadable(Exception):
    """Raised by grammar modules with a short reason; `parse` turns it into InvalidVersion."""


class Parsed(NamedTuple):
    """What a grammar returns: the canonical spelling, the train and the sort key."""

    normalized: str
    train: str
    key: VersionKey


def rebuild_key(letters: str) -> tuple[int, str]:
    """Order rebuild letters: none < a < b < ... < z < aa (length first, then alphabet)."""
    return (len(letters), letters)


def ints(dotted: str) -> tuple[int, ...]:
    """'04.0.55' -> (4, 0, 55). The caller's regex guarantees ASCII digits and dots."""
    return tuple(int(part) for part in dotted.split("."))


def dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Version:
    """One release of one OS family, as read by `parse`.

    - `os_family`: the family name given to `parse` (stripped, lower case).
    - `text`: the text as given, stripped; `str(v)` returns it.
    - `normalized`: the one canonical spelling; device and advisory spellings of
      one release have the same `normalized` (`17.03.04a` and `17.3.4a`).
    - `train`: the release train (`15.2E`, `17.3`, `21.4`, `7.0(3)I7`).
    - `key`: a precomputed sort key; keys of one family always compare.

    Equality and hashing use (os_family, normalized). `<`, `<=`, `>`, `>=` follow
    `compare` and raise `IncomparableVersions` where no order is defined.
    """

    os_family: str
    text: str
    normalized: str
    train: str
    key: VersionKey

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Version({self.os_family!r}, {self.text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.os_family == other.os_family and self.normalized == other.normalized

    def __hash__(self) -> int:
        return hash((self.os_family, self.normalized))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) < 0

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) <= 0

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) > 0

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return compare(self, other) >= 0


def same_train(a: Version, b: Version) -> bool:
    """True when `a` and `b` are of one os_family and one train."""
    return a.os_family == b.os_family and a.train == b.train


def compare(a: Version, b: Version) -> int:
    """Return -1, 0 or 1 as `a` is older than, the same as, or newer than `b`.

    Raises `IncomparableVersions` when the families differ, or when both are
    classic IOS (`ios`) versions of different trains. Every other family orders
    versions of different trains by their numbers.
    """
    if a.os_family != b.os_family:
        raise IncomparableVersions(
            f"cannot compare {a.os_family} version {a.text!r} with {b.os_family} version {b.text!r}"
        )
    if a.os_family in PER_TRAIN_ORDER_FAMILIES and a.train != b.train:
        raise IncomparableVersions(
            f"{a.os_family} versions {a.text!r} (train {a.train}) and {b.text!r} "
            f"(train {b.train}) are in different trains and have no order"
        )
    if a.key < b.key:
        return -1
    if a.key > b.key:
        return 1
    return 0
