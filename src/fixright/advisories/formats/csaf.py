"""CSAF 2.0 reader: one document -> one `AdvisoryRecord`. PURE.

Walks the product tree (vendor / product_family / product_name /
product_version / service_pack, and `product_version_range` with `vers:`
ranges), then each vulnerability's `product_status`. Cisco names releases
bare (`17.3.1a`) or long (`Cisco IOS 12.2SE 12.2(55)SE`) and lists only
affected releases: those lists are complete, which is what lets the planner
infer fixes. What breaks the standard (another csaf_version, an unknown branch
category, a product id defined twice or not at all, a product both affected
and fixed, a range that is not canonical `vers`, a date-time without zone)
raises `InvalidInput` naming the JSON path, or, lenient, is dropped and listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from fixright.advisories.formats.common import (
    Problems,
    as_dict,
    as_list,
    make_range,
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
    AffectedRange,
    AffectedReleases,
    FixedRelease,
    ReadResult,
    Unplaced,
)
from fixright.advisories.severity import severity_rank

BRANCH_CATEGORIES = frozenset(
    {
        "architecture",
        "host_name",
        "language",
        "legacy",
        "patch_level",
        "product_family",
        "product_name",
        "product_version",
        "product_version_range",
        "service_pack",
        "specification",
        "vendor",
    }
)
_RELEASE_CATEGORIES = ("service_pack", "patch_level", "product_version")
_AFFECTED = ("known_affected", "first_affected", "last_affected")
_FIXED = ("fixed", "first_fixed", "recommended")
_VERS = re.compile(r"vers:(?P<scheme>[a-z0-9.+-]+)/(?P<constraints>.+)", re.ASCII)
_CONSTRAINT = re.compile(r"(?P<op><=|>=|!=|<|>|=)?(?P<version>[^<>=!|\s]+)")


@dataclass
class _Product:
    """One product of the tree, placed (or not) on a release."""

    product_id: str
    name: str
    where: str
    os_family: str | None
    exact: str | None = None
    ranges: tuple[AffectedRange, ...] = ()
    unplaced_reason: str | None = None


def read_csaf(data: Any, source_name: str, *, lenient: bool = False) -> ReadResult:
    """Read one CSAF 2.0 document (parsed JSON). Raises `InvalidInput` unless lenient."""
    problems = Problems(source_name, lenient=lenient)
    root = as_dict(data, "$", problems)
    document = as_dict(root.get("document"), "$.document", problems)
    declared = document.get("csaf_version")
    if declared != "2.0":
        problems.add(
            "$.document.csaf_version",
            f"declares CSAF {declared!r}; fixright reads CSAF 2.0 documents",
        )
    tracking = as_dict(document.get("tracking"), "$.document.tracking", problems)
    advisory_id = text_of(tracking.get("id"))
    if advisory_id is None:
        raise problems.fatal("$.document.tracking.id", "missing advisory id")
    notes: list[str] = []
    published = parse_datetime(
        tracking.get("initial_release_date"),
        "$.document.tracking.initial_release_date",
        problems,
        require_zone=True,
    )
    updated = parse_datetime(
        tracking.get("current_release_date"),
        "$.document.tracking.current_release_date",
        problems,
        require_zone=True,
    )
    for i, entry in enumerate(as_list(tracking.get("revision_history"), "$.document.tracking.revision_history", problems)):
        if isinstance(entry, dict):
            parse_datetime(
                entry.get("date"),
                f"$.document.tracking.revision_history[{i}].date",
                problems,
                require_zone=True,
            )
    products = _walk_tree(root.get("product_tree"), problems, notes)

    affected_ids: list[str] = []
    fixed_ids: list[str] = []
    not_affected_ids: list[str] = []
    cves: list[str] = []
    bug_ids: list[str] = []
    scores: list[float] = []
    severities: list[str] = []
    for i, vuln in enumerate(as_list(root.get("vulnerabilities"), "$.vulnerabilities", problems)):
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
        for key in ("release_date", "discovery_date"):
            parse_datetime(vuln.get(key), f"{where}.{key}", problems, require_zone=True)
        for j, score in enumerate(as_list(vuln.get("scores"), f"{where}.scores", problems)):
            if not isinstance(score, dict):
                continue
            _check_refs(score.get("products"), f"{where}.scores[{j}].products", products, problems)
            for cvss_key in ("cvss_v3", "cvss_v2"):
                cvss = score.get(cvss_key)
                if isinstance(cvss, dict):
                    value = score_of(cvss.get("baseScore"))
                    if value is not None:
                        scores.append(value)
                    word = severity_word(cvss.get("baseSeverity"))
                    if word:
                        severities.append(word)
                    break
        for j, remediation in enumerate(
            as_list(vuln.get("remediations"), f"{where}.remediations", problems)
        ):
            if isinstance(remediation, dict):
                _check_refs(
                    remediation.get("product_ids"),
                    f"{where}.remediations[{j}].product_ids",
                    products,
                    problems,
                )
        status = vuln.get("product_status") or {}
        if not isinstance(status, dict):
            problems.add(f"{where}.product_status", "expected an object")
            continue
        lists: dict[str, list[str]] = {}
        for key, value in status.items():
            lists[key] = _check_refs(value, f"{where}.product_status.{key}", products, problems)
        vuln_affected = {pid for key in _AFFECTED for pid in lists.get(key, [])}
        vuln_fixed = {pid for key in _FIXED for pid in lists.get(key, [])}
        vuln_not = set(lists.get("known_not_affected", []))
        for pid in sorted((vuln_affected & vuln_fixed) | (vuln_affected & vuln_not)):
            other = "fixed" if pid in vuln_fixed else "known_not_affected"
            problems.add(
                f"{where}.product_status",
                f"product {pid} ({products[pid].name}) is listed both as affected and as {other}",
            )
            vuln_affected.discard(pid)
            vuln_fixed.discard(pid)
            vuln_not.discard(pid)
        affected_ids += sorted(vuln_affected)
        fixed_ids += sorted(vuln_fixed)
        not_affected_ids += sorted(vuln_not)

    record = _assemble(
        advisory_id=advisory_id,
        document=document,
        products=products,
        affected_ids=unique(affected_ids),
        fixed_ids=unique(fixed_ids),
        not_affected_ids=unique(not_affected_ids),
        notes=notes,
    )
    cvss = max(scores) if scores else None
    aggregate = document.get("aggregate_severity")
    severity = severity_word(aggregate.get("text")) if isinstance(aggregate, dict) else None
    if severity is None:
        severity = max(severities, key=severity_rank) if severities else severity_of_score(cvss)
    publisher = document.get("publisher")
    if not isinstance(publisher, dict):
        publisher = {}
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
        updated=updated or published,
        revision=str(tracking.get("version") or ""),
        vendor=text_of(publisher.get("name")) or "",
        affected=record.affected,
        fixed=record.fixed,
        not_affected=record.not_affected,
        unplaced=record.unplaced,
        notes=tuple(notes),
    )
    return ReadResult(source_name, [record], problems.dropped)


def _self_url(document: dict[str, Any]) -> str | None:
    references = [r for r in document.get("references") or [] if isinstance(r, dict)]
    for ref in references:
        if ref.get("category") == "self" and text_of(ref.get("url")):
            return text_of(ref.get("url"))
    return text_of(references[0].get("url")) if references else None


def _check_refs(
    value: Any, where: str, products: dict[str, _Product], problems: Problems
) -> list[str]:
    """The product ids of `value` that are defined; undefined ones are reported."""
    known: list[str] = []
    for pid in as_list(value, where, problems):
        if isinstance(pid, str) and pid in products:
            known.append(pid)
        else:
            problems.add(where, f"product id {pid!r} is not defined in the product tree")
    return known


def _walk_tree(tree: Any, problems: Problems, notes: list[str]) -> dict[str, _Product]:
    products: dict[str, _Product] = {}
    duplicated: set[str] = set()
    if tree is None:
        return products
    tree_dict = as_dict(tree, "$.product_tree", problems)

    def visit(branches: Any, where: str, path: list[tuple[str, str]]) -> None:
        for i, branch in enumerate(as_list(branches, where, problems)):
            here = f"{where}[{i}]"
            if not isinstance(branch, dict):
                problems.add(here, "expected an object")
                continue
            category, name = branch.get("category"), branch.get("name")
            if category not in BRANCH_CATEGORIES:
                problems.add(f"{here}.category", f"{category!r} is not a CSAF 2.0 branch category")
                # Lenient: read the subtree as if the branch named a product.
                category = "product_name"
            if not isinstance(name, str):
                problems.add(f"{here}.name", "missing branch name")
                continue
            step = [*path, (category, name)]
            product = branch.get("product")
            if isinstance(product, dict):
                pid = product.get("product_id")
                if not isinstance(pid, str) or not pid:
                    problems.add(f"{here}.product.product_id", "missing product id")
                elif pid in products or pid in duplicated:
                    problems.add(
                        f"{here}.product.product_id",
                        f"product id {pid!r} is defined more than once",
                    )
                    products.pop(pid, None)
                    duplicated.add(pid)
                else:
                    products[pid] = _place(pid, str(product.get("name") or name), step, here, problems, notes)
            if "branches" in branch:
                visit(branch["branches"], f"{here}.branches", step)

    visit(tree_dict.get("branches"), "$.product_tree.branches", [])
    for i, full in enumerate(as_list(tree_dict.get("full_product_names"), "$.product_tree.full_product_names", problems)):
        if isinstance(full, dict) and isinstance(full.get("product_id"), str):
            pid, name = full["product_id"], str(full.get("name") or "")
            where = f"$.product_tree.full_product_names[{i}]"
            products[pid] = _place(pid, name, [("product_name", name)], where, problems, notes)
    for i, rel in enumerate(as_list(tree_dict.get("relationships"), "$.product_tree.relationships", problems)):
        full = rel.get("full_product_name") if isinstance(rel, dict) else None
        if isinstance(full, dict) and isinstance(full.get("product_id"), str):
            pid = full["product_id"]
            products[pid] = _Product(
                pid,
                str(full.get("name") or pid),
                f"$.product_tree.relationships[{i}]",
                None,
                unplaced_reason="product defined by a relationship (not supported)",
            )
    # Ids defined twice stay known (so references are not reported again) but unplaced.
    for pid in duplicated:
        products[pid] = _Product(pid, pid, "$.product_tree", None, unplaced_reason="defined more than once")
    return products


def _place(
    pid: str,
    full_name: str,
    path: list[tuple[str, str]],
    where: str,
    problems: Problems,
    notes: list[str],
) -> _Product:
    """Find the os_family and the release (or `vers` range) of one product-tree leaf."""
    family: str | None = None
    product = full_name.strip()
    for category, name in [*reversed(path), ("product", full_name)]:
        if category in ("product_name", "product_family", "product"):
            found, _rest = split_product(name)
            if found is not None:
                family = found
                product = name.strip() if category != "product" else _product_key(full_name)
                break
    leaf_category, leaf_name = path[-1]
    if leaf_category == "product_version_range" and not _vers_syntax(leaf_name, f"{where}.name", problems):
        return _Product(pid, product, where, family, unplaced_reason=f"range {leaf_name!r} not read")
    if family is None:
        return _Product(pid, product, where, None, unplaced_reason="product not known to fixright")
    if leaf_category == "product_version_range":
        ranges = _vers_ranges(family, product, leaf_name, f"{where}.name", problems, notes)
        if ranges is None:
            return _Product(pid, product, where, family, unplaced_reason=f"range {leaf_name!r} not read")
        return _Product(pid, product, where, family, ranges=ranges)
    release_names = [name for category, name in path if category in _RELEASE_CATEGORIES]
    if not release_names:
        return _Product(pid, product, where, family, unplaced_reason="no release given")
    text = release_names[-1]
    found, rest = split_product(text)
    candidates = [text, release_of(rest if found == family else text)]
    for candidate in candidates:
        if read_version(family, candidate) is not None:
            return _Product(pid, product, where, family, exact=candidate)
    return _Product(
        pid, product, where, family, unplaced_reason=f"cannot read {text!r} as a {family} release"
    )


def _vers_syntax(text: str, where: str, problems: Problems) -> bool:
    """Check the `vers:` syntax (whatever the product); report and return False if wrong."""
    m = _VERS.fullmatch(text.strip())
    if m is None:
        problems.add(where, f"{text!r} is not a vers: range (vers:<scheme>/<constraints>)")
        return False
    constraints = m["constraints"]
    if constraints == "*":
        return True
    if m["scheme"] == "all":
        problems.add(where, f"{text!r}: the vers 'all' scheme only allows '*' (CSAF 2.0 3.1.2.3.2)")
        return False
    for part in constraints.split("|"):
        if _CONSTRAINT.fullmatch(part.strip()) is None:
            problems.add(where, f"{text!r}: constraint {part!r} is not <comparator><version>")
            return False
    return True


def _vers_ranges(
    family: str, product: str, text: str, where: str, problems: Problems, notes: list[str]
) -> tuple[AffectedRange, ...] | None:
    """Turn a canonical `vers:` string into ranges; None (after reporting) if it is not one."""
    m = _VERS.fullmatch(text.strip())
    if m is None:
        return None
    constraints = m["constraints"]
    if constraints == "*":
        return (AffectedRange(family, product),)
    ranges: list[AffectedRange] = []
    lower: str | None = None
    for part in constraints.split("|"):
        c = _CONSTRAINT.fullmatch(part.strip())
        if c is None:
            return None
        op, version = c["op"] or "=", unquote(c["version"])
        if read_version(family, version) is None:
            problems.add(where, f"{text!r}: {version!r} is not a {family} release")
            return None
        if op in (">", "!="):
            problems.add(where, f"{text!r}: comparator {op!r} is not supported")
            return None
        if op == ">=":
            lower = version
            continue
        if op == "=":
            ranges.append(AffectedRange(family, product, introduced=version, last_affected=version))
            continue
        made = make_range(
            family,
            product,
            introduced=lower,
            fixed=version if op == "<" else None,
            last_affected=version if op == "<=" else None,
            platforms=(),
            where=where,
            problems=problems,
            notes=notes,
        )
        if made is None:
            return None
        ranges.append(made)
        lower = None
    if lower is not None:
        ranges.append(AffectedRange(family, product, introduced=lower))
    return tuple(ranges)


def _assemble(
    *,
    advisory_id: str,
    document: dict[str, Any],
    products: dict[str, _Product],
    affected_ids: tuple[str, ...],
    fixed_ids: tuple[str, ...],
    not_affected_ids: tuple[str, ...],
    notes: list[str],
) -> AdvisoryRecord:
    """Group the products by status into affected lists, ranges, fixed releases and unplaced."""
    exact: dict[tuple[str, str], list[str]] = {}
    affected: list[AffectedReleases | AffectedRange] = []
    unplaced: list[Unplaced] = []
    for pid in affected_ids:
        p = products[pid]
        if p.unplaced_reason is not None or p.os_family is None:
            unplaced.append(Unplaced(p.name, p.unplaced_reason or "not placed", p.os_family))
        elif p.exact is not None:
            exact.setdefault((p.os_family, _product_key(p.name)), []).append(p.exact)
        else:
            affected.extend(p.ranges)
    releases = [
        AffectedReleases(family, product, unique(versions))
        for (family, product), versions in exact.items()
    ]
    fixed: list[FixedRelease] = []
    for pid in fixed_ids:
        p = products[pid]
        if p.os_family is not None and p.exact is not None:
            version = read_version(p.os_family, p.exact)
            if version is not None:
                fixed.append(FixedRelease(p.os_family, version.train, p.exact, p.name))
    not_affected = tuple(
        (products[pid].os_family or "", products[pid].exact or "")
        for pid in not_affected_ids
        if products[pid].os_family is not None and products[pid].exact is not None
    )
    return AdvisoryRecord(
        source="csaf",
        advisory_id=advisory_id,
        title="",
        severity="none",
        affected=(*releases, *affected),
        fixed=tuple(fixed),
        not_affected=not_affected,
        unplaced=tuple(dict.fromkeys(unplaced)),
        notes=tuple(notes),
    )


def _product_key(name: str) -> str:
    """`Cisco IOS 12.2SE 12.2(55)SE` -> `Cisco IOS`: the product without its release words."""
    family, _rest = split_product(name)
    if family is None:
        return name
    stripped = " ".join(name.split())
    return stripped[: len(stripped) - len(_rest)].strip() if _rest else stripped
