"""Catalogue edges: links and special files, empty files, one name with two contents,
and the temporary files a killed add leaves (reported by `verify`, removed by `gc`)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixright.audit.models import AuditEvent
from fixright.catalog import integrity, service
from fixright.catalog.cli import parse_duration
from fixright.catalog.models import Image, Release
from fixright.catalog.storage import BlobStorage
from fixright.catalog.storage_local import STAGING_DIR, LocalStorage
from fixright.errors import Conflict, InvalidInput

NAME = "EOS-4.28.3M.swi"
SECRET = "root:$6$very-secret-hash:19000:0:99999:7:::"


def _counts(session: Session) -> tuple[int, int, int]:
    counts = tuple(int(session.scalar(select(func.count()).select_from(t)) or 0)
                   for t in (Release, Image, AuditEvent))
    session.rollback()
    return counts  # type: ignore[return-value]


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n")
    return secret


def test_a_symbolic_link_is_refused_and_nothing_is_stored(cli, session: Session, tmp_path: Path,
                                                          data_dir: Path) -> None:
    link = tmp_path / NAME
    link.symlink_to(_secret(tmp_path))
    result = cli("images", "add", str(link))
    assert result.exit_code == 2
    assert "symbolic link" in result.stderr and SECRET not in result.output
    assert _counts(session) == (0, 0, 0)
    assert not (data_dir / "blobs").exists() or list(LocalStorage(data_dir / "blobs").keys()) == []


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_special_files_are_refused_without_blocking(cli, session: Session, tmp_path: Path,
                                                    kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / NAME
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    elif kind == "device":
        path = Path("/dev/zero")  # would never end
    else:
        path = tmp_path / NAME
        path.mkdir()
    result = cli("images", "add", str(path), "--version", "4.28.3M", "--platform", "eos",
                 "--feature-set", "base")
    assert result.exit_code == 2, result.output
    expected = {"fifo": "named pipe", "device": "character device", "folder": "a folder"}[kind]
    assert expected in result.stderr and "not a regular file" in result.stderr
    assert _counts(session) == (0, 0, 0)


def test_an_empty_image_is_refused(cli, session: Session, tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"")
    result = cli("images", "add", str(path))
    assert result.exit_code == 2 and "empty (0 bytes)" in result.stderr
    assert _counts(session) == (0, 0, 0)
    assert list(LocalStorage(data_dir / "blobs").keys()) == []


def test_other_bytes_under_a_known_name_are_refused(cli, session: Session, tmp_path: Path,
                                                    data_dir: Path) -> None:
    first, second = tmp_path / "a" / NAME, tmp_path / "b" / NAME
    for path, data in ((first, b"first build" * 100), (second, b"tampered" * 100)):
        path.parent.mkdir()
        path.write_bytes(data)
    assert cli("images", "add", str(first)).exit_code == 0
    before = _counts(session)
    result = cli("images", "add", str(second))
    assert result.exit_code == 2, result.output
    sha = hashlib.sha256(first.read_bytes()).hexdigest()
    assert "other bytes" in result.stderr and sha in result.stderr
    assert _counts(session) == before
    # Refused before the blob was stored: no orphan to clean up.
    assert list(LocalStorage(data_dir / "blobs").keys()) == [sha]
    # The same bytes again are still the same image, not a conflict.
    again = cli("images", "add", str(first))
    assert again.exit_code == 0 and "exists:" in again.stdout


def test_service_refuses_the_second_content_on_both_backends(session: Session,
                                                             storage: BlobStorage) -> None:
    service.add_image(session, storage, io.BytesIO(b"one"), filename=NAME)
    with pytest.raises(Conflict, match="other bytes"):
        service.add_image(session, storage, io.BytesIO(b"two"), filename=NAME)
    with pytest.raises(InvalidInput, match="empty"):
        service.add_image(session, storage, io.BytesIO(b""), filename="EOS-4.28.4M.swi")
    assert session.scalar(select(func.count()).select_from(Image)) == 1


def test_policy_check_never_picks_one_of_several_images_of_a_name(cli, session: Session,
                                                                  tmp_path: Path) -> None:
    assert cli("orgs", "add", "acme").exit_code == 0
    path = tmp_path / NAME
    path.write_bytes(b"image" * 100)
    assert cli("images", "add", str(path), "--public").exit_code == 0
    alone = cli("policy", "check", "--image", NAME)
    assert alone.exit_code == 0, alone.output
    # A catalogue filled before the rule may hold a second row of that name.
    first = session.scalars(select(Image)).one()
    session.add(Image(release_id=first.release_id, platform=first.platform,
                      feature_set=first.feature_set, filename=NAME, size=3,
                      sha256="ab" * 32, sha512="cd" * 64, md5="ef" * 16, blob_key="ab" * 32,
                      public=True))
    session.commit()
    ids = sorted(session.scalars(select(Image.id)))
    result = cli("policy", "check", "--image", NAME)
    assert result.exit_code == 2, result.output
    assert "2 images are named" in result.stderr
    assert all(f"id {i}" in result.stderr for i in ids)
    assert cli("policy", "check", "--image", str(ids[0])).exit_code == 0


def _stale_temp(data_dir: Path, size: int, age: timedelta) -> Path:
    folder = data_dir / "blobs" / STAGING_DIR
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"upload-{os.urandom(4).hex()}"
    with temp.open("wb") as handle:
        handle.truncate(size)  # sparse: what a killed add of a big image leaves
    stamp = time.time() - age.total_seconds()
    os.utime(temp, (stamp, stamp))
    return temp


def test_verify_reports_stale_temporary_files_and_gc_removes_them(
        cli, session: Session, tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"kept" * 100)
    assert cli("images", "add", str(path)).exit_code == 0
    stale = _stale_temp(data_dir, 515 * 1024 * 1024, timedelta(hours=3))
    fresh = _stale_temp(data_dir, 1024, timedelta(seconds=0))  # an add still running
    storage = LocalStorage(data_dir / "blobs")
    orphan = hashlib.sha256(b"orphan").hexdigest()
    storage.put(orphan, io.BytesIO(b"orphan"))
    old = time.time() - 3 * 3600
    os.utime(storage.path(orphan), (old, old))

    verify = cli("images", "verify")
    assert verify.exit_code == 0, verify.output
    assert "1 temporary file(s) (515.0 MB)" in verify.stderr
    assert f"{STAGING_DIR}/{stale.name}" in verify.stderr and fresh.name not in verify.stderr
    assert "1 stored blob(s) belong to no image" in verify.stderr

    dry = cli("images", "gc", "--older-than", "2h", "--dry-run")
    assert dry.exit_code == 0 and "would remove 1 temporary file(s) and 1 orphan blob(s)" in dry.stdout
    assert stale.exists() and storage.exists(orphan)

    gc = cli("images", "gc", "--older-than", "2h")
    assert gc.exit_code == 0, gc.output
    assert f"removed 1 temporary file(s) and 1 orphan blob(s), {515 * 1024 * 1024 + 6} bytes" \
        in gc.stdout
    assert not stale.exists() and fresh.exists() and not storage.exists(orphan)
    kept = session.scalars(select(Image)).one()
    session.rollback()
    assert storage.exists(kept.blob_key)  # an image's blob is never garbage
    again = cli("images", "verify")
    assert again.exit_code == 0 and "temporary" not in again.stderr

    bad = cli("images", "gc", "--older-than", "soon")
    assert bad.exit_code == 2 and "--older-than 'soon'" in bad.stderr


def test_gc_leaves_young_orphans_to_the_add_that_stored_them(session: Session,
                                                              tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "blobs")
    key = hashlib.sha256(b"just stored").hexdigest()
    storage.put(key, io.BytesIO(b"just stored"))
    report = integrity.collect_garbage(session, storage, timedelta(minutes=5))
    assert report.orphans == [] and storage.exists(key)
    later = datetime.now(UTC) + timedelta(minutes=10)
    report = integrity.collect_garbage(session, storage, timedelta(minutes=5), now=later)
    assert report.orphans == [(key, len(b"just stored"))] and not storage.exists(key)


def test_remove_temporary_takes_only_temporary_names(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "blobs")
    key = hashlib.sha256(b"x").hexdigest()
    storage.put(key, io.BytesIO(b"x"))
    for name in (f"{key[:2]}/{key[2:4]}/{key}", "../outside", ".tmp/../../x", "ab/cd/ef"):
        with pytest.raises(InvalidInput):
            storage.remove_temporary(name)
    assert storage.exists(key)


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("2h", 7200),
                                               ("7d", 604800), ("1w", 604800), ("0s", 0)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "2", "h", "-1h", "1.5h", "2 hours", "99999999999d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)
