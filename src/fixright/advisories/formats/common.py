"""What the three readers share: problem reporting, dates, severities, placing releases. PURE."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fixright.advisories.records import AffectedRange, Dropped, Quirk
from fixright.advisories.severity import SEVERITIES
from fixright.errors import InvalidInput
from fixright.versions import IncomparableVersions, InvalidVersion, Version, compare, parse
from fixright.versions.core import PER_TRAIN_ORDER_FAMILIES


class Problems:
    """Collects what is wrong with one document, in three grades.

    - `quirk`: a deviation vendors really publish (a date-time without zone,
      Fortinet's branch category `product`, ...) that has one sensible reading.
      Accepted and reported once per document and kind, with the path of its
      first occurrence; `strict` turns it into an error, as `add`.
    - `add`: the document breaks its standard where no reading is safe. By
      default that raises `InvalidInput` naming the file and the JSON path;
      lenient records a `Dropped` and lets the reader leave that part out.
    - `fatal`: nothing can be read (the caller raises it).
    """

    def __init__(self, source_name: str, *, lenient: bool, strict: bool = False) -> None:
        self.source_name = source_name
        self.lenient = lenient
        self.strict = strict
        self.dropped: list[Dropped] = []
        self._quirks: dict[str, Quirk] = {}

    def add(self, where: str, reason: str) -> None:
        if not self.lenient:
            raise InvalidInput(f"{self.source_name}: {where}: {reason}")
        self.dropped.append(Dropped(where, reason))

    def quirk(self, kind: str, where: str, reason: str) -> None:
        """Accept a known vendor deviation (strict: refuse it like `add`)."""
        if self.strict:
            self.add(where, reason)
            return
        seen = self._quirks.get(kind)
        if seen is None:
            self._quirks[kind] = Quirk(kind, where, reason)
        else:
            self._quirks[kind] = replace(seen, count=seen.count + 1)

    @property
    def warnings(self) -> list[Quirk]:
        """The accepted quirks, one per kind, in the order first seen."""
        return list(self._quirks.values())

    def fatal(self, where: str, reason: str) -> InvalidInput:
        """An error no lenient read can work around (the caller raises it)."""
        return InvalidInput(f"{self.source_name}: {where}: {reason}")


def as_dict(value: Any, where: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise problems.fatal(where, f"expected an object, found {type(value).__name__}")
    return value


def as_list(value: Any, where: str, problems: Problems) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(where, f"expected a list, found {type(value).__name__}")
        return []
    return value


def text_of(value: Any) -> str | None:
    """A stripped string, or None for a missing, empty, non-string or "NA" value."""
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    if not stripped or stripped.upper() == "NA":
        return None
    return stripped


def parse_datetime(
    value: Any, where: str, problems: Problems, *, require_zone: bool
) -> datetime | None:
    """An aware datetime from ISO 8601 text; zone-less text is UTC unless a zone is required."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(where, f"expected a date-time string, found {type(value).__name__}")
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        problems.add(where, f"{value!r} is not an ISO 8601 date-time")
        return None
    if parsed.tzinfo is None:
        if require_zone:
            problems.quirk(
                "naive date-time",
                where,
                f"date-time {value!r} has no time zone (required by the standard); read as UTC",
            )
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def severity_word(value: Any) -> str | None:
    """`CRITICAL`, `High`, `Informational` -> the fixright severity word, or None."""
    word = text_of(value)
    if word is None:
        return None
    word = word.lower()
    return word if word in SEVERITIES else None


def severity_of_score(score: float | None) -> str:
    """CVSS v3 qualitative rating of a base score ("none" when there is no score)."""
    if score is None or score <= 0:
        return "none"
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low"


def score_of(value: Any) -> float | None:
    """A CVSS base score from a number or a string ("7.7"); None for "NA" or garbage."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = text_of(value)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_version(os_family: str, text: str) -> Version | None:
    """The version, or None when `text` does not read as a release of `os_family`."""
    try:
        return parse(os_family, text)
    except InvalidVersion:
        return None


def unique(items: list[str]) -> tuple[str, ...]:
    """Items in first-seen order without repeats."""
    return tuple(dict.fromkeys(items))


def make_range(
    os_family: str,
    product: str,
    *,
    introduced: str | None,
    fixed: str | None,
    last_affected: str | None,
    platforms: tuple[str, ...],
    where: str,
    problems: Problems,
    notes: list[str],
) -> AffectedRange | None:
    """A checked `AffectedRange`, or None (after reporting) when a bound does not read.

    The range is tied to one train when its bounds share a train, or when the
    family has no order across trains (classic IOS) and only an upper bound is
    given. A lower bound above the upper one (Arista's `4.286.0` .. `4.26.8M`)
    is a vendor typo: it is dropped, the range is tied to the upper bound's
    train, and a note says so (erring towards reporting exposure).
    """
    bounds: dict[str, Version] = {}
    for name, text in (("introduced", introduced), ("fixed", fixed), ("last_affected", last_affected)):
        if text is None:
            continue
        version = read_version(os_family, text)
        if version is None:
            problems.add(where, f"{name} bound {text!r} is not a {os_family} release")
            return None
        bounds[name] = version
    upper = bounds.get("fixed") or bounds.get("last_affected")
    lower = bounds.get("introduced")
    train: str | None = None
    if lower is not None and upper is not None:
        if lower.train == upper.train:
            train = lower.train
        else:
            try:
                inverted = compare(lower, upper) > 0
            except IncomparableVersions:
                problems.add(
                    where, f"range {lower} .. {upper} spans {os_family} trains that have no order"
                )
                return None
            if inverted:
                notes.append(
                    f"{product}: lower bound {lower} is above upper bound {upper}; "
                    f"read as every release of train {upper.train} up to {upper}"
                )
                introduced, train = None, upper.train
    elif upper is not None and os_family in PER_TRAIN_ORDER_FAMILIES:
        train = upper.train
    elif lower is not None and upper is None and os_family in PER_TRAIN_ORDER_FAMILIES:
        train = lower.train
    return AffectedRange(
        os_family=os_family,
        product=product,
        introduced=introduced,
        fixed=fixed,
        last_affected=last_affected,
        train=train,
        platforms=platforms,
    )
