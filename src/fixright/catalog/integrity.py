"""Are the stored bytes still the catalog's? Re-hash every blob; find blobs no image uses.

`fixright images verify` runs both: a missing or altered blob is a problem to
report (exit non-zero); an orphan blob (left by an add whose transaction
failed after the blob was stored) and a stale temporary file (left by an add
killed while copying) are only noted. `fixright images gc` removes those two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.catalog.hashing import Progress, digests_match, hash_stream
from fixright.catalog.models import Image
from fixright.catalog.storage import BlobStorage, TempFile
from fixright.errors import NotFound


@dataclass(frozen=True)
class VerifyProblem:
    """One image whose blob is missing or does not match its recorded digests."""

    image_id: int
    filename: str
    sha256: str
    problem: str  # "missing" | "corrupted"
    detail: str


def verify_blobs(
    session: Session, storage: BlobStorage, *, progress: Progress | None = None
) -> list[VerifyProblem]:
    """Re-hash the blob of every image; a problem for each missing or altered one.

    `progress(n)` is called with the bytes read as each chunk is hashed.
    """
    problems: list[VerifyProblem] = []
    for image in session.scalars(select(Image).order_by(Image.id)):
        try:
            with storage.open(image.blob_key) as reader:
                digests = hash_stream(reader, progress=progress)
        except NotFound:
            problems.append(
                VerifyProblem(image.id, image.filename, image.sha256, "missing", "no blob stored")
            )
            continue
        wrong = [
            kind
            for kind in ("sha256", "sha512", "md5")
            if not digests_match(getattr(image, kind), getattr(digests, kind))
        ]
        if digests.size != image.size:
            wrong.insert(0, f"size {digests.size} != {image.size}")
        if wrong:
            problems.append(
                VerifyProblem(
                    image.id, image.filename, image.sha256, "corrupted",
                    "mismatch: " + ", ".join(wrong),
                )
            )
    return problems


def orphan_blobs(session: Session, storage: BlobStorage) -> list[str]:
    """Blob keys no image refers to: left by an add whose transaction failed after
    the blob was stored (blob first, row second). Harmless, but they take space."""
    referenced = set(session.scalars(select(Image.blob_key)))
    stored = storage.keys()
    return sorted(key for key in stored if key not in referenced)


def stale_temporary(storage: BlobStorage, older_than: timedelta, *,
                    now: datetime | None = None) -> list[TempFile]:
    """Temporary files untouched for `older_than`: left by an add that was killed mid-copy.

    A younger one may belong to an upload still running, so it is not listed.
    """
    cutoff = (now or datetime.now(UTC)) - older_than
    return [t for t in storage.temporary_files() if t.modified < cutoff]


@dataclass(frozen=True)
class GarbageReport:
    """What `collect_garbage` removed (or, on a dry run, would remove)."""

    temporary: list[TempFile] = field(default_factory=list)
    orphans: list[tuple[str, int]] = field(default_factory=list)  # (blob key, size)

    @property
    def bytes(self) -> int:
        return sum(t.size for t in self.temporary) + sum(size for _key, size in self.orphans)


def collect_garbage(session: Session, storage: BlobStorage, older_than: timedelta, *,
                    dry_run: bool = False, now: datetime | None = None) -> GarbageReport:
    """Remove stale temporary files and orphan blobs untouched for `older_than`.

    An add stores its blob before its row, so a young orphan may be one whose
    row is about to commit: only blobs older than `older_than` are taken, and
    each is checked again against the images just before it is removed. Run
    inside a write transaction (on SQLite that waits for any add in progress).
    """
    now = now or datetime.now(UTC)
    cutoff = now - older_than
    report = GarbageReport(temporary=stale_temporary(storage, older_than, now=now))
    for key in orphan_blobs(session, storage):
        try:
            if storage.modified(key) >= cutoff:
                continue
            report.orphans.append((key, storage.size(key)))
        except NotFound:
            continue
    if dry_run:
        return report
    for temp in report.temporary:
        storage.remove_temporary(temp.name)
    removed = []
    for key, size in report.orphans:
        if session.scalar(select(Image.id).where(Image.blob_key == key).limit(1)) is None:
            storage.delete(key)
            removed.append((key, size))
    return GarbageReport(temporary=report.temporary, orphans=removed)
