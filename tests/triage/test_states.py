"""The triage vocabulary: what each state needs, and when an acceptance runs out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixright.errors import InvalidInput
from fixright.triage.states import AWAY, JUSTIFICATIONS, STATES, check, effective

TODAY = date(2026, 12, 5)


def test_not_affected_needs_a_known_justification() -> None:
    verdict = check("not-affected", justification="Component_Not_Present", expires=None,
                    reason="no SNMP", today=TODAY)
    assert (verdict.state, verdict.justification) == ("not_affected", "component_not_present")
    with pytest.raises(InvalidInput, match="needs a justification"):
        check("not_affected", justification=None, expires=None, reason="x", today=TODAY)
    with pytest.raises(InvalidInput, match="is not one of"):
        check("not_affected", justification="trust me", expires=None, reason="x", today=TODAY)


def test_accepted_risk_needs_a_future_expiry() -> None:
    with pytest.raises(InvalidInput, match="needs an expiry"):
        check("accepted_risk", justification=None, expires=None, reason="x", today=TODAY)
    with pytest.raises(InvalidInput, match="not after today"):
        check("accepted_risk", justification=None, expires=TODAY, reason="x", today=TODAY)
    assert check("accepted_risk", justification=None, expires=TODAY + timedelta(days=1),
                 reason="budget", today=TODAY).expires == TODAY + timedelta(days=1)


@pytest.mark.parametrize("state", [s for s in STATES if s != "not_affected"])
def test_a_justification_belongs_to_not_affected_only(state: str) -> None:
    expires = TODAY + timedelta(days=3) if state == "accepted_risk" else None
    with pytest.raises(InvalidInput, match="not_affected only"):
        check(state, justification=JUSTIFICATIONS[0], expires=expires, reason="x", today=TODAY)


def test_unknown_state_and_empty_reason_are_refused() -> None:
    with pytest.raises(InvalidInput, match="is not one of"):
        check("wontfix", justification=None, expires=None, reason="x", today=TODAY)
    with pytest.raises(InvalidInput, match="say why"):
        check("affected", justification=None, expires=None, reason="  ", today=TODAY)


@given(st.sampled_from(STATES), st.dates(), st.dates())
def test_only_an_expired_acceptance_changes_state(state: str, expires: date, today: date) -> None:
    result = effective(state, expires, today)
    if state == "accepted_risk" and expires < today:
        assert result == "affected" and result not in AWAY
    else:
        assert result == state
