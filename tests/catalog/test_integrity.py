"""Re-hashing stored images and finding orphan blobs, with local and S3 storage."""

from __future__ import annotations

import hashlib
import os

from sqlalchemy.orm import Session
from tests.catalog.test_service import ISSUE_NAMES, _add

from fixright.catalog import integrity
from fixright.catalog.storage import BlobStorage
from fixright.catalog.storage_local import LocalStorage
from fixright.catalog.storage_s3 import S3Storage


def _corrupt(storage: BlobStorage, key: str, data: bytes) -> None:
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    if isinstance(storage, LocalStorage):
        storage.path(key).write_bytes(bytes(flipped))
    else:
        assert isinstance(storage, S3Storage)
        storage.client.put_object(Bucket=storage.bucket, Key=storage.object_name(key),
                                  Body=bytes(flipped))


def test_verify_catches_a_flipped_byte_and_a_missing_blob(session: Session,
                                                          storage: BlobStorage) -> None:
    blobs = {name: os.urandom(70_000 + n) for n, name in enumerate(ISSUE_NAMES[:3])}
    images = {name: _add(session, storage, name, data).image for name, data in blobs.items()}
    assert integrity.verify_blobs(session, storage) == []
    flipped, missing, intact = ISSUE_NAMES[:3]
    _corrupt(storage, images[flipped].blob_key, blobs[flipped])
    storage.delete(images[missing].blob_key)
    problems = {p.filename: p for p in integrity.verify_blobs(session, storage)}
    assert set(problems) == {flipped, missing}
    assert problems[flipped].problem == "corrupted" and "sha256" in problems[flipped].detail
    assert problems[missing].problem == "missing"
    # Adding the same bytes again restores the lost blob without a second row.
    again = _add(session, storage, missing, blobs[missing])
    assert not again.created and storage.exists(images[missing].blob_key)
    assert {p.filename for p in integrity.verify_blobs(session, storage)} == {flipped}


def test_orphan_blobs_are_the_stored_bytes_no_image_refers_to(session: Session,
                                                              storage: BlobStorage) -> None:
    kept = _add(session, storage, ISSUE_NAMES[0], os.urandom(5000)).image
    session.commit()
    assert integrity.orphan_blobs(session, storage) == []
    # An add whose transaction fails after the blob is stored leaves the blob alone.
    lost = os.urandom(6000)
    _add(session, storage, ISSUE_NAMES[1], lost)
    session.rollback()
    orphan = hashlib.sha256(lost).hexdigest()
    assert storage.exists(orphan)
    assert integrity.orphan_blobs(session, storage) == [orphan]
    assert kept.blob_key not in integrity.orphan_blobs(session, storage)
