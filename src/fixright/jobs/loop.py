"""`fixright serve --with-jobs`: the jobs in the background of each server process.

On PostgreSQL a worker of the task queue (`queue.py`) on the server's event
loop: the queue hands each run to one of the server processes. On SQLite
`JobLoop`, `jobs run` every N minutes in a thread: several server workers may
each run the loop; the jobs lock lets one of them do the work and the others
find it held, so nothing is sent twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import Engine

from fixright.config import Settings
from fixright.jobs.service import run_once

log = logging.getLogger("fixright.jobs")


class JobLoop:
    """A daemon thread running the jobs at start and then every `jobs_interval_minutes`."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fixright-jobs", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        interval = self._settings.jobs_interval_minutes * 60
        while not self._stop.is_set():
            try:
                result = run_once(self._engine, self._settings, sleep=self._stop.wait)
                log.info("jobs: %s", result.describe())
            except Exception:  # noqa: BLE001 - the server keeps serving; the next tick retries
                log.exception("jobs run failed")
            self.runs += 1
            self._stop.wait(interval)


@asynccontextmanager
async def background_jobs(engine: Engine, settings: Settings) -> AsyncIterator[None]:
    """Run the jobs for the duration of the block when `settings.serve_jobs` asks for it."""
    if not settings.serve_jobs:
        yield
        return
    if engine.dialect.name == "postgresql":
        # Here, not at the top: procrastinate is the queue extra, which SQLite never needs.
        from fixright.jobs.queue import build_app, worker_in_background

        async with worker_in_background(build_app(settings, engine=engine)):
            yield
        return
    loop = JobLoop(engine, settings)
    loop.start()
    try:
        yield
    finally:
        loop.stop()
