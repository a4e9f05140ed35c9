"""What to fix first: the documented order of advisories and devices. PURE.

The priority of an advisory comes from its CVEs and its severity:

1. **KEV first.** An advisory with a CVE in CISA's Known Exploited
   Vulnerabilities catalog is being exploited now; among those, the earliest
   CISA due date first.
2. **Then EPSS**, highest first: FIRST's probability that one of its CVEs is
   exploited in the next 30 days (the highest of its CVEs counts).
3. **Then severity** (critical, high, ...; `fixright.advisories.severity`).

A device takes the priority of its most urgent advisory by the same order
(KEV if any of its advisories is KEV-listed, its earliest due date, its
highest EPSS, its worst severity).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from fixright.advisories.severity import severity_rank


@dataclass(frozen=True, slots=True)
class CveFacts:
    """What the KEV catalog and EPSS say of one CVE (None: not listed / no score)."""

    cve: str
    kev_added: date | None = None
    kev_due: date | None = None
    kev_ransomware: bool = False
    kev: bool = False
    epss: float | None = None
    epss_percentile: float | None = None
    epss_date: date | None = None


@dataclass(frozen=True, slots=True)
class Priority:
    """How urgent an advisory (or a device's advisories) is; `sort_key` orders most urgent first."""

    kev: bool = False
    kev_due: date | None = None
    epss: float | None = None
    epss_date: date | None = None
    severity: str = "unknown"

    def sort_key(self) -> tuple[bool, date, float, int]:
        return (not self.kev, self.kev_due or date.max, -(self.epss if self.epss is not None else -1.0),
                -severity_rank(self.severity))


def advisory_priority(cves: Iterable[str], severity: str, facts: Mapping[str, CveFacts]) -> Priority:
    """The priority of one advisory with these CVEs and severity."""
    known = [facts[c] for c in cves if c in facts]
    kev = [f for f in known if f.kev]
    dues = [f.kev_due for f in kev if f.kev_due is not None]
    scored = [f for f in known if f.epss is not None]
    top = max(scored, key=lambda f: f.epss or 0.0) if scored else None
    return Priority(kev=bool(kev), kev_due=min(dues) if dues else None,
                    epss=top.epss if top else None, epss_date=top.epss_date if top else None,
                    severity=severity)


def most_urgent(priorities: Iterable[Priority]) -> Priority:
    """A device's priority from its advisories' (no advisory: the lowest)."""
    items = list(priorities)
    if not items:
        return Priority()
    kev = [p for p in items if p.kev]
    dues = [p.kev_due for p in kev if p.kev_due is not None]
    scored = [p for p in items if p.epss is not None]
    top = max(scored, key=lambda p: p.epss or 0.0) if scored else None
    worst = max(items, key=lambda p: severity_rank(p.severity)).severity
    return Priority(kev=bool(kev), kev_due=min(dues) if dues else None,
                    epss=top.epss if top else None, epss_date=top.epss_date if top else None,
                    severity=worst)
