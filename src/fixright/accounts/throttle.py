"""Failed-login budgets, per account and per client address, without sleeping.

A failed login is stored (with its audit event, by the caller) and committed
first; then the caller asks `retry_after` whether the account or the address
is over its budget and, if so, answers 429 with that many seconds. Nothing
waits in a worker thread and no lock is held while the client waits: the
count is in the database, so every worker and process sees the same budget.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fixright.accounts.models import LoginAttempt
from fixright.db import utcnow

WINDOW = timedelta(minutes=15)
# Failures allowed in WINDOW before logins are refused unchecked. An address
# gets more than an account: several people may share one NAT address.
ACCOUNT_BUDGET = 5
CLIENT_BUDGET = 20
FAILED = "failed"


def record_failure(session: Session, email: str, client: str) -> None:
    """Store one failed login (wrong e-mail or password)."""
    session.add(LoginAttempt(at=utcnow(), email=email[:320], client=client[:64], outcome=FAILED))
    session.flush()


def _wait(session: Session, column: InstrumentedAttribute[str], value: str, budget: int, now: datetime) -> float:
    recent = session.scalars(
        select(LoginAttempt.at)
        .where(column == value, LoginAttempt.outcome == FAILED,
               LoginAttempt.at > now - WINDOW)
        .order_by(LoginAttempt.at.desc())
        .limit(budget)
    ).all()
    if len(recent) < budget:
        return 0.0
    # Under budget again once the budget-th most recent failure leaves the window.
    oldest = recent[-1] if recent[-1].tzinfo else recent[-1].replace(tzinfo=UTC)
    return max((oldest + WINDOW - now).total_seconds(), 1.0)


def retry_after(session: Session, email: str, client: str,
                now: datetime | None = None) -> int | None:
    """Seconds before `email` from `client` may try again, or None when within budget."""
    now = now or utcnow()
    wait = max(_wait(session, LoginAttempt.email, email, ACCOUNT_BUDGET, now),
               _wait(session, LoginAttempt.client, client, CLIENT_BUDGET, now))
    return math.ceil(wait) if wait > 0 else None
