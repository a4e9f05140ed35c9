"""Benchmark: an owner with 100,000 devices: devices page, searches, API list and export, warm.

One owner organisation of N devices (the synthetic fleet of `scale.py`, with
host names, imported by `fixright devices import`) and the real advisories
of ../shared/data (csaf, openvuln, cve5). A real `fixright serve` process
(granian) answers; the owner logs in through the login form (session cookie)
for the UI pages and uses an API token for /api/v1. Each request is asked
once untimed (warm-up: advisory index and caches filled), then `--repeat`
times; the figures are medians:

- ttfb: time to the first byte of the body (what the target is about);
- total: time to the last byte;
- server CPU: user + system CPU of the server's processes per request (read
  from /proc; on a shared machine wall time mostly measures the neighbours).

    .venv/bin/python benchmarks/owner_pages.py [--devices 100000] [--repeat 5] \
        [--pg postgresql+psycopg://fixright:fixright@127.0.0.1:5432/postgres] [--only-pg] \
        [--label after]

Target (issue 18): time to first byte <= 300 ms warm. Prints a table per
database and writes the runs under `--label` into benchmarks/results/owner_pages.json
(the other labels already there are kept, so "before" and "after" sit side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from download import cli, serve  # noqa: E402
from measure import group_cpu_seconds, pg_database  # noqa: E402
from scale import SHARED, write_fleet  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "owner_pages.json"
TARGET_MS = 300
EMAIL, PASSWORD = "noc@big.example", "bench-password-18"


def build(folder: Path, devices: int, database_url: str | None) -> tuple[dict[str, str], str, int]:
    """The database of one owner with `devices` devices; the environment, an API token and
    the number of distinct releases."""
    env = {**os.environ, "FIXRIGHT_DATA_DIR": str(folder / "data"),
           "FIXRIGHT_SECRET_KEY": "bench-" + os.urandom(16).hex()}
    env.pop("FIXRIGHT_STORAGE_URL", None)
    if database_url:
        env["FIXRIGHT_DATABASE_URL"] = database_url
    fleet = folder / "fleet.csv"
    releases = write_fleet(fleet, devices, seed=18, hostnames=True)
    cli(env, "db", "upgrade")
    cli(env, "users", "add", EMAIL, "--org", "big", "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n")
    cli(env, "advisories", "import",
        *(str(SHARED / "advisories" / sub) for sub in ("csaf", "openvuln", "cve5")))
    cli(env, "devices", "import", str(fleet), "--org", "big")
    token = cli(env, "tokens", "create", "--email", EMAIL).strip()
    return env, token, releases


def login(client: httpx.Client) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text[:1000]
    answer = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                         "csrf_token": token[1]})
    assert answer.status_code in (200, 303), answer.text[:1000]
    assert client.get("/devices", follow_redirects=False).status_code == 200


def timed(client: httpx.Client, path: str) -> tuple[float, float, int, str]:
    """ttfb ms, total ms, body bytes and the start of the body of one GET."""
    started = time.perf_counter()
    with client.stream("GET", path) as answer:
        first = None
        size = 0
        head = b""
        for chunk in answer.iter_raw():
            if first is None:
                first = time.perf_counter()
            size += len(chunk)
            if len(head) < 4096:
                head += chunk[:4096]
        done = time.perf_counter()
        assert answer.status_code == 200, (path, answer.status_code, head[:500])
    first = first or done
    return 1000 * (first - started), 1000 * (done - started), size, head.decode(errors="replace")


def endpoint(client: httpx.Client, pgid: int, path: str, repeat: int) -> dict[str, object]:
    timed(client, path)  # warm-up, untimed
    ttfb, total = [], []
    cpu = group_cpu_seconds(pgid)
    for _ in range(repeat):
        first, last, size, head = timed(client, path)
        ttfb.append(first)
        total.append(last)
    cpu_ms = 1000 * (group_cpu_seconds(pgid) - cpu) / repeat
    shown = re.search(r"<h1>Devices <span class=\"muted\">\((\d+)", head)
    listed = re.search(r'"total":\s*(\d+)', head)
    return {"path": path, "ttfb_ms": round(statistics.median(ttfb)),
            "ttfb_min_ms": round(min(ttfb)), "total_ms": round(statistics.median(total)),
            "server_cpu_ms": round(cpu_ms), "bytes": size,
            "matches": int(shown[1]) if shown else int(listed[1]) if listed else None}


ENDPOINTS = (
    ("ui devices (default: exposure sort)", "ui", "/devices"),
    ("ui devices sort=host", "ui", "/devices?sort=host"),
    ("ui devices exposed only", "ui", "/devices?exposed=true"),
    ("ui search host substring", "ui", "/devices?q=fra-core-0042"),
    ("ui search serial substring", "ui", "/devices?q=SN00009999"),
    ("ui filter os_family=junos", "ui", "/devices?os_family=junos"),
    ("ui search version 17.3", "ui", "/devices?q=17.3.&os_family=iosxe"),
    ("api devices first page", "api", "/api/v1/devices"),
    ("api search host substring", "api", "/api/v1/devices?search=fra-core-0042"),
    ("api filter os_family=junos", "api", "/api/v1/devices?os_family=junos"),
    ("api export csv", "api", "/api/v1/devices/export?format=csv"),
)


def measure(backend: str, devices: int, repeat: int, database_url: str | None,
            folder: Path) -> dict[str, object]:
    started = time.perf_counter()
    env, token, releases = build(folder, devices, database_url)
    setup = time.perf_counter() - started
    rows = []
    with serve(env, folder) as (url, pgid), httpx.Client(base_url=url, timeout=600) as ui, \
                httpx.Client(base_url=url, timeout=600,
                         headers={"Authorization": f"Bearer {token}"}) as api:
        login(ui)
        for name, kind, path in ENDPOINTS:
            row = endpoint(ui if kind == "ui" else api, pgid, path, repeat)
            rows.append({"endpoint": name, **row})
            ok = "ok" if row["ttfb_ms"] <= TARGET_MS else "OVER"  # type: ignore[operator]
            print(f"{backend:<10} {name:<36} {row['ttfb_ms']:>7} ms {row['total_ms']:>7} ms "
                  f"{row['server_cpu_ms']:>7} ms {row['bytes']:>11,} B  {ok}", flush=True)
    return {"database": backend, "devices": devices, "distinct_releases": releases,
            "setup_s": round(setup, 1), "repeat": repeat, "endpoints": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", help="PostgreSQL server URL to also run on (a database is "
                        "created there and dropped)")
    parser.add_argument("--only-pg", action="store_true", help="Skip SQLite (with --pg).")
    parser.add_argument("--label", default="after",
                        help="Name of this set of runs in the results file (before, after ...).")
    options = parser.parse_args()
    results: dict[str, object] = {}
    if RESULTS.is_file():
        results = json.loads(RESULTS.read_text())
    labels = results.setdefault("labels", {})
    assert isinstance(labels, dict)
    runs = [r for r in labels.get(options.label, [])
            if not (r["devices"] == options.devices
                    and r["database"] in (["postgresql"] if options.only_pg else
                                          ["sqlite", "postgresql"] if options.pg else ["sqlite"]))]
    print(f"{'database':<10} {'endpoint':<36} {'ttfb':>10} {'total':>10} {'server CPU':>10} "
          f"{'bytes':>13}  target <= {TARGET_MS} ms")
    backends = ([] if options.only_pg else ["sqlite"]) + (["postgresql"] if options.pg else [])
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="fixright-owner-") as tmp:
            folder = Path(tmp)
            if backend == "sqlite":
                runs.append(measure(backend, options.devices, options.repeat, None, folder))
            else:
                with pg_database(options.pg, "fixright_owner") as url:
                    runs.append(measure(backend, options.devices, options.repeat, url, folder))
        labels[options.label] = runs
        results.update({"target_ms": TARGET_MS, "python": sys.version.split()[0],
                        "machine": platform.platform()})
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
