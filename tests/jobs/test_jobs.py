"""`fixright jobs run` on both backends: the lock lets one run at a time; runs are idempotent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from tests.changes.world import ADVISORY, advisory_path, changes, fleet
from tests.feeds.site import Doc, publish

from fixright.config import Settings
from fixright.db import make_session_factory, session_scope, utcnow
from fixright.jobs.lock import job_lock
from fixright.jobs.models import JobLock, JobState
from fixright.jobs.service import JOB, STEPS, JobRun, Step, run_once


def test_a_second_run_finds_the_lock_and_does_nothing(engine, db_url, data_dir) -> None:
    settings = Settings(data_dir=data_dir, database_url=db_url)
    inside, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def hold(run: JobRun) -> str:
        calls.append("first")
        inside.set()
        assert release.wait(60)
        return "held"

    first: dict[str, object] = {}
    worker = threading.Thread(target=lambda: first.update(
        result=run_once(engine, settings, steps=[Step("hold", hold)])))
    worker.start()
    try:
        assert inside.wait(60)
        second = run_once(engine, settings,
                          steps=[Step("count", lambda run: calls.append("second") or "ran")])
        assert not second.ran and "holds the lock" in second.describe()
    finally:
        release.set()
        worker.join(60)
    assert first["result"].ran and calls == ["first"]  # type: ignore[attr-defined]
    # Released: the next run gets it.
    third = run_once(engine, settings, steps=[Step("count", lambda run: "ran")])
    assert third.ran and third.steps == [("count", "ran")]


def test_an_expired_lock_row_is_taken_over(engine, db_url) -> None:
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's advisory lock dies with its connection; there is no row
    factory = make_session_factory(engine, writes=True)
    with session_scope(factory) as s:
        s.add(JobLock(name=JOB, holder="crashed:1", expires_at=utcnow() - timedelta(minutes=1)))
    with job_lock(engine, JOB, "me") as got:
        assert got
        with make_session_factory(engine)() as s:
            assert s.scalar(select(JobLock.holder)) == "me"
    with make_session_factory(engine)() as s:
        assert s.scalar(select(JobLock.holder)) is None


def test_a_failing_step_does_not_stop_the_others(engine, db_url, data_dir) -> None:
    def broken(run: JobRun) -> str:
        raise RuntimeError("feed exploded")

    result = run_once(engine, Settings(data_dir=data_dir, database_url=db_url),
                      steps=[Step("broken", broken), Step("after", lambda run: "fine")])
    assert result.steps == [("broken", "failed: feed exploded"), ("after", "fine")]


def test_cli_jobs_run_rechecks_once_and_records_its_run(cli, engine, shared_data) -> None:
    assert [s.name for s in STEPS] == ["feeds-sync", "recheck", "alerts"]
    fleet(cli, shared_data)
    assert cli("advisories", "import", str(advisory_path(shared_data))).exit_code == 0
    before = changes(cli)
    first = cli("jobs", "run")
    assert first.exit_code == 0, first.output
    assert "feeds-sync: no source due" in first.stdout and "recheck: re-checked" in first.stdout
    assert changes(cli) == before  # the imports re-checked already: nothing new
    again = cli("jobs", "run")
    assert "recheck: nothing changed since the last run" in again.stdout
    with make_session_factory(engine)() as s:
        state = s.get(JobState, JOB)
        assert state is not None and state.last_finished_at is not None
        assert state.next_run_at is not None and state.next_run_at > state.last_finished_at
    status = cli("jobs", "status")
    assert "next run:" in status.stdout and "alerts:" in status.stdout


def test_serve_with_jobs_runs_the_loop_in_the_server(engine, db_url, data_dir) -> None:
    """SQLite: the thread loop; PostgreSQL: a task-queue worker that queues a run at start."""
    from fastapi.testclient import TestClient

    from fixright.web.app import create_app

    def finished() -> bool:
        with make_session_factory(engine)() as s:
            state = s.get(JobState, JOB)
            return state is not None and state.last_finished_at is not None

    assert not finished()
    app = create_app(Settings(data_dir=data_dir, database_url=db_url, serve_jobs=True))
    with TestClient(app) as client:  # the lifespan starts the loop's thread
        assert client.get("/healthz").status_code == 200
        deadline = utcnow() + timedelta(seconds=60)
        while not finished():
            assert utcnow() < deadline, "the jobs loop never ran"
            threading.Event().wait(0.05)


def test_jobs_run_syncs_a_registered_feed_then_rechecks_the_fleet(
        cli, shared_data, site, signer) -> None:
    """The three steps end to end: a provider on 127.0.0.1 publishes the advisory,
    `jobs run` fetches it (hash and signature checked), and the re-check records
    the fleet's new exposures, which `report changes` then lists."""
    fleet(cli, shared_data)
    assert changes(cli) == []
    url = publish(site, signer, [Doc(f"2018/{ADVISORY}.json",
                                     advisory_path(shared_data).read_bytes(),
                                     datetime(2026, 11, 1, tzinfo=UTC))])
    added = cli("advisories", "sources", "add", url)
    assert added.exit_code == 0, added.output
    result = cli("jobs", "run")
    assert result.exit_code == 0, result.output
    assert "feeds-sync: 1 new, 0 changed, 0 unchanged, 0 refused" in result.stdout
    events = changes(cli)
    assert events and {e["kind"] for e in events} == {"new_exposure"}
    assert {e["advisory_id"] for e in events} == {ADVISORY}
    again = cli("jobs", "run")
    assert "feeds-sync: no source due" in again.stdout
    assert changes(cli) == events
