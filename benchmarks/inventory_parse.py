"""Benchmark: show outputs parsed per second, and a 100,000-row device CSV imported into SQLite.

    .venv/bin/python benchmarks/inventory_parse.py [--files 10000] [--rows 100000]

Parsing is compared with raw TextFSM on the same files: each file's ntc-templates
template (named by its folder, e.g. cisco_ios/show_version), compiled once, run
with nothing around it. fixright's rate (cleaning, detection, merging, versions)
must stay at >= 90% of that. The fallback's rate is measured on the same files
with one line their template rejects added. Prints a table and writes
benchmarks/results/inventory_parse.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import textfsm
from rich.console import Console
from rich.table import Table

from fixright.accounts.service import get_or_create_organization
from fixright.db import make_engine, make_session_factory, session_scope, upgrade
from fixright.errors import InvalidInput
from fixright.inventory import importing, service
from fixright.inventory.csvio import CSV_COLUMNS, read_devices_csv
from fixright.inventory.parse import decode_output, parse_output

SHOW = Path(__file__).resolve().parents[2] / "shared" / "data" / "show"
if not SHOW.is_dir():
    SHOW = Path(os.environ.get("FIXRIGHT_SHARED_DATA", "/work/shared/data")) / "show"
RESULTS = Path(__file__).resolve().parent / "results" / "inventory_parse.json"

# Families with versions their grammar reads, so every generated row is valid.
_SAMPLES = [
    ("cisco", "ios", "WS-C2960X-48FPD-L", "15.2(7)E{n}"),
    ("cisco", "iosxe", "C9300-48P", "17.3.{n}"),
    ("cisco", "nxos", "N9K-C93180YC-EX", "9.3({n})"),
    ("juniper", "junos", "EX4300-48T", "21.4R3-S{n}"),
    ("arista", "eos", "DCS-7050SX3-48YC8", "4.28.{n}M"),
]


def _template(path: Path) -> str:
    return f"{path.parent.parent.name}_{path.parent.name}"


def _raw_fsms(paths: list[Path]) -> dict[str, Any]:
    from importlib import resources

    folder = resources.files("ntc_templates") / "templates"
    fsms: dict[str, Any] = {}
    for path in paths:
        name = _template(path)
        if name not in fsms:
            template = folder / f"{name}.textfsm"
            if not template.is_file():  # the index sends XR "show inventory" to the admin template
                template = folder / f"{path.parent.parent.name}_admin_{path.parent.name}.textfsm"
            fsms[name] = textfsm.TextFSM(io.StringIO(template.read_text(encoding="utf-8")))
    return fsms


def bench_compare(files: int) -> tuple[dict[str, float | int], dict[str, float | int]]:
    """fixright's parse and raw TextFSM (the file's template, compiled once) on the same files.

    Each file is read by both, one right after the other, so load from elsewhere on a
    shared machine falls on both alike.
    """
    paths = sorted(SHOW.rglob("*.raw"))
    if not paths:
        sys.exit(f"no shared outputs under {SHOW}")
    fsms = _raw_fsms(paths)
    sources = [(p.name, p.read_bytes(), fsms[_template(p)]) for p in paths]
    work = [sources[i % len(sources)] for i in range(files)]
    raw_seconds = ours_seconds = 0.0
    devices = failures = rejected = 0
    for name, data, fsm in work:
        start = time.perf_counter()
        fsm.Reset()
        try:
            fsm.ParseText(data.decode("utf-8-sig"))
        except textfsm.TextFSMError:
            rejected += 1
        middle = time.perf_counter()
        try:
            devices += len(parse_output(decode_output(data, name), source_name=name))
        except InvalidInput:
            failures += 1
        ours_seconds += time.perf_counter() - middle
        raw_seconds += middle - start
    ours = {"files": files, "distinct_files": len(sources), "seconds": round(ours_seconds, 3),
            "files_per_second": round(files / ours_seconds, 1), "devices": devices,
            "refused_files": failures}
    raw = {"files": files, "seconds": round(raw_seconds, 3),
           "files_per_second": round(files / raw_seconds, 1), "rejected_files": rejected}
    return ours, raw


_UNKNOWN_LINE = b"\nZq-unknown-thing : 42 perpetual\n"


def bench_fallback(files: int) -> dict[str, float | int]:
    """The same files with a line their template rejects: how fast, and how many the fallback reads."""
    sources = [(p.name, p.read_bytes().rstrip(b"\n") + _UNKNOWN_LINE) for p in sorted(SHOW.rglob("*.raw"))]
    work = [sources[i % len(sources)] for i in range(files)]
    by_fallback = by_template = failures = 0
    start = time.perf_counter()
    for name, data in work:
        try:
            facts = parse_output(decode_output(data, name), source_name=name)
        except InvalidInput:
            failures += 1
            continue
        if any(f.read_by == "fallback" for f in facts):
            by_fallback += 1
        else:
            by_template += 1
    seconds = time.perf_counter() - start
    return {"files": files, "seconds": round(seconds, 3), "files_per_second": round(files / seconds, 1),
            "read_by_fallback": by_fallback, "read_by_template": by_template, "refused_files": failures}


def make_csv(rows: int) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in range(rows):
        vendor, family, model, version = _SAMPLES[i % len(_SAMPLES)]
        # By column name, so a column added to the CSV format does not shift the others.
        row = {"serial": f"SN{i:09d}", "vendor": vendor, "os_family": family, "model": model,
               "running_version": version.format(n=i % 9 + 1), "hostname": f"host-{i}",
               "purchase_date": "2020-01-01" if i % 3 == 0 else ""}
        writer.writerow([row.get(column, "") for column in CSV_COLUMNS])
    return buffer.getvalue()


def _import(url: str, text: str) -> tuple[float, str]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    start = time.perf_counter()
    with session_scope(factory) as session:
        org = service.resolve_organization(session, "bench")
        rows = read_devices_csv(text, "bench.csv")
        report = importing.import_csv_rows(session, org.id, rows)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, report.summary()


def bench_csv(rows: int) -> dict[str, float | int | str]:
    text = make_csv(rows)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(make_session_factory(engine)) as session:
            get_or_create_organization(session, "bench")
        engine.dispose()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        first, first_summary = _import(url, text)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        second, second_summary = _import(url, text)
        # Python-level peak in a separate pass: tracemalloc slows the run it watches.
        tracemalloc.start()
        _import(url, text)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "rows": rows, "csv_mb": round(len(text) / 1e6, 1),
        "first_import_seconds": round(first, 2), "first_import": first_summary,
        "rows_per_second": round(rows / first, 0),
        "reimport_seconds": round(second, 2), "reimport": second_summary,
        "peak_python_mb": round(peak / 1e6, 1),
        "max_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    parse_result, raw_result = bench_compare(args.files)
    fallback_result = bench_fallback(args.files)
    parse_result["share_of_raw_textfsm"] = round(
        float(parse_result["files_per_second"]) / float(raw_result["files_per_second"]), 3)
    csv_result = bench_csv(args.rows)
    table = Table(title="inventory benchmark")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("show outputs parsed", f"{parse_result['files']} ({parse_result['distinct_files']} distinct)")
    table.add_row("parse: files/second", str(parse_result["files_per_second"]))
    table.add_row("parse: devices read / files refused",
                  f"{parse_result['devices']} / {parse_result['refused_files']}")
    table.add_row("raw TextFSM (template compiled once): files/second", str(raw_result["files_per_second"]))
    table.add_row("parse rate / raw TextFSM rate (must be >= 0.90)",
                  f"{parse_result['share_of_raw_textfsm']:.2f}")
    table.add_row("with an unknown line: files/second", str(fallback_result["files_per_second"]))
    table.add_row("with an unknown line: by fallback / by template / refused",
                  f"{fallback_result['read_by_fallback']} / {fallback_result['read_by_template']} / "
                  f"{fallback_result['refused_files']}")
    table.add_row("CSV rows imported into SQLite", f"{csv_result['rows']} ({csv_result['csv_mb']} MB)")
    table.add_row("CSV import: seconds (new devices)", str(csv_result["first_import_seconds"]))
    table.add_row("CSV re-import: seconds (all unchanged)", str(csv_result["reimport_seconds"]))
    table.add_row("CSV import: peak Python memory (MB)", str(csv_result["peak_python_mb"]))
    table.add_row("CSV import: max RSS growth (MB)", str(csv_result["max_rss_growth_mb"]))
    Console().print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "python": platform.python_version(), "machine": platform.machine(),
        "parse": parse_result, "raw_textfsm": raw_result, "fallback": fallback_result,
        "csv_import": csv_result,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
