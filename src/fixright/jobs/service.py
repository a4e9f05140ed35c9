"""`fixright jobs run`: the due work, once, under a lock; idempotent.

The steps run in order; each opens and commits its own transactions, and a
step that fails is reported without stopping the ones after it. Adding a step
is one line in `STEPS`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from fixright.advisories.models import Advisory, KevEntry
from fixright.alerts.channels import deliver
from fixright.alerts.service import collect_due, record_delivery
from fixright.changes.service import recheck
from fixright.config import Settings
from fixright.db import make_session_factory, session_scope, utcnow
from fixright.errors import NotFound
from fixright.feeds.service import sync_due
from fixright.inventory.models import Device
from fixright.jobs.lock import job_lock
from fixright.jobs.models import JobState
from fixright.triage.models import Triage

log = logging.getLogger("fixright.jobs")
JOB = "jobs"


@dataclass
class JobRun:
    """What a step gets: settings, the engine, the run's clock, and a sleep for back-off."""

    settings: Settings
    engine: Engine
    now: datetime
    sleep: Callable[[float], object] = time.sleep


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[JobRun], str]


@dataclass
class RunResult:
    ran: bool
    steps: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        if not self.ran:
            return "another jobs run holds the lock; nothing done"
        return "; ".join(f"{name}: {summary}" for name, summary in self.steps)


def _feeds_sync(run: JobRun) -> str:
    # One transaction per document: a refused document costs only itself, and no
    # transaction is open while the step waits on a publisher.
    factory = make_session_factory(run.engine, writes=True)
    summary = sync_due(lambda: session_scope(factory), run.now)
    if not summary.sources and summary.ok:
        return "no source due"
    return summary.status()


def fingerprint(session: Session, today: str) -> str:
    """A digest of what exposure depends on; equal digests mean nothing to re-check."""
    parts = [
        session.execute(select(func.count(Advisory.id), func.max(Advisory.imported_at),
                               func.max(Advisory.updated))).one(),
        session.execute(select(func.count(Device.id), func.max(Device.last_seen),
                               func.count(Device.retired_at))).one(),
        session.execute(select(func.count(Triage.id), func.max(Triage.updated_at))).one(),
        session.execute(select(func.count(KevEntry.cve))).one(),
        (today,),  # an accepted risk expires with the day
    ]
    return hashlib.sha256(repr([tuple(p) for p in parts]).encode()).hexdigest()


def _state(session: Session) -> JobState:
    state = session.get(JobState, JOB)
    if state is None:
        state = JobState(name=JOB, summary="", fingerprint="")
        session.add(state)
    return state


def _recheck(run: JobRun) -> str:
    factory = make_session_factory(run.engine, writes=True)
    with session_scope(factory) as session:
        state = _state(session)
        now_print = fingerprint(session, run.now.date().isoformat())
        if state.fingerprint == now_print:
            return "nothing changed since the last run"
        summary = recheck(session, cause="jobs run", today=run.now.date())
        state.fingerprint = now_print
    return summary.describe()


def _alerts(run: JobRun) -> str:
    writer = make_session_factory(run.engine, writes=True)
    with session_scope(writer) as session:
        outgoing = collect_due(session, now=run.now, public_url=run.settings.public_url)
    sent = failed = 0
    for message in outgoing:
        # Outside any transaction: a slow target holds no database lock.
        outcome = deliver(run.settings, message.channel, message.target, message.secret,
                          message.message, sleep=run.sleep)
        try:
            with session_scope(writer) as session:
                record_delivery(session, message, status=outcome.status,
                                attempts=outcome.attempts, error=outcome.error, now=run.now)
        except NotFound:
            continue
        if outcome.status == "sent":
            sent += 1
        else:
            failed += 1
            log.warning("alert to %s failed after %d attempts: %s", message.target,
                        outcome.attempts, outcome.error)
    return f"{sent} alert(s) sent, {failed} failed"


STEPS: list[Step] = [
    Step("feeds-sync", _feeds_sync),
    Step("recheck", _recheck),
    Step("alerts", _alerts),
]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_once(engine: Engine, settings: Settings, *, now: datetime | None = None,
             sleep: Callable[[float], object] = time.sleep,
             steps: list[Step] | None = None) -> RunResult:
    """Do the due work once, unless another run holds the lock (then nothing)."""
    with job_lock(engine, JOB, holder_name()) as got:
        if not got:
            return RunResult(ran=False)
        run = JobRun(settings=settings, engine=engine, now=now or utcnow(), sleep=sleep)
        factory = make_session_factory(engine, writes=True)
        with session_scope(factory) as session:
            _state(session).last_started_at = utcnow()
        result = RunResult(ran=True)
        for step in steps or STEPS:
            try:
                result.steps.append((step.name, step.run(run)))
            except Exception as exc:  # noqa: BLE001 - one failing step never stops the others
                log.exception("jobs step %s failed", step.name)
                result.steps.append((step.name, f"failed: {exc}"))
        with session_scope(factory) as session:
            state = _state(session)
            state.last_finished_at = utcnow()
            state.next_run_at = state.last_finished_at + timedelta(
                minutes=settings.jobs_interval_minutes)
            state.summary = result.describe()[:4000]
        return result


def job_state(session: Session) -> JobState | None:
    """When the jobs last ran and should run next (None: never ran)."""
    return session.get(JobState, JOB)
