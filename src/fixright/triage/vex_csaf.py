"""A fleet's triage as a CSAF 2.0 VEX document (profile `csaf_vex`, CSAF 2.0 §4.5). PURE.

State mapping (product_status, and what goes with it so the profile's tests
6.1.27.9 "impact statement" and 6.1.27.10 "action statement" hold):

| fixright state | product_status | with |
| --- | --- | --- |
| under_investigation | under_investigation | |
| affected (or matched, not triaged) | known_affected | remediation vendor_fix (the first fixed release) or none_available |
| mitigated | known_affected | remediation workaround: the reason |
| accepted_risk | known_affected | remediation no_fix_planned: until the expiry date, the reason |
| fixed | fixed | |
| not_affected | known_not_affected | flag (label: `fixright.triage.vex.CSAF_FLAG`) and threat `impact`: the reason |
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from fixright.triage.vex import CSAF_FLAG, Product, Statement, Vex, Vulnerability, stamp

STATUS = {
    "under_investigation": "under_investigation",
    "affected": "known_affected",
    "mitigated": "known_affected",
    "accepted_risk": "known_affected",
    "fixed": "fixed",
    "not_affected": "known_not_affected",
}



def _product_tree(products: list[Product]) -> dict[str, Any]:
    # vendor > product_name (model) > product_version (release) > host_name (one device)
    tree: dict[str, dict[str, dict[str, list[Product]]]] = {}
    for p in products:
        tree.setdefault(p.vendor or "unknown vendor", {}).setdefault(
            p.model or p.os_family or "device", {}).setdefault(p.version or "unknown", []).append(p)

    def leaf(p: Product) -> dict[str, Any]:
        helper: dict[str, Any] = {"serial_numbers": [p.serial]}
        if p.model:
            helper["model_numbers"] = [p.model]
        return {"category": "host_name", "name": p.hostname or p.serial,
                "product": {"product_id": p.key, "name": p.label,
                            "product_identification_helper": helper}}

    return {"branches": [
        {"category": "vendor", "name": vendor, "branches": [
            {"category": "product_name", "name": model, "branches": [
                {"category": "product_version", "name": version,
                 "branches": [leaf(p) for p in devices]}
                for version, devices in sorted(versions.items())]}
            for model, versions in sorted(models.items())]}
        for vendor, models in sorted(tree.items())]}


def _remediations(said: list[Statement]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in said:
        if STATUS[s.state] != "known_affected":
            continue
        if s.state == "mitigated":
            groups[("workaround", f"Workaround in place: {s.reason}")].append(s.product)
        elif s.state == "accepted_risk":
            groups[("no_fix_planned",
                    f"Risk accepted until {s.expires}: {s.reason}")].append(s.product)
        if s.fix:
            groups[("vendor_fix", f"Upgrade to {s.fix} or later.")].append(s.product)
        elif s.state == "affected":
            groups[("none_available", "No fixed release is known for this device's train "
                    "yet.")].append(s.product)
    return [{"category": category, "details": details, "product_ids": sorted(set(ids))}
            for (category, details), ids in sorted(groups.items())]


def _vulnerability(v: Vulnerability, said: list[Statement]) -> dict[str, Any]:
    status: dict[str, list[str]] = defaultdict(list)
    flags: dict[str, list[str]] = defaultdict(list)
    impacts: dict[str, list[str]] = defaultdict(list)
    for s in said:
        status[STATUS[s.state]].append(s.product)
        if s.state == "not_affected":
            flags[CSAF_FLAG[s.justification or ""]].append(s.product)
            impacts[f"Not affected ({s.justification}): {s.reason}"].append(s.product)
    out: dict[str, Any] = {}
    if v.cve:
        out["cve"] = v.cve
    out["ids"] = [{"system_name": "vendor advisory", "text": a} for a in sorted(v.advisories)]
    out["title"] = "; ".join(v.titles) or v.id
    out["notes"] = [{"category": "description", "title": "Advisories",
                     "text": f"{v.id} is named by {', '.join(sorted(v.advisories))} "
                             f"(severity {v.severity or 'unknown'})."}]
    refs = [{"category": "external", "summary": f"Advisory {a}", "url": url}
            for a, url in sorted(v.advisories.items()) if url]
    if refs:
        out["references"] = refs
    out["product_status"] = {k: sorted(ids) for k, ids in sorted(status.items())}
    if flags:
        out["flags"] = [{"label": label, "product_ids": sorted(ids)}
                        for label, ids in sorted(flags.items())]
    if impacts:
        out["threats"] = [{"category": "impact", "details": details, "product_ids": sorted(ids)}
                          for details, ids in sorted(impacts.items())]
    remediations = _remediations(said)
    if remediations:
        out["remediations"] = remediations
    return out


def csaf_vex(vex: Vex, *, publisher: str, namespace: str, document_id: str,
             generated_at: datetime, engine_version: str) -> dict[str, Any]:
    """The CSAF 2.0 VEX document (a JSON-ready dict) for `vex`."""
    when = stamp(generated_at)
    by_vuln: dict[str, list[Statement]] = defaultdict(list)
    for s in vex.statements:
        by_vuln[s.vulnerability].append(s)
    return {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "title": f"Triage of the fleet of {publisher}",
            "publisher": {"category": "user", "name": publisher, "namespace": namespace},
            "notes": [{"category": "summary", "title": "What this document says",
                       "text": (f"The state of {len(vex.vulnerabilities)} vulnerabilities on "
                                f"{len(vex.products)} devices, as triaged in fixright: a "
                                "device an advisory matches that nobody triaged is listed "
                                "as known_affected.")}],
            "tracking": {
                "id": document_id,
                "status": "final",
                "version": "1",
                "initial_release_date": when,
                "current_release_date": when,
                "revision_history": [{"date": when, "number": "1",
                                      "summary": "Exported from fixright."}],
                "generator": {"date": when,
                              "engine": {"name": "fixright", "version": engine_version}},
            },
        },
        "product_tree": _product_tree(vex.products),
        "vulnerabilities": [_vulnerability(v, by_vuln[v.id]) for v in vex.vulnerabilities
                            if by_vuln[v.id]],
    }
