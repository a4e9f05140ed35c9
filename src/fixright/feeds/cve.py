"""Syncing CVE records from a cvelistV5 folder (a clone, or a delta folder) or release ZIP.

Every `CVE-*.json` in the folder or archive is a candidate; one whose bytes
match the stored copy is unchanged without being read. The rest are read as
`advisories import` reads them, and only records naming a product fixright
knows (one that becomes an affected or fixed release) are imported: a CVE
list holds a quarter of a million records about everything else.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from fixright.feeds.store import (
    Fetched,
    SyncOptions,
    SyncSummary,
    Transaction,
    document_states,
    store_document,
)
from fixright.safe_open import read_regular

_NAME = re.compile(r"^CVE-\d{4}-\d{4,}\.json$")


def sync(transaction: Transaction, source_id: int, location: str,
         options: SyncOptions) -> SyncSummary:
    """Import the vendor-relevant CVE records at `location` (folder or .zip) that changed."""
    summary = SyncSummary()
    with transaction() as session:
        states = document_states(session, source_id)
    for name, body in _records(Path(location), options.policy.max_bytes, summary):
        doc = Fetched(name, body)
        state = states.get(name)
        if state is not None and state.sha256 == doc.sha256:
            summary.unchanged.append(name)
            continue
        store_document(transaction, source_id, doc, summary, actor=options.actor,
                       only_relevant=True)
    return summary


def _records(path: Path, limit: int, summary: SyncSummary) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(path.rglob("CVE-*.json")):
            if not _NAME.match(file.name):
                continue
            if file.stat().st_size > limit:
                summary.refuse(str(file), f"larger than the {limit} byte limit")
                continue
            yield str(file), read_regular(file)
        return
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        summary.refuse(str(path), f"not a readable ZIP archive ({exc})")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not _NAME.match(info.filename.rsplit("/", 1)[-1]):
                continue
            name = f"{path}!{info.filename}"
            if info.file_size > limit:
                summary.refuse(name, f"larger than the {limit} byte limit")
                continue
            with archive.open(info) as member:
                # The declared size is the archive's word; read no more than the limit anyway.
                body = member.read(limit + 1)
            if len(body) > limit:
                summary.refuse(name, f"larger than the {limit} byte limit")
                continue
            yield name, body
