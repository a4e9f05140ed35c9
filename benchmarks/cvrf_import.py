"""Benchmark: `advisories import` of a CVRF archive into SQLite, then again unchanged.

Writes 2,000 CVRF 1.2 documents (the generator of `cvrf_read.py`: Cisco-shaped
product trees, CVSS v3/v2, a remediation) to a temporary folder and imports
the folder into a fresh SQLite database with `service.import_paths` (one
transaction, as the CLI does), then imports it again: every file is then
skipped after a peek at its id and revision. Targets: first import <= 60 s,
re-import <= 15 s.

    .venv/bin/python benchmarks/cvrf_import.py [--files 2000] [--releases 120]

Prints a table and writes benchmarks/results/cvrf_import.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from cvrf_read import _document  # noqa: E402
from measure import Stopwatch, usage, write_result  # noqa: E402

from fixright.advisories.service import import_paths  # noqa: E402
from fixright.db import make_engine, make_session_factory, upgrade  # noqa: E402


def _timed_import(factory: object, folder: Path) -> tuple[float, object]:
    with Stopwatch() as watch, factory() as session:  # type: ignore[operator]
        report = import_paths(session, [folder])
        session.commit()
    return watch.seconds, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--releases", type=int, default=120, help="releases listed per document")
    args = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cvrf"
        folder.mkdir()
        for n in range(args.files):
            (folder / f"cisco-sa-bench-{n}_cvrf.xml").write_text(_document(n, args.releases, rng))
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        factory = make_session_factory(engine, writes=True)
        first, report = _timed_import(factory, folder)
        again, report2 = _timed_import(factory, folder)
        engine.dispose()
    write_result("cvrf_import", {
        "files": args.files,
        "releases_per_file": args.releases,
        "created": len(report.created),  # type: ignore[attr-defined]
        "import_seconds": round(first, 2),
        "reimport_seconds": round(again, 2),
        "reimport_unchanged": len(report2.unchanged),  # type: ignore[attr-defined]
        "reimport_skipped_unread": len(report2.skipped_unchanged),  # type: ignore[attr-defined]
        **usage(),
    })


if __name__ == "__main__":
    main()
