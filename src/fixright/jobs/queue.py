"""The jobs on a PostgreSQL task queue (procrastinate): any number of workers, one run at a time.

On PostgreSQL, `fixright jobs worker` (or `serve --with-jobs`, one worker in each
server process) takes `jobs.run` jobs from the queue and calls `run_once`. Every
worker also defers one run per tick of `interval_cron` (the database refuses a
second job for the same tick, so N workers defer it once), and `fixright jobs
defer` defers one now. The queue hands each job to one worker; the task's
queueing lock keeps at most one run waiting, so a backlog never piles up; and
`run_once` still takes the jobs lock, so a `jobs run` from a timer next to the
workers is safe. A job that finds the jobs lock held waits and retries: a run
deferred after an import is not lost to the run that was already going.

SQLite has no queue: `jobs run` from a timer, or the thread of `loop.py`.

The queue's tables, types and functions live in their own PostgreSQL schema,
`procrastinate` (migration 0020 creates it from procrastinate's own SQL); the
queue's connections put that schema first on their search path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import Engine, make_url

from fixright.config import Settings
from fixright.db import make_engine
from fixright.errors import InvalidInput
from fixright.jobs.service import Step, run_once

log = logging.getLogger("fixright.jobs")

QUEUE_SCHEMA = "procrastinate"
QUEUE = "fixright-jobs"
RUN_TASK = "jobs.run"
# At most one run waiting in the queue; a deferral while one waits is a no-op.
RUN_QUEUEING_LOCK = "fixright-jobs-run"
# `serve --with-jobs`: how long a stopping server waits for the run in progress.
SERVE_SHUTDOWN_SECONDS = 30.0


class JobsBusy(Exception):
    """Another run holds the jobs lock; the queue retries this job later."""


# A run that finds the jobs lock taken tries again every minute for as long as a
# lock row lives (lock.LOCK_TTL); after that the next tick's run covers the work.
BUSY_RETRY = RetryStrategy(max_attempts=30, wait=60, retry_exceptions={JobsBusy})


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL, on the queue's schema."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise InvalidInput(f"the task queue needs a PostgreSQL database, not {url.get_backend_name()}")
    params: dict[str, Any] = {
        key: str(value) for key, value in
        url.translate_connect_args(username="user", database="dbname").items()}
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    own = f"-c search_path={QUEUE_SCHEMA}"
    params["options"] = f"{params['options']} {own}" if params.get("options") else own
    return make_conninfo(**params)


def interval_cron(minutes: int) -> str:
    """The cron line for a run every `minutes`, at fixed marks of the clock.

    Cron counts minutes within the hour and hours within the day, so an interval
    that divides neither (7, 45, 90 minutes) becomes the largest one below it
    that does: runs come at least as often as asked, never less.
    """
    if minutes < 60:
        step = max(d for d in range(1, 61) if 60 % d == 0 and d <= minutes)
        return "* * * * *" if step == 1 else f"*/{step} * * * *"
    hours = max(d for d in range(1, 25) if 24 % d == 0 and d * 60 <= minutes)
    return {1: "0 * * * *", 24: "0 0 * * *"}.get(hours, f"0 */{hours} * * *")


def build_app(settings: Settings, *, engine: Engine | None = None,
              steps: list[Step] | None = None, periodic: bool = True) -> App:
    """A procrastinate App on the configured PostgreSQL database with the `jobs.run` task.

    `periodic=False` leaves out the schedule (a worker then only runs what is
    deferred). `steps` replaces the jobs' steps (tests).
    """
    url = settings.resolved_database_url()
    info = conninfo(url)
    run_engine = engine if engine is not None else make_engine(url)
    # A worker holds a few connections (jobs, heartbeat, LISTEN); keep the pool small.
    app = App(connector=PsycopgConnector(conninfo=info, min_size=1, max_size=4))

    def run_jobs(timestamp: int | None = None) -> str:
        result = run_once(run_engine, settings, steps=steps)
        if not result.ran:
            raise JobsBusy(result.describe())
        log.info("jobs: %s", result.describe())
        return result.describe()

    task = app.task(name=RUN_TASK, queue=QUEUE, queueing_lock=RUN_QUEUEING_LOCK,
                    retry=BUSY_RETRY)(run_jobs)
    if periodic:
        app.periodic(cron=interval_cron(settings.jobs_interval_minutes),
                     periodic_id="interval")(task)
    return app


def defer_run(app: App) -> int | None:
    """Queue one run now; None when a run is already waiting (it will do the same work)."""
    with app.open():
        try:
            return app.tasks[RUN_TASK].defer(timestamp=int(time.time()))
        except AlreadyEnqueued:
            return None


def run_worker(app: App, **options: Any) -> None:
    """Run a worker on the jobs queue until stopped (`wait=False`: until the queue is empty)."""
    app.run_worker(queues=[QUEUE], name=options.pop("name", "fixright-jobs"),
                   delete_jobs=options.pop("delete_jobs", "successful"), **options)


@asynccontextmanager
async def worker_in_background(app: App) -> AsyncIterator[None]:
    """A worker on the running event loop for the duration of the block (`serve --with-jobs`)."""
    async with app.open_async():
        # A run at start, as `jobs run` from the thread loop did; N servers queue it once.
        with suppress(AlreadyEnqueued):
            await app.tasks[RUN_TASK].defer_async(timestamp=int(time.time()))
        task = asyncio.create_task(app.run_worker_async(
            queues=[QUEUE], name="fixright-serve", delete_jobs="successful",
            install_signal_handlers=False, shutdown_graceful_timeout=SERVE_SHUTDOWN_SECONDS))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
