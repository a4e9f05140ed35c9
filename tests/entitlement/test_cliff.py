"""The fix-access cliff, case by case from the rules in `entitlement.cliff`'s docstring."""

from __future__ import annotations

from datetime import date

from fixright.entitlement.cliff import (
    DATE,
    NEVER,
    NONE,
    PASSED,
    SecuritySupport,
    cliff,
    covered_until,
    quarter,
)
from fixright.entitlement.facts import CoverageFacts
from fixright.entitlement.presets import load_preset

TODAY = date(2026, 1, 15)
CONTRACT = (CoverageFacts("C1", date(2025, 1, 1), date(2026, 12, 31)),)
EOVSS = SecuritySupport(date(2028, 6, 30), "end of security support (pid X)")


def _cliff(policy: str, coverage=CONTRACT, licensed=True, security=EOVSS):
    return cliff(load_preset(policy), coverage, TODAY, licensed=licensed, security=security)


def test_contract_ends_before_security_support() -> None:
    only = _cliff("contract-only")
    assert (only.day, only.status) == (date(2026, 12, 31), DATE)
    assert "contract C1" in only.reason
    lifetime = _cliff("lifetime-updates")
    assert (lifetime.day, lifetime.status) == (EOVSS.day, DATE)
    assert lifetime.reason == EOVSS.what
    assert _cliff("perpetual-fallback").day == date(2026, 12, 31)  # covered_at_release too
    assert _cliff("open").day == EOVSS.day
    assert _cliff("contract-plus-security").day == EOVSS.day


def test_security_support_ends_before_contract() -> None:
    early = SecuritySupport(date(2026, 3, 31), "end of security support (family c3750e)")
    found = _cliff("contract-only", security=early)
    assert (found.day, found.reason) == (early.day, early.what)


def test_no_dates_is_never_and_no_contract_is_no_access() -> None:
    assert _cliff("lifetime-updates", security=None).status == NEVER
    assert _cliff("open", coverage=(), security=None).day is None
    none = _cliff("contract-only", coverage=(), security=None)
    assert none.status == NONE and "no contract on record" in none.reason


def test_lifetime_updates_needs_a_licence_on_record() -> None:
    found = _cliff("lifetime-updates", licensed=False)
    assert found.day == date(2026, 12, 31) and "contract" in found.reason
    assert _cliff("lifetime-updates", coverage=(), licensed=False).status == NONE


def test_a_contract_that_ended_is_a_passed_cliff() -> None:
    ended = (CoverageFacts("C0", date(2023, 1, 1), date(2025, 6, 30)),)
    found = _cliff("contract-only", coverage=ended)
    assert (found.day, found.status) == (date(2025, 6, 30), PASSED)


def test_renewals_that_follow_on_extend_coverage() -> None:
    lines = (*CONTRACT, CoverageFacts("C2", date(2027, 1, 1), date(2027, 12, 31)),
             CoverageFacts("C3", date(2029, 1, 1), date(2029, 12, 31)))
    line = covered_until(lines, TODAY)
    assert line is not None and line.contract_number == "C2"
    assert quarter(date(2027, 12, 31)) == "2027-Q4"
