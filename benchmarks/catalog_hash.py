"""Adding a 1 GiB image: one pass for three digests vs. sha256sum + sha512sum + md5sum.

    .venv/bin/python benchmarks/catalog_hash.py [--size-mib 1024] [--runs 3]

Makes a file of random bytes in /tmp (kept between runs), reads it once to
warm the page cache, then times, in the same run:
- `fixright` add: `catalog.service.add_image` into a fresh SQLite database and
  local blob folder (hash sha256 + sha512 + md5, copy, fsync, rename, rows);
- `fixright` hash only: `catalog.hashing.hash_stream` with no copy;
- coreutils: `sha256sum`, `sha512sum` and `md5sum` one after the other.
Prints a table and writes benchmarks/results/catalog_hash.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from fixright.catalog import service
from fixright.catalog.hashing import hash_stream
from fixright.catalog.storage_local import LocalStorage
from fixright.db import make_engine, make_session_factory, session_scope, upgrade

RESULTS = Path(__file__).parent / "results" / "catalog_hash.json"
NAME = "cat9k_iosxe.17.12.04.SPA.bin"


def make_file(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size == size:
        return
    # Random bytes, so no layer can shortcut on zeros or repetition.
    block = 16 * 1024 * 1024
    with path.open("wb") as handle:
        written = 0
        while written < size:
            chunk = os.urandom(min(block, size - written))
            handle.write(chunk)
            written += len(chunk)


def warm(path: Path) -> None:
    with path.open("rb") as handle:
        while handle.read(8 * 1024 * 1024):
            pass


def time_add(path: Path, work: Path) -> tuple[float, str]:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{work / 'fixright.db'}")
    upgrade(engine)
    storage = LocalStorage(work / "blobs")
    factory = make_session_factory(engine)
    start = time.perf_counter()
    with session_scope(factory) as session, path.open("rb") as source:
        result = service.add_image(session, storage, source, filename=NAME)
        sha256 = result.image.sha256
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, sha256


def time_hash_only(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as source:
        hash_stream(source)
    return time.perf_counter() - start


def time_tool(tool: str, path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([tool, str(path)], check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out.split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fixright-bench")
    args = parser.parse_args()
    size = args.size_mib * 1024 * 1024
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"random-{args.size_mib}MiB.bin"
    make_file(path, size)
    warm(path)

    add_times, hash_times, coreutils_times = [], [], []
    per_tool: dict[str, list[float]] = {"sha256sum": [], "sha512sum": [], "md5sum": []}
    for _ in range(args.runs):
        elapsed, sha256 = time_add(path, args.dir / "work")
        add_times.append(elapsed)
        hash_times.append(time_hash_only(path))
        total = 0.0
        for tool in per_tool:
            t, digest = time_tool(tool, path)
            if tool == "sha256sum":
                assert digest == sha256, "fixright and sha256sum disagree"
            per_tool[tool].append(t)
            total += t
        coreutils_times.append(total)
    shutil.rmtree(args.dir / "work", ignore_errors=True)

    def mbps(seconds: float) -> float:
        return size / 1e6 / seconds

    coreutils_best = min(coreutils_times)
    rows = [
        ("fixright images add (3 digests + copy + fsync + rows)", min(add_times),
         statistics.median(add_times)),
        ("fixright hash_stream only (3 digests)", min(hash_times), statistics.median(hash_times)),
        *((f"  {tool}", min(ts), statistics.median(ts)) for tool, ts in per_tool.items()),
        ("sha256sum + sha512sum + md5sum", coreutils_best, statistics.median(coreutils_times)),
    ]
    table = Table(title=f"Adding a {args.size_mib} MiB file ({os.cpu_count()} CPUs, best of {args.runs})")
    for column in ("what", "best s", "median s", "MB/s (best)", "ratio vs coreutils x3"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for label, best, median in rows:
        table.add_row(label, f"{best:.2f}", f"{median:.2f}", f"{mbps(best):.0f}",
                      f"{coreutils_best / best:.2f}")
    Console().print(table)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "catalog_hash",
        "file_bytes": size,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": [
            {"what": label.strip(), "best_s": round(best, 4), "median_s": round(median, 4),
             "mb_per_s": round(mbps(best), 1), "ratio_vs_coreutils": round(coreutils_best / best, 3)}
            for label, best, median in rows
        ],
        "note": "ratio > 1: faster than running sha256sum, sha512sum and md5sum one after the other",
    }, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
