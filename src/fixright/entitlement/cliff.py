"""The fix-access cliff: the day after which a device can no longer obtain fixes under a
policy, and why. PURE: plain data in, plain data out.

A policy's grants are read for what they need in time:

- a grant with `contract_active` or `covered_at_release` lasts while a contract covers
  the device (an image published after the contract ends is covered by neither), so its
  end is the last day of unbroken coverage from today;
- a grant of `public` images alone is not a channel for this device's fixes (a vendor
  rarely publishes fixes for everyone) and is left out;
- a grant needing `feature_set_licensed` gives nothing to a device with no licence on
  record;
- any other grant (owner, lifetime updates, security fixes in the running train ...) has
  no end of its own.

Whatever the policy, no fix is published after the vendor's end of security support
(Cisco's "End of Vulnerability/Security Support"; the last date of support when that is
all that is known): the cliff is the earlier of the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fixright.entitlement.facts import CoverageFacts
from fixright.entitlement.featuresets import licence_includes
from fixright.entitlement.policy import Grant, Policy

CONTRACT_BOUND = frozenset({"contract_active", "covered_at_release"})
PUBLIC = "public"

# Statuses: a future day, a day passed, no access today at all, no end known.
DATE, PASSED, NONE, NEVER = "date", "passed", "none", "never"


@dataclass(frozen=True)
class SecuritySupport:
    """The vendor's last day of security fixes for the device, and what it is."""

    day: date
    what: str  # "end of security support (pid WS-C3750X-48PF-S)"


@dataclass(frozen=True)
class Cliff:
    """When (if ever) the device falls off, and the reason in plain words."""

    policy: str
    day: date | None
    status: str
    reason: str


def covered_until(coverage: Sequence[CoverageFacts], today: date) -> CoverageFacts | None:
    """The line ending the unbroken coverage that runs today (renewals that follow on
    count), or None when nothing covers the device today."""
    last: CoverageFacts | None = None
    for line in sorted(coverage, key=lambda c: (c.start, c.end)):
        if last is None:
            if line.active_on(today):
                last = line
        elif line.start.toordinal() <= last.end.toordinal() + 1 and line.end > last.end:
            last = line
    return last


def _kind(grant: Grant, licensed: bool) -> str:
    names = {c.name for c in grant.conditions}
    if names & CONTRACT_BOUND:
        return "contract"
    if not grant.needs_device and PUBLIC in names:
        return "public"
    if "feature_set_licensed" in names and not licensed:
        return "unlicensed"
    return "open"


def licence_known(licensed_feature_set: str | None) -> bool:
    """True when a licence is on record (what `feature_set_licensed` needs)."""
    return bool(licensed_feature_set) and licence_includes(licensed_feature_set,
                                                           licensed_feature_set)[0]


def cliff(policy: Policy, coverage: Sequence[CoverageFacts], today: date, *,
          licensed: bool, security: SecuritySupport | None) -> Cliff:
    """The device's cliff under `policy` (see the module's rules)."""
    kinds = [(g, _kind(g, licensed)) for g in policy.grants]
    endless = next((g for g, kind in kinds if kind == "open"), None)
    day: date | None
    if endless is not None:
        day, reason = None, f"grant '{endless.name}' has no end date"
    elif any(kind == "contract" for _g, kind in kinds):
        grant = next(g for g, kind in kinds if kind == "contract")
        line = covered_until(coverage, today)
        if line is not None:
            day = line.end
            reason = f"contract {line.contract_number} ends ('{grant.name}' needs a contract)"
        elif coverage:
            last = max(coverage, key=lambda c: c.end)
            if last.end < today:
                day, reason = last.end, (f"contract {last.contract_number} ended "
                                         f"('{grant.name}' needs a contract)")
            else:
                return Cliff(policy.name, None, NONE,
                             f"no contract covers it today ('{grant.name}' needs one); "
                             f"contract {last.contract_number} starts {last.start}")
        else:
            return Cliff(policy.name, None, NONE,
                         f"no contract on record and '{grant.name}' needs one")
    else:
        unlicensed = any(kind == "unlicensed" for _g, kind in kinds)
        return Cliff(policy.name, None, NONE,
                     "no licence on record, which every grant for its fixes needs" if unlicensed
                     else "no grant of this policy gives fixes for a device you own")
    if security is not None and (day is None or security.day < day):
        day, reason = security.day, security.what
    if day is None:
        return Cliff(policy.name, None, NEVER, reason + "; no end of security support known")
    return Cliff(policy.name, day, PASSED if day < today else DATE, reason)


def quarter(day: date) -> str:
    """"2027-Q3"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
