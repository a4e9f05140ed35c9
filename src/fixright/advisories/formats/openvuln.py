"""Cisco PSIRT openVuln API JSON reader. PURE.

Takes the API's response: one advisory object, a list of them, or
`{"advisories": [...]}`. `productNames` are `"<product> <release>"` strings
(`Cisco IOS XE Software 17.16.1a`) naming every affected release, so the
lists are complete; `firstFixed` (OSType queries) gives fixed releases;
`cvssBaseScore` is a string and `"NA"` means absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fixright.advisories.formats.common import (
    Problems,
    as_list,
    parse_datetime,
    read_version,
    score_of,
    severity_of_score,
    severity_word,
    text_of,
    unique,
)
from fixright.advisories.formats.products import release_of, split_product
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedReleases,
    FixedRelease,
    ReadResult,
    Unplaced,
)
from fixright.jsontext import iter_first_member

# An API answer `{"advisories": [...]}` of this many advisories is handed on as one part.
STREAM_BATCH = 100


def is_openvuln(data: Any) -> bool:
    """True for the shapes the openVuln API returns."""
    if isinstance(data, dict):
        return "advisoryId" in data or isinstance(data.get("advisories"), list)
    return isinstance(data, list) and bool(data) and all(
        isinstance(x, dict) and "advisoryId" in x for x in data
    )


def read_openvuln(data: Any, source_name: str, *, lenient: bool = False) -> ReadResult:
    """Read an openVuln response (parsed JSON). Raises `InvalidInput` unless lenient."""
    problems = Problems(source_name, lenient=lenient)
    if isinstance(data, dict) and "advisoryId" not in data:
        items, base = as_list(data.get("advisories"), "$.advisories", problems), "$.advisories"
    elif isinstance(data, dict):
        items, base = [data], "$"
    elif isinstance(data, list):
        items, base = data, "$"
    else:
        raise problems.fatal("$", "expected an openVuln advisory object or a list of them")
    result = ReadResult(source_name)
    places: dict[str, Placed] = {}
    for i, item in enumerate(items):
        where = f"{base}[{i}]" if base != "$" or isinstance(data, list) else "$"
        if not isinstance(item, dict):
            problems.add(where, "expected an advisory object")
            continue
        record = _read_one(item, where, problems, places)
        if record is not None:
            result.advisories.append(record)
    result.dropped = problems.dropped
    return result


def read_openvuln_stream(text: str, source_name: str, *, lenient: bool = False,
                         batch: int = STREAM_BATCH) -> Iterator[ReadResult]:
    """Read the API answer `{"advisories": [...]}` (JSON text) one advisory at a time.

    Yields `ReadResult`s of at most `batch` advisories, so memory holds one
    advisory's JSON and one batch of records, never the whole answer as data.
    Raises `InvalidInput` as `read_openvuln` does, possibly after some parts:
    the caller's transaction keeps the import all-or-nothing.
    """
    problems = Problems(source_name, lenient=lenient)
    result = ReadResult(source_name)
    reported = 0
    places: dict[str, Placed] = {}
    for i, item in enumerate(iter_first_member(text, "advisories", source_name)):
        where = f"$.advisories[{i}]"
        if not isinstance(item, dict):
            problems.add(where, "expected an advisory object")
            continue
        record = _read_one(item, where, problems, places)
        if record is not None:
            result.advisories.append(record)
        if len(result.advisories) >= batch:
            result.dropped, reported = problems.dropped[reported:], len(problems.dropped)
            yield result
            result = ReadResult(source_name)
    result.dropped = problems.dropped[reported:]
    yield result


def _strings(value: Any, where: str, problems: Problems) -> list[str]:
    out: list[str] = []
    for j, item in enumerate(as_list(value, where, problems)):
        text = text_of(item)
        if text is not None:
            out.append(text)
        elif not isinstance(item, str):
            problems.add(f"{where}[{j}]", f"expected a string, found {type(item).__name__}")
    return out


Placed = tuple[str, str, str] | Unplaced
"""(os_family, product, release) of a product name, or why it cannot be placed."""


def _place(name: str) -> Placed:
    """Where the product name `name` ("Cisco IOS XE Software 17.16.1a") puts its release."""
    family, rest = split_product(name)
    if family is None:
        return Unplaced(name, "product not known to fixright")
    product = name[: len(name) - len(rest)].strip() if rest else name.strip()
    if not rest:
        return Unplaced(product, "no release given", family)
    release = rest if read_version(family, rest) is not None else release_of(rest)
    if read_version(family, release) is None:
        return Unplaced(name, f"cannot read {rest!r} as a {family} release", family)
    return family, product, release


def _read_one(item: dict[str, Any], where: str, problems: Problems,
              places: dict[str, Placed]) -> AdvisoryRecord | None:
    """One advisory. `places` caches `_place` across the answer: its advisories repeat
    the same product names thousands of times."""
    advisory_id = text_of(item.get("advisoryId"))
    if advisory_id is None:
        problems.add(f"{where}.advisoryId", "missing advisory id")
        return None
    names = _strings(item.get("productNames"), f"{where}.productNames", problems)
    exact: dict[tuple[str, str], list[str]] = {}
    unplaced: list[Unplaced] = []
    for name in names:
        placed = places.get(name)
        if placed is None:
            placed = places[name] = _place(name)
        if isinstance(placed, Unplaced):
            unplaced.append(placed)
        else:
            family, product, release = placed
            exact.setdefault((family, product), []).append(release)
    affected = tuple(
        AffectedReleases(family, product, unique(versions))
        for (family, product), versions in exact.items()
    )
    notes: list[str] = []
    fixed: list[FixedRelease] = []
    families = list(dict.fromkeys(family for family, _ in exact))
    for text in _strings(item.get("firstFixed"), f"{where}.firstFixed", problems):
        first_fixed = _place_fixed(text, families, affected)
        if first_fixed is None:
            notes.append(f"first fixed release {text!r} matches no affected product family")
        else:
            fixed.append(first_fixed)
    cvss = score_of(item.get("cvssBaseScore"))
    severity = severity_word(item.get("sir")) or severity_of_score(cvss)
    published = parse_datetime(
        item.get("firstPublished"), f"{where}.firstPublished", problems, require_zone=False
    )
    updated = parse_datetime(
        item.get("lastUpdated"), f"{where}.lastUpdated", problems, require_zone=False
    )
    return AdvisoryRecord(
        source="openvuln",
        advisory_id=advisory_id,
        title=text_of(item.get("advisoryTitle")) or advisory_id,
        severity=severity,
        cvss=cvss,
        cves=unique(_strings(item.get("cves"), f"{where}.cves", problems)),
        bug_ids=unique(_strings(item.get("bugIDs"), f"{where}.bugIDs", problems)),
        url=text_of(item.get("publicationUrl")),
        published=published,
        updated=updated or published,
        revision=str(item.get("version") or ""),
        vendor="Cisco",
        affected=affected,
        fixed=tuple(fixed),
        unplaced=tuple(dict.fromkeys(unplaced)),
        notes=tuple(notes),
    )


def _place_fixed(
    text: str, families: list[str], affected: tuple[AffectedReleases, ...]
) -> FixedRelease | None:
    """Give a bare first-fixed release the family whose affected trains it continues."""
    parsed = [(f, v) for f in families if (v := read_version(f, text)) is not None]
    for family, version in parsed:
        for group in affected:
            if group.os_family == family and any(
                (a := read_version(family, t)) is not None and a.train == version.train
                for t in group.versions
            ):
                return FixedRelease(family, version.train, text, group.product)
    if parsed:
        family, version = parsed[0]
        return FixedRelease(family, version.train, text)
    return None
