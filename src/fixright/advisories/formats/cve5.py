"""CVE JSON 5 reader (CVE Record Format 5.x). PURE.

Reads `containers.cna.affected[].versions` (`version`, `lessThan`,
`lessThanOrEqual`, `status`) and handles what vendors really write:
Juniper's `"lessThan": "22.4R2-S2, 22.4R3"` (several first-fixed releases;
the lowest bounds the range), Arista's `"version": "4.23.0 4.23.13M"` (a
range in one string), `"version": "0"` (no lower bound). `versionType` is
ignored: the product's own grammar decides (Juniper writes `semver` for Junos).

Fortinet's records of 2022 and before name several products in one entry
(`"product": "Fortinet FortiOS, FortiProxy, FortiSwitchManager"`) and list each
one's affected releases in one version string (`"FortiOS 7.2.1, 7.2.0;
FortiProxy 7.2.0"`): a quirk, read as one list of releases per product.
"""

from __future__ import annotations

from typing import Any

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
from fixright.advisories.formats.products import split_product
from fixright.advisories.records import (
    AdvisoryRecord,
    AffectedRange,
    AffectedReleases,
    FixedRelease,
    ReadResult,
    Unplaced,
)
from fixright.versions import Version

_NO_LOWER = frozenset({"0", "*", "-", "n/a", "unspecified"})
_METRIC_KEYS = ("cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0")


def is_cve5(data: Any) -> bool:
    return isinstance(data, dict) and (
        data.get("dataType") == "CVE_RECORD" or isinstance(data.get("cveMetadata"), dict)
    )


def read_cve5(
    data: Any, source_name: str, *, lenient: bool = False, strict: bool = False
) -> ReadResult:
    """Read one CVE record (parsed JSON). Raises `InvalidInput` unless lenient.

    Vendor quirks are accepted and listed in `warnings` (`strict` refuses them).
    """
    problems = Problems(source_name, lenient=lenient, strict=strict)
    root = as_dict(data, "$", problems)
    meta = as_dict(root.get("cveMetadata"), "$.cveMetadata", problems)
    cve_id = text_of(meta.get("cveId"))
    if cve_id is None:
        raise problems.fatal("$.cveMetadata.cveId", "missing CVE id")
    if meta.get("state") != "PUBLISHED":
        raise problems.fatal("$.cveMetadata.state", f"record state is {meta.get('state')!r}, not PUBLISHED")
    containers = as_dict(root.get("containers"), "$.containers", problems)
    cna = as_dict(containers.get("cna"), "$.containers.cna", problems)
    notes: list[str] = []
    affected: list[AffectedReleases | AffectedRange] = []
    fixed: list[FixedRelease] = []
    not_affected: list[tuple[str, str]] = []
    unplaced: list[Unplaced] = []
    for i, entry in enumerate(as_list(cna.get("affected"), "$.containers.cna.affected", problems)):
        where = f"$.containers.cna.affected[{i}]"
        if not isinstance(entry, dict):
            problems.add(where, "expected an object")
            continue
        product = text_of(entry.get("product")) or ""
        family, _rest = split_product(product)
        listed = _products_in_one_entry(entry, product, where, problems) if _rest else None
        if listed is not None:
            affected.extend(listed)
            continue
        if family is None or _rest:
            unplaced.append(Unplaced(product or "(no product)", "product not known to fixright"))
            continue
        platforms = tuple(
            p for p in (text_of(x) for x in as_list(entry.get("platforms"), f"{where}.platforms", problems)) if p
        )
        versions = as_list(entry.get("versions"), f"{where}.versions", problems)
        if not versions:
            if entry.get("defaultStatus") == "affected":
                unplaced.append(Unplaced(product, "every release affected, none listed", family))
            continue
        exact: list[str] = []
        for j, item in enumerate(versions):
            here = f"{where}.versions[{j}]"
            if not isinstance(item, dict):
                problems.add(here, "expected an object")
                continue
            _read_version_entry(
                item, here, family, product, platforms, problems, notes, exact, affected, fixed,
                not_affected,
            )
        if exact:
            affected.append(AffectedReleases(family, product, unique(exact), platforms, complete=False))
    scores, severities = _metrics(cna, containers)
    cvss = max(scores) if scores else None
    severity = severities[0] if severities else severity_of_score(cvss)
    source = cna.get("source")
    if not isinstance(source, dict):
        source = {}
    defects = [text_of(d) for d in as_list(source.get("defect"), "$.containers.cna.source.defect", problems)]
    return ReadResult(
        source_name,
        [
            AdvisoryRecord(
                source="cve5",
                advisory_id=cve_id,
                title=_title(cna) or cve_id,
                severity=severity,
                cvss=cvss,
                cves=(cve_id,),
                bug_ids=unique([d for d in defects if d]),
                url=_url(cna),
                published=parse_datetime(
                    meta.get("datePublished"), "$.cveMetadata.datePublished", problems, require_zone=False
                ),
                updated=parse_datetime(
                    meta.get("dateUpdated"), "$.cveMetadata.dateUpdated", problems, require_zone=False
                ),
                revision=str(meta.get("dateUpdated") or ""),
                vendor=str(next((a.get("vendor") for a in cna.get("affected") or [] if isinstance(a, dict)), "") or ""),
                affected=tuple(affected),
                fixed=tuple(fixed),
                not_affected=tuple(not_affected),
                unplaced=tuple(dict.fromkeys(unplaced)),
                notes=tuple(notes),
            )
        ],
        problems.dropped,
        problems.warnings,
    )


def _products_in_one_entry(
    entry: dict[str, Any], product: str, where: str, problems: Problems
) -> list[AffectedReleases] | None:
    """Releases per product of an entry naming several (`FortiOS, FortiProxy`), or None
    when `product` is not such a list of known products (the caller then reports it)."""
    names = [n.strip() for n in product.split(",")]
    families = [split_product(n) for n in names]
    if len(names) < 2 or any(f is None or rest for f, rest in families):
        return None
    releases: dict[str, list[str]] = {}
    for j, item in enumerate(as_list(entry.get("versions"), f"{where}.versions", problems)):
        here = f"{where}.versions[{j}].version"
        text = text_of(item.get("version")) if isinstance(item, dict) else None
        if text is None or item.get("status") != "affected":
            continue
        for part in (p.strip() for p in text.split(";") if p.strip()):
            family, rest = split_product(part)
            versions = [v.strip() for v in rest.split(",") if v.strip()]
            if family is None or not versions:
                problems.add(here, f"{part!r} is not '<product> <release>, <release>, ...'")
                return []
            if (family, "") not in families:
                problems.add(here, f"{part!r} names a product the entry does not ({product!r})")
                return []
            for version in versions:
                if read_version(family, version) is None:
                    problems.add(here, f"{version!r} is not a {family} release")
                    return []
            releases.setdefault(family, []).extend(versions)
    problems.quirk(
        "several products in one entry",
        f"{where}.product",
        f"product {product!r} names several products and its versions list each one's "
        "releases; read as one list of affected releases per product",
    )
    name_of = {f: n for n, (f, _rest) in zip(names, families, strict=True)}
    return [
        AffectedReleases(family, name_of[family], unique(versions), complete=False)
        for family, versions in releases.items()
    ]


def _read_version_entry(
    item: dict[str, Any],
    where: str,
    family: str,
    product: str,
    platforms: tuple[str, ...],
    problems: Problems,
    notes: list[str],
    exact: list[str],
    affected: list[AffectedReleases | AffectedRange],
    fixed: list[FixedRelease],
    not_affected: list[tuple[str, str]],
) -> None:
    status = item.get("status")
    version_text = text_of(item.get("version"))
    less_than = text_of(item.get("lessThan"))
    less_equal = text_of(item.get("lessThanOrEqual"))
    if status not in ("affected", "unaffected", "unknown"):
        problems.add(f"{where}.status", f"status {status!r} is not affected, unaffected or unknown")
        return
    if status == "unknown":
        return
    if status == "unaffected":
        if version_text and not less_than and not less_equal and read_version(family, version_text):
            not_affected.append((family, version_text))
        return
    lower: str | None = None
    if version_text is not None and version_text.lower() not in _NO_LOWER:
        parts = version_text.split()
        if len(parts) == 2 and not less_than and not less_equal:
            # Arista: "4.23.0 4.23.13M" is the range first .. last affected.
            lower, less_equal = parts
        elif len(parts) == 1:
            lower = parts[0]
        else:
            problems.add(f"{where}.version", f"cannot read {version_text!r} as one {family} release")
            return
    if less_than is None and less_equal is None:
        if lower is None:
            affected.append(AffectedRange(family, product, platforms=platforms))
        elif read_version(family, lower) is None:
            problems.add(f"{where}.version", f"{lower!r} is not a {family} release")
        else:
            exact.append(lower)
        return
    upper_text: str | None = None
    if less_than is not None and less_than != "*":
        values = [v.strip() for v in less_than.split(",") if v.strip()]
        parsed: list[tuple[Version, str]] = []
        for value in values:
            version = read_version(family, value)
            if version is None:
                problems.add(f"{where}.lessThan", f"{value!r} is not a {family} release")
                return
            parsed.append((version, value))
            fixed.append(FixedRelease(family, version.train, value, product))
        # Several first-fixed releases (Juniper): the range ends at the lowest.
        upper_text = min(parsed, key=lambda pair: pair[0].key)[1]
        if len(values) > 1:
            notes.append(f"{product}: lessThan lists {', '.join(values)}; each is a first fixed release")
    made = make_range(
        family,
        product,
        introduced=lower,
        fixed=upper_text,
        last_affected=less_equal if upper_text is None else None,
        platforms=platforms,
        where=where,
        problems=problems,
        notes=notes,
    )
    if made is not None:
        affected.append(made)


def _metrics(cna: dict[str, Any], containers: dict[str, Any]) -> tuple[list[float], list[str]]:
    """Base scores and severities, CNA first, then ADP containers."""
    scores: list[float] = []
    severities: list[str] = []
    sources = [cna, *[a for a in containers.get("adp") or [] if isinstance(a, dict)]]
    for container in sources:
        for metric in container.get("metrics") or []:
            if not isinstance(metric, dict):
                continue
            for key in _METRIC_KEYS:
                cvss = metric.get(key)
                if isinstance(cvss, dict):
                    score = score_of(cvss.get("baseScore"))
                    if score is not None:
                        scores.append(score)
                    word = severity_word(cvss.get("baseSeverity"))
                    if word:
                        severities.append(word)
                    break
    return scores, severities


def _title(cna: dict[str, Any]) -> str | None:
    title = text_of(cna.get("title"))
    if title:
        return title
    for desc in cna.get("descriptions") or []:
        if isinstance(desc, dict) and text_of(desc.get("value")):
            return str(desc["value"]).strip()[:300]
    return None


def _url(cna: dict[str, Any]) -> str | None:
    refs = [r for r in cna.get("references") or [] if isinstance(r, dict) and text_of(r.get("url"))]
    for ref in refs:
        if "vendor-advisory" in (ref.get("tags") or []):
            return text_of(ref.get("url"))
    return text_of(refs[0].get("url")) if refs else None
