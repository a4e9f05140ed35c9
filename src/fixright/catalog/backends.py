"""The blob storage backend a storage URL names: `file:///path` or `s3://bucket/prefix`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from fixright.catalog.storage import BlobStorage
from fixright.catalog.storage_local import LocalStorage
from fixright.errors import ConfigurationError

if TYPE_CHECKING:
    from fixright.config import Settings


def storage_from_url(url: str, settings: Settings | None = None) -> BlobStorage:
    """The backend for `url`: `file:///path` (LocalStorage) or `s3://bucket/prefix` (S3Storage).

    S3 endpoint, region and keys come from `settings` (`s3_endpoint_url`,
    `s3_region`, `s3_access_key_id`, `s3_secret_access_key`); without keys
    boto3's usual credential chain applies. Raises `ConfigurationError` for
    any other URL.
    """
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(f"storage URL {url!r}: file URLs name a local folder (file:///path)")
        path = unquote(parts.path)
        if not path:
            raise ConfigurationError(f"storage URL {url!r} names no folder")
        return LocalStorage(Path(path))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ConfigurationError(f"storage URL {url!r} names no bucket (s3://bucket/prefix)")
        # boto3 is loaded only by deployments that store blobs in S3.
        try:
            from fixright.catalog.storage_s3 import S3Storage
        except ImportError:
            raise ConfigurationError(
                "s3:// storage needs the s3 extra: pip install 'fixright[s3]'") from None

        return S3Storage.from_settings(parts.netloc, parts.path.strip("/"), settings)
    raise ConfigurationError(f"storage URL {url!r} must start with file:// or s3://")
