"""Benchmark: `fixright report cliff --format csv` for N devices under the 5 preset policies.

A SQLite database with one organisation of N devices (real PIDs and image families),
lifecycle dates for some of their families, and contracts of 200 numbers covering three
devices in four (active, lapsed, lapsing: 600 distinct coverage situations). The command
runs in a child process with its CSV written to /dev/null; its wall and CPU time are the
median of `--repeat` runs.

    .venv/bin/python benchmarks/cliff.py [--devices 100000] [--repeat 3]

Prints a table and writes benchmarks/results/cliff.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from fixright.accounts.service import get_or_create_organization
from fixright.contracts.models import Contract, CoverageLine
from fixright.db import make_engine, make_session_factory, upgrade
from fixright.inventory.models import Device
from fixright.lifecycle.records import LifecycleRecord
from fixright.lifecycle.service import import_records

RESULTS = Path(__file__).parent / "results" / "cliff.json"
HARDWARE = (("WS-C2960X-48FPD-L", "c2960x"), ("WS-C3750X-48PF-S", "c3750e"),
            ("WS-C3560X-24P-S", "c3560e"), ("WS-C3560CX-12PC-S", "c3560cx"),
            ("WS-C4948E", "cat4500e"), ("CISCO2911/K9", "c2900"), ("C9300-48P", "cat9k"))
LICENCES = ("unknown", "lanbasek9", "ipbasek9", "universalk9")
# Synthetic dates: this measures speed, not facts (the shipped sample holds the facts).
LIFECYCLE = [LifecycleRecord(family="c3750e", end_of_security_support=date(2019, 10, 30)),
             LifecycleRecord(family="c2960x", end_of_security_support=date(2027, 10, 31)),
             LifecycleRecord(pid="C9300-48P", end_of_sale=date(2030, 1, 31))]


def build(folder: Path, devices: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{folder / 'fixright.db'}")
    upgrade(engine)
    today = date.today()
    with make_session_factory(engine)() as session:
        org, _ = get_or_create_organization(session, "fleet")
        import_records(session, LIFECYCLE, source="bench", actor="bench")
        contract_ids = []
        for n in range(200):
            end = today + timedelta(days=rng.randint(-400, 1500))
            contract_ids.append((session.scalars(insert(Contract).returning(Contract.id), [{
                "organization_id": org.id, "number": f"9{n:05d}", "service_level": "SNT",
                "start": end - timedelta(days=1095), "end": end, "currency": "USD"}]).one(),
                end))
        device_rows, line_rows = [], []
        for n in range(devices):
            pid, family = rng.choice(HARDWARE)
            serial = f"FOC{n:08d}"
            device_rows.append({"organization_id": org.id, "serial": serial, "vendor": "cisco",
                                "os_family": "ios", "model": pid, "platform": family,
                                "running_version": "15.2(7)E8",
                                "licensed_feature_set": rng.choice(LICENCES), "source": "csv"})
            if n % 4:
                cid, end = rng.choice(contract_ids)
                line_rows.append({"contract_id": cid, "organization_id": org.id,
                                  "serial": serial, "pid": pid,
                                  "start": end - timedelta(days=1095), "end": end})
        session.execute(insert(Device), device_rows)
        session.execute(insert(CoverageLine), line_rows)
        session.commit()
    engine.dispose()
    return {"devices": devices, "coverage_lines": len(line_rows), "contracts": 200}


def run_report(folder: Path) -> tuple[float, float, int]:
    env = dict(os.environ, FIXRIGHT_DATA_DIR=str(folder),
               FIXRIGHT_DATABASE_URL=f"sqlite:///{folder / 'fixright.db'}")
    # As a user runs it: PYTHONUNBUFFERED (set on some CI machines) makes each CSV row a
    # write system call, which alone costs more than the report.
    env.pop("PYTHONUNBUFFERED", None)
    out = folder / "cliff.csv"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with out.open("w") as sink:
        subprocess.run([sys.executable, "-m", "fixright.cli", "report", "cliff", "--org",
                        "fleet", "--format", "csv"], env=env, stdout=sink, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with out.open() as rows:
        count = sum(1 for _ in rows) - 1
    return wall, cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fixright-bench-cliff-"))
    started = time.perf_counter()
    facts = build(folder, args.devices, args.seed)
    setup = time.perf_counter() - started
    runs = [run_report(folder) for _ in range(args.repeat)]
    row = facts | {
        "policies": 5,
        "setup_s": round(setup, 1),
        "report_wall_s_median": round(statistics.median(r[0] for r in runs), 2),
        "report_cpu_s_median": round(statistics.median(r[1] for r in runs), 2),
        "report_runs_wall_cpu_s": [(round(r[0], 2), round(r[1], 2)) for r in runs],
        "csv_rows": runs[0][2],
        "budget_s": 15,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    width = max(len(k) for k in row)
    print("fixright report cliff benchmark")
    for key, value in row.items():
        print(f"  {key:<{width}}  {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main()
