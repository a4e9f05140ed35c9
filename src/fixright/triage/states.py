"""The triage vocabulary and its rules. PURE.

States and justifications follow CSAF VEX (`product_status`, flags) and the
CycloneDX `analysis` object, the vocabularies vulnerability tools already
exchange, so an export can say the same thing:

| state | meaning | counted as exposed |
| --- | --- | --- |
| under_investigation | being looked at | yes |
| affected | confirmed | yes |
| not_affected | does not apply here; needs a justification | no (triaged away) |
| mitigated | a workaround is in place | yes, marked mitigated |
| accepted_risk | knowingly left; needs an expiry date, then it is `affected` again | yes, marked |
| fixed | remediated (e.g. a fix applied that inventory does not show yet) | no (triaged away) |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fixright.errors import InvalidInput

STATES = ("under_investigation", "affected", "not_affected", "mitigated", "accepted_risk", "fixed")
AWAY = frozenset({"not_affected", "fixed"})
"""States that take a device out of the exposed count."""

# CSAF VEX flag labels (CSAF 2.0 §3.2.3.5) = CycloneDX justifications, less the
# CycloneDX-only ones that name code rather than configuration.
JUSTIFICATIONS = (
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "vulnerable_code_not_in_execute_path",
    "inline_mitigations_already_exist",
    "protected_by_mitigating_control",
    "requires_configuration",
    "requires_environment",
)


@dataclass(frozen=True)
class Verdict:
    """A checked triage decision, ready to store."""

    state: str
    justification: str | None
    expires: date | None
    reason: str


def check(state: str, *, justification: str | None, expires: date | None, reason: str,
          today: date) -> Verdict:
    """The decision if it is complete and consistent; `InvalidInput` naming what is missing."""
    name = state.strip().lower().replace("-", "_")
    if name not in STATES:
        raise InvalidInput(f"triage state {state!r} is not one of {', '.join(STATES)}")
    why = (justification or "").strip().lower().replace("-", "_") or None
    if name == "not_affected":
        if why is None:
            raise InvalidInput("not_affected needs a justification: one of "
                               + ", ".join(JUSTIFICATIONS))
        if why not in JUSTIFICATIONS:
            raise InvalidInput(f"justification {justification!r} is not one of "
                               + ", ".join(JUSTIFICATIONS))
    elif why is not None:
        raise InvalidInput(f"a justification belongs to not_affected only, not to {name}")
    if name == "accepted_risk":
        if expires is None:
            raise InvalidInput("accepted_risk needs an expiry date (--expires YYYY-MM-DD): "
                               "an accepted risk is reviewed again")
        if expires <= today:
            raise InvalidInput(f"expiry {expires} is not after today ({today})")
    elif expires is not None:
        raise InvalidInput(f"an expiry date belongs to accepted_risk only, not to {name}")
    text = reason.strip()
    if not text:
        raise InvalidInput("say why (a reason is stored with the decision and audited)")
    if len(text) > 2000:
        raise InvalidInput(f"the reason is {len(text)} characters; keep it under 2000")
    return Verdict(name, why, expires, text)


def effective(state: str, expires: date | None, today: date) -> str:
    """The state in force `today`: an accepted risk past its expiry is `affected` again."""
    if state == "accepted_risk" and expires is not None and expires < today:
        return "affected"
    return state
