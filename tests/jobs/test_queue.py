"""The jobs on the PostgreSQL task queue: deferred runs, workers, the periodic deferral."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from croniter import croniter
from procrastinate.periodic import PeriodicDeferrer
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fixright.config import Settings
from fixright.db import make_session_factory
from fixright.jobs.lock import job_lock
from fixright.jobs.models import JobState
from fixright.jobs.queue import QUEUE_SCHEMA, build_app, conninfo, interval_cron, run_worker
from fixright.jobs.service import JOB, JobRun, Step


def _jobs(engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT task_name, status::text, attempts FROM procrastinate.procrastinate_jobs "
            "ORDER BY id"))]


def _started(engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(
            "SELECT count(*) FROM procrastinate.procrastinate_events WHERE type = 'started'")))


def _worker(app, **options) -> None:
    run_worker(app, wait=False, install_signal_handlers=False, **options)


def test_the_cron_runs_at_least_as_often_as_the_interval() -> None:
    for minutes in range(1, 24 * 60 + 1):
        cron = interval_cron(minutes)
        ticks = croniter(cron, datetime(2026, 1, 1, tzinfo=UTC))
        times = [ticks.get_next(datetime) for _ in range(2 * 24 * 60 // minutes + 2)]
        gaps = {(b - a).total_seconds() / 60 for a, b in zip(times, times[1:], strict=False)}
        assert len(gaps) == 1, f"{minutes} min, {cron}: uneven gaps {gaps}"
        gap = gaps.pop()
        assert gap <= minutes, (minutes, cron)
        if 60 % minutes == 0 or (minutes % 60 == 0 and 24 * 60 % minutes == 0):
            assert gap == minutes, (minutes, cron)
        else:  # the largest even interval below the one asked for
            assert not any(60 % m == 0 or (m % 60 == 0 and 24 * 60 % m == 0)
                           for m in range(int(gap) + 1, minutes)), (minutes, cron)


def test_conninfo_keeps_every_part_of_the_url_and_adds_the_queue_schema() -> None:
    info = conninfo_to_dict(conninfo(
        "postgresql+psycopg://fix%40right:p%40ss%20w@db.example:6543/fixright"
        "?sslmode=verify-full&options=-c%20statement_timeout%3D5000"))
    assert info == {"user": "fix@right", "password": "p@ss w", "host": "db.example",
                    "port": "6543", "dbname": "fixright", "sslmode": "verify-full",
                    "options": f"-c statement_timeout=5000 -c search_path={QUEUE_SCHEMA}"}


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_queue_lives_in_its_own_schema(engine) -> None:
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT to_regclass('procrastinate.procrastinate_jobs')"))
        assert conn.scalar(text("SELECT to_regclass('public.procrastinate_jobs')")) is None
        # The migration put the search path back: fixright's tables stay in public.
        assert conn.scalar(text("SELECT to_regclass('public.job_state')"))


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_deferred_run_is_done_by_a_worker(cli, engine, db_url, data_dir) -> None:
    first = cli("jobs", "defer")
    assert first.exit_code == 0 and "queued run" in first.stdout, first.output
    again = cli("jobs", "defer")
    assert again.exit_code == 0 and "already waiting" in again.stdout, again.output
    assert [(name, status) for name, status, _ in _jobs(engine)] == [("jobs.run", "todo")]
    with make_session_factory(engine)() as s:
        assert s.get(JobState, JOB) is None

    _worker(build_app(Settings(data_dir=data_dir, database_url=db_url), periodic=False))

    with make_session_factory(engine)() as s:
        state = s.get(JobState, JOB)
        assert state is not None and state.last_finished_at is not None
        assert "recheck: " in state.summary and "alerts: " in state.summary
    assert _jobs(engine) == []  # a finished run leaves no row behind
    assert "recheck: " in cli("jobs", "status").stdout


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_run_one_deferred_job_once(cli, engine, db_url, data_dir) -> None:
    inside, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def hold(run: JobRun) -> str:
        calls.append("run")
        inside.set()
        assert release.wait(60)
        return "held"

    settings = Settings(data_dir=data_dir, database_url=db_url)
    assert cli("jobs", "defer").exit_code == 0
    first = threading.Thread(target=_worker, kwargs={
        "app": build_app(settings, steps=[Step("hold", hold)], periodic=False),
        "delete_jobs": "never"})
    first.start()
    try:
        assert inside.wait(60), "the first worker never took the job"
        # The second worker finds nothing to take while the first runs the job.
        _worker(build_app(settings, steps=[Step("hold", hold)], periodic=False),
                delete_jobs="never")
    finally:
        release.set()
        first.join(60)
    assert not first.is_alive()
    assert calls == ["run"]
    assert _jobs(engine) == [("jobs.run", "succeeded", 1)]  # one attempt
    assert _started(engine) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_run_that_finds_the_lock_held_waits_in_the_queue(cli, engine, db_url, data_dir) -> None:
    settings = Settings(data_dir=data_dir, database_url=db_url)
    calls: list[str] = []
    assert cli("jobs", "defer").exit_code == 0
    with job_lock(engine, JOB, "a jobs run from the timer") as got:
        assert got
        _worker(build_app(settings, steps=[Step("count", lambda run: calls.append("run") or "ran")],
                          periodic=False))
    assert calls == []
    # Not lost, not failed: back in the queue for a later attempt.
    with engine.connect() as conn:
        status, attempts, later = conn.execute(text(
            "SELECT status::text, attempts, scheduled_at > now() "
            "FROM procrastinate.procrastinate_jobs")).one()
    assert (status, attempts, later) == ("todo", 1, True)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_periodic_deferral_queues_one_job_per_tick_and_no_backlog(
        engine, db_url, data_dir) -> None:
    settings = Settings(data_dir=data_dir, database_url=db_url, jobs_interval_minutes=15)
    tick = int(datetime(2026, 3, 1, 12, 15, tzinfo=UTC).timestamp())

    async def defer(app, ticks: list[int]) -> None:
        async with app.open_async():
            periodic = list(app.periodic_registry.periodic_tasks.values())
            assert [p.cron for p in periodic] == ["*/15 * * * *"]
            await PeriodicDeferrer(registry=app.periodic_registry).defer_jobs(
                [(periodic[0], t) for t in ticks])

    # Two server processes (two apps) deferring the same tick, one of them twice.
    asyncio.run(defer(build_app(settings), [tick, tick]))
    asyncio.run(defer(build_app(settings), [tick]))
    assert [(name, status) for name, status, _ in _jobs(engine)] == [("jobs.run", "todo")]
    # The next tick while that run still waits: the queueing lock keeps one.
    asyncio.run(defer(build_app(settings), [tick + 15 * 60]))
    assert len(_jobs(engine)) == 1
    with engine.connect() as conn:
        args = conn.scalar(text("SELECT args FROM procrastinate.procrastinate_jobs"))
    assert args == {"timestamp": tick}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("command", ["worker", "defer"])
def test_the_queue_commands_on_sqlite_say_what_to_use(cli, command: str) -> None:
    result = cli("jobs", command)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "needs PostgreSQL" in result.stderr and "jobs run" in result.stderr
    assert "serve --with-jobs" in result.stderr


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_upgrading_postgresql_without_the_queue_extra_names_it(db_url, monkeypatch) -> None:
    from tests.test_extras import _hide

    from fixright.db import make_engine, upgrade
    from fixright.errors import ConfigurationError

    admin = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"{make_url(db_url).database}_noqueue"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(db_url).set(database=name).render_as_string(hide_password=False))
    try:
        _hide(monkeypatch, "procrastinate")
        with pytest.raises(ConfigurationError, match=r"pip install 'fixright\[postgres\]'"):
            upgrade(engine)
        with engine.connect() as conn:  # one transaction: nothing was left half-made
            assert conn.scalar(text("SELECT to_regclass('public.device')")) is None
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
