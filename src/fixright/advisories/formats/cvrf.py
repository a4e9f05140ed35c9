"""CVRF 1.1 and 1.2 reader (XML, Cisco's and others' format before CSAF). PURE.

The XML is parsed with `defusedxml`, refusing any DTD and every entity (the
billion laughs, an external entity naming a local file): nothing is ever read
from the file system or the network. A document is translated element by
element into the CSAF 2.0 shape it is the ancestor of (product tree branches
with a `FullProductName` per release, `ProductStatuses`, `CVSSScoreSets` v2/v3,
`Remediations`, references, tracking) and read by the CSAF reader, so one
advisory gives the same `AdvisoryRecord` from CVRF and from CSAF (only
`source` says `cvrf`). Both namespaces are read: 1.2
(`http://docs.oasis-open.org/csaf/ns/csaf-cvrf/v1.2/...`) and 1.1
(`http://www.icasi.org/CVRF/schema/.../1.1`), by element local names.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from fixright.advisories.formats.csaf import read_csaf
from fixright.advisories.formats.scores import CVRF_REMEDIATION_TYPES
from fixright.advisories.records import ReadResult
from fixright.errors import InvalidInput

_NAMESPACES = {
    "http://docs.oasis-open.org/csaf/ns/csaf-cvrf/v1.2/cvrf": "1.2",
    "http://www.icasi.org/CVRF/schema/cvrf/1.1": "1.1",
}
_BRANCH_TYPES = {
    "vendor": "vendor",
    "product family": "product_family",
    "product name": "product_name",
    "product version": "product_version",
    "service pack": "service_pack",
    "patch level": "patch_level",
    "architecture": "architecture",
    "host name": "host_name",
    "language": "language",
    "legacy": "legacy",
    "specification": "specification",
    # CVRF-only types: groupings above the product, read as a family.
    "realm": "product_family",
    "resource": "product_family",
}
_OPEN_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")


def is_cvrf(raw: bytes | str) -> bool:
    """True for text that looks like XML (CVRF is the only XML format read)."""
    head = raw[:512].lstrip() if isinstance(raw, str) else raw[:512].lstrip().decode("utf-8", "replace")
    return head.startswith("<")


def read_cvrf(
    raw: bytes | str, source_name: str, *, lenient: bool = False, strict: bool = False
) -> ReadResult:
    """Read one CVRF document. Malformed or unsafe XML raises `InvalidInput` naming file,
    line and element; the rest is validated as CSAF is (quirks warned, `strict` refuses).

    The whole tree is built in memory: `read_document` refuses a document over
    `MAX_DOCUMENT_BYTES` before it gets here."""
    root = _parse(raw, source_name)
    namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if local != "cvrfdoc":
        raise InvalidInput(f"{source_name}: <{local}>: not a CVRF document (expected <cvrfdoc>)")
    if namespace and namespace not in _NAMESPACES:
        raise InvalidInput(f"{source_name}: <cvrfdoc>: unknown CVRF namespace {namespace!r}")
    result = read_csaf(_as_csaf(root), source_name, lenient=lenient, strict=strict)
    result.advisories = [replace(a, source="cvrf") for a in result.advisories]
    return result


def _parse(raw: bytes | str, source_name: str) -> Element:
    try:
        root: Element = fromstring(
            raw, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        return root
    except DefusedXmlException as exc:
        raise InvalidInput(
            f"{source_name}: refused: the XML declares a DTD or entities ({type(exc).__name__}); "
            "CVRF needs neither and fixright never expands them"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        before = "\n".join(text.splitlines()[:line])
        opened = _OPEN_TAG.findall(before)
        element = f" in <{opened[-1]}>" if opened else ""
        reason = str(exc).split(":", 1)[0]
        raise InvalidInput(
            f"{source_name}: line {line} column {column + 1}{element}: not well-formed XML ({reason})"
        ) from None


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child) == name]


def _child(element: Element | None, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None, name: str | None = None) -> str | None:
    target = element if name is None else _child(element, name)
    if target is None or target.text is None:
        return None
    return target.text


def _as_csaf(root: Element) -> dict[str, Any]:
    """The CSAF 2.0 document a CVRF document says the same as."""
    tracking_el = _child(root, "DocumentTracking")
    identification = _child(tracking_el, "Identification")
    tracking: dict[str, Any] = {
        "id": _text(identification, "ID"),
        "version": _text(tracking_el, "Version"),
        "status": (_text(tracking_el, "Status") or "").strip().lower() or None,
        "initial_release_date": _text(tracking_el, "InitialReleaseDate"),
        "current_release_date": _text(tracking_el, "CurrentReleaseDate"),
        "revision_history": [
            {"number": _text(rev, "Number"), "date": _text(rev, "Date")}
            for rev in _children(_child(tracking_el, "RevisionHistory"), "Revision")
        ],
    }
    references = [
        {"category": "self" if ref.get("Type") == "Self" else "external", "url": _text(ref, "URL")}
        for ref in _children(_child(root, "DocumentReferences"), "Reference")
    ]
    tree = _child(root, "ProductTree")
    vendor = next((b.get("Name") for b in _children(tree, "Branch") if b.get("Type") == "Vendor"), None)
    document: dict[str, Any] = {
        "csaf_version": "2.0",
        "title": _text(root, "DocumentTitle"),
        "tracking": tracking,
        "references": references,
        "publisher": {"name": vendor},
    }
    severity = _text(root, "AggregateSeverity")
    if severity:
        document["aggregate_severity"] = {"text": severity}
    product_tree: dict[str, Any] = {
        "branches": [_branch(b) for b in _children(tree, "Branch")],
        "full_product_names": [_full(f) for f in _children(tree, "FullProductName")],
    }
    return {
        "document": document,
        "product_tree": product_tree,
        "vulnerabilities": [_vulnerability(v) for v in _children(root, "Vulnerability")],
    }


def _full(element: Element) -> dict[str, Any]:
    return {"product_id": element.get("ProductID"), "name": element.text or ""}


def _branch(element: Element) -> dict[str, Any]:
    kind = (element.get("Type") or "").strip().lower()
    branch: dict[str, Any] = {"category": _BRANCH_TYPES.get(kind, kind), "name": element.get("Name")}
    full = _child(element, "FullProductName")
    if full is not None:
        branch["product"] = _full(full)
    children = _children(element, "Branch")
    if children:
        branch["branches"] = [_branch(child) for child in children]
    return branch


def _ids(element: Element | None) -> list[str]:
    return [pid.text.strip() for pid in _children(element, "ProductID") if pid.text and pid.text.strip()]


def _vulnerability(element: Element) -> dict[str, Any]:
    status: dict[str, list[str]] = {}
    for item in _children(_child(element, "ProductStatuses"), "Status"):
        key = (item.get("Type") or "").strip().lower().replace(" ", "_")
        status.setdefault(key, []).extend(_ids(item))
    scores: list[dict[str, Any]] = []
    for score_set in _child(element, "CVSSScoreSets") or []:
        name = _local(score_set)
        if name in ("ScoreSetV2", "ScoreSet"):
            key, suffix, version = "cvss_v2", "V2" if name == "ScoreSetV2" else "", "2.0"
        elif name == "ScoreSetV3":
            key, suffix, version = "cvss_v3", "V3", "3.0"
        else:
            continue
        scores.append(
            {
                key: {
                    "version": version,
                    "baseScore": _text(score_set, f"BaseScore{suffix}"),
                    "vectorString": _text(score_set, f"Vector{suffix}"),
                },
                "products": _ids(score_set),
            }
        )
    remediations = [
        {
            "category": CVRF_REMEDIATION_TYPES.get(
                (item.get("Type") or "").strip().lower(), (item.get("Type") or "").strip().lower()
            ),
            "details": _text(item, "Description"),
            "url": _text(item, "URL"),
            "product_ids": _ids(item),
        }
        for item in _children(_child(element, "Remediations"), "Remediation")
    ]
    vuln: dict[str, Any] = {
        "ids": [
            {"system_name": ident.get("SystemName") or "", "text": ident.text}
            for ident in _children(element, "ID")
        ],
        "product_status": status,
        "scores": scores,
        "remediations": remediations,
    }
    cve = _text(element, "CVE")
    if cve:
        vuln["cve"] = cve
    return vuln
