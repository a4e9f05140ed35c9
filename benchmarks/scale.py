"""Benchmark: the whole path a large owner runs, from CSV to report, with time and peak memory.

For each fleet size: a synthetic fleet CSV shaped like real ones (a few hundred
distinct releases across IOS, IOS XE, NX-OS, Junos, EOS and FortiOS, models
per family), the real advisories from ../shared/data, then each command as a
real `fixright` process on one database:

    devices import fleet.csv
    report exposure --format csv|json|jsonl
    report fixes    --format csv|json|jsonl
    report policies --format json

Output goes to /dev/null; time is wall time, CPU is user + system time (on a
shared machine the honest figure); peak RSS is the child's `ru_maxrss` from
wait4, so it is the command's own memory.

    .venv/bin/python benchmarks/scale.py [--devices 100000 1000000] [--pg URL]

Prints a table per database and writes benchmarks/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from measure import pg_database, run_fixright

RESULTS = Path(__file__).parent / "results" / "scale.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")

# (vendor, os_family, models, releases): releases people run, a few per train.
FAMILIES = [
    ("cisco", "ios", ["WS-C2960X-48FPD-L", "WS-C3560CX-12PC-S", "WS-C4948E", "CISCO1921/K9"],
     [f"15.2({n}){t}{m}" for n in (2, 4, 6, 7) for t in ("E",) for m in range(1, 11)]
     + [f"12.2(55)SE{m}" for m in range(1, 13)] + [f"15.0(2)SE{m}" for m in range(1, 12)]
     + [f"15.1(4)M{m}" for m in range(1, 11)]),
    ("cisco", "iosxe", ["C9300-48P", "C9200L-24T-4G", "ISR4331/K9", "ASR1001-X"],
     [f"17.{t}.{m}" for t in (3, 6, 9, 12) for m in range(1, 8)]
     + [f"16.{t}.{m}" for t in (9, 12) for m in range(1, 10)]),
    ("cisco", "nxos", ["N9K-C93180YC-EX", "N9K-C9372PX", "N3K-C3172PQ-10GE"],
     [f"9.3({m})" for m in range(1, 14)] + [f"7.0(3)I7({m})" for m in range(1, 10)]
     + [f"10.2({m})" for m in range(1, 8)]),
    ("juniper", "junos", ["EX4300-48T", "MX240", "SRX345", "QFX5100-48S-6Q"],
     [f"{y}.{q}R{r}-S{s}" for y in (19, 20, 21, 22) for q in (2, 4) for r in (1, 3)
      for s in (1, 3, 5)]),
    ("arista", "eos", ["DCS-7050SX3-48YC8", "DCS-7280SR-48C6"],
     [f"4.{t}.{m}M" for t in (24, 25, 26, 27, 28) for m in range(1, 10)]),
    ("fortinet", "fortios", ["FortiGate-60F", "FortiGate-100F"],
     [f"7.{t}.{m}" for t in (0, 2, 4) for m in range(0, 12)]),
]


SITES = ("ams", "fra", "lon", "nyc", "sfo", "sin", "syd", "tok")
ROLES = ("acc", "dist", "core", "edge", "fw")


def write_fleet(path: Path, devices: int, seed: int = 7, *, hostnames: bool = False) -> int:
    """A fleet CSV of `devices` rows, with host names ("ams-acc-000123") if asked; returns
    the number of distinct releases."""
    rng = random.Random(seed)
    weights = [40, 25, 10, 12, 8, 5]
    distinct: set[tuple[str, str]] = set()
    with path.open("w") as out:
        out.write("serial,vendor,os_family,model,running_version"
                  + (",hostname\n" if hostnames else "\n"))
        for i in range(devices):
            vendor, family, models, releases = rng.choices(FAMILIES, weights)[0]
            # Real fleets cluster on a few releases per family.
            release = releases[min(int(rng.expovariate(0.15)), len(releases) - 1)]
            distinct.add((family, release))
            host = f",{rng.choice(SITES)}-{rng.choice(ROLES)}-{i:06d}" if hostnames else ""
            out.write(f"SN{i:09d},{vendor},{family},{rng.choice(models)},{release}{host}\n")
    return len(distinct)


def run(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run one fixright command with stdout to /dev/null; wall seconds and peak RSS (MB)."""
    child = run_fixright(args, env)
    if child.code != 0:
        raise SystemExit(f"fixright {' '.join(args)} failed ({child.code}): {child.stderr[-2000:]}")
    # CPU time too: on a shared machine wall time mostly measures the neighbours.
    return {"seconds": round(child.wall_s, 2), "cpu_seconds": round(child.cpu_s, 2),
            "peak_rss_mb": round(child.rss_mb, 1)}


def bench(devices: int, database_url: str | None, folder: Path) -> list[dict[str, object]]:
    env = {**os.environ, "FIXRIGHT_DATA_DIR": str(folder / "data")}
    if database_url:
        env["FIXRIGHT_DATABASE_URL"] = database_url
    fleet = folder / "fleet.csv"
    releases = write_fleet(fleet, devices)
    advisories = [str(SHARED / "advisories" / sub) for sub in ("csaf", "openvuln", "cve5")]
    run(["db", "upgrade"], env)
    run(["orgs", "add", "big"], env)
    run(["advisories", "import", *advisories], env)
    rows: list[dict[str, object]] = []

    def measure(name: str, args: list[str]) -> None:
        result = run(args, env)
        rows.append({"devices": devices, "distinct_releases": releases, "command": name,
                     **result})
        print(f"{devices:>9,} {name:<32} {result['seconds']:>8.2f} s "
              f"{result['cpu_seconds']:>8.2f} s {result['peak_rss_mb']:>8.1f} MB", flush=True)

    measure("devices import fleet.csv", ["devices", "import", str(fleet), "--org", "big"])
    for report in ("exposure", "fixes"):
        for fmt in ("csv", "json", "jsonl"):
            measure(f"report {report} --format {fmt}",
                    ["report", report, "--org", "big", "--format", fmt])
    measure("report policies --format json",
            ["report", "policies", "--org", "big", "--format", "json"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[100_000])
    parser.add_argument("--pg", help="PostgreSQL server URL to also run on (a database is created)")
    parser.add_argument("--only-pg", action="store_true", help="Skip SQLite (with --pg).")
    parser.add_argument("--append", action="store_true",
                        help="Keep the runs already in the results file (other sizes, backends).")
    options = parser.parse_args()
    results: dict[str, object] = {"machine": platform.platform(), "python": sys.version.split()[0],
                                  "runs": []}
    if options.append and RESULTS.is_file():
        results["runs"] = json.loads(RESULTS.read_text()).get("runs", [])
    backends = ([] if options.only_pg else [("sqlite", None)]) + (
        [("postgresql", options.pg)] if options.pg else [])
    for backend, server in backends:
        print(f"\n{backend}\n{'devices':>9} {'command':<32} {'time':>10} {'CPU':>10} "
              f"{'peak RSS':>11}")
        for devices in options.devices:
            with tempfile.TemporaryDirectory(prefix="fixright-scale-") as tmp, \
                    pg_database(server, "fixright_scale") if server else nullcontext() as url:
                runs = [r for r in results["runs"]  # type: ignore[attr-defined]
                        if (r["database"], r["devices"]) != (backend, devices)]
                for row in bench(devices, url, Path(tmp)):
                    runs.append({"database": backend, **row})
                results["runs"] = runs
                # Written after each fleet size: a long run that fails later keeps these.
                RESULTS.parent.mkdir(exist_ok=True)
                RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {RESULTS}")


if __name__ == "__main__":
    main()
