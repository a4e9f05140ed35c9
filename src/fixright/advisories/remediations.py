"""Remediations as a device sees them: the workarounds, mitigations and fixes for its family. PURE.

A document ties each remediation to product ids; the readers record the
os_families those products were placed on. A device is shown the ones of its
family, and those tied to no placed product (they may concern it: shown
rather than hidden).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fixright.advisories.records import AdvisoryRecord, Remediation


def remediations_by_advisory(records: Iterable[AdvisoryRecord]) -> dict[str, tuple[Remediation, ...]]:
    """Advisory id -> its remediations (advisories without any are left out)."""
    return {r.advisory_id: r.remediations for r in records if r.remediations}


def remediation_rows(remediations: Iterable[Remediation], os_family: str | None) -> list[dict[str, Any]]:
    """`[{category, text, url}]` of the remediations that concern a device of `os_family`."""
    rows: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    for r in remediations:
        if r.os_families and os_family not in r.os_families:
            continue
        rows.setdefault((r.category, r.text, r.url), {"category": r.category, "text": r.text, "url": r.url})
    return list(rows.values())
