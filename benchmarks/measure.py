"""What the benchmarks share: wall time, CPU time and peak memory, and the result files.

    from measure import Stopwatch, usage, write_result
    with Stopwatch() as watch:
        work()
    write_result("name", {"seconds": watch.seconds, **usage()})

`run_fixright(args, env)` runs one CLI command as a child and measures it;
`pg_database(server, prefix)` gives a scratch PostgreSQL database for one run (dropped
after), `group_cpu_seconds(pgid)` the CPU of a server and its workers.

`usage()` is the whole process's (reading, imports and setup included): the
targets of the issues are stated for the process. CPU time sits beside wall
time because the shared CI machine is often busy.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).parent / "results"


class Stopwatch:
    """Wall and CPU seconds of the `with` block (`.seconds`, `.cpu_seconds`; 10 ms).

    On a busy machine wall time grows with the load; this process's CPU time
    much less, so both are reported."""

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        self._cpu = time.process_time()
        self.seconds = self.cpu_seconds = 0.0
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.seconds = round(time.perf_counter() - self._start, 2)
        self.cpu_seconds = round(time.process_time() - self._cpu, 2)


def usage() -> dict[str, Any]:
    """CPU seconds and peak resident memory (MiB) of this process so far, and where it ran."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu_seconds_total": round(own.ru_utime + own.ru_stime, 1),
        "peak_rss_mib": round(own.ru_maxrss / 1024, 1),  # Linux reports KiB
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }


def write_result(name: str, row: dict[str, Any]) -> Path:
    """Print `row` as a two-column table and write it to benchmarks/results/<name>.json."""
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(row, indent=2) + "\n")
    return path


@contextmanager
def pg_database(server: str, prefix: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL `server` (a URL whose user may create
    databases) for one run: its URL; dropped afterwards, connections and all."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes of process group `pgid` (a server
    started in a session of its own, with the workers it forked)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:  # pgrp, field 5 of stat
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Child:
    """One finished `fixright` child process: exit code, stderr, wall and CPU seconds, peak RSS."""

    code: int
    stderr: str
    wall_s: float
    cpu_s: float
    rss_mb: float


def run_fixright(args: list[str], env: dict[str, str], *, cwd: Path | None = None,
                 memory_gb: float = 0) -> Child:
    """Run `python -m fixright.cli ARGS` with stdout to /dev/null and measure it.

    CPU time comes from wait4 (the child alone: on a shared machine wall time
    mostly measures the neighbours). `memory_gb` caps the child's address space,
    so a report that outgrows it fails alone (MemoryError) instead of waking the
    kernel's OOM killer.
    """
    def cap() -> None:
        if memory_gb:
            limit = int(memory_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "fixright.cli", *args], env=env,
                                stdout=sink, stderr=subprocess.PIPE, cwd=cwd, preexec_fn=cap)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _pid, status, used = os.wait4(proc.pid, 0)
    return Child(os.waitstatus_to_exitcode(status), err.decode(errors="replace"),
                 time.perf_counter() - started, used.ru_utime + used.ru_stime,
                 used.ru_maxrss / 1024)
