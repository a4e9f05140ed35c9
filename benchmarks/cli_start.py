"""Benchmark: how long the `fixright` command takes to start.

Medians of `fixright --help`, `fixright --version` and `fixright check` of one
`show version` output against the shared advisories (CSAF, openVuln, CVE 5;
no database), each a fresh process, beside `python -c pass` (the floor any
Python command pays). Targets (issue 15): help and version <= 0.3 s, check
<= 1.0 s.

    .venv/bin/python benchmarks/cli_start.py [--runs 9]

Prints a table and writes benchmarks/results/cli_start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FIXRIGHT_SHARED_DATA", ROOT.parent / "shared" / "data"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
SHOW = SHARED / "show/cisco_ios/show_version/cisco_ios_show_version.raw"
ADVISORIES = [SHARED / "advisories" / kind for kind in ("csaf", "openvuln", "cve5")]
TARGETS = {"--help": 0.3, "--version": 0.3, "check": 1.0}


def _time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    fixright = [sys.executable, "-m", "fixright.cli"]
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "FIXRIGHT_DATA_DIR": data}
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "--help": [*fixright, "--help"],
            "--version": [*fixright, "--version"],
            "check": [*fixright, "check", str(SHOW),
                      *(arg for path in ADVISORIES for arg in ("--advisories", str(path)))],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        _time(commands["check"], env)  # warm the page cache and bytecode once
        for _ in range(args.runs):  # interleaved, so load changes hit every command alike
            for name, command in commands.items():
                samples[name].append(_time(command, env))
    rows = []
    print(f"{'command':<16} {'median s':>9} {'min s':>7} {'target s':>9}")
    for name, values in samples.items():
        median = statistics.median(values)
        target = TARGETS.get(name)
        rows.append({"command": name, "median_s": round(median, 3),
                     "min_s": round(min(values), 3), "target_s": target})
        print(f"{name:<16} {median:>9.3f} {min(values):>7.3f} "
              f"{'' if target is None else f'{target:.1f}':>9}")
    out = ROOT / "benchmarks" / "results" / "cli_start.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": args.runs, "python": platform.python_version(),
                               "load_average": os.getloadavg(), "results": rows,
                               "samples_s": samples}, indent=2) + "\n")


if __name__ == "__main__":
    main()
