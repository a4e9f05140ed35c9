"""Blobs as objects in an S3 bucket, speaking only plain S3 (AWS, MinIO, Ceph, moto).

Objects are `<prefix>/<sha256>`. Uploads are staged in a local temporary file
(the key is the content's hash, known only once every byte has been read),
then sent with boto3's managed `upload_fileobj`; S3 makes an object visible
only when its upload completes, so a crash never exposes a partial blob.
Reads use `get_object` with a `Range` header; downloads can be handed off
with `generate_presigned_url`.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from fixright.catalog.storage import (
    READ_CHUNK,
    BlobReader,
    TempFile,
    check_key,
    check_range,
    content_disposition,
)
from fixright.errors import ConfigurationError, IntegrityFailure, InvalidInput, NotFound

if TYPE_CHECKING:
    from fixright.config import Settings

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class _S3Staging:
    def __init__(self, storage: S3Storage, file: IO[bytes]) -> None:
        self._storage = storage
        self.file = file

    def commit(self, key: str) -> None:
        check_key(key)
        if self._storage.exists(key):
            return
        self.file.flush()
        self.file.seek(0)
        with self._storage._errors(key):
            self._storage.client.upload_fileobj(self.file, self._storage.bucket,
                                                self._storage.object_name(key))


class S3Storage:
    """Content-addressed objects in `bucket` under `prefix` (may be empty)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", *,
                 staging_dir: Path | None = None) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.staging_dir = staging_dir

    @classmethod
    def from_settings(cls, bucket: str, prefix: str, settings: Settings | None) -> S3Storage:
        """A client for `bucket` from the `s3_*` settings (path-style addressing for custom endpoints)."""
        endpoint = settings.s3_endpoint_url if settings else None
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint else "auto"},
            # Newer botocore adds CRC checksums to every upload by default;
            # S3-compatible servers do not all accept them, plain S3 does not need them.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 3, "mode": "standard"},
        )
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=settings.s3_region if settings else None,
            aws_access_key_id=settings.s3_access_key_id if settings else None,
            aws_secret_access_key=settings.s3_secret_access_key if settings else None,
            config=config,
        )
        staging_dir = settings.data_dir / "staging" if settings else None
        return cls(client, bucket, prefix, staging_dir=staging_dir)

    def __repr__(self) -> str:
        return f"S3Storage(s3://{self.bucket}/{self.prefix})"

    def object_name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    @contextlib.contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise NotFound(f"blob {key} is missing from s3://{self.bucket}/{self.prefix}") from None
            raise ConfigurationError(
                f"S3 storage s3://{self.bucket}/{self.prefix} refused the request for {key}: "
                f"{code or exc}"
            ) from exc
        except BotoCoreError as exc:
            raise ConfigurationError(
                f"S3 storage s3://{self.bucket}/{self.prefix} is not reachable: {exc}"
            ) from exc

    @contextlib.contextmanager
    def staging(self) -> Iterator[_S3Staging]:
        """A local temporary file; `commit(key)` uploads it as `key`."""
        folder = self.staging_dir
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                folder = None  # fall back to the system temporary folder
        with tempfile.TemporaryFile(prefix="upload-", dir=folder) as handle:
            yield _S3Staging(self, handle)

    def put(self, key: str, stream: BinaryIO) -> None:
        """Store `stream` as `key`; IntegrityFailure (nothing stored) if it does not hash to `key`."""
        check_key(key)
        with self.staging() as stage:
            digest = hashlib.sha256()
            while chunk := stream.read(READ_CHUNK):
                digest.update(chunk)
                stage.file.write(chunk)
            if digest.hexdigest() != key:
                raise IntegrityFailure(
                    f"refusing to store blob {key}: the bytes hash to {digest.hexdigest()}"
                )
            stage.commit(key)

    def open(self, key: str, start: int = 0, end: int | None = None) -> BlobReader:
        size = self.size(key)
        stop = check_range(start, end, size)
        if stop <= start:
            return BlobReader(_Empty(), 0)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_name(key)}
        if start > 0 or stop < size:
            params["Range"] = f"bytes={start}-{stop - 1}"
        with self._errors(key):
            response = self.client.get_object(**params)
        return BlobReader(response["Body"], stop - start)

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except NotFound:
            return False
        return True

    def size(self, key: str) -> int:
        with self._errors(key):
            head = self.client.head_object(Bucket=self.bucket, Key=self.object_name(key))
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        with self._errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self.object_name(key))

    def modified(self, key: str) -> datetime:
        with self._errors(key):
            head = self.client.head_object(Bucket=self.bucket, Key=self.object_name(key))
        stamp: datetime = head["LastModified"]
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    def temporary_files(self) -> Iterator[TempFile]:
        """None: uploads are staged in anonymous temporary files, which vanish with a killed
        process, and S3 shows an object only once its upload completes."""
        return iter(())

    def remove_temporary(self, name: str) -> None:
        raise InvalidInput(f"{name!r}: S3 storage keeps no temporary files")

    def presigned_url(self, key: str, *, filename: str, expires: int | timedelta) -> str | None:
        """A GET URL valid for `expires` (seconds or timedelta) that saves the blob as `filename`."""
        seconds = int(expires.total_seconds()) if isinstance(expires, timedelta) else int(expires)
        params = {
            "Bucket": self.bucket,
            "Key": self.object_name(key),
            "ResponseContentDisposition": content_disposition(filename),
        }
        with self._errors(key):
            url: str = self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=seconds
            )
        return url

    def local_path(self, key: str) -> Path | None:
        """None: objects in a bucket are no local files (downloads use `presigned_url`)."""
        return None

    def keys(self) -> Iterator[str]:
        """Every stored blob key under the prefix."""
        paginator = self.client.get_paginator("list_objects_v2")
        start = f"{self.prefix}/" if self.prefix else ""
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                name = item["Key"][len(start):]
                if len(name) == 64 and all(c in "0123456789abcdef" for c in name):
                    yield name


class _Empty:
    def read(self, _size: int = -1) -> bytes:
        return b""

    def close(self) -> None:
        return None
