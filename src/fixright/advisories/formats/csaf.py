"""CSAF 2.0 and 2.1 reader: one document -> one `AdvisoryRecord`. PURE.

Walks the product tree (`csaf_tree`: vendor / product_family / product_name /
product_version / service_pack, and `product_version_range` with `vers:` or
vendor ranges, see `ranges`), then each vulnerability's `product_status`,
scores (2.0 `scores`, 2.1 `metrics`) and remediations. Cisco names releases
bare (`17.3.1a`) or long (`Cisco IOS 12.2SE 12.2(55)SE`) and lists only
affected releases: those lists are complete, which is what lets the planner
infer fixes.

Vendor quirks with one sensible reading are accepted and reported once per
document (`Problems.quirk`; `strict` refuses them): a date-time without zone
(UTC), Fortinet's branch category `product` (a product name), product ids
referenced but not defined (Fortinet's `FortiOS-7.4.4` is read as a release
not affected), a name with surrounding spaces, `tracking.version` `0` with
status `final`, one product id defined by two ranges and listed both affected
and fixed (Palo Alto: the bounded range is affected, the `>=` bound the fix),
range names in the vendor's notation, a 2.1 document using 2.0's `scores`.
What has no safe reading (another csaf_version, no vulnerabilities, an unknown
branch category, a range that cannot be read) raises `InvalidInput` naming the
JSON path, or, lenient, is dropped and listed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from fixright.advisories.formats.common import (
    Problems,
    as_dict,
    as_list,
    parse_datetime,
    read_version,
    severity_of_score,
    severity_word,
    text_of,
    unique,
)
from fixright.advisories.formats.csaf_tree import Product, product_key, walk_tree
from fixright.advisories.formats.products import split_product
from fixright.advisories.formats.scores import headline_score, read_cvss
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedRange,
    AffectedReleases,
    CvssScore,
    FixedRelease,
    ReadResult,
    Remediation,
    Unplaced,
)
from fixright.advisories.severity import severity_rank

_AFFECTED = ("known_affected", "first_affected", "last_affected")
_FIXED = ("fixed", "first_fixed", "recommended")
CSAF_VERSIONS = ("2.0", "2.1")
# Fortinet's undefined ids for releases: `FortiOS-7.4.4`, `FortiManager Cloud-7.4.4`.
_PRODUCT_RELEASE_ID = re.compile(r"(?P<product>.+?)-(?P<version>\d[^\s-]*)")
_METRIC_KEYS = (("cvss_v4", "4.0"), ("cvss_v3", "3.1"), ("cvss_v2", "2.0"))


def read_csaf(
    data: Any, source_name: str, *, lenient: bool = False, strict: bool = False
) -> ReadResult:
    """Read one CSAF 2.0 or 2.1 document (parsed JSON).

    Vendor quirks are accepted and listed in `warnings` (`strict` refuses them);
    anything else wrong raises `InvalidInput` unless lenient.
    """
    problems = Problems(source_name, lenient=lenient, strict=strict)
    root = as_dict(data, "$", problems)
    document = as_dict(root.get("document"), "$.document", problems)
    declared = document.get("csaf_version")
    if declared not in CSAF_VERSIONS:
        problems.add(
            "$.document.csaf_version",
            f"declares CSAF {declared!r}; fixright reads CSAF 2.0 and 2.1 documents",
        )
    tracking = as_dict(document.get("tracking"), "$.document.tracking", problems)
    advisory_id = text_of(tracking.get("id"))
    if advisory_id is None:
        raise problems.fatal("$.document.tracking.id", "missing advisory id")
    if str(tracking.get("version")).strip() == "0" and tracking.get("status") == "final":
        problems.quirk(
            "version 0 final",
            "$.document.tracking.version",
            "version '0' with status 'final' (the standard keeps 0 for drafts); read as published",
        )
    notes: list[str] = []
    dates = {
        key: parse_datetime(
            tracking.get(key), f"$.document.tracking.{key}", problems, require_zone=True
        )
        for key in ("initial_release_date", "current_release_date")
    }
    history = as_list(
        tracking.get("revision_history"), "$.document.tracking.revision_history", problems
    )
    for i, entry in enumerate(history):
        if isinstance(entry, dict):
            parse_datetime(
                entry.get("date"),
                f"$.document.tracking.revision_history[{i}].date",
                problems,
                require_zone=True,
            )
    products = walk_tree(root.get("product_tree"), problems, notes)
    vulns = as_list(root.get("vulnerabilities"), "$.vulnerabilities", problems)
    if not vulns:
        problems.add("$.vulnerabilities", "the document lists no vulnerabilities")

    status_ids: dict[str, list[str]] = {"affected": [], "fixed": [], "not": [], "split": []}
    undefined_not_affected: list[str] = []
    cves: list[str] = []
    bug_ids: list[str] = []
    scores: list[CvssScore] = []
    remediations: list[Remediation] = []
    for i, vuln in enumerate(vulns):
        where = f"$.vulnerabilities[{i}]"
        if not isinstance(vuln, dict):
            problems.add(where, "expected an object")
            continue
        cve = text_of(vuln.get("cve"))
        if cve:
            cves.append(cve)
        for j, ident in enumerate(as_list(vuln.get("ids"), f"{where}.ids", problems)):
            if isinstance(ident, dict) and "bug" in str(ident.get("system_name", "")).lower():
                text = text_of(ident.get("text"))
                if text:
                    bug_ids.append(text)
            elif not isinstance(ident, dict):
                problems.add(f"{where}.ids[{j}]", "expected an object")
        for key in ("release_date", "discovery_date", "disclosure_date"):
            parse_datetime(vuln.get(key), f"{where}.{key}", problems, require_zone=True)
        scores += _scores(vuln, where, declared, products, problems)
        remediations += _remediations(vuln, where, products, problems)
        status = vuln.get("product_status") or {}
        if not isinstance(status, dict):
            problems.add(f"{where}.product_status", "expected an object")
            continue
        lists: dict[str, list[str]] = {}
        for key, value in status.items():
            lists[key], undefined = _check_refs(
                value, f"{where}.product_status.{key}", products, problems
            )
            if key == "known_not_affected":
                undefined_not_affected += undefined
        vuln_affected = {pid for key in _AFFECTED for pid in lists.get(key, [])}
        vuln_fixed = {pid for key in _FIXED for pid in lists.get(key, [])}
        vuln_not = set(lists.get("known_not_affected", []))
        for pid in sorted(vuln_affected & vuln_fixed):
            if products[pid].splits and pid not in vuln_not:
                problems.quirk(
                    "affected and fixed",
                    f"{where}.product_status",
                    f"product {pid} ({products[pid].name}) is listed both as affected and as fixed; "
                    "its bounded range is read as affected and its '>=' bound as the fix",
                )
                status_ids["split"].append(pid)
                vuln_affected.discard(pid)
                vuln_fixed.discard(pid)
        for pid in sorted((vuln_affected & vuln_fixed) | (vuln_affected & vuln_not)):
            other = "fixed" if pid in vuln_fixed else "known_not_affected"
            problems.add(
                f"{where}.product_status",
                f"product {pid} ({products[pid].name}) is listed both as affected and as {other}",
            )
            vuln_affected.discard(pid)
            vuln_fixed.discard(pid)
            vuln_not.discard(pid)
        status_ids["affected"] += sorted(vuln_affected)
        status_ids["fixed"] += sorted(vuln_fixed)
        status_ids["not"] += sorted(vuln_not)

    record = _assemble(
        products=products,
        affected_ids=unique(status_ids["affected"]),
        fixed_ids=unique(status_ids["fixed"]),
        not_affected_ids=unique(status_ids["not"]),
        split_ids=unique(status_ids["split"]),
        undefined_not_affected=unique(undefined_not_affected),
        notes=notes,
    )
    cvss = headline_score(scores)
    aggregate = document.get("aggregate_severity")
    severity = severity_word(aggregate.get("text")) if isinstance(aggregate, dict) else None
    if severity is None:
        words = [s.severity for s in scores if s.severity]
        severity = max(words, key=severity_rank) if words else severity_of_score(cvss)
    publisher = document.get("publisher")
    if not isinstance(publisher, dict):
        publisher = {}
    published = dates["initial_release_date"]
    record = AdvisoryRecord(
        source="csaf",
        advisory_id=advisory_id,
        title=text_of(document.get("title")) or advisory_id,
        severity=severity,
        cvss=cvss,
        cves=unique(cves),
        bug_ids=unique(bug_ids),
        url=_self_url(document),
        published=published,
        updated=dates["current_release_date"] or published,
        revision=str(tracking.get("version") or ""),
        vendor=text_of(publisher.get("name")) or "",
        affected=record.affected,
        fixed=record.fixed,
        not_affected=record.not_affected,
        unplaced=record.unplaced,
        notes=tuple(notes),
        remediations=tuple(dict.fromkeys(remediations)),
        cvss_scores=tuple(dict.fromkeys(scores)),
    )
    return ReadResult(source_name, [record], problems.dropped, problems.warnings)


def _scores(
    vuln: dict[str, Any],
    where: str,
    declared: Any,
    products: dict[str, Product],
    problems: Problems,
) -> list[CvssScore]:
    """CVSS scores from 2.0 `scores[].cvss_v3|cvss_v2` and 2.1 `metrics[].content.*`."""
    found: list[CvssScore] = []
    containers: list[tuple[str, Any, str]] = []
    for j, score in enumerate(as_list(vuln.get("scores"), f"{where}.scores", problems)):
        containers.append((f"{where}.scores[{j}]", score, "products"))
    if vuln.get("scores") and declared == "2.1":
        problems.quirk(
            "2.0 names in 2.1",
            f"{where}.scores",
            "a CSAF 2.1 document uses CSAF 2.0's 'scores' (2.1 calls them 'metrics'); read as 2.0",
        )
    for j, metric in enumerate(as_list(vuln.get("metrics"), f"{where}.metrics", problems)):
        if isinstance(metric, dict):
            containers.append((f"{where}.metrics[{j}]", {**(metric.get("content") or {}),
                                                          "products": metric.get("products")},
                               "products"))
    for here, container, refs in containers:
        if not isinstance(container, dict):
            continue
        _check_refs(container.get(refs), f"{here}.{refs}", products, problems)
        for key, hint in _METRIC_KEYS:
            cvss = container.get(key)
            if isinstance(cvss, dict):
                read = read_cvss(
                    str(cvss.get("version") or hint),
                    cvss.get("vectorString"),
                    cvss.get("baseScore"),
                    cvss.get("baseSeverity"),
                    f"{here}.{key}",
                    problems,
                )
                if read is not None:
                    found.append(read)
    return found


def _remediations(
    vuln: dict[str, Any], where: str, products: dict[str, Product], problems: Problems
) -> list[Remediation]:
    found: list[Remediation] = []
    for j, item in enumerate(as_list(vuln.get("remediations"), f"{where}.remediations", problems)):
        here = f"{where}.remediations[{j}]"
        if not isinstance(item, dict):
            problems.add(here, "expected an object")
            continue
        ids, undefined = _check_refs(item.get("product_ids"), f"{here}.product_ids", products, problems)
        category = text_of(item.get("category"))
        text = text_of(item.get("details"))
        if category is None or text is None:
            problems.add(here, "a remediation needs a category and details")
            continue
        families = unique([f for pid in ids if (f := products[pid].os_family) is not None])
        if not families:
            families = unique([f for pid in undefined if (f := split_product(pid)[0]) is not None])
        found.append(
            Remediation(
                category=category,
                text=text,
                url=text_of(item.get("url")),
                product_ids=unique([*ids, *undefined]),
                os_families=families,
            )
        )
    return found


def _self_url(document: dict[str, Any]) -> str | None:
    references = [r for r in document.get("references") or [] if isinstance(r, dict)]
    for ref in references:
        if ref.get("category") == "self" and text_of(ref.get("url")):
            return text_of(ref.get("url"))
    return text_of(references[0].get("url")) if references else None


def _check_refs(
    value: Any, where: str, products: dict[str, Product], problems: Problems
) -> tuple[list[str], list[str]]:
    """(defined ids, undefined ids) of `value`; undefined ones are a quirk (Fortinet)."""
    known: list[str] = []
    undefined: list[str] = []
    for pid in as_list(value, where, problems):
        if isinstance(pid, str) and pid in products:
            known.append(pid)
        elif isinstance(pid, str) and pid.strip():
            problems.quirk(
                "undefined product id",
                where,
                f"product id {pid!r} is not defined in the product tree; "
                "read only as a release name where it is one",
            )
            undefined.append(pid)
        else:
            problems.add(where, f"product id {pid!r} is not a product id")
    return known, undefined



def _assemble(
    *,
    products: dict[str, Product],
    affected_ids: tuple[str, ...],
    fixed_ids: tuple[str, ...],
    not_affected_ids: tuple[str, ...],
    split_ids: tuple[str, ...],
    undefined_not_affected: tuple[str, ...],
    notes: list[str],
) -> AdvisoryRecord:
    """Group the products by status into affected lists, ranges, fixed releases and unplaced."""
    exact: dict[tuple[str, str], list[str]] = {}
    ranges: list[AffectedRange] = []
    unplaced: list[Unplaced] = []
    fixed: list[FixedRelease] = []
    for pid in affected_ids:
        p = products[pid]
        if p.unplaced_reason is not None or p.os_family is None:
            unplaced.append(Unplaced(p.name, p.unplaced_reason or "not placed", p.os_family))
        elif p.exact is not None:
            exact.setdefault((p.os_family, product_key(p.name)), []).append(p.exact)
        else:
            ranges.extend(p.ranges)
    for pid in split_ids:
        p = products[pid]
        for r in p.ranges:
            if r.fixed or r.last_affected:
                ranges.append(r)
            elif r.introduced and p.os_family is not None:
                version = read_version(p.os_family, r.introduced)
                if version is not None:
                    fixed.append(FixedRelease(p.os_family, version.train, r.introduced, p.name))
    releases = [
        AffectedReleases(family, product, unique(versions))
        for (family, product), versions in exact.items()
    ]
    for pid in fixed_ids:
        p = products[pid]
        if p.os_family is not None and p.exact is not None:
            version = read_version(p.os_family, p.exact)
            if version is not None:
                fixed.append(FixedRelease(p.os_family, version.train, p.exact, p.name))
    not_affected = [
        (products[pid].os_family or "", products[pid].exact or "")
        for pid in not_affected_ids
        if products[pid].os_family is not None and products[pid].exact is not None
    ]
    for pid in undefined_not_affected:
        m = _PRODUCT_RELEASE_ID.fullmatch(pid)
        family = split_product(m["product"])[0] if m is not None else None
        if m is not None and family is not None and read_version(family, m["version"]) is not None:
            not_affected.append((family, m["version"]))
    return AdvisoryRecord(
        source="csaf",
        advisory_id="",
        title="",
        severity="none",
        affected=(*releases, *_tie_to_trains(ranges, notes)),
        fixed=tuple(dict.fromkeys(fixed)),
        not_affected=tuple(dict.fromkeys(not_affected)),
        unplaced=tuple(dict.fromkeys(unplaced)),
        notes=tuple(notes),
    )


def _tie_to_trains(ranges: list[AffectedRange], notes: list[str]) -> list[AffectedRange]:
    """Tie ranges without a lower bound to their upper bound's train when one product has
    several in different trains (Palo Alto's `<11.0.2`, `<10.2.5`, `<10.1.14-h11`): read
    across trains, the highest would contain all the others and make them meaningless."""
    open_trains: dict[tuple[str, str], set[str]] = {}
    for r in ranges:
        upper = r.fixed or r.last_affected
        if r.introduced is None and r.train is None and upper is not None:
            version = read_version(r.os_family, upper)
            if version is not None:
                open_trains.setdefault((r.os_family, r.product), set()).add(version.train)
    tied: list[AffectedRange] = []
    for r in ranges:
        upper = r.fixed or r.last_affected
        trains = open_trains.get((r.os_family, r.product), set())
        version = read_version(r.os_family, upper) if upper is not None else None
        if len(trains) > 1 and r.introduced is None and r.train is None and version is not None:
            notes.append(
                f"{r.product}: range up to {upper} read within train {version.train} "
                f"(the document gives one such range per train: {', '.join(sorted(trains))})"
            )
            r = replace(r, train=version.train)
        tied.append(r)
    return tied
