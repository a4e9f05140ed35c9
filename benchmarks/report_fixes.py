"""Benchmark: `fixright report fixes --format json` end to end, from a SQLite database.

A database with one organisation of N devices (real PIDs and their image
families: Catalyst 2960-X, 3750-X, 3560-X, 3560-CX, 4948E, ISR G2 2911)
running the IOS releases the shared Cisco advisories list
(`advisories/openvuln`, `advisories/csaf`), and catalog images (real file
names) of the releases just above each train's highest listed one. The
command runs in a child process, as a user would run it; its wall and CPU
time (the machine is shared, so CPU time is the steadier figure) are the
median of `--repeat` runs.

    .venv/bin/python benchmarks/report_fixes.py [--devices 20000] [--repeat 3]

Prints a table and writes benchmarks/results/report_fixes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from fixright.accounts.service import get_or_create_organization
from fixright.advisories.service import import_paths, load_records, read_paths
from fixright.catalog.models import Image, Release
from fixright.catalog.sortkey import encode_key
from fixright.db import make_engine, make_session_factory, upgrade
from fixright.inventory.models import Device
from fixright.versions import InvalidVersion, Version, parse

RESULTS = Path(__file__).parent / "results" / "report_fixes.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
# (PID, image family, file-name prefix of its universal image)
HARDWARE = (
    ("WS-C2960X-48FPD-L", "c2960x", "c2960x-universalk9-mz"),
    ("WS-C3750X-48P-S", "c3750e", "c3750e-universalk9-mz"),
    ("WS-C3560X-24P-S", "c3560e", "c3560e-universalk9-mz"),
    ("WS-C3560CX-8PC-S", "c3560cx", "c3560cx-universalk9-mz"),
    ("WS-C4948E", "cat4500e", "cat4500e-universalk9"),
    ("CISCO2911/K9", "c2900", "c2900-universalk9-mz.SPA"),
)
_IOS = re.compile(r"(\d+)\.(\d+)\((\d+)\)([A-Z]+)(\d+)$")


def _ios_versions() -> list[str]:
    records = load_shared()
    out = set()
    for record in records:
        for group in record.affected:
            if group.os_family == "ios":
                out.update(getattr(group, "versions", ()))
    return sorted(out)


def load_shared() -> list:
    results, _ = read_paths([SHARED / "advisories/openvuln", SHARED / "advisories/csaf"])
    return [r for result in results for r in result.advisories]


def _fix_releases(versions: list[str]) -> list[Version]:
    """Per train, the release after the highest listed one (maintenance number + 1)."""
    top: dict[str, Version] = {}
    for text in versions:
        try:
            v = parse("ios", text)
        except InvalidVersion:
            continue
        if v.train not in top or top[v.train].key < v.key:
            top[v.train] = v
    out = []
    for v in top.values():
        m = _IOS.match(v.normalized)
        if m:
            out.append(parse("ios", f"{m[1]}.{m[2]}({m[3]}){m[4]}{int(m[5]) + 1}"))
    return out


def _filename(prefix: str, v: Version) -> str:
    m = _IOS.match(v.normalized)
    assert m
    return f"{prefix}.{m[1]}{m[2]}-{m[3]}.{m[4]}{m[5]}.bin"


def build(folder: Path, devices: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{folder / 'fixright.db'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    versions = _ios_versions()
    with factory() as session:
        org, _ = get_or_create_organization(session, "fleet")
        import_paths(session, [SHARED / "advisories/openvuln", SHARED / "advisories/csaf"])
        fixes = _fix_releases(versions)
        release_ids = list(session.scalars(insert(Release).returning(Release.id), [
            {"vendor": "cisco", "os_family": "ios", "version": v.normalized,
             "version_normalized": v.normalized, "version_key": encode_key(v.key),
             "train": v.train, "kind": "maintenance", "release_date": None, "deferred": False}
            for v in fixes
        ]))
        now = datetime.now(UTC)
        rows = [(rid, family, _filename(prefix, v))
                for rid, v in zip(release_ids, fixes, strict=True) for _pid, family, prefix in HARDWARE]
        session.execute(insert(Image), [
            {"release_id": rid, "platform": family, "feature_set": "universalk9",
             "filename": name, "size": 1, "sha256": f"{n:064x}", "sha512": "0" * 128,
             "md5": "0" * 32, "blob_key": f"{n:064x}", "published_at": now, "public": False}
            for n, (rid, family, name) in enumerate(rows)
        ])
        device_rows = []
        for n in range(devices):
            pid, family, _prefix = rng.choice(HARDWARE)
            device_rows.append({
                "organization_id": org.id, "serial": f"FOC{n:08d}", "vendor": "cisco",
                "os_family": "ios", "model": pid, "platform": family,
                "running_version": rng.choice(versions), "licensed_feature_set": "unknown",
                "source": "csv"})
        session.execute(insert(Device), device_rows)
        session.commit()
        advisories = len(load_records(session))
    engine.dispose()
    return {"devices": devices, "advisories": advisories, "distinct_versions": len(versions),
            "fix_releases": len(fixes), "images": len(rows)}


def run_report(folder: Path) -> tuple[float, float, int, int]:
    """One `fixright report fixes --format json` in a child: (wall s, CPU s, rows, targets)."""
    env = dict(os.environ, FIXRIGHT_DATA_DIR=str(folder),
               FIXRIGHT_DATABASE_URL=f"sqlite:///{folder / 'fixright.db'}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "fixright.cli", "report", "fixes", "--org", "fleet",
         "--format", "json"], env=env, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows = json.loads(done.stdout)
    targets = sum(1 for r in rows for _t in r.get("upgrade_targets", ()))
    return wall, cpu, len(rows), targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fixright-bench-fixes-"))
    started = time.perf_counter()
    facts = build(folder, args.devices, args.seed)
    setup = time.perf_counter() - started
    runs = [run_report(folder) for _ in range(args.repeat)]
    row = facts | {
        "setup_s": round(setup, 1),
        "report_wall_s_median": round(statistics.median(r[0] for r in runs), 2),
        "report_cpu_s_median": round(statistics.median(r[1] for r in runs), 2),
        "report_runs_wall_cpu_s": [(round(r[0], 2), round(r[1], 2)) for r in runs],
        "json_rows": runs[0][2],
        "upgrade_targets_in_rows": runs[0][3],
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    width = max(len(k) for k in row)
    print("fixright report fixes benchmark")
    for key, value in row.items():
        print(f"  {key:<{width}}  {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main()
