"""`fixright jobs run|status`: the scheduled work, for a systemd timer or cron;
`jobs worker|defer`: the same work from the task queue, on PostgreSQL."""

from __future__ import annotations

import logging

import typer

from fixright.clikit import app_context, console, err_console, fail
from fixright.jobs.service import job_state, run_once

jobs_app = typer.Typer(help="Scheduled work: re-check, alerts and digests (and feed syncs); "
                       "the queue worker.",
                       no_args_is_help=True)

SQLITE_HINT = ("the task queue needs PostgreSQL; on SQLite run `fixright jobs run` from a "
               "timer or cron, or `fixright serve --with-jobs`")


@jobs_app.command("run")
def run(ctx: typer.Context) -> None:
    """Do the due work once and exit (safe to start twice: the second finds the lock and exits)."""
    app = app_context(ctx)
    result = run_once(app.engine(), app.settings)
    if not result.ran:
        err_console.print(result.describe(), highlight=False)
        return
    for name, summary in result.steps:
        console.print(f"{name}: {summary}", highlight=False, markup=False)


@jobs_app.command("status")
def status(ctx: typer.Context) -> None:
    """When the jobs last ran, what they did, and when they run next."""
    with app_context(ctx).session(writes=False) as session:
        state = job_state(session)
    if state is None:
        console.print("jobs never ran", highlight=False)
        return
    console.print(f"last run: {state.last_started_at} to {state.last_finished_at}\n"
                  f"next run: {state.next_run_at}\n{state.summary}", highlight=False,
                  markup=False)


@jobs_app.command("worker")
def worker(ctx: typer.Context) -> None:
    """Run the jobs from the task queue until stopped (PostgreSQL; start as many as you like).

    Queues a run at start and one every FIXRIGHT_JOBS_INTERVAL_MINUTES; SIGTERM
    or Ctrl-C stops it after the run in progress.
    """
    app = app_context(ctx)
    engine = app.engine()
    if engine.dialect.name != "postgresql":
        fail(SQLITE_HINT)
    # Here, not at the top: procrastinate is the queue extra, which SQLite never needs.
    from fixright.jobs.queue import build_app, defer_run, interval_cron, run_worker

    logging.basicConfig(level=app.settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    queue_app = build_app(app.settings, engine=engine)
    defer_run(queue_app)
    console.print(f"jobs worker: a run now and at cron "
                  f"'{interval_cron(app.settings.jobs_interval_minutes)}'", highlight=False,
                  markup=False)
    run_worker(queue_app)


@jobs_app.command("defer")
def defer(ctx: typer.Context) -> None:
    """Queue one run now, for a worker to take (PostgreSQL), e.g. after a large import."""
    app = app_context(ctx)
    engine = app.engine()
    if engine.dialect.name != "postgresql":
        fail(SQLITE_HINT)
    from fixright.jobs.queue import build_app, defer_run

    job = defer_run(build_app(app.settings, engine=engine, periodic=False))
    if job is None:
        console.print("a run is already waiting in the queue; it will do this work",
                      highlight=False)
    else:
        console.print(f"queued run {job}", highlight=False)
