"""Downloads through the other server (uvicorn) and from S3 storage (a presigned redirect)."""

from __future__ import annotations

import concurrent.futures
import email.message
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from tests.e2e.conftest import LiveServer, start_server
from tests.e2e.downloads_support import ENTITLED, _byteranges, _repr_digest, _small_world, _token_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def uvicorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live-uvicorn")
    proc, server = start_server(tmp, f"sqlite:///{tmp / 'fixright.db'}",
                                extra_args=("--server", "uvicorn"))
    yield server
    proc.terminate()
    proc.wait(timeout=15)


def test_uvicorn_serves_the_same_bytes_ranges_and_refusals(
    uvicorn_server: LiveServer, tmp_path: Path
) -> None:
    """`--server uvicorn` (no pathsend: the app streams the file) behaves the same."""
    server = uvicorn_server
    acme, beta, data, body = _small_world(server, tmp_path)
    url = str(body["url"])
    client = server.client(acme)
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["server"] == "uvicorn"
    assert whole.headers["content-length"] == str(len(data))
    assert hashlib.sha256(whole.content).digest() == _repr_digest(
        whole.headers["repr-digest"])["sha-256"] == hashlib.sha256(data).digest()
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(data))
    single = client.get(url, headers={"Range": "bytes=-1000"})
    assert single.status_code == 206 and single.content == data[-1000:]
    multi = client.get(url, headers={"Range": "bytes=0-0,70000-70099"})
    assert [p[1] for p in _byteranges(multi)] == [data[:1], data[70000:70100]]
    stale = client.get(url, headers={"Range": "bytes=0-0", "If-Range": '"' + "f" * 64 + '"'})
    assert stale.status_code == 200 and stale.content == data
    unsatisfiable = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{len(data)}"
    assert server.client(beta).get(url).status_code == 403


# -- S3 storage: a redirect to a presigned URL ---------------------------------------------


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    bucket = f"fixright-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing",
                 ).create_bucket(Bucket=bucket)
    tmp = tmp_path_factory.mktemp("live-s3")
    env = {"FIXRIGHT_STORAGE_URL": f"s3://{bucket}/images/prod",
           "FIXRIGHT_S3_ENDPOINT_URL": endpoint, "FIXRIGHT_S3_REGION": "us-east-1",
           "FIXRIGHT_S3_ACCESS_KEY_ID": "testing", "FIXRIGHT_S3_SECRET_ACCESS_KEY": "testing"}
    proc, server = start_server(tmp, f"sqlite:///{tmp / 'fixright.db'}", extra_env=env)
    yield server, endpoint
    proc.terminate()
    proc.wait(timeout=10)
    moto.stop()


def test_s3_link_redirects_to_a_presigned_url_with_the_bytes(
    s3_server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, endpoint = s3_server
    acme, beta, data, body = _small_world(server, tmp_path)
    # Several at once: each request must get its redirect (boto3 clients are
    # shared between the server's threads).
    with (httpx.Client(headers={"Authorization": f"Bearer {acme}"}, timeout=30) as client,
          concurrent.futures.ThreadPoolExecutor(8) as pool):
        answers = list(pool.map(lambda _: client.get(body["url"]), range(16)))
    assert {a.status_code for a in answers} == {307}
    answer = answers[0]
    assert answer.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    location = answer.headers["location"]
    assert location.startswith(endpoint + "/")
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=" in location
    blob = httpx.get(location, timeout=30)  # the presigned URL needs no portal credentials
    assert blob.status_code == 200
    assert hashlib.sha256(blob.content).hexdigest() == hashlib.sha256(data).hexdigest()
    disposition = email.message.Message()
    disposition["content-disposition"] = blob.headers["content-disposition"]
    assert disposition.get_filename() == ENTITLED
    ranged = httpx.get(location, headers={"Range": "bytes=5-14"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == data[5:15]
    # The redirect is given only after the same checks as a local download.
    assert server.client(beta).get(body["url"]).status_code == 403
    assert server.client().get(body["url"]).status_code in (401, 403)
    token, name = _token_of(body["url"])
    forged = token.rsplit(".", 1)[0] + ".AAAA"
    assert server.client(acme).get(f"{server.url}/dl/{forged}/{name}").status_code == 403
