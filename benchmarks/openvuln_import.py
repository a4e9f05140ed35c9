"""Benchmark: `advisories import` of 3,000 Cisco openVuln advisories (one API answer) into SQLite.

The advisories are the six shared openVuln ones (`openvuln/*.json`) repeated
under new ids, their product lists kept (1 to 3,841 names, 675 on average),
in one `{"advisories": [...]}` file as the openVuln API returns them. Targets:
<= 30 s and <= 300 MB peak RSS (the process's, reading included).

    .venv/bin/python benchmarks/openvuln_import.py [--advisories 3000]

Prints a table and writes benchmarks/results/openvuln_import.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Stopwatch, usage, write_result  # noqa: E402

from fixright.advisories.service import import_paths  # noqa: E402
from fixright.db import make_engine, make_session_factory, upgrade  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "advisories" / "openvuln"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisories", type=int, default=3000)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    templates = []
    for path in sorted(args.shared.glob("*.json")):
        data = json.loads(path.read_text())
        templates.extend(data["advisories"] if isinstance(data, dict) and "advisories" in data
                         else data if isinstance(data, list) else [data])
    items = []
    for n in range(args.advisories):
        item = dict(templates[n % len(templates)])
        item["advisoryId"] = f"{item['advisoryId']}-bench{n}"
        items.append(item)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "openvuln.json"
        with path.open("w") as out:  # written in chunks: the file is not held as one string
            json.dump({"advisories": items}, out)
        megabytes = path.stat().st_size / 1e6
        del items, templates
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        factory = make_session_factory(engine, writes=True)
        with Stopwatch() as watch, factory() as session:
            report = import_paths(session, [path])
            session.commit()
        engine.dispose()
    write_result("openvuln_import", {
        "advisories": args.advisories,
        "megabytes": round(megabytes, 1),
        "created": len(report.created),
        "import_seconds": watch.seconds,
        "import_cpu_seconds": watch.cpu_seconds,
        **usage(),
    })


if __name__ == "__main__":
    main()
