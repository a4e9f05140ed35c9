"""Blob storage: the protocol every backend meets, and the checks they share.

The backends are `storage_local` and `storage_s3`; `catalog.backends`
chooses one from a storage URL.

Blobs are content-addressed: the key of a blob is the lower-case hex SHA-256
of its bytes, and nothing else is accepted as a key, so a name from outside
can never become a path or an object name.

Byte ranges follow Python slices: `open(key, start, end)` yields bytes
`start` up to but not including `end` (`end=None`: to the end). An HTTP
`Range: bytes=a-b` is `open(key, a, b + 1)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO, Protocol, runtime_checkable
from urllib.parse import quote

from fixright.errors import InvalidInput

READ_CHUNK = 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{64}", re.ASCII)


def check_key(key: object) -> str:
    """`key` if it is a SHA-256 hex digest (64 lower-case hex characters), else `InvalidInput`."""
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        shown = repr(key)[:80]
        raise InvalidInput(f"blob key {shown} is not a sha256 hex digest (64 lower-case hex)")
    return key


def check_range(start: int, end: int | None, size: int, *, what: str = "blob") -> int:
    """Validate a slice-style byte range against `size`; return the clamped `end`.

    `InvalidInput` when `start` is negative, `end` is before `start`, or
    `start` lies past the end. As with slices, `end` beyond the end is
    clamped, and `start == size` gives no bytes.
    """
    if start < 0:
        raise InvalidInput(f"byte range start {start} is negative")
    stop = size if end is None else min(end, size)
    if end is not None and end < start:
        raise InvalidInput(f"byte range end {end} is before start {start}")
    if start > size:
        raise InvalidInput(f"byte range starting at {start} is past the end of the {what} ({size} bytes)")
    return stop


def blob_relpath(key: str) -> str:
    """Where blob `key` lives under a local storage root: `ab/cd/abcd...` (after `check_key`).

    Also the path an nginx internal location serves a blob from (X-Accel-Redirect).
    """
    check_key(key)
    return f"{key[:2]}/{key[2:4]}/{key}"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the RFC 5987 UTF-8 name."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class BlobReader:
    """A readable view of `length` bytes of a blob: `read(n)`, iteration by chunks, `close()`.

    Wraps a file object or an S3 streaming body; use it as a context manager
    or close it when done.
    """

    def __init__(self, raw: Any, length: int, *, chunk_size: int = READ_CHUNK) -> None:
        self._raw = raw
        self.length = length
        self._remaining = length
        self._chunk_size = chunk_size
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        want = self._remaining if size is None or size < 0 else min(size, self._remaining)
        data: bytes = self._raw.read(want)
        self._remaining -= len(data)
        return data

    def readable(self) -> bool:
        return True

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(self._chunk_size):
            yield chunk

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._raw.close()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class TempFile:
    """A temporary file a backend holds: an upload being written, or one a killed process left.

    `name` is relative to the store (what `remove_temporary` takes back).
    """

    name: str
    size: int
    modified: datetime


class Staging(Protocol):
    """A write-once area for a blob whose key is known only after it is written.

    `file` takes the bytes; `commit(key)` makes them the blob `key` atomically
    (if that blob already exists the staged bytes are dropped); leaving the
    context without committing removes them.
    """

    file: IO[bytes]

    def commit(self, key: str) -> None: ...


@runtime_checkable
class BlobStorage(Protocol):
    """What the catalog needs from a blob store. Every `key` is a sha256 hex digest."""

    def put(self, key: str, stream: BinaryIO) -> None:
        """Store `stream` as `key` atomically; the bytes must hash to `key` (else IntegrityFailure)."""
        ...

    def staging(self) -> AbstractContextManager[Staging]:
        """A `Staging` area: write first, learn the key, then commit."""
        ...

    def open(self, key: str, start: int = 0, end: int | None = None) -> BlobReader:
        """Bytes `[start, end)` of `key` (NotFound if missing, InvalidInput for a bad range)."""
        ...

    def exists(self, key: str) -> bool: ...

    def keys(self) -> Iterator[str]:
        """Every stored blob key."""
        ...

    def size(self, key: str) -> int:
        """Size in bytes (NotFound if missing)."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; removing a missing key is not an error."""
        ...

    def modified(self, key: str) -> datetime:
        """When `key` was last written (or last reused by an add), UTC (NotFound if missing)."""
        ...

    def temporary_files(self) -> Iterator[TempFile]:
        """Temporary files of uploads in progress or abandoned (killed) ones."""
        ...

    def remove_temporary(self, name: str) -> None:
        """Remove the temporary file `name` (from `temporary_files`); a missing one is not an error."""
        ...

    def presigned_url(
        self, key: str, *, filename: str, expires: int | timedelta
    ) -> str | None:
        """A time-limited URL that downloads `key` as `filename`, or None if the backend has none."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The file holding `key` on this machine (whether or not it exists yet), for
        sendfile-style responses; None for a backend whose blobs are not local files."""
        ...
