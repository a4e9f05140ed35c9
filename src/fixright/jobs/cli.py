"""`fixright jobs run|status`: the scheduled work, for a systemd timer or cron."""

from __future__ import annotations

import typer

from fixright.clikit import app_context, console, err_console
from fixright.jobs.service import job_state, run_once

jobs_app = typer.Typer(help="Scheduled work: re-check, alerts and digests (and feed syncs), once.",
                       no_args_is_help=True)


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
