"""Catalog fixtures: blob storage backends, including a real S3-compatible server.

The S3 backend is tested against moto's standalone server on 127.0.0.1 (a
real HTTP server, spoken to with plain boto3 S3 calls), started once per
test session.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from fixright.catalog.backends import storage_from_url
from fixright.catalog.storage import BlobStorage
from fixright.config import Settings


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_settings(s3_endpoint: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "s3-data",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
        s3_access_key_id="testing",
        s3_secret_access_key="testing",
    )


@pytest.fixture
def s3_bucket(s3_settings: Settings) -> str:
    name = f"fixright-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_settings.s3_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStorage:
    """Each backend in turn, empty, chosen by URL as the application does."""
    if request.param == "local":
        return storage_from_url(f"file://{tmp_path / 'blobs'}", Settings(data_dir=tmp_path))
    settings: Settings = request.getfixturevalue("s3_settings")
    bucket: str = request.getfixturevalue("s3_bucket")
    return storage_from_url(f"s3://{bucket}/images/prod", settings)
