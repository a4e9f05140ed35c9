"""What a VEX export says, before it is spelled as CSAF or CycloneDX. PURE.

The export gathers (`fixright.triage.export`) the fleet's devices and, per
device, every advisory the matcher finds and every stored decision; this
module turns them into statements, one per (vulnerability, device), in the
vocabulary both formats share. A vulnerability is named by its CVE, or by the
advisory id when the advisory has none, because VEX consumers match on CVEs
and CSAF allows a CVE only once per document (CSAF 2.0 test 6.1.23).

A device matched by an advisory but never triaged reads `affected`: the
exposure report counts it as exposed, and the export says the same.

Justification mapping (fixright's vocabulary is the union of the two):

| fixright | CSAF 2.0 flag label | CycloneDX 1.6 justification |
| --- | --- | --- |
| component_not_present | component_not_present | code_not_present |
| vulnerable_code_not_present | vulnerable_code_not_present | code_not_present |
| vulnerable_code_cannot_be_controlled_by_adversary | (same) | requires_environment |
| vulnerable_code_not_in_execute_path | (same) | code_not_reachable |
| inline_mitigations_already_exist | (same) | protected_by_mitigating_control |
| protected_by_mitigating_control | inline_mitigations_already_exist | protected_by_mitigating_control |
| requires_configuration | vulnerable_code_not_in_execute_path | requires_configuration |
| requires_environment | vulnerable_code_cannot_be_controlled_by_adversary | requires_environment |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

CSAF_FLAG = {
    "component_not_present": "component_not_present",
    "vulnerable_code_not_present": "vulnerable_code_not_present",
    "vulnerable_code_cannot_be_controlled_by_adversary":
        "vulnerable_code_cannot_be_controlled_by_adversary",
    "vulnerable_code_not_in_execute_path": "vulnerable_code_not_in_execute_path",
    "inline_mitigations_already_exist": "inline_mitigations_already_exist",
    # A control in front of the device (an ACL, a disabled service) is the closest
    # CSAF label; configuration the feature needs keeps the code off the execute path.
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
    "requires_configuration": "vulnerable_code_not_in_execute_path",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
}
CYCLONEDX_JUSTIFICATION = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
    "protected_by_mitigating_control": "protected_by_mitigating_control",
    "requires_configuration": "requires_configuration",
    "requires_environment": "requires_environment",
}

def stamp(moment: datetime) -> str:
    """`moment` as the UTC date-time both formats expect (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# When two advisories name one CVE on one device and were triaged differently,
# the statement keeps the state that leaves the device most exposed.
_PRECEDENCE = ("affected", "under_investigation", "accepted_risk", "mitigated", "fixed",
               "not_affected")


@dataclass(frozen=True)
class Product:
    """One device, as a VEX product: its firmware on its hardware."""

    key: str
    vendor: str
    model: str
    os_family: str
    version: str
    serial: str
    hostname: str | None = None

    @property
    def label(self) -> str:
        host = f", host {self.hostname}" if self.hostname else ""
        return (f"{self.vendor} {self.model or 'device'} {self.os_family} {self.version or '?'} "
                f"(serial {self.serial}{host})")


@dataclass(frozen=True)
class Finding:
    """One advisory on one device: the matcher's answer and the decision in force, if any."""

    product: str
    advisory_id: str
    cves: tuple[str, ...]
    title: str
    url: str | None
    severity: str
    state: str
    justification: str | None = None
    reason: str | None = None
    expires: date | None = None
    updated_at: datetime | None = None
    fix: str | None = None
    """The device's first fixed release for this advisory, when known."""


@dataclass
class Statement:
    """What is said about one vulnerability on one product."""

    vulnerability: str
    product: str
    state: str
    justification: str | None
    reason: str | None
    expires: date | None
    updated_at: datetime | None
    fix: str | None
    advisories: list[str] = field(default_factory=list)


@dataclass
class Vulnerability:
    """A CVE (or an advisory without one) and the advisories that name it."""

    id: str
    cve: str | None
    titles: list[str] = field(default_factory=list)
    advisories: dict[str, str | None] = field(default_factory=dict)
    """advisory id -> its URL."""
    severity: str = ""


@dataclass(frozen=True)
class Vex:
    """A fleet's statements, ready to spell."""

    products: list[Product]
    vulnerabilities: list[Vulnerability]
    statements: list[Statement]


def build(products: Iterable[Product], findings: Iterable[Finding]) -> Vex:
    """Statements per (vulnerability, product), merged across advisories that share a CVE."""
    vulns: dict[str, Vulnerability] = {}
    merged: dict[tuple[str, str], Statement] = {}
    for f in findings:
        for cve in f.cves or (None,):
            vid = cve or f.advisory_id
            v = vulns.setdefault(vid, Vulnerability(vid, cve))
            if f.title and f.title not in v.titles:
                v.titles.append(f.title)
            v.advisories.setdefault(f.advisory_id, f.url)
            v.severity = v.severity or f.severity
            key = (vid, f.product)
            old = merged.get(key)
            if old is None or _PRECEDENCE.index(f.state) < _PRECEDENCE.index(old.state):
                statement = Statement(vid, f.product, f.state, f.justification, f.reason,
                                      f.expires, f.updated_at, f.fix,
                                      old.advisories if old else [])
                merged[key] = old = statement
            if f.advisory_id not in old.advisories:
                old.advisories.append(f.advisory_id)
    used = {s.product for s in merged.values()}
    return Vex(
        products=sorted((p for p in products if p.key in used), key=lambda p: p.key),
        vulnerabilities=sorted(vulns.values(), key=lambda v: v.id),
        statements=sorted(merged.values(), key=lambda s: (s.vulnerability, s.product)),
    )
