"""`fixright serve --with-jobs`: `jobs run` every N minutes in a background thread of the server.

Several server workers may each run the loop; the jobs lock lets one of them
do the work and the others find it held, so nothing is sent twice.
"""

from __future__ import annotations

import logging
import threading

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
