"""A fleet's triage as a CycloneDX 1.6 VEX BOM (JSON). PURE.

Each device is a `device` component holding one `firmware` component (its OS
and running release); vulnerabilities point at the firmware's bom-ref. One
CycloneDX vulnerability carries one `analysis`, so a CVE triaged differently
on different devices appears once per distinct analysis, each with the
devices it applies to in `affects`.

| fixright state | analysis.state | response | detail |
| --- | --- | --- | --- |
| under_investigation | in_triage | | the reason |
| affected (or matched, not triaged) | exploitable | update, when a fix is known | the reason / the fix |
| mitigated | exploitable | workaround_available | the reason |
| accepted_risk | exploitable | will_not_fix | until the expiry date, the reason |
| fixed | resolved | | the reason |
| not_affected | not_affected (justification: `fixright.triage.vex.CYCLONEDX_JUSTIFICATION`) | | the reason |

`false_positive` is not produced: fixright records a wrong match as
not_affected with a justification, which says more.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from fixright.triage.vex import (
    CYCLONEDX_JUSTIFICATION,
    Product,
    Statement,
    Vex,
    Vulnerability,
    stamp,
)

STATE = {
    "under_investigation": "in_triage",
    "affected": "exploitable",
    "mitigated": "exploitable",
    "accepted_risk": "exploitable",
    "fixed": "resolved",
    "not_affected": "not_affected",
}
_SEVERITY = {"informational": "info", "critical": "critical", "high": "high",
             "medium": "medium", "low": "low", "none": "none"}



def _firmware_ref(product: str) -> str:
    return f"firmware:{product}"


def _component(p: Product) -> dict[str, Any]:
    properties = [{"name": "fixright:serial", "value": p.serial}]
    if p.hostname:
        properties.append({"name": "fixright:hostname", "value": p.hostname})
    firmware: dict[str, Any] = {"type": "firmware", "bom-ref": _firmware_ref(p.key),
                                "name": p.os_family or "firmware"}
    if p.version:
        firmware["version"] = p.version
    if p.vendor:
        firmware["supplier"] = {"name": p.vendor}
    device: dict[str, Any] = {"type": "device", "bom-ref": f"device:{p.key}",
                              "name": p.model or p.os_family or "device"}
    if p.vendor:
        device["manufacturer"] = {"name": p.vendor}
    device["properties"] = properties
    device["components"] = [firmware]
    return device


def _analysis(s: Statement) -> dict[str, Any]:
    analysis: dict[str, Any] = {"state": STATE[s.state]}
    if s.state == "not_affected":
        analysis["justification"] = CYCLONEDX_JUSTIFICATION[s.justification or ""]
    response = []
    if s.state == "mitigated":
        response.append("workaround_available")
    elif s.state == "accepted_risk":
        response.append("will_not_fix")
    if s.fix and STATE[s.state] == "exploitable":
        response.append("update")
    if response:
        analysis["response"] = response
    detail = s.reason or "Matched by fixright; not triaged yet."
    if s.state == "accepted_risk":
        detail = f"Risk accepted until {s.expires}: {detail}"
    if s.fix and STATE[s.state] == "exploitable":
        detail += f" First fixed release: {s.fix}."
    analysis["detail"] = detail
    if s.updated_at is not None:
        analysis["lastUpdated"] = stamp(s.updated_at)
    return analysis


def _vulnerability(v: Vulnerability, analysis: dict[str, Any], refs: list[str]
                   ) -> dict[str, Any]:
    out: dict[str, Any] = {"id": v.id}
    if v.cve:
        out["source"] = {"name": "NVD", "url": f"https://nvd.nist.gov/vuln/detail/{v.cve}"}
    references = [{"id": a, "source": {"name": "vendor advisory", **({"url": url} if url else {})}}
                  for a, url in sorted(v.advisories.items()) if a != v.id]
    if references:
        out["references"] = references
    out["ratings"] = [{"severity": _SEVERITY.get(v.severity, "unknown")}]
    if v.titles:
        out["description"] = "; ".join(v.titles)
    advisories = [{"title": a, "url": url} for a, url in sorted(v.advisories.items()) if url]
    if advisories:
        out["advisories"] = advisories
    out["analysis"] = analysis
    out["affects"] = [{"ref": _firmware_ref(r)} for r in sorted(refs)]
    return out


def _key(s: Statement) -> tuple[str, str | None, str | None, date | None, str | None]:
    return (s.state, s.justification, s.reason, s.expires, s.fix)


def cyclonedx_vex(vex: Vex, *, serial_number: str, generated_at: datetime,
                  engine_version: str, fleet: str) -> dict[str, Any]:
    """The CycloneDX 1.6 VEX BOM (a JSON-ready dict) for `vex`; `serial_number` is a UUID."""
    groups: dict[str, dict[tuple[Any, ...], list[Statement]]] = defaultdict(
        lambda: defaultdict(list))
    for s in vex.statements:
        groups[s.vulnerability][_key(s)].append(s)
    vulnerabilities = []
    for v in vex.vulnerabilities:
        for _, said in sorted(groups[v.id].items(), key=lambda kv: str(kv[0])):
            newest = max(said, key=lambda s: s.updated_at.timestamp() if s.updated_at else 0.0)
            vulnerabilities.append(
                _vulnerability(v, _analysis(newest), [s.product for s in said]))
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{serial_number}",
        "version": 1,
        "metadata": {
            "timestamp": stamp(generated_at),
            "tools": {"components": [{"type": "application", "name": "fixright",
                                      "version": engine_version}]},
            "component": {"type": "platform", "bom-ref": "fleet", "name": fleet},
        },
        "components": [_component(p) for p in vex.products],
        "vulnerabilities": vulnerabilities,
    }
