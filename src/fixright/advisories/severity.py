"""The one severity vocabulary: the names, their order, and the rank. PURE.

Advisories store one of `SEVERITIES`; entitlement policies (`min_severity`),
reports and the UI order and compare severities with `severity_rank` only, so
"worse" means the same thing everywhere.
"""

from __future__ import annotations

from fixright.errors import InvalidInput

SEVERITIES = ("critical", "high", "medium", "low", "informational", "none")
"""Every severity an advisory may carry, most severe first (the order lists show)."""

# Words other vocabularies use for ours (CVSS v2 "moderate", Red Hat "important").
_ALIASES = {"info": "informational", "moderate": "medium", "important": "high"}

_RANK = {name: len(SEVERITIES) - 1 - place for place, name in enumerate(SEVERITIES)}


def canonical_severity(text: str | None) -> str | None:
    """The severity name `text` means (case-insensitive, common aliases), or None."""
    if not text:
        return None
    name = text.strip().lower()
    name = _ALIASES.get(name, name)
    return name if name in _RANK else None


def severity_rank(severity: str | None) -> int:
    """Higher is more severe: 0 for `none` ... 5 for `critical`; -1 when missing or unknown."""
    name = canonical_severity(severity)
    return -1 if name is None else _RANK[name]


FILTER_HELP = f"One of {', '.join(SEVERITIES)}; comma-separated for several."
"""How a `severity` filter parameter reads (see `severity_filter`)."""


def severity_filter(text: str | None) -> set[str] | None:
    """`"critical,high"` -> the set of severities asked for; None (no filter) for nothing
    (also for blanks and commas alone, which name no severity).

    Raises InvalidInput naming any word that is not a severity name.
    """
    wanted = {s.strip().lower() for s in (text or "").split(",") if s.strip()}
    if not wanted:
        return None
    unknown = sorted(wanted - set(SEVERITIES))
    if unknown:
        raise InvalidInput(f"severity {', '.join(unknown)} is not one of {', '.join(SEVERITIES)}")
    return wanted


def most_severe_first(severity: str | None) -> int:
    """Sort key putting the most severe first and unknown words last."""
    return -severity_rank(severity)
