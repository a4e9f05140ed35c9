"""Benchmark: authorised download decisions per second, and where the time of one goes.

`POST /api/v1/images/{id}/download` is a policy decision, an audit event and a
signed link. For each shape (SQLite with one server process; PostgreSQL with one
and with four), a fresh portal (the `download.py` owner: a WS-C4948E, a 1 MiB
maintenance image of its platform, `lifetime-updates`, an API token), a real
`fixright serve` on 127.0.0.1, `wrk` (16 connections, 10 s, after a 3 s warm-up),
the server processes' CPU per request from /proc (the server's process group), and `fixright audit verify`
afterwards (the hash chain must survive the concurrent appends).

Then, in this process on the SQLite portal, the same decision 500 times with
each step timed (token lookup, image visibility, policy, facts, audit append,
commit): where the time of one decision goes, without the web framework.

    .venv/bin/python benchmarks/decisions.py [--pg URL] [--seconds 10]

Prints two tables and writes benchmarks/results/decisions.json.
"""

from __future__ import annotations

import argparse
import collections
import functools
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import download
from measure import group_cpu_seconds, pg_database, write_result

WRK_SCRIPT = 'wrk.method = "POST"\nwrk.headers["Authorization"] = "Bearer {token}"\n'


def _wrk(url: str, script: Path, seconds: int, connections: int) -> tuple[int, float, int]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s",
                          str(script), url], capture_output=True, text=True, check=True).stdout
    total = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if total is None or rps is None:
        raise SystemExit(f"wrk said:\n{out}")
    return int(total.group(1)), float(rps.group(1)), int(non_2xx.group(1)) if non_2xx else 0


def measure_server(label: str, database_url: str | None, workers: int, seconds: int,
                   connections: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fixright-decisions-") as name:
        tmp = Path(name)
        portal = download.make_portal(tmp, download.MIB, database_url)
        script = tmp / "post.lua"
        script.write_text(WRK_SCRIPT.format(token=portal.token))
        env = {**portal.env, "FIXRIGHT_LOG_LEVEL": "WARNING"}
        with download.serve(env, tmp, "granian", workers) as (base, group):
            url = f"{base}/api/v1/images/{portal.image_id}/download"
            _wrk(url, script, 3, connections)  # warm-up: imports, caches, connections
            before = group_cpu_seconds(group)
            requests, rps, non_2xx = _wrk(url, script, seconds, connections)
            cpu = group_cpu_seconds(group) - before
        verify = subprocess.run([sys.executable, "-m", "fixright.cli", "audit", "verify"],
                                env=portal.env, capture_output=True, text=True, check=False)
    row = {"shape": label, "workers": workers, "rps": rps, "requests": requests,
           "non_2xx": non_2xx, "server_cpu_ms_per_request": round(1000 * cpu / requests, 2),
           "audit_verify_exit": verify.returncode}
    print(f"{label:<22} {workers:>7} {rps:>9,.1f} {requests:>9,} {non_2xx:>7} "
          f"{row['server_cpu_ms_per_request']:>9.2f} {verify.returncode:>6}", flush=True)
    return row


def breakdown(rounds: int = 500) -> dict[str, float]:
    """Milliseconds per decision in each step, in this process, on a SQLite portal."""
    from fixright.accounts import service as accounts
    from fixright.audit import service as audit
    from fixright.db import make_engine, make_session_factory
    from fixright.downloads import service as downloads
    from fixright.entitlement import service as entitlement

    spent: collections.Counter[str] = collections.Counter()

    def timed(module: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start

        setattr(module, name, wrapper)

    with tempfile.TemporaryDirectory(prefix="fixright-decisions-") as name:
        portal = download.make_portal(Path(name), download.MIB, None)
        engine = make_engine(f"sqlite:///{Path(name) / 'data' / 'fixright.db'}")
        factory = make_session_factory(engine, writes=True)
        timed(accounts, "valid_token", "token lookup")
        timed(downloads, "visible_image", "image and its visibility (runnable families)")
        timed(entitlement, "active_policy", "active policy")
        timed(entitlement, "devices_running", "facts: devices that run the image")
        timed(entitlement, "coverage_by_serial", "facts: contract coverage")
        timed(entitlement, "load_index", "facts: advisory index (cache check)")
        timed(entitlement, "evaluate", "policy evaluation")
        timed(audit, "record", "audit append (hash chain)")

        def one() -> None:
            start = time.perf_counter()
            with factory() as session:
                row = accounts.valid_token(session, portal.token)
                downloads.request_link(session, accounts.principal_for(row.user),
                                       portal.image_id, key=b"k" * 32, minutes=15)
                committed = time.perf_counter()
                session.commit()
                spent["commit"] += time.perf_counter() - committed
            spent["= one decision, in process"] += time.perf_counter() - start

        for _ in range(50):
            one()
        spent.clear()
        for _ in range(rounds):
            one()
        engine.dispose()
    return {label: round(seconds / rounds * 1000, 3)
            for label, seconds in sorted(spent.items(), key=lambda item: -item[1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL server URL (databases are created)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"{'shape':<22} {'workers':>7} {'req/s':>9} {'requests':>9} {'non-2xx':>7} "
          f"{'CPU ms/r':>9} {'verify':>6}")
    runs = [measure_server("sqlite", None, 1, args.seconds, args.connections)]
    if args.pg:
        for workers in (1, 4):
            with pg_database(args.pg, "fixright_decisions") as url:
                runs.append(measure_server("postgresql", url, workers, args.seconds,
                                           args.connections))
    steps = breakdown()
    print()
    for label, ms in steps.items():
        print(f"{ms:>8.3f} ms  {label}")
    write_result("decisions", {"runs": runs, "steps_ms": steps, "connections": args.connections,
                               "seconds": args.seconds, "cpus": os.cpu_count(),
                               "load_average_before": round(load[0], 2),
                               "load_average_after": round(os.getloadavg()[0], 2)})


if __name__ == "__main__":
    main()
