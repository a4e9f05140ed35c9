"""Blobs as files under one folder: `root/ab/cd/abcd...` for sha256 `abcd...`.

Every write goes to a temporary file on the same file system (in `root/.tmp`
for staged uploads, in the blob's own folder for `put`), is fsynced, and is
renamed into place, then the folder is fsynced: a crash at any moment leaves
either no blob or the whole blob, never a partial one under a blob's name.
Abandoned temporary files (a killed upload) older than an hour are swept on
the next staging; `temporary_files` lists them for `images verify` and
`images gc`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO

from fixright.catalog.storage import (
    READ_CHUNK,
    BlobReader,
    TempFile,
    blob_relpath,
    check_key,
    check_range,
)
from fixright.errors import ConfigurationError, IntegrityFailure, InvalidInput, NotFound

STAGING_DIR = ".tmp"
_TEMP_NAME = re.compile(r"(\.tmp/[^/]+|[0-9a-f]{2}/[0-9a-f]{2}/\.[^/]+)", re.ASCII)
# A temporary file untouched for this long belongs to a dead upload.
STALE_SECONDS = 3600


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _LocalStaging:
    def __init__(self, storage: LocalStorage, file: IO[bytes], path: Path) -> None:
        self._storage = storage
        self.file = file
        self.path = path
        self.committed = False

    def commit(self, key: str) -> None:
        check_key(key)
        self.file.flush()
        os.fsync(self.file.fileno())
        self._storage._install(self.path, key)
        self.committed = True


class LocalStorage:
    """Content-addressed blob files under `root` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """Where blob `key` lives (whether or not it exists)."""
        return self.root / blob_relpath(key)

    def local_path(self, key: str) -> Path:
        """Where blob `key` lives (whether or not it exists); for sendfile-style responses."""
        return self.path(key)

    def _ensure_dir(self, path: Path) -> None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"blob folder {path} cannot be created: {exc.strerror or exc}"
            ) from exc

    def _install(self, temp: Path, key: str) -> None:
        """Rename the fsynced `temp` to blob `key`, unless that blob already exists."""
        final = self.path(key)
        self._ensure_dir(final.parent)
        if final.exists():
            # Same key, same bytes: keep the existing blob, drop the new copy. Touched,
            # so `images gc` never takes a blob an add has just reused for an orphan.
            temp.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                os.utime(final)
            return
        os.replace(temp, final)
        _fsync_dir(final.parent)

    def _sweep_stale(self, folder: Path) -> None:
        cutoff = time.time() - STALE_SECONDS
        for entry in folder.iterdir():
            with contextlib.suppress(OSError):
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    entry.unlink()

    @contextlib.contextmanager
    def staging(self) -> Iterator[_LocalStaging]:
        """A temporary file in `root/.tmp`; `commit(key)` renames it into place."""
        folder = self.root / STAGING_DIR
        self._ensure_dir(folder)
        self._sweep_stale(folder)
        fd, name = tempfile.mkstemp(prefix="upload-", dir=folder)
        path = Path(name)
        stage = None
        try:
            with os.fdopen(fd, "w+b") as handle:
                stage = _LocalStaging(self, handle, path)
                yield stage
        finally:
            if stage is None or not stage.committed:
                path.unlink(missing_ok=True)

    def put(self, key: str, stream: BinaryIO) -> None:
        """Store `stream` as blob `key`; IntegrityFailure (nothing stored) if it does not hash to `key`."""
        final = self.path(key)
        if final.exists():
            return
        self._ensure_dir(final.parent)
        fd, name = tempfile.mkstemp(prefix=f".{key[:8]}-", dir=final.parent)
        temp = Path(name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as handle:
                while chunk := stream.read(READ_CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if digest.hexdigest() != key:
                raise IntegrityFailure(
                    f"refusing to store blob {key}: the bytes hash to {digest.hexdigest()}"
                )
            self._install(temp, key)
        finally:
            temp.unlink(missing_ok=True)

    def open(self, key: str, start: int = 0, end: int | None = None) -> BlobReader:
        path = self.path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise NotFound(f"blob {key} is missing from {self.root}") from None
        try:
            size = os.fstat(handle.fileno()).st_size
            stop = check_range(start, end, size)
            handle.seek(start)
        except BaseException:
            handle.close()
            raise
        return BlobReader(handle, stop - start)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise NotFound(f"blob {key} is missing from {self.root}") from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def modified(self, key: str) -> datetime:
        try:
            stamp = self.path(key).stat().st_mtime
        except FileNotFoundError:
            raise NotFound(f"blob {key} is missing from {self.root}") from None
        return datetime.fromtimestamp(stamp, UTC)

    def temporary_files(self) -> Iterator[TempFile]:
        """Staged uploads (`.tmp/upload-*`) and `put`'s own temporaries (`ab/cd/.<key>-*`)."""
        if not self.root.is_dir():
            return
        candidates = [*self.root.glob(f"{STAGING_DIR}/*"),
                      *self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/.*")]
        for path in sorted(candidates):
            try:
                info = path.lstat()
            except OSError:
                continue  # finished or removed meanwhile
            if stat.S_ISREG(info.st_mode):
                yield TempFile(path.relative_to(self.root).as_posix(), info.st_size,
                               datetime.fromtimestamp(info.st_mtime, UTC))

    def remove_temporary(self, name: str) -> None:
        """Remove temporary file `name` (only names `temporary_files` can give are accepted)."""
        if _TEMP_NAME.fullmatch(name) is None:
            raise InvalidInput(f"{name!r} is not the name of a temporary file of {self.root}")
        (self.root / name).unlink(missing_ok=True)

    def presigned_url(self, key: str, *, filename: str, expires: int | timedelta) -> str | None:
        """Local files have no presigned URL: the portal streams them itself."""
        check_key(key)
        return None

    def keys(self) -> Iterator[str]:
        """Every stored blob key (temporary files excluded)."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
            name = path.name
            if path.is_file() and len(name) == 64 and name[:2] == path.parent.parent.name:
                yield name
