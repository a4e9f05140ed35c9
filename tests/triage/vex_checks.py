"""Validators for the VEX exports: the official schemas, and CSAF's cheap mandatory tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas" / "csaf_2.0"
VEX_STATUSES = ("fixed", "known_affected", "known_not_affected", "under_investigation")
# CSAF 2.0 §6.1.6: the groups a product may be in only one of.
_GROUPS = {"first_affected": "affected", "known_affected": "affected",
           "last_affected": "affected", "known_not_affected": "not_affected",
           "first_fixed": "fixed", "fixed": "fixed", "under_investigation": "investigating"}


@cache
def _csaf_validator() -> Draft202012Validator:
    resources = [
        (f"https://www.first.org/cvss/cvss-v{v}.json",
         Resource.from_contents(json.loads((SCHEMAS / "referenced" / f"cvss-v{v}.json")
                                           .read_text()), default_specification=DRAFT7))
        for v in ("2.0", "3.0", "3.1")]
    schema = json.loads((SCHEMAS / "csaf_json_schema.json").read_text())
    return Draft202012Validator(schema, registry=Registry().with_resources(resources),
                                format_checker=FormatChecker())


def csaf_schema_errors(document: dict[str, Any]) -> list[str]:
    """Every CSAF 2.0 JSON schema violation, as "path: message"."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _csaf_validator().iter_errors(document)]


def cyclonedx_schema_error(document: dict[str, Any]) -> str | None:
    """The first CycloneDX 1.6 JSON schema violation, or None."""
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    return None if error is None else str(error).splitlines()[0]


def _defined(branches: list[dict[str, Any]]) -> list[str]:
    ids = []
    for b in branches:
        if "product" in b:
            ids.append(b["product"]["product_id"])
        ids += _defined(b.get("branches", []))
    return ids


def _names(branches: list[dict[str, Any]], category: str) -> list[str]:
    out = []
    for b in branches:
        if b["category"] == category:
            out.append(b["name"])
        out += _names(b.get("branches", []), category)
    return out


def csaf_vex_problems(doc: dict[str, Any]) -> list[str]:
    """What CSAF 2.0's cheap mandatory tests (§6.1) and VEX profile tests (§6.1.27) refuse."""
    problems = []
    tree = doc.get("product_tree")
    if not tree:
        return ["6.1.27.4 a csaf_vex document needs a product_tree"]
    defined = _defined(tree.get("branches", []))
    if len(defined) != len(set(defined)):
        problems.append("6.1.2 a product_id is defined twice")
    tracking = doc["document"]["tracking"]
    if tracking["version"] != tracking["revision_history"][-1]["number"]:
        problems.append("6.1.16 tracking.version is not the latest revision")
    for name in _names(tree.get("branches", []), "product_version"):
        if any(word in name.lower() for word in ("<", ">", "after", "before", "prior",
                                                 "earlier", "later", "all versions")):
            problems.append(f"6.1.31 product_version {name!r} is a range")
    cves = [v["cve"] for v in doc.get("vulnerabilities", []) if "cve" in v]
    if len(cves) != len(set(cves)):
        problems.append("6.1.23 a CVE appears in two vulnerabilities")
    for i, v in enumerate(doc.get("vulnerabilities", [])):
        where = f"vulnerabilities[{i}]"
        status = v.get("product_status", {})
        if not v.get("notes"):
            problems.append(f"6.1.27.5 {where} has no notes")
        if not any(status.get(k) for k in VEX_STATUSES):
            problems.append(f"6.1.27.7 {where} has no VEX product status")
        if "cve" not in v and not v.get("ids"):
            problems.append(f"6.1.27.8 {where} has neither cve nor ids")
        used = [p for ids in status.values() for p in ids]
        used += [p for key in ("flags", "threats", "remediations") for item in v.get(key, [])
                 for p in item.get("product_ids", [])]
        missing = set(used) - set(defined)
        if missing:
            problems.append(f"6.1.1 {where} names undefined products {sorted(missing)}")
        group_of: dict[str, str] = {}
        for key, ids in status.items():
            for p in ids:
                if group_of.setdefault(p, _GROUPS[key]) != _GROUPS[key]:
                    problems.append(f"6.1.6 {where} puts {p} in contradicting statuses")
        flagged = [p for f in v.get("flags", []) for p in f.get("product_ids", [])]
        if any(not (f.get("product_ids") or f.get("group_ids")) for f in v.get("flags", [])):
            problems.append(f"6.1.32 {where} has a flag without products")
        if len(flagged) != len(set(flagged)):
            problems.append(f"6.1.33 {where} flags one product twice")
        if any(not (r.get("product_ids") or r.get("group_ids"))
               for r in v.get("remediations", [])):
            problems.append(f"6.1.29 {where} has a remediation without products")
        impact = {p for t in v.get("threats", []) if t["category"] == "impact"
                  for p in t.get("product_ids", [])}
        for p in status.get("known_not_affected", []):
            if p not in flagged and p not in impact:
                problems.append(f"6.1.27.9 {where}: {p} is not affected without an impact "
                                "statement")
        acted = {p for r in v.get("remediations", []) for p in r.get("product_ids", [])}
        for p in status.get("known_affected", []):
            if p not in acted:
                problems.append(f"6.1.27.10 {where}: {p} is affected without an action "
                                "statement")
    return problems
