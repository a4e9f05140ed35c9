"""Are the stored bytes still the catalog's? Re-hash every blob; find blobs no image uses.

`fixright images verify` runs both: a missing or altered blob is a problem to
report (exit non-zero); an orphan blob (left by an add whose transaction
failed after the blob was stored) is only noted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fixright.catalog.hashing import Progress, digests_match, hash_stream
from fixright.catalog.models import Image
from fixright.catalog.storage import BlobStorage
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
