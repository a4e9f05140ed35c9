"""Benchmark: `advisories sync` from a CSAF provider served on 127.0.0.1, into SQLite.

Two cases (issue 14's targets):
- unchanged: a provider announcing 5,000 documents (a ROLIE feed of 5,000
  entries and a changes.csv of 5,000 lines) that were all synced before; the
  stored feed state is written directly (a first sync of 5,000 documents is
  not what is measured). Target <= 3 s; only the metadata, the feed and
  changes.csv may be fetched.
- first: a first sync of the shared CSAF documents (`advisories/csaf/`,
  `advisories/vendor/`), each with a .sha512 and an .asc signature checked.
  Target <= 10 s.

    PYTHONPATH=src .venv/bin/python benchmarks/feeds_sync.py [--documents 5000]

Prints a table and writes benchmarks/results/feeds_sync.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test suite's local HTTP site and provider layout

from sqlalchemy import insert  # noqa: E402
from tests.feeds.site import Doc, Signer, Site, publish  # noqa: E402

from fixright.db import make_engine, make_session_factory, session_scope, upgrade  # noqa: E402
from fixright.feeds import service  # noqa: E402
from fixright.feeds.models import FeedDocument  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "feeds_sync.json"
SHARED = ROOT.parent / "shared" / "data" / "advisories"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _transaction(engine):  # type: ignore[no-untyped-def]
    factory = make_session_factory(engine, writes=True)
    return lambda: session_scope(factory)


def unchanged(tmp: Path, signer: Signer, documents: int) -> dict[str, object]:
    engine = make_engine(f"sqlite:///{tmp / 'unchanged.db'}")
    upgrade(engine)
    tx = _transaction(engine)
    with Site() as site:
        # Never fetched: neither hashed nor signed, so publishing 5,000 costs no gpg runs.
        docs = [Doc(f"2026/doc-{n:05d}.json", b"{}", T0, sha="", signed_by=None)
                for n in range(documents)]
        url = publish(site, signer, docs)
        with tx() as session:
            source = service.add_source(session, url)
            session.execute(insert(FeedDocument), [
                {"source_id": source.id, "url": site.url(f"/.well-known/csaf/white/{d.path}"),
                 "feed_updated": T0, "sha256": "0" * 64, "tracking_id": d.path,
                 "fetched_at": T0} for d in docs])
        site.hits.clear()
        start = time.perf_counter()
        summary = service.sync_source(tx, url, None, service.SyncOptions(), datetime.now(UTC))
        elapsed = time.perf_counter() - start
        requests = sum(site.hits.values())
    engine.dispose()
    assert summary.ok and len(summary.unchanged) == documents, summary.status()
    return {"case": "unchanged", "documents": documents, "requests": requests,
            "stored": 0, "seconds": round(elapsed, 2), "target_seconds": 3}


def first(tmp: Path, signer: Signer) -> dict[str, object]:
    engine = make_engine(f"sqlite:///{tmp / 'first.db'}")
    upgrade(engine)
    tx = _transaction(engine)
    files = sorted((SHARED / "csaf").glob("*.json")) + sorted((SHARED / "vendor").glob("*.json"))
    with Site() as site:
        docs = [Doc(f"2026/{f.name}", f.read_bytes(), T0) for f in files]
        url = publish(site, signer, docs)
        start = time.perf_counter()
        summary = service.sync_source(tx, url, None, service.SyncOptions(), datetime.now(UTC))
        elapsed = time.perf_counter() - start
        requests = sum(site.hits.values())
    engine.dispose()
    assert summary.ok, summary.refused
    return {"case": "first", "documents": len(docs), "requests": requests,
            "stored": len(summary.new), "seconds": round(elapsed, 2), "target_seconds": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fxbench"))
    (tmp / "gpg").mkdir(mode=0o700)
    signer = Signer(tmp / "gpg")
    try:
        rows = [unchanged(tmp, signer, args.documents), first(tmp, signer)]
    finally:
        signer.close()
        shutil.rmtree(tmp, ignore_errors=True)
    columns = list(rows[0])
    print("  ".join(f"{c:>14}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]!s:>14}" for c in columns))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows, "python": sys.version.split()[0],
                                   "machine": platform.machine()}, indent=2) + "\n")


if __name__ == "__main__":
    main()
