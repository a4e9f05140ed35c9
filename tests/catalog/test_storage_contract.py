"""One contract, two backends: local folder and S3 (a real moto server on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixright.catalog.backends import storage_from_url
from fixright.catalog.storage import BlobStorage
from fixright.catalog.storage_local import LocalStorage
from fixright.catalog.storage_s3 import S3Storage
from fixright.config import Settings
from fixright.errors import ConfigurationError, IntegrityFailure, InvalidInput, NotFound

DATA = os.urandom(3 * 1024 * 1024 + 12345)  # more than one read chunk, not a multiple of it
KEY = hashlib.sha256(DATA).hexdigest()

BAD_KEYS = [
    "../../etc/passwd",
    "c2960x-universalk9-mz.152-7.E8.bin",
    KEY.upper(),
    KEY[:-1],
    KEY + "0",
    KEY[:32] + "/" + KEY[33:],
    "",
    "\x00" * 64,
]


def _stored(storage: BlobStorage) -> BlobStorage:
    storage.put(KEY, io.BytesIO(DATA))
    return storage


def test_put_then_read_back(storage: BlobStorage) -> None:
    assert not storage.exists(KEY)
    _stored(storage)
    assert storage.exists(KEY)
    assert storage.size(KEY) == len(DATA)
    with storage.open(KEY) as reader:
        assert reader.read() == DATA
    with storage.open(KEY) as reader:
        chunks = list(reader)
    assert b"".join(chunks) == DATA
    assert len(chunks) > 1


def test_put_twice_is_one_blob(storage: BlobStorage) -> None:
    _stored(storage)
    storage.put(KEY, io.BytesIO(DATA))
    assert storage.size(KEY) == len(DATA)


def test_put_refuses_bytes_that_do_not_hash_to_the_key(storage: BlobStorage) -> None:
    with pytest.raises(IntegrityFailure, match=KEY):
        storage.put(KEY, io.BytesIO(DATA[:-1]))
    assert not storage.exists(KEY)


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_that_are_not_sha256_are_refused_everywhere(storage: BlobStorage, key: str,
                                                         tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    for call in (
        lambda: storage.put(key, io.BytesIO(b"x")),
        lambda: storage.open(key),
        lambda: storage.exists(key),
        lambda: storage.size(key),
        lambda: storage.delete(key),
        lambda: storage.presigned_url(key, filename="x.bin", expires=60),
    ):
        with pytest.raises(InvalidInput, match="not a sha256"):
            call()
    assert sorted(tmp_path.rglob("*")) == before


def test_missing_blob(storage: BlobStorage) -> None:
    assert not storage.exists(KEY)
    with pytest.raises(NotFound, match=KEY):
        storage.open(KEY)
    with pytest.raises(NotFound, match=KEY):
        storage.size(KEY)
    storage.delete(KEY)  # deleting what is not there is fine


def test_delete(storage: BlobStorage) -> None:
    _stored(storage)
    storage.delete(KEY)
    assert not storage.exists(KEY)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ranged_reads_are_slices(storage: BlobStorage, data: st.DataObject) -> None:
    if not storage.exists(KEY):
        _stored(storage)
    start = data.draw(st.integers(0, len(DATA)), label="start")
    end = data.draw(st.one_of(st.none(), st.integers(start, len(DATA) + 10)), label="end")
    with storage.open(KEY, start, end) as reader:
        assert reader.read() == DATA[start:end]


def test_bad_ranges(storage: BlobStorage) -> None:
    _stored(storage)
    with pytest.raises(InvalidInput, match="negative"):
        storage.open(KEY, -1)
    with pytest.raises(InvalidInput, match="before start"):
        storage.open(KEY, 10, 5)
    with pytest.raises(InvalidInput, match="past the end"):
        storage.open(KEY, len(DATA) + 1)


def test_staging_commit_and_abandon(storage: BlobStorage) -> None:
    with storage.staging() as stage:
        stage.file.write(DATA)
        assert not storage.exists(KEY)  # not visible before commit
        stage.commit(KEY)
    assert storage.size(KEY) == len(DATA)
    other = os.urandom(1000)
    other_key = hashlib.sha256(other).hexdigest()
    with pytest.raises(RuntimeError), storage.staging() as stage:
        stage.file.write(other)
        raise RuntimeError("upload interrupted")
    assert not storage.exists(other_key)
    with storage.staging() as stage:
        stage.file.write(other)  # never committed
    assert not storage.exists(other_key)


def test_presigned_url_serves_the_bytes_or_is_none(storage: BlobStorage) -> None:
    _stored(storage)
    url = storage.presigned_url(KEY, filename="nxos64-cs.10.3.4a.M.bin", expires=300)
    if isinstance(storage, LocalStorage):
        assert url is None
        return
    assert url is not None
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == DATA
    assert 'filename="nxos64-cs.10.3.4a.M.bin"' in response.headers["content-disposition"]


def test_local_leaves_no_temporary_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "blobs")
    _stored(storage)
    with storage.staging() as stage:
        stage.file.write(b"abandoned")
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [storage.path(KEY)]
    assert storage.path(KEY).relative_to(tmp_path / "blobs").parts == (KEY[:2], KEY[2:4], KEY)
    assert list(storage.keys()) == [KEY]


def test_s3_objects_live_under_the_prefix(s3_settings: Settings, s3_bucket: str) -> None:
    storage = storage_from_url(f"s3://{s3_bucket}/images/prod", s3_settings)
    assert isinstance(storage, S3Storage)
    _stored(storage)
    listed = storage.client.list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"images/prod/{KEY}"]
    assert list(storage.keys()) == [KEY]


def test_s3_unreachable_is_a_configuration_error(tmp_path: Path) -> None:
    settings_ = Settings(data_dir=tmp_path, s3_endpoint_url="http://127.0.0.1:9",
                         s3_access_key_id="x", s3_secret_access_key="y")
    storage = storage_from_url("s3://bucket/p", settings_)
    with pytest.raises(ConfigurationError, match="s3://bucket/p"):
        storage.exists(KEY)


@pytest.mark.parametrize("url", ["ftp://host/x", "blobs", "s3:///prefix", "file://otherhost/x"])
def test_unknown_storage_urls(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="storage URL"):
        storage_from_url(url, Settings(data_dir=tmp_path))
